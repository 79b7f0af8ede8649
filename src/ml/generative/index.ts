/**
 * Fidelity of synthetic tabular data: per-column KS and Wasserstein, correlation distance,
 * detection AUC, novelty and diversity, against an independent-marginals baseline.
 * Other code imports from here only.
 */
export { ksTwoSample, ksTwoSampleSorted, kolmogorovSf, type KsResult } from './ks.js';
export { wasserstein1, wassersteinSorted } from './wasserstein.js';
export { correlationMatrix, correlationDistance } from './correlation.js';
export { detectionAuc, type DetectionOptions } from './detection.js';
export { nearestDistances, meanPairwiseDistance, median, mean } from './distance.js';
export { independentMarginals, sampleRows } from './baseline.js';
export {
  evaluateFidelity,
  HEADLINE,
  type Better,
  type ColumnFidelity,
  type FidelityOptions,
  type FidelityReport,
  type HeadlineMetric,
  type NoveltyStats,
} from './fidelity.js';

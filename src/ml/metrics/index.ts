/**
 * Evaluation metrics for medpipe models, at parity with scikit-learn 1.2: classification and
 * regression metrics, bootstrap intervals, threshold choice, subgroups, gates and permutation
 * importance, and the early-recognition metrics of a virtual screen. Other code imports from here only.
 */
export { METRICS, metricInfo, resolveMetricNames, type MetricInfo, type ProblemKind } from './catalog.js';
export { makeScorer, type Outcomes, type Scorer } from './scorer.js';
export { bootstrapMetrics, percentile, type BootstrapOptions, type BootstrapResult, type MetricEstimate } from './bootstrap.js';
export { chooseThreshold, type ChosenThreshold, type ThresholdRule } from './threshold.js';
export { checkGates, formatAgainst, parseGates, type Gate, type GateResult } from './gates.js';
export { FAIRNESS_METRICS, MIN_GROUP_ROWS, fairnessSummary, type Fairness, type GapEstimate } from './fairness.js';
export { subgroupRows, MISSING_GROUP, type Subgroup } from './subgroups.js';
export { permutationImportance, type FeatureImportance, type ImportanceOptions } from './importance.js';
export { evaluateOutcomes, failedGateMessages, takeOutcomes, type Evaluation, type EvaluationOptions, type SubgroupReport } from './evaluate.js';
export { modelOutcomes, type Truth } from './outcomes.js';
export { formatReportJson } from './report-json.js';
export * as binary from './binary.js';
export * as multiclass from './multiclass.js';
export * as ranking from './ranking.js';
export {
  differenceName,
  efName,
  lexicographicScore,
  makeScreeningScorer,
  screeningMetricNames,
  screeningMetrics,
  topCount,
  withDifferences,
  type MethodDifference,
  type RankedMethod,
  type ScreeningMetrics,
  type ScreeningOptions,
  type SortKey,
} from './screening.js';
export { regressionMetrics, type RegressionMetrics } from './regression.js';

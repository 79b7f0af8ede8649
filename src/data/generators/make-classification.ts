/**
 * A seeded synthetic classification table, following scikit-learn's make_classification
 * algorithm (Guyon's design for the NIPS 2003 feature selection challenge): clusters of points
 * around vertices of a hypercube in the informative subspace, each cluster given a random
 * covariance; redundant features as random linear combinations of the informative ones; the rest
 * pure noise; a fraction of labels flipped at random; rows and columns shuffled. It uses medpipe's
 * RNG, so the numbers differ from scikit-learn's for the same seed; the structure is the same.
 */
import { StepInputError } from '../../errors.js';
import { createRng, type Rng } from '../../rng.js';
import { shuffledFeatureColumns } from './feature-columns.js';
import type { Dataset } from '../dataset.js';
import { makeDataset } from '../dataset.js';

export interface MakeClassificationOptions {
  nSamples: number;
  nFeatures: number;
  nInformative: number;
  nRedundant: number;
  nClasses: number;
  nClustersPerClass: number;
  /** Class proportions; n_classes - 1 values leave the last class the rest. Default: balanced. */
  weights?: readonly number[];
  /** Fraction of labels assigned at random (label noise). */
  flipY: number;
  /** Half the side of the hypercube: larger separates the classes more. */
  classSep: number;
  shuffle: boolean;
  seed: number;
}

export const MAKE_CLASSIFICATION_DEFAULTS: MakeClassificationOptions = {
  nSamples: 100,
  nFeatures: 20,
  nInformative: 2,
  nRedundant: 2,
  nClasses: 2,
  nClustersPerClass: 2,
  flipY: 0.01,
  classSep: 1,
  shuffle: true,
  seed: 0,
};

export function makeClassification(options: MakeClassificationOptions): Dataset {
  const { nSamples: n, nFeatures: p, nInformative: ni, nRedundant: nr, nClasses: nc, nClustersPerClass: cpc, flipY, classSep } = options;
  check(options);
  const rng = createRng(options.seed);
  const nClusters = nc * cpc;
  const weights = classWeights(options.weights, nc);
  const perCluster = Array.from({ length: nClusters }, (_, k) => Math.floor((n * weights[k % nc]) / cpc));
  const short = n - perCluster.reduce((a, b) => a + b, 0);
  for (let i = 0; i < short; i++) perCluster[i % nClusters]++;

  const X = new Float64Array(n * p); // row-major
  const y = new Int32Array(n);
  const centroids = hypercubeVertices(nClusters, ni, rng).map((v) => v.map((bit) => bit * 2 * classSep - classSep));
  for (let i = 0; i < n; i++) for (let j = 0; j < ni; j++) X[i * p + j] = rng.normal();

  let start = 0;
  centroids.forEach((centroid, k) => {
    const stop = start + perCluster[k];
    // A random linear map gives each cluster its own covariance.
    const A = Float64Array.from({ length: ni * ni }, () => 2 * rng.next() - 1);
    const row = new Float64Array(ni);
    for (let i = start; i < stop; i++) {
      y[i] = k % nc;
      for (let j = 0; j < ni; j++) row[j] = X[i * p + j];
      for (let j = 0; j < ni; j++) {
        let s = 0;
        for (let m = 0; m < ni; m++) s += row[m] * A[m * ni + j];
        X[i * p + j] = s + centroid[j];
      }
    }
    start = stop;
  });
  if (nr > 0) {
    const B = Float64Array.from({ length: ni * nr }, () => 2 * rng.next() - 1);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < nr; r++) {
        let s = 0;
        for (let m = 0; m < ni; m++) s += X[i * p + m] * B[m * nr + r];
        X[i * p + ni + r] = s;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = ni + nr; j < p; j++) X[i * p + j] = rng.normal();
  if (flipY > 0) {
    const flip = Array.from({ length: n }, () => rng.next() < flipY);
    for (let i = 0; i < n; i++) if (flip[i]) y[i] = rng.int(nc);
  }

  const { columns, rowOrder } = shuffledFeatureColumns(X, n, p, rng, !!options.shuffle);
  const codes = Int32Array.from(rowOrder, (r) => y[r]);
  columns.push({ name: 'class', kind: 'target', data: { type: 'categorical', codes, categories: Array.from({ length: nc }, (_, c) => String(c)) } });
  return makeDataset(columns, { column: 'class', ...(nc === 2 ? { positive: '1' } : {}) });
}

function check(o: MakeClassificationOptions): void {
  if (o.nInformative + o.nRedundant > o.nFeatures)
    throw new StepInputError(`n_informative (${o.nInformative}) + n_redundant (${o.nRedundant}) must be at most n_features (${o.nFeatures})`);
  if (o.nInformative < 1) throw new StepInputError('n_informative must be at least 1');
  if (o.nClasses < 2) throw new StepInputError('n_classes must be at least 2');
  if (o.nClasses * o.nClustersPerClass > 2 ** o.nInformative) {
    throw new StepInputError(
      `n_classes (${o.nClasses}) x n_clusters_per_class (${o.nClustersPerClass}) must be at most 2^n_informative (${2 ** o.nInformative}): raise n_informative`,
    );
  }
  if (o.nSamples < 1) throw new StepInputError('n_samples must be at least 1');
}

function classWeights(weights: readonly number[] | undefined, nc: number): number[] {
  if (!weights || weights.length === 0) return new Array<number>(nc).fill(1 / nc);
  if (weights.length === nc - 1) return [...weights, 1 - weights.reduce((a, b) => a + b, 0)];
  if (weights.length === nc) return [...weights];
  throw new StepInputError(`weights must have n_classes (${nc}) or n_classes - 1 values, got ${weights.length}`);
}

/** `count` distinct vertices of the unit hypercube in `dims` dimensions, as 0/1 vectors. */
function hypercubeVertices(count: number, dims: number, rng: Rng): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  while (out.length < count) {
    const v = Array.from({ length: dims }, () => (rng.next() < 0.5 ? 0 : 1));
    const key = v.join('');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

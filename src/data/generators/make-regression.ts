/**
 * A seeded synthetic regression table, following scikit-learn's make_regression: standard normal
 * features, a target that is a random linear function of `n_informative` of them (coefficients
 * uniform in [0, 100)) plus a bias and optional Gaussian noise; rows and columns shuffled. Uses
 * medpipe's RNG, so the numbers differ from scikit-learn's for the same seed.
 */
import { StepInputError } from '../../errors.js';
import { createRng } from '../../rng.js';
import { shuffledFeatureColumns } from './feature-columns.js';
import { makeDataset, type Dataset } from '../dataset.js';

export interface MakeRegressionOptions {
  nSamples: number;
  nFeatures: number;
  nInformative: number;
  bias: number;
  /** Standard deviation of the Gaussian noise added to the target. */
  noise: number;
  shuffle: boolean;
  seed: number;
}

export const MAKE_REGRESSION_DEFAULTS: MakeRegressionOptions = { nSamples: 100, nFeatures: 100, nInformative: 10, bias: 0, noise: 0, shuffle: true, seed: 0 };

export function makeRegression(options: MakeRegressionOptions): Dataset {
  const { nSamples: n, nFeatures: p, bias, noise } = options;
  if (n < 1 || p < 1) throw new StepInputError('n_samples and n_features must be at least 1');
  const ni = Math.min(p, Math.max(0, options.nInformative));
  const rng = createRng(options.seed);
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  const coef = new Float64Array(p);
  for (let j = 0; j < ni; j++) coef[j] = 100 * rng.next();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = bias;
    for (let j = 0; j < ni; j++) s += X[i * p + j] * coef[j];
    y[i] = s;
  }
  if (noise > 0) for (let i = 0; i < n; i++) y[i] += noise * rng.normal();

  const { columns, rowOrder } = shuffledFeatureColumns(X, n, p, rng, !!options.shuffle);
  columns.push({ name: 'target', kind: 'target', data: { type: 'numeric', values: Float64Array.from(rowOrder, (r) => y[r]) } });
  return makeDataset(columns, { column: 'target' });
}

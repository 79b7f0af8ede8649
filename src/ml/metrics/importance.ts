/**
 * Permutation feature importance, scikit-learn's algorithm: the drop in a score when one feature's
 * column is shuffled (breaking its link to the outcome), `repeats` times per feature, reported as
 * mean and standard deviation (population, as numpy's std). The score is oriented so that higher
 * is better (a loss is negated), so a positive importance always means the model relies on the
 * feature. The shuffles come from the seeded RNG, one forked stream per feature.
 */
import { createRng } from '../../rng.js';

export interface FeatureImportance {
  feature: string;
  mean: number;
  std: number;
}

export interface ImportanceOptions {
  repeats: number;
  seed: number;
}

/**
 * `score(X)` evaluates the model on a row-major nRows x nCols matrix (higher = better). Returns
 * one entry per feature, sorted by decreasing mean importance (ties keep feature order).
 */
export function permutationImportance(
  X: Float64Array,
  nRows: number,
  nCols: number,
  names: readonly string[],
  score: (X: Float64Array) => number,
  options: ImportanceOptions,
): FeatureImportance[] {
  const baseline = score(X);
  const root = createRng(options.seed);
  const work = Float64Array.from(X);
  const column = new Float64Array(nRows);
  const out: FeatureImportance[] = [];
  for (let j = 0; j < nCols; j++) {
    const rng = root.fork(j);
    for (let i = 0; i < nRows; i++) column[i] = X[i * nCols + j];
    const drops: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const shuffled = rng.shuffle(Float64Array.from(column));
      for (let i = 0; i < nRows; i++) work[i * nCols + j] = shuffled[i];
      drops.push(baseline - score(work));
    }
    for (let i = 0; i < nRows; i++) work[i * nCols + j] = column[i];
    const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
    const std = Math.sqrt(drops.reduce((a, d) => a + (d - mean) * (d - mean), 0) / drops.length);
    out.push({ feature: names[j], mean, std });
  }
  return out
    .map((e, j) => ({ e, j }))
    .sort((a, b) => b.e.mean - a.e.mean || a.j - b.j)
    .map(({ e }) => e);
}

/**
 * The independent-marginals baseline: each column sampled on its own, with replacement, from the
 * real column's values. It reproduces every marginal distribution (so per-column KS and
 * Wasserstein are near their sampling noise) and none of the dependence between columns: a
 * generator worth having must beat it on correlation distance and detection AUC.
 */
import { createRng } from '../../rng.js';

export function independentMarginals(real: readonly Float64Array[], n: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return real.map((col, j) => {
    // One stream per column, so adding a column does not change the others' samples.
    const r = rng.fork(j);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[r.int(col.length)];
    return out;
  });
}

/** `k` distinct row indices of n in ascending order, seeded; all rows when k >= n. */
export function sampleRows(n: number, k: number, seed: number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (k >= n) return all;
  return createRng(seed).shuffle(all).subarray(0, k).sort();
}

/**
 * Row distances in a standardised space (each column centred and divided by the real data's
 * standard deviation, so no column dominates by its unit): how far each synthetic row is from the
 * nearest real row (novelty; copies of training rows are a privacy problem) and how spread out a
 * set of rows is (diversity; a collapsed generator repeats itself).
 */

function squaredDistance(A: Float64Array, i: number, B: Float64Array, k: number, p: number, stopAbove: number): number {
  let d = 0;
  const a = i * p,
    b = k * p;
  for (let j = 0; j < p; j++) {
    const t = A[a + j] - B[b + j];
    d += t * t;
    // Early exit: this row is already farther than the best so far (the common case for nearest-neighbour search).
    if (d > stopAbove) return d;
  }
  return d;
}

/**
 * For each row of Q (nq x p, row-major), the Euclidean distance to its nearest row of R (nr x p).
 * `exclude[i]`: a row of R that is query i itself, not counted as its neighbour (leave-one-out).
 */
export function nearestDistances(Q: Float64Array, nq: number, R: Float64Array, nr: number, p: number, exclude?: Int32Array): Float64Array {
  const out = new Float64Array(nq);
  for (let i = 0; i < nq; i++) {
    let best = Infinity;
    const self = exclude ? exclude[i] : -1;
    for (let k = 0; k < nr; k++) {
      if (k === self) continue;
      const d = squaredDistance(Q, i, R, k, p, best);
      if (d < best) best = d;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}

/** Mean Euclidean distance over all pairs of distinct rows; NaN for fewer than two rows. */
export function meanPairwiseDistance(X: Float64Array, n: number, p: number): number {
  if (n < 2) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) sum += Math.sqrt(squaredDistance(X, i, X, k, p, Infinity));
  return sum / ((n * (n - 1)) / 2);
}

export function median(values: Float64Array): number {
  if (!values.length) return NaN;
  const s = Float64Array.from(values).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function mean(values: ArrayLike<number>): number {
  if (!values.length) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

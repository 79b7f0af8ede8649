/**
 * Pearson correlation matrices and the distance between two of them, to see whether synthetic
 * data keeps the dependence between columns (which per-column tests cannot see).
 */

/**
 * The p x p Pearson correlation matrix (row-major) of equally long columns without missing
 * values. A constant column has no defined correlation; it is given 0 with every other column
 * (and 1 with itself), so that a column constant in one table and varying in the other shows up
 * only through the other table's correlations.
 */
export function correlationMatrix(columns: readonly Float64Array[]): Float64Array {
  const p = columns.length;
  const c = new Float64Array(p * p);
  const n = p ? columns[0].length : 0;
  const centred: (Float64Array | null)[] = columns.map((col) => {
    let lo = Infinity,
      hi = -Infinity,
      sum = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
    }
    // min == max, not variance == 0: the mean of a constant column is not always exactly that constant.
    if (!(hi > lo)) return null;
    const mean = sum / n;
    const z = new Float64Array(n);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      z[i] = col[i] - mean;
      ss += z[i] * z[i];
    }
    const scale = 1 / Math.sqrt(ss);
    for (let i = 0; i < n; i++) z[i] *= scale;
    return z;
  });
  for (let a = 0; a < p; a++) {
    c[a * p + a] = 1;
    const za = centred[a];
    if (!za) continue;
    for (let b = a + 1; b < p; b++) {
      const zb = centred[b];
      if (!zb) continue;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += za[i] * zb[i];
      const r = Math.max(-1, Math.min(1, dot));
      c[a * p + b] = r;
      c[b * p + a] = r;
    }
  }
  return c;
}

/**
 * ||C1 - C2||_F / sqrt(p (p - 1)): the root mean square difference of the off-diagonal
 * correlations (the diagonals are 1 in both), so 0 is identical and 2 the most distant,
 * whatever the number of columns. 0 for fewer than two columns.
 */
export function correlationDistance(c1: Float64Array, c2: Float64Array, p: number): number {
  if (c1.length !== p * p || c2.length !== p * p) throw new Error(`correlation matrices must be ${p} x ${p}`);
  if (p < 2) return 0;
  let ss = 0;
  for (let i = 0; i < p * p; i++) {
    const d = c1[i] - c2[i];
    ss += d * d;
  }
  return Math.sqrt(ss / (p * (p - 1)));
}

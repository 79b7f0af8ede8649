/**
 * Column standardisation for distances between rows: columns live on very different scales
 * (molecular weight in hundreds, ring counts in units), so each is centred and divided by its
 * population standard deviation, fitted on a reference table (the library queries are matched
 * against; the real rows synthetic ones are compared with). Used by nearest-molecule retrieval and
 * by the generative fidelity metrics (novelty, diversity).
 */

export interface Standardiser {
  mean: Float64Array;
  /** Population standard deviation; 1 for a constant column (it then shifts every distance alike). */
  scale: Float64Array;
}

export function fitStandardiser(columns: readonly ArrayLike<number>[]): Standardiser {
  const d = columns.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const c = columns[j];
    const n = c.length;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += c[r];
    const m = n ? sum / n : 0;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (c[r] - m) * (c[r] - m);
    const sd = n ? Math.sqrt(ss / n) : 0;
    mean[j] = m;
    scale[j] = sd > 0 ? sd : 1;
  }
  return { mean, scale };
}

/** The rows at `rows` (every row when omitted) as one row-major standardised matrix (rows x columns.length). */
export function standardisedRows(columns: readonly ArrayLike<number>[], s: Standardiser, rows?: ArrayLike<number>): Float64Array {
  const d = columns.length;
  const n = rows ? rows.length : d ? columns[0].length : 0;
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const c = columns[j];
    const m = s.mean[j];
    const sc = s.scale[j];
    for (let r = 0; r < n; r++) out[r * d + j] = (c[rows ? rows[r] : r] - m) / sc;
  }
  return out;
}

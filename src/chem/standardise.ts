/**
 * Standardisation for descriptor distances: descriptors live on very different scales (molecular
 * weight in hundreds, ring counts in units), so each column is centred and divided by its
 * population standard deviation, both fitted on the library the queries are matched against.
 */

export interface Standardiser {
  mean: Float64Array;
  scale: Float64Array;
}

/** Mean and population std of each column; a constant column gets scale 1 (it only shifts every distance alike). */
export function fitStandardiser(columns: readonly ArrayLike<number>[], rows: number): Standardiser {
  const d = columns.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const c = columns[j];
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += c[r];
    const m = rows ? sum / rows : 0;
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += (c[r] - m) * (c[r] - m);
    const sd = rows ? Math.sqrt(ss / rows) : 0;
    mean[j] = m;
    scale[j] = sd > 0 ? sd : 1;
  }
  return { mean, scale };
}

/** The standardised columns as one row-major matrix (rows x columns.length). */
export function standardisedRows(columns: readonly ArrayLike<number>[], rows: number, s: Standardiser): Float64Array {
  const d = columns.length;
  const out = new Float64Array(rows * d);
  for (let j = 0; j < d; j++) {
    const c = columns[j];
    const m = s.mean[j];
    const sc = s.scale[j];
    for (let r = 0; r < rows; r++) out[r * d + j] = (c[r] - m) / sc;
  }
  return out;
}

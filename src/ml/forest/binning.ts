/**
 * Pre-binning of the training matrix for histogram split search: each feature is cut into at
 * most 256 bins at quantiles of its training values, and every value is replaced by its bin code
 * (uint8, column-major, so the codes of one feature are contiguous).
 *
 * Cut points are midpoints between neighbouring distinct values, as sklearn's thresholds are.
 * A value x falls in bin b when edges[b-1] < x <= edges[b], so "code <= b" is the same test as
 * "x <= edges[b]": trees store real thresholds and predict on raw floats without binning.
 */

export const MAX_BINS = 256;

export interface BinnedMatrix {
  /** nCols * nRows bin codes, column-major, in a SharedArrayBuffer so workers read it without copying. */
  codes: Uint8Array;
  /** Per feature, the ascending cut points; feature f has edges[f].length + 1 bins. */
  edges: Float64Array[];
  nRows: number;
  nCols: number;
}

/** The midpoint of a < b, falling back to a when rounding would put it at b (as sklearn does). */
function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= b || !Number.isFinite(m) ? a : m;
}

/** Cut points for one feature's values (any order; not modified). */
export function binEdges(values: Float64Array, maxBins = MAX_BINS): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const cuts: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) cuts.push(midpoint(sorted[i - 1], sorted[i]));
  } else {
    // Quantile cuts: the boundary just below the k/maxBins quantile, moved to the next change of
    // value so that ties stay in one bin; duplicates are dropped.
    for (let k = 1; k < maxBins; k++) {
      let q = Math.floor((k * n) / maxBins);
      while (q < n && sorted[q] === sorted[q - 1]) q++;
      if (q >= n) break;
      const c = midpoint(sorted[q - 1], sorted[q]);
      if (cuts.length === 0 || c > cuts[cuts.length - 1]) cuts.push(c);
    }
  }
  return Float64Array.from(cuts);
}

/** Number of cut points < x: the bin of x. */
export function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bins a row-major matrix. The caller has already rejected NaN. */
export function binMatrix(X: Float64Array, nRows: number, nCols: number): BinnedMatrix {
  const codes = new Uint8Array(new SharedArrayBuffer(nRows * nCols));
  const edges: Float64Array[] = [];
  const column = new Float64Array(nRows);
  for (let f = 0; f < nCols; f++) {
    for (let i = 0; i < nRows; i++) column[i] = X[i * nCols + f];
    const e = binEdges(column);
    edges.push(e);
    const out = codes.subarray(f * nRows, (f + 1) * nRows);
    for (let i = 0; i < nRows; i++) out[i] = binOf(e, column[i]);
  }
  return { codes, edges, nRows, nCols };
}

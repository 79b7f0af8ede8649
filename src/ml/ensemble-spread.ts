/**
 * How much the members of an ensemble (a random forest's trees) disagree about each row: the
 * standard deviation of their predictions and a central interval of them. The spread of a
 * forest's trees is a rough but honest uncertainty: rows unlike the training data land in leaves
 * the trees learned from different molecules, and the trees disagree.
 */
import { percentile } from './metrics/bootstrap.js';

export interface Spread {
  /** Population standard deviation (divided by the member count, as numpy.std) of the members' predictions, per row. */
  sd: Float64Array;
  /** The (1 - level) / 2 and (1 + level) / 2 quantiles of the members' predictions (numpy's linear method), per row; absent without a level. */
  low?: Float64Array;
  high?: Float64Array;
}

/**
 * `members` is row-major nRows x k (predictTrees). `level` in (0, 1) asks for the central interval
 * holding that share of the members (0.9: the 5th to the 95th percentile).
 */
export function ensembleSpread(members: Float64Array, nRows: number, k: number, level?: number): Spread {
  const sd = new Float64Array(nRows);
  const low = level === undefined ? undefined : new Float64Array(nRows);
  const high = level === undefined ? undefined : new Float64Array(nRows);
  const row = new Float64Array(k);
  for (let r = 0; r < nRows; r++) {
    row.set(members.subarray(r * k, r * k + k));
    let mean = 0;
    for (let j = 0; j < k; j++) mean += row[j];
    mean /= k;
    let ss = 0;
    for (let j = 0; j < k; j++) ss += (row[j] - mean) * (row[j] - mean);
    sd[r] = Math.sqrt(ss / k);
    if (level !== undefined) {
      row.sort();
      low![r] = percentile(row, (1 - level) / 2);
      high![r] = percentile(row, (1 + level) / 2);
    }
  }
  return { sd, ...(low && high ? { low, high } : {}) };
}

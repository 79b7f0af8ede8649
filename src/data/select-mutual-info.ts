/**
 * Mutual information between a continuous feature and class labels, estimated with the
 * nearest-neighbour method of Ross (2014), as scikit-learn's mutual_info_classif does for
 * continuous features: for each point, the distance to its k-th neighbour within its class sets
 * a radius, and the number of points of any class inside that radius enters a digamma formula.
 *
 * Like sklearn, features are first divided by their standard deviation and, when an Rng is
 * given, jittered by 1e-10 * max(1, mean |x|) standard-normal noise to break ties. With noise the
 * values cannot match sklearn's (different random streams); without noise they match sklearn's
 * private `_compute_mi_cd` on the same scaled data.
 */
import type { Rng } from '../rng.js';
import { digammaInt } from './select-special.js';

export interface MutualInfoOptions {
  /** Neighbours per point (sklearn's n_neighbors, default 3). */
  nNeighbors: number;
  /** Source of the tie-breaking noise; omit for the noise-free estimate. */
  rng?: Rng;
}

/** The largest double below x, for x > 0 (numpy's nextafter(x, 0)); 0 stays 0. */
function nextDown(x: number): number {
  if (x <= 0) return x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/** Divides by the population std (1 for a constant column) and adds sklearn-style jitter. */
export function scaleAndJitter(x: Float64Array, rng: Rng | undefined): Float64Array {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
  const sd = Math.sqrt(v / n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sd > 0 ? x[i] / sd : x[i];
  if (rng) {
    let meanAbs = 0;
    for (let i = 0; i < n; i++) meanAbs += Math.abs(out[i]);
    const amplitude = 1e-10 * Math.max(1, meanAbs / n);
    for (let i = 0; i < n; i++) out[i] += amplitude * rng.normal();
  }
  return out;
}

/** Distance from sorted[p] to its k-th nearest other value in `sorted`. */
function kthNeighbourDistance(sorted: Float64Array, p: number, k: number): number {
  let left = p - 1,
    right = p + 1;
  let d = 0;
  for (let step = 0; step < k; step++) {
    const dl = left >= 0 ? sorted[p] - sorted[left] : Infinity;
    const dr = right < sorted.length ? sorted[right] - sorted[p] : Infinity;
    if (dl <= dr) {
      d = dl;
      left--;
    } else {
      d = dr;
      right++;
    }
  }
  return d;
}

/** Number of values v in `sorted` with |v - x| <= r, computing the difference as a KD-tree does. */
function countWithin(sorted: Float64Array, x: number, r: number): number {
  // Both predicates are monotone in the index because floating-point subtraction is monotone.
  let lo = 0,
    hi = sorted.length; // first index with x - v <= r
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Math.abs(sorted[mid] - x) <= r || sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  const first = lo;
  lo = first;
  hi = sorted.length; // first index after it with v - x > r
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > x && sorted[mid] - x > r) hi = mid;
    else lo = mid + 1;
  }
  return lo - first;
}

/** Mutual information (nats) of one already scaled feature with the labels; never negative. */
export function mutualInfoOfColumn(x: Float64Array, labels: Int32Array, nClasses: number, nNeighbors: number): number {
  const n = x.length;
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const radius = new Float64Array(n);
  const kAll = new Int32Array(n);
  for (let c = 0; c < nClasses; c++) {
    if (counts[c] < 2) continue;
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (labels[i] === c) members.push(i);
    members.sort((a, b) => x[a] - x[b] || a - b);
    const sorted = Float64Array.from(members, (i) => x[i]);
    const k = Math.min(nNeighbors, counts[c] - 1);
    for (let p = 0; p < members.length; p++) {
      radius[members[p]] = nextDown(kthNeighbourDistance(sorted, p, k));
      kAll[members[p]] = k;
    }
  }
  // Points alone in their class carry no neighbour information and are left out, as in sklearn.
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (counts[labels[i]] > 1) kept.push(i);
  const m = kept.length;
  if (m === 0) return 0;
  const all = Float64Array.from(kept, (i) => x[i]).sort();
  let sumK = 0,
    sumLabel = 0,
    sumM = 0;
  for (const i of kept) {
    sumK += digammaInt(kAll[i]);
    sumLabel += digammaInt(counts[labels[i]]);
    sumM += digammaInt(countWithin(all, x[i], radius[i]));
  }
  const mi = digammaInt(m) + sumK / m - sumLabel / m - sumM / m;
  return Math.max(0, mi);
}

/** Mutual information of each feature column with the labels (sklearn's mutual_info_classif). */
export function mutualInfoClassif(columns: readonly Float64Array[], labels: Int32Array, nClasses: number, options: MutualInfoOptions): Float64Array {
  const out = new Float64Array(columns.length);
  columns.forEach((col, j) => {
    out[j] = mutualInfoOfColumn(scaleAndJitter(col, options.rng), labels, nClasses, options.nNeighbors);
  });
  return out;
}

/**
 * Rank-based binary metrics (ROC curve and AUC, average precision) as scikit-learn 1.2 computes
 * them, over row weights so the bootstrap can reuse one sort: rows are sorted by score once, and a
 * resample is a vector of row multiplicities. A weight of 0 removes a row exactly (its score is then
 * not a threshold), so a weighted result equals the result on the resampled rows.
 */

/** Scores sorted once: `order` by decreasing score, `groupEnd[g]` = end (exclusive) of the g-th run of tied scores. */
export interface RankedScores {
  readonly score: Float64Array;
  readonly order: Int32Array;
  readonly groupEnd: Int32Array;
}

export function rankScores(score: Float64Array): RankedScores {
  const n = score.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => score[b] - score[a] || a - b);
  const ends: number[] = [];
  for (let i = 1; i <= n; i++) if (i === n || score[order[i]] !== score[order[i - 1]]) ends.push(i);
  return { score, order, groupEnd: Int32Array.from(ends) };
}

/** sklearn's _binary_clf_curve: cumulative weighted false and true positives at each distinct score, highest first. */
export interface BinaryCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

export function binaryCurve(r: RankedScores, y: Uint8Array, w?: Float64Array): BinaryCurve {
  const m = r.groupEnd.length;
  const fps = new Float64Array(m),
    tps = new Float64Array(m),
    thresholds = new Float64Array(m);
  let tp = 0,
    fp = 0,
    k = 0,
    start = 0;
  for (let g = 0; g < m; g++) {
    const end = r.groupEnd[g];
    let any = false;
    for (let j = start; j < end; j++) {
      const i = r.order[j];
      const wi = w ? w[i] : 1;
      if (wi === 0) continue;
      any = true;
      if (y[i]) tp += wi;
      else fp += wi;
    }
    if (any) {
      fps[k] = fp;
      tps[k] = tp;
      thresholds[k] = r.score[r.order[start]];
      k++;
    }
    start = end;
  }
  return { fps: fps.subarray(0, k), tps: tps.subarray(0, k), thresholds: thresholds.subarray(0, k) };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/**
 * sklearn 1.2's roc_curve: with dropIntermediate, points collinear with their neighbours are
 * dropped; a first point (0, 0) at threshold max(score) + 1 is prepended (1.2 convention).
 * Undefined (NaN rates) when a class is absent.
 */
export function rocCurve(c: BinaryCurve, dropIntermediate = true): RocCurve {
  let keep = Array.from(c.fps, (_, i) => i);
  const { fps, tps } = c;
  if (dropIntermediate && fps.length > 2) {
    keep = keep.filter((i) => i === 0 || i === fps.length - 1 || fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0);
  }
  const P = tps[tps.length - 1],
    N = fps[fps.length - 1];
  return {
    fpr: [0, ...keep.map((i) => fps[i] / N)],
    tpr: [0, ...keep.map((i) => tps[i] / P)],
    thresholds: [c.thresholds[0] + 1, ...keep.map((i) => c.thresholds[i])],
  };
}

/** Area under the ROC curve (trapezoids); NaN when only one class has weight. */
export function rocAuc(c: BinaryCurve): number {
  const m = c.fps.length;
  if (m === 0) return NaN;
  const P = c.tps[m - 1],
    N = c.fps[m - 1];
  if (!(P > 0 && N > 0)) return NaN;
  let area = 0,
    x0 = 0,
    y0 = 0;
  for (let i = 0; i < m; i++) {
    const x = c.fps[i] / N,
      y = c.tps[i] / P;
    area += ((x - x0) * (y + y0)) / 2;
    x0 = x;
    y0 = y;
  }
  return area;
}

/** sklearn's average_precision_score: sum over thresholds of (recall step) x precision. NaN without positives. */
export function averagePrecision(c: BinaryCurve): number {
  const m = c.tps.length;
  if (m === 0) return NaN;
  const P = c.tps[m - 1];
  if (!(P > 0)) return NaN;
  let ap = 0,
    prevRecall = 0;
  for (let i = 0; i < m; i++) {
    const recall = c.tps[i] / P;
    const predicted = c.tps[i] + c.fps[i];
    ap += (recall - prevRecall) * (predicted !== 0 ? c.tps[i] / predicted : 0);
    prevRecall = recall;
  }
  return ap;
}

/**
 * Binary classification metrics at a decision threshold (a row is predicted positive when its
 * score >= threshold, the convention of ROC thresholds), and the probability metrics log loss,
 * Brier score and the calibration curve, as scikit-learn 1.2 computes them. Every function takes
 * optional row weights (bootstrap multiplicities). A metric that is undefined on the rows given
 * (sensitivity without positives, precision without predicted positives) is NaN, never a made-up 0.
 */

/** Weighted confusion counts. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function binaryCounts(y: Uint8Array, score: Float64Array, threshold: number, w?: Float64Array): BinaryCounts {
  let tp = 0,
    fp = 0,
    tn = 0,
    fn = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const predicted = score[i] >= threshold;
    if (y[i]) {
      if (predicted) tp += wi;
      else fn += wi;
    } else if (predicted) fp += wi;
    else tn += wi;
  }
  return { tp, fp, tn, fn };
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

export const sensitivity = (c: BinaryCounts): number => ratio(c.tp, c.tp + c.fn);
export const specificity = (c: BinaryCounts): number => ratio(c.tn, c.tn + c.fp);
export const precision = (c: BinaryCounts): number => ratio(c.tp, c.tp + c.fp);
export const accuracy = (c: BinaryCounts): number => ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn);
/** 2TP / (2TP + FP + FN): equals 2PR / (P + R), and stays defined when no row is predicted positive. */
export const f1 = (c: BinaryCounts): number => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);

/** Mean of sensitivity and specificity; like sklearn, a class absent from the rows is left out. */
export function balancedAccuracy(c: BinaryCounts): number {
  const s = sensitivity(c),
    t = specificity(c);
  if (Number.isNaN(s)) return t;
  if (Number.isNaN(t)) return s;
  return (s + t) / 2;
}

/** sklearn's log_loss for P(positive): clipped to [eps, 1 - eps], the pair (1 - p, p) renormalised. */
export function logLoss(y: Uint8Array, p: Float64Array, w?: Float64Array): number {
  const eps = Number.EPSILON;
  let sum = 0,
    total = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const q = Math.min(Math.max(p[i], eps), 1 - eps);
    const a = 1 - q;
    const s = a + q;
    sum += wi * -Math.log((y[i] ? q : a) / s);
    total += wi;
  }
  return ratio(sum, total);
}

/** Mean squared difference between P(positive) and the outcome (0 or 1). */
export function brierScore(y: Uint8Array, p: Float64Array, w?: Float64Array): number {
  let sum = 0,
    total = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const d = y[i] - p[i];
    sum += wi * d * d;
    total += wi;
  }
  return ratio(sum, total);
}

export interface CalibrationBin {
  /** Bin edges: [lower, upper) except the first bin, which includes 0, and (lower, upper] as sklearn's searchsorted gives. */
  lower: number;
  upper: number;
  n: number;
  /** Mean predicted probability in the bin (sklearn's prob_pred). */
  mean_predicted: number;
  /** Observed fraction of positives in the bin (sklearn's prob_true). */
  fraction_positive: number;
}

/**
 * sklearn's calibration_curve with strategy='uniform': nBins equal-width bins on [0, 1]; a score
 * equal to an inner edge falls in the lower bin; empty bins are left out.
 */
export function calibrationCurve(y: Uint8Array, p: Float64Array, nBins: number): CalibrationBin[] {
  // np.linspace(0, 1, nBins + 1): i * (1 / nBins), the last edge exactly 1.
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const sums = new Float64Array(nBins),
    trues = new Float64Array(nBins),
    totals = new Float64Array(nBins);
  for (let i = 0; i < y.length; i++) {
    let b = 0;
    while (b < nBins - 1 && edges[b + 1] < p[i]) b++;
    sums[b] += p[i];
    trues[b] += y[i];
    totals[b]++;
  }
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < nBins; b++) {
    if (totals[b] === 0) continue;
    // edges shown rounded (0.3, not 0.30000000000000004); the binning above used the exact ones
    bins.push({
      lower: Number(edges[b].toPrecision(12)),
      upper: Number(edges[b + 1].toPrecision(12)),
      n: totals[b],
      mean_predicted: sums[b] / totals[b],
      fraction_positive: trues[b] / totals[b],
    });
  }
  return bins;
}

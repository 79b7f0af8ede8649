/**
 * Univariate feature scores with scikit-learn's definitions: population variance
 * (VarianceThreshold), Pearson correlation, the ANOVA F statistic (f_classif) and the
 * chi-squared statistic (chi2), with their p-values. Each takes one feature column as a
 * Float64Array and class labels as codes 0..nClasses-1; none accepts missing values.
 */
import { chiSquaredSurvival, fSurvival } from './select-special.js';

export interface ScoreWithPValue {
  score: number;
  pvalue: number;
}

function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Population variance (ddof = 0), two-pass for accuracy. */
export function variance(x: Float64Array): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) * (x[i] - m);
  return s / x.length;
}

export function peakToPeak(x: Float64Array): number {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  return x.length ? hi - lo : 0;
}

/** Pearson correlation; 0 when either column is constant (no linear relation to speak of). */
export function pearson(x: Float64Array, y: Float64Array): number {
  const mx = mean(x),
    my = mean(y);
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * One-way ANOVA F of a feature across classes (sklearn's f_classif). A feature constant within
 * every class and across them scores 0 with p-value 1 (sklearn returns NaN there).
 */
export function anovaF(x: Float64Array, labels: Int32Array, nClasses: number): ScoreWithPValue {
  const n = x.length;
  const counts = new Float64Array(nClasses);
  const sums = new Float64Array(nClasses);
  for (let i = 0; i < n; i++) {
    counts[labels[i]]++;
    sums[labels[i]] += x[i];
  }
  const grand = mean(x);
  let between = 0;
  let present = 0;
  for (let c = 0; c < nClasses; c++) {
    if (counts[c] === 0) continue;
    present++;
    const d = sums[c] / counts[c] - grand;
    between += counts[c] * d * d;
  }
  let within = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - sums[labels[i]] / counts[labels[i]];
    within += d * d;
  }
  const dfBetween = present - 1;
  const dfWithin = n - present;
  if (between === 0) return { score: 0, pvalue: 1 };
  const f = between / dfBetween / (within / dfWithin);
  return { score: f, pvalue: fSurvival(f, dfBetween, dfWithin) };
}

/**
 * Chi-squared statistic of a non-negative feature against the classes (sklearn's chi2: the
 * feature's values are treated as counts). A feature summing to 0 scores 0 with p-value 1.
 */
export function chiSquared(x: Float64Array, labels: Int32Array, nClasses: number): ScoreWithPValue {
  const n = x.length;
  const observed = new Float64Array(nClasses);
  const classCounts = new Float64Array(nClasses);
  let total = 0;
  for (let i = 0; i < n; i++) {
    observed[labels[i]] += x[i];
    classCounts[labels[i]]++;
    total += x[i];
  }
  if (total === 0) return { score: 0, pvalue: 1 };
  let chi = 0;
  for (let c = 0; c < nClasses; c++) {
    const expected = (classCounts[c] / n) * total;
    if (expected > 0) chi += ((observed[c] - expected) * (observed[c] - expected)) / expected;
  }
  // sklearn uses all classes seen in y for the degrees of freedom (at least two).
  const df = Math.max(nClasses, 2) - 1;
  return { score: chi, pvalue: chiSquaredSurvival(chi, df) };
}

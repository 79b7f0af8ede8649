/**
 * Early-recognition metrics of a virtual screen: how well a ranked list puts the actives first.
 *
 * - Enrichment factor at a fraction x of the list: EF_x = (actives in the top n_x rows / n_x) /
 *   (actives / N), with n_x = ceil(x N) as RDKit's CalcEnrichment takes it (x N is first rounded to
 *   9 decimals, so 0.07 x 100 is 7 rows where RDKit's float gives 8).
 * - BEDROC(alpha) of Truchon & Bayly (J. Chem. Inf. Model. 2007, 47, 488), in the form RDKit's
 *   CalcBEDROC computes: RIE = sum over actives of e^(-alpha r/N), r the 1-based rank, divided by
 *   its expectation for a random list, then (RIE - RIEmin) / (RIEmax - RIEmin). Written with
 *   expm1 so a large alpha does not overflow; equal to RDKit's to rounding.
 * - ROC AUC as scikit-learn computes it (src/ml/metrics/ranking.ts).
 *
 * Ties: rows with equal scores are in no order, so each metric is its expectation over every
 * order of the tied rows (a method is neither rewarded nor penalised for how ties happen to be
 * listed). EF and BEDROC are linear in which positions the actives take, so this is exact: a tie
 * group straddling the cut-off counts its actives in proportion to the share of the group above
 * it, and each active in a group gets the mean of e^(-alpha r/N) over the group's positions. ROC
 * AUC's trapezoids already give ties half credit, the same expectation.
 *
 * Every function takes optional row weights (bootstrap multiplicities): a row of weight k is k
 * tied copies of it, so a weighted result equals the result on the resampled list. A metric that
 * is undefined (no actives, or nothing but actives) is NaN, never a made-up 0.
 */
import { binaryCurve, rankScores, rocAuc, type RankedScores } from './ranking.js';
import type { Scorer } from './scorer.js';

export interface ScreeningOptions {
  /** Fractions of the list for the enrichment factors, each in (0, 1], e.g. [0.01, 0.05]. */
  fractions: readonly number[];
  /** BEDROC's alpha (20: 80% of the score comes from the first 8% of the list). */
  alpha: number;
}

export interface ScreeningMetrics {
  /** One per fraction, in the order given. */
  ef: number[];
  bedroc: number;
  roc_auc: number;
}

/** The metric name of the enrichment factor at `fraction`: ef@1% for 0.01. */
export function efName(fraction: number): string {
  return `ef@${Number((fraction * 100).toPrecision(6))}%`;
}

/** The metric names for these options, in report order. */
export function screeningMetricNames(options: Pick<ScreeningOptions, 'fractions'>): string[] {
  return [...options.fractions.map(efName), 'bedroc', 'roc_auc'];
}

/** n_x: the rows in the top fraction of a list of n (RDKit's ceil, after rounding away float noise). */
export function topCount(fraction: number, n: number): number {
  return Math.max(1, Math.ceil(Math.round(fraction * n * 1e9) / 1e9));
}

/** EF and BEDROC of one ranked list (highest score first), for row weights w. */
function earlyRecognition(r: RankedScores, y: Uint8Array, options: ScreeningOptions, w?: Float64Array): { ef: number[]; bedroc: number } {
  const { alpha, fractions } = options;
  let total = 0,
    actives = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    total += wi;
    actives += wi * y[i];
  }
  if (!(actives > 0 && actives < total)) return { ef: fractions.map(() => NaN), bedroc: NaN };
  const cut = fractions.map((f) => topCount(f, total));
  const hits = new Float64Array(fractions.length);
  // -expm1(-alpha/N) = 1 - q with q = e^(-alpha/N), the ratio between successive ranks' weights.
  const oneMinusQ = -Math.expm1(-alpha / total);
  let sumExp = 0,
    before = 0,
    start = 0;
  for (let g = 0; g < r.groupEnd.length; g++) {
    const end = r.groupEnd[g];
    let size = 0,
      act = 0;
    for (let j = start; j < end; j++) {
      const i = r.order[j];
      const wi = w ? w[i] : 1;
      size += wi;
      act += wi * y[i];
    }
    start = end;
    if (size === 0) continue;
    if (act > 0) {
      for (let k = 0; k < cut.length; k++) hits[k] += act * Math.min(1, Math.max(0, (cut[k] - before) / size));
      // Sum of q^r over ranks before+1 .. before+size, shared equally by the group's rows.
      const sumQ = (Math.exp((-alpha * (before + 1)) / total) * -Math.expm1((-alpha * size) / total)) / oneMinusQ;
      sumExp += (act * sumQ) / size;
    }
    before += size;
  }
  const ratio = actives / total;
  const ef = cut.map((n, k) => hits[k] / n / ratio);
  // RIE's random expectation: (1/N) (1 - e^-alpha) / (e^(alpha/N) - 1).
  const randomSum = ((1 / total) * -Math.expm1(-alpha)) / Math.expm1(alpha / total);
  const rie = sumExp / (actives * randomSum);
  const rieMax = -Math.expm1(-alpha * ratio) / (ratio * -Math.expm1(-alpha));
  // RDKit's RIEmin = (1 - e^(alpha ratio)) / (ratio (1 - e^alpha)) = e^(alpha (ratio - 1)) RIEmax, without the overflow.
  const rieMin = Math.exp(alpha * (ratio - 1)) * rieMax;
  return { ef, bedroc: (rie - rieMin) / (rieMax - rieMin) };
}

/** EF at each fraction, BEDROC and ROC AUC of the list ranked by `score` (higher first); y = 1 for actives. */
export function screeningMetrics(y: Uint8Array, score: Float64Array, options: ScreeningOptions, w?: Float64Array): ScreeningMetrics {
  checkScores(score);
  const ranked = rankScores(score);
  return { ...earlyRecognition(ranked, y, options, w), roc_auc: rocAuc(binaryCurve(ranked, y, w)) };
}

function checkScores(score: Float64Array): void {
  const bad = score.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) throw new Error(`screening: score of row ${bad} is ${score[bad]}; every row needs a finite score`);
}

export interface RankedMethod {
  readonly name: string;
  /** Higher = earlier in the list; finite. */
  readonly score: Float64Array;
}

/**
 * A scorer over several methods ranking the same rows: metric names `<method>.<metric>`
 * (qsar.ef@1%, qsar.bedroc, qsar.roc_auc), so one bootstrap judges them on the same resamples.
 */
export function makeScreeningScorer(y: Uint8Array, methods: readonly RankedMethod[], options: ScreeningOptions): Scorer {
  const metricNames = screeningMetricNames(options);
  const ranked = methods.map((m) => {
    if (m.score.length !== y.length) throw new Error(`screening: method ${m.name} scores ${m.score.length} rows of ${y.length}`);
    checkScores(m.score);
    return rankScores(m.score);
  });
  const names = methods.flatMap((m) => metricNames.map((n) => `${m.name}.${n}`));
  return {
    names,
    unavailable: {},
    compute(w) {
      const out: Record<string, number> = {};
      methods.forEach((m, k) => {
        const e = earlyRecognition(ranked[k], y, options, w);
        const values = [...e.ef, e.bedroc, rocAuc(binaryCurve(ranked[k], y, w))];
        metricNames.forEach((n, j) => (out[`${m.name}.${n}`] = values[j]));
      });
      return out;
    },
  };
}

export interface SortKey {
  /** Finite values, or ±Infinity for a missing value placed last. */
  readonly values: Float64Array;
  readonly order: 'descending' | 'ascending';
}

/**
 * One score per row (higher = earlier) from lexicographic sort keys ("retrieved first, then by
 * predicted pIC50"): rows equal on every key share a score, so they stay tied.
 */
export function lexicographicScore(keys: readonly SortKey[], n: number): Float64Array {
  const cmp = (a: number, b: number): number => {
    for (const k of keys) {
      const x = k.values[a],
        y = k.values[b];
      if (x === y) continue;
      const c = x < y ? -1 : 1;
      return k.order === 'descending' ? -c : c;
    }
    return 0;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => cmp(a, b) || a - b);
  const score = new Float64Array(n);
  let level = n;
  for (let j = 0; j < n; j++) {
    if (j > 0 && cmp(order[j - 1], order[j]) !== 0) level--;
    score[order[j]] = level;
  }
  return score;
}

/** A paired comparison: `method` minus `against` on every metric, named `<method>-vs-<against>.<metric>`. */
export interface MethodDifference {
  readonly method: string;
  readonly against: string;
}

export function differenceName(d: MethodDifference): string {
  return `${d.method}-vs-${d.against}`;
}

/**
 * The scorer plus, per pair, each metric's difference between the two methods on the same rows:
 * bootstrapped with it, the difference's interval is paired (both rankings judged on each
 * resample), much narrower than two overlapping intervals suggest when the methods agree.
 */
export function withDifferences(scorer: Scorer, pairs: readonly MethodDifference[], options: Pick<ScreeningOptions, 'fractions'>): Scorer {
  const metricNames = screeningMetricNames(options);
  const extra = pairs.flatMap((d) => metricNames.map((n) => `${differenceName(d)}.${n}`));
  return {
    names: [...scorer.names, ...extra],
    unavailable: scorer.unavailable,
    compute(w) {
      const out = scorer.compute(w);
      for (const d of pairs) for (const n of metricNames) out[`${differenceName(d)}.${n}`] = out[`${d.method}.${n}`] - out[`${d.against}.${n}`];
      return out;
    },
  };
}

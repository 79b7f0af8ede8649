/**
 * The evaluation of one model on one set of rows: the chosen metrics with bootstrap confidence
 * intervals, the decision threshold (binary), confusion matrix, ROC and calibration curves, the
 * same metrics per subgroup, and the quality gates. Plain data in, a JSON-ready report out.
 */
import { bootstrapMetrics, type BootstrapOptions, type MetricEstimate } from './bootstrap.js';
import { calibrationCurve, type CalibrationBin } from './binary.js';
import { resolveMetricNames, type ProblemKind } from './catalog.js';
import {
  checkFairnessGate,
  DEFAULT_FAIRNESS_LIMITS,
  fairnessGateValues,
  fairnessSummary,
  isFairnessGate,
  type Fairness,
  type FairnessLimits,
} from './fairness.js';
import { checkGates, parseGates, type GateResult } from './gates.js';
import { confusionMatrix } from './multiclass.js';
import { binaryCurve, rankScores, rocCurve, type RocCurve } from './ranking.js';
import { makeScorer, type Outcomes } from './scorer.js';
import type { Subgroup } from './subgroups.js';
import { chooseThreshold, type ChosenThreshold, type ThresholdRule } from './threshold.js';

export interface EvaluationOptions {
  /** Metric names; empty or undefined = every metric that applies. */
  metrics?: readonly string[];
  /** Class labels, indices as in the outcomes (classification). */
  classes?: readonly string[];
  threshold: ThresholdRule;
  bootstrap: BootstrapOptions;
  calibrationBins: number;
  subgroups?: readonly { column: string; groups: readonly Subgroup[] }[];
  gates?: Readonly<Record<string, string>>;
  /** Which subgroups the fairness gaps compare (default: 10 rows, 1 of each class). */
  fairness?: FairnessLimits;
}

export interface SubgroupReport {
  column: string;
  groups: { value: string; n: number; positives?: number; prevalence?: number; metrics: Record<string, MetricEstimate> }[];
}

export interface Evaluation {
  task: ProblemKind;
  n: number;
  classes?: string[];
  class_counts?: Record<string, number>;
  threshold?: ChosenThreshold;
  metrics: Record<string, MetricEstimate>;
  unavailable: Record<string, string>;
  bootstrap: BootstrapOptions & { method: 'percentile'; skipped: Record<string, number> };
  confusion_matrix?: { labels: string[]; counts: number[][] };
  roc_curve?: RocCurve;
  calibration?: { bins: number; curve: CalibrationBin[] };
  subgroups?: SubgroupReport[];
  /** Binary classification with subgroups: the largest gaps between groups (src/ml/metrics/fairness.ts). */
  fairness?: Fairness;
  gates?: GateResult[];
  notes: string[];
}

/** The outcomes of a subset of rows. */
export function takeOutcomes(o: Outcomes, rows: Int32Array): Outcomes {
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    rows.forEach((r, i) => (out[i] = a[r]));
    return out;
  };
  if (o.kind === 'binary') return { ...o, y: pick(o.y), score: pick(o.score) };
  if (o.kind === 'regression') return { ...o, y: pick(o.y), pred: pick(o.pred) };
  const scores = o.scores;
  return {
    ...o,
    y: pick(o.y),
    pred: pick(o.pred),
    ...(scores ? { scores: Float64Array.from({ length: rows.length * o.k }, (_, t) => scores[rows[Math.floor(t / o.k)] * o.k + (t % o.k)]) } : {}),
  };
}

function labelledConfusion(o: Outcomes, classes: readonly string[], threshold: number): { labels: string[]; counts: number[][] } | undefined {
  if (o.kind === 'regression') return undefined;
  const k = o.kind === 'binary' ? 2 : o.k;
  const y = o.kind === 'binary' ? Int32Array.from(o.y) : o.y;
  const pred = o.kind === 'binary' ? Int32Array.from(o.score, (s) => (s >= threshold ? 1 : 0)) : o.pred;
  const m = confusionMatrix(y, pred, k);
  // binary outcomes are 0 = negative, 1 = positive; `classes` is already in that order for a binary model
  return { labels: [...classes], counts: Array.from({ length: k }, (_, a) => Array.from(m.subarray(a * k, (a + 1) * k))) };
}

export function evaluateOutcomes(o: Outcomes, options: EvaluationOptions): Evaluation {
  const gates = parseGates(options.gates ?? {});
  const names = resolveMetricNames(
    o.kind,
    options.metrics,
    gates.filter((g) => !isFairnessGate(g.metric)).map((g) => g.metric),
  );
  const subgroupColumns = (options.subgroups ?? []).map((s) => s.column);
  for (const g of gates) if (isFairnessGate(g.metric)) checkFairnessGate(g.metric, o.kind, subgroupColumns);
  const notes: string[] = [];
  let threshold: ChosenThreshold | undefined;
  if (o.kind === 'binary') {
    threshold = chooseThreshold(o.y, o.score, options.threshold);
    if (threshold.note) notes.push(threshold.note);
  }
  const t = threshold?.value ?? 0.5;
  const scorer = makeScorer(o, names, t);
  const { metrics, skipped } = bootstrapMetrics(scorer, o.y.length, options.bootstrap);
  notes.push(
    `confidence intervals: percentile bootstrap, ${options.bootstrap.resamples} resamples of the ${o.y.length} rows${o.kind === 'binary' ? ', the threshold held fixed' : ''}`,
  );

  const classes = options.classes ?? (o.kind === 'binary' ? ['0', '1'] : o.kind === 'multiclass' ? Array.from({ length: o.k }, (_, c) => String(c)) : []);
  const unavailable: Record<string, string> = { ...scorer.unavailable };
  // Keys in reading order: what was evaluated, at which threshold, the metrics, then the detail.
  const report: Evaluation = { task: o.kind, n: o.y.length } as Evaluation;
  if (o.kind !== 'regression') {
    report.classes = [...classes];
    const counts = new Array<number>(classes.length).fill(0);
    for (let i = 0; i < o.y.length; i++) counts[o.y[i]]++;
    report.class_counts = Object.fromEntries(classes.map((c, k) => [c, counts[k]]));
  }
  if (threshold) report.threshold = threshold;
  report.metrics = metrics;
  report.unavailable = unavailable;
  report.bootstrap = { method: 'percentile', ...options.bootstrap, skipped };
  report.notes = notes;
  if (o.kind !== 'regression') report.confusion_matrix = labelledConfusion(o, classes, t);
  if (o.kind === 'binary') {
    const curve = binaryCurve(rankScores(o.score), o.y);
    if (curve.tps.length && curve.tps[curve.tps.length - 1] > 0 && curve.fps[curve.fps.length - 1] > 0) report.roc_curve = rocCurve(curve);
    if (o.scoreKind === 'probability') report.calibration = { bins: options.calibrationBins, curve: calibrationCurve(o.y, o.score, options.calibrationBins) };
    else unavailable.calibration = 'the model gives decision values, not probabilities (fit it with probability: true)';
  }
  if (options.subgroups?.length) {
    report.subgroups = options.subgroups.map((s, si) => ({
      column: s.column,
      groups: s.groups.map((g, gi) => {
        const sub = takeOutcomes(o, g.rows);
        // An independent, reproducible resample stream per subgroup.
        const seed = (options.bootstrap.seed * 7919 + (si + 1) * 104729 + gi + 1) >>> 0;
        const est = bootstrapMetrics(makeScorer(sub, names, t), g.rows.length, { ...options.bootstrap, seed }).metrics;
        const positives = sub.kind === 'binary' ? sub.y.reduce((a, b) => a + b, 0) : undefined;
        const share = positives !== undefined ? { positives, prevalence: g.rows.length ? positives / g.rows.length : 0 } : {};
        return { value: g.label, n: g.rows.length, ...share, metrics: est };
      }),
    }));
    if (o.kind === 'binary') report.fairness = fairnessSummary(o, options.subgroups, t, options.bootstrap, options.fairness ?? DEFAULT_FAIRNESS_LIMITS);
  }
  if (gates.length) {
    // Fairness paths were checked above, so each names a value (null when fewer than two groups compare).
    const fairness = fairnessGateValues(report.fairness);
    const why = Object.fromEntries(
      Object.entries(fairness)
        .filter(([, e]) => e.value === null)
        .map(([path]) => [
          path,
          `fewer than two subgroups could be compared; each needs ${report.fairness?.min_group_rows} rows and ${report.fairness?.min_per_class} of each class`,
        ]),
    );
    report.gates = checkGates(gates, { ...metrics, ...fairness }, { ...unavailable, ...why }, options.bootstrap.confidence);
  }
  return report;
}

/** The messages of the failed gates, in the order the gates were written. */
export function failedGateMessages(e: Evaluation): string[] {
  return (e.gates ?? []).filter((g) => !g.passed).map((g) => g.message ?? `gate failed: ${g.gate}`);
}

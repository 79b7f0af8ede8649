/**
 * The fairness summary of a binary evaluation with subgroups: for sensitivity, specificity and
 * calibration-in-the-large, the largest gap between any two groups of each subgroup column (and
 * over all columns), which two groups, and a percentile bootstrap interval of the gap.
 *
 * - calibration-in-the-large of a group = mean predicted probability - observed positive rate
 *   (0 = calibrated on average; > 0 over-predicts). Chosen over a per-group ECE because it needs no
 *   binning, so it stays defined on the small groups fairness is about. Probabilities only.
 * - Gap = largest minus smallest value over the groups compared: always >= 0.
 * - Groups compared: at least `minRows` rows (default MIN_GROUP_ROWS) and `minPerClass` rows of
 *   each class (default 1); the others are listed under `left_out` with the reason, since a gap to a
 *   group of 3 rows, or a sensitivity on 1 positive, says nothing.
 * - Interval: resample the test rows with replacement (seeded), recompute every group's metric
 *   on the resample and the gap; a resample where fewer than two groups have the metric defined is
 *   skipped and counted. The decision threshold stays the one chosen on all rows.
 *
 * Gates name these values through `fairnessGateValues` (the one place their paths are made):
 * `subgroups.max_gap.<metric>` (largest over every subgroup column) and
 * `subgroups.<column>.max_gap.<metric>`, each with `.ci_low` / `.ci_high` as any metric.
 */
import { StepInputError } from '../../errors.js';
import { createRng } from '../../rng.js';
import { didYouMean, shortList } from '../../suggest.js';
import { percentile, type BootstrapOptions, type MetricEstimate } from './bootstrap.js';
import type { Outcomes } from './scorer.js';
import type { Subgroup } from './subgroups.js';

export const FAIRNESS_METRICS = ['sensitivity', 'specificity', 'calibration_in_the_large'] as const;
export type FairnessMetric = (typeof FAIRNESS_METRICS)[number];
/** Groups with fewer rows are left out of the gaps. */
export const MIN_GROUP_ROWS = 10;

/** Which groups are big enough to compare (the evaluate step's `fairness:` parameter). */
export interface FairnessLimits {
  minRows: number;
  minPerClass: number;
}
export const DEFAULT_FAIRNESS_LIMITS: FairnessLimits = { minRows: MIN_GROUP_ROWS, minPerClass: 1 };
/** The prefix of every fairness gate path. */
const GATE_PREFIX = 'subgroups.';

export interface GapEstimate extends MetricEstimate {
  /** The groups with the largest and the smallest value, or null when fewer than two were comparable. */
  between: [string, string] | null;
}

export interface ColumnFairness {
  column: string;
  compared: string[];
  left_out: { value: string; n: number; why: string }[];
  max_gap: Partial<Record<FairnessMetric, GapEstimate>>;
}

export interface Fairness {
  metrics: FairnessMetric[];
  min_group_rows: number;
  /** Rows of each class a group needs to be compared. */
  min_per_class: number;
  /** Over every subgroup column: the largest of the columns' gaps, with its column. */
  max_gap: Partial<Record<FairnessMetric, GapEstimate & { column: string | null }>>;
  columns: ColumnFairness[];
  /** Per metric, bootstrap resamples skipped (fewer than two groups with the metric defined). */
  skipped: Partial<Record<FairnessMetric, number>>;
  notes: string[];
}

type Binary = Extract<Outcomes, { kind: 'binary' }>;

/** Whether a gate key names a fairness value rather than a metric. */
export function isFairnessGate(metric: string): boolean {
  return metric.startsWith(GATE_PREFIX);
}

/** Every value a gate can name, by its path. */
export function fairnessGateValues(f: Fairness | undefined): Record<string, MetricEstimate> {
  const out: Record<string, MetricEstimate> = {};
  if (!f) return out;
  for (const m of f.metrics) {
    const g = f.max_gap[m];
    if (g) out[`${GATE_PREFIX}max_gap.${m}`] = g;
    for (const c of f.columns) {
      const cg = c.max_gap[m];
      if (cg) out[`${GATE_PREFIX}${c.column}.max_gap.${m}`] = cg;
    }
  }
  return out;
}

/**
 * Checks a fairness gate's path before any work, so a typo fails fast as an unknown metric does:
 * `subgroups.max_gap.<metric>` or `subgroups.<column>.max_gap.<metric>`, with a metric of
 * FAIRNESS_METRICS and a column among the subgroups.
 */
export function checkFairnessGate(path: string, kind: string, columns: readonly string[]): void {
  const rest = path.slice(GATE_PREFIX.length);
  const at = rest.lastIndexOf('max_gap.');
  const column = at > 0 ? rest.slice(0, at - 1) : undefined;
  const metric = at >= 0 ? rest.slice(at + 'max_gap.'.length) : '';
  const shape = `gates name them subgroups.max_gap.<metric> or subgroups.<column>.max_gap.<metric>, metric one of ${FAIRNESS_METRICS.join(', ')}`;
  if (at < 0 || (at > 0 && rest[at - 1] !== '.'))
    throw new StepInputError(`gate "${path}": not a fairness value (${shape}, e.g. subgroups.max_gap.sensitivity)`);
  if (!(FAIRNESS_METRICS as readonly string[]).includes(metric))
    throw new StepInputError(`gate "${path}": unknown fairness metric "${metric}"${didYouMean(metric, FAIRNESS_METRICS)} (${shape})`);
  if (kind !== 'binary') throw new StepInputError(`gate "${path}": fairness gaps are computed for binary classifiers only`);
  if (!columns.length) throw new StepInputError(`gate "${path}": fairness gaps need subgroups (e.g. subgroups: [{ column: sex }])`);
  if (column !== undefined && !columns.includes(column))
    throw new StepInputError(`gate "${path}": "${column}" is not one of the subgroup columns (${columns.join(', ')})${didYouMean(column, columns)}`);
}

/** Per-group sums, weighted by bootstrap multiplicities. */
function groupValues(o: Binary, group: Int32Array, k: number, threshold: number, w: Float64Array | null, metric: FairnessMetric): Float64Array {
  const a = new Float64Array(k); // numerator
  const b = new Float64Array(k); // denominator
  for (let i = 0; i < group.length; i++) {
    const g = group[i];
    const wi = w ? w[i] : 1;
    if (g < 0 || wi === 0) continue;
    const pos = o.y[i] === 1;
    const predPos = o.score[i] >= threshold;
    if (metric === 'sensitivity') {
      if (pos) {
        b[g] += wi;
        if (predPos) a[g] += wi;
      }
    } else if (metric === 'specificity') {
      if (!pos) {
        b[g] += wi;
        if (!predPos) a[g] += wi;
      }
    } else {
      a[g] += wi * (o.score[i] - o.y[i]);
      b[g] += wi;
    }
  }
  return a.map((x, g) => (b[g] > 0 ? x / b[g] : NaN));
}

/** Largest minus smallest defined value, with the indices of the two groups; undefined when fewer than two are defined. */
function spread(values: Float64Array): { gap: number; hi: number; lo: number } | undefined {
  let hi = -1,
    lo = -1,
    defined = 0;
  for (let g = 0; g < values.length; g++) {
    if (Number.isNaN(values[g])) continue;
    defined++;
    if (hi < 0 || values[g] > values[hi]) hi = g;
    if (lo < 0 || values[g] < values[lo]) lo = g;
  }
  if (defined < 2) return undefined;
  // All equal: still two different groups, at gap 0.
  if (hi === lo) lo = values.findIndex((v, g) => g !== hi && !Number.isNaN(v));
  return { gap: values[hi] - values[lo], hi, lo };
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function fairnessSummary(
  o: Binary,
  subgroups: readonly { column: string; groups: readonly Subgroup[] }[],
  threshold: number,
  bootstrap: BootstrapOptions,
  limits: FairnessLimits = DEFAULT_FAIRNESS_LIMITS,
): Fairness {
  const { minRows, minPerClass } = limits;
  const tooFew = (what: string): string => (minPerClass === 1 ? `no ${what} rows` : `fewer than ${minPerClass} ${what} rows`);
  const metrics = FAIRNESS_METRICS.filter((m) => m !== 'calibration_in_the_large' || o.scoreKind === 'probability');
  const n = o.y.length;
  const columns = subgroups.map((s) => {
    const group = new Int32Array(n).fill(-1);
    const compared: string[] = [];
    const leftOut: ColumnFairness['left_out'] = [];
    for (const g of s.groups) {
      let positives = 0;
      for (const r of g.rows) positives += o.y[r];
      const why =
        g.rows.length < minRows
          ? `fewer than ${minRows} rows`
          : positives < minPerClass
            ? tooFew('positive')
            : g.rows.length - positives < minPerClass
              ? tooFew('negative')
              : undefined;
      if (why) {
        leftOut.push({ value: g.label, n: g.rows.length, why });
        continue;
      }
      for (const r of g.rows) group[r] = compared.length;
      compared.push(g.label);
    }
    return { column: s.column, group, compared, leftOut };
  });

  const draws = new Map<string, number[]>(); // `${metric}\t${column index or -1}` -> gaps
  const skipped: Partial<Record<FairnessMetric, number>> = Object.fromEntries(metrics.map((m) => [m, 0]));
  const rng = createRng((bootstrap.seed * 7919 + 15485863) >>> 0);
  const w = new Float64Array(n);
  for (let b = 0; b < bootstrap.resamples && n > 0; b++) {
    w.fill(0);
    for (let i = 0; i < n; i++) w[rng.int(n)]++;
    for (const m of metrics) {
      let overall = -Infinity;
      columns.forEach((c, ci) => {
        const s = spread(groupValues(o, c.group, c.compared.length, threshold, w, m));
        if (!s) return;
        const key = `${m}\t${ci}`;
        if (!draws.has(key)) draws.set(key, []);
        draws.get(key)!.push(s.gap);
        overall = Math.max(overall, s.gap);
      });
      if (overall === -Infinity) skipped[m]! += 1;
      else {
        const key = `${m}\t-1`;
        if (!draws.has(key)) draws.set(key, []);
        draws.get(key)!.push(overall);
      }
    }
  }
  const alpha = 1 - bootstrap.confidence;
  const interval = (key: string): { ci_low: number | null; ci_high: number | null } => {
    const sorted = Float64Array.from(draws.get(key) ?? []).sort();
    return { ci_low: finiteOrNull(percentile(sorted, alpha / 2)), ci_high: finiteOrNull(percentile(sorted, 1 - alpha / 2)) };
  };

  const reports: ColumnFairness[] = columns.map((c) => ({ column: c.column, compared: c.compared, left_out: c.leftOut, max_gap: {} }));
  const maxGap: Fairness['max_gap'] = {};
  for (const m of metrics) {
    let best: { gap: number; column: number; between: [string, string] } | undefined;
    columns.forEach((c, ci) => {
      const s = c.compared.length >= 2 ? spread(groupValues(o, c.group, c.compared.length, threshold, null, m)) : undefined;
      const between: [string, string] | null = s ? [c.compared[s.hi], c.compared[s.lo]] : null;
      reports[ci].max_gap[m] = { value: s ? s.gap : null, ...interval(`${m}\t${ci}`), between };
      if (s && between && (!best || s.gap > best.gap)) best = { gap: s.gap, column: ci, between };
    });
    maxGap[m] = best
      ? { value: best.gap, ...interval(`${m}\t-1`), column: columns[best.column].column, between: best.between }
      : { value: null, ci_low: null, ci_high: null, column: null, between: null };
  }
  const notes = [
    `fairness gaps: largest minus smallest value between groups of at least ${minRows} rows and ${minPerClass} of each class; calibration_in_the_large = mean predicted probability - observed rate; intervals from ${bootstrap.resamples} resamples of all ${n} rows`,
  ];
  if (o.scoreKind !== 'probability') notes.push('no calibration gap: the model gives decision values, not probabilities');
  const leftOut = reports.flatMap((r) => r.left_out.map((l) => `${r.column} = ${l.value} (${l.why})`));
  if (leftOut.length) notes.push(`left out of the fairness gaps: ${shortList(leftOut)}`);
  return { metrics, min_group_rows: minRows, min_per_class: minPerClass, max_gap: maxGap, columns: reports, skipped, notes };
}

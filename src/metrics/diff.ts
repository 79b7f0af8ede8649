/**
 * Compares current metrics with a baseline: per metric the old and new value, the delta, and
 * whether it improved, stayed, moved within tolerance, or regressed. Pure: no files, no git.
 */
import type { MetricsFile, MetricValue } from './metrics-file.js';
import { describeTolerance, directionOf, toleranceOf, type Direction, type RegressionConfig, type Tolerance } from './regression-config.js';

export type MetricStatus = 'improved' | 'unchanged' | 'within tolerance' | 'REGRESSED' | 'added' | 'removed';

export interface MetricDiff {
  readonly metric: string;
  readonly direction: Direction;
  readonly old?: MetricValue;
  readonly new?: MetricValue;
  /** new - old, when both exist. */
  readonly delta?: number;
  readonly tolerance: Tolerance;
  /** What the tolerance allowed, in words: "atol 0.005", "ci (>= 0.9825)". */
  readonly allowed: string;
  readonly status: MetricStatus;
}

export interface FileDiff {
  /** The current file, as reports name it. */
  readonly file: string;
  /** Where its baseline came from, or undefined when the baseline has no such file. */
  readonly baselineLabel?: string;
  readonly metrics: readonly MetricDiff[];
}

export interface MetricsDiff {
  readonly baseline: string;
  readonly files: readonly FileDiff[];
  readonly notes: readonly string[];
}

/**
 * Differences below this (relative to the values' size) are floating-point noise from a
 * re-run on another machine, not a change.
 */
const NOISE = 1e-12;

export function diffMetricsFile(
  current: MetricsFile,
  baseline: MetricsFile | undefined,
  config: RegressionConfig,
  commandLine: Tolerance = {},
  notes: string[] = [],
): FileDiff {
  const names = [...current.metrics.keys()];
  for (const name of baseline?.metrics.keys() ?? []) if (!current.metrics.has(name)) names.push(name);
  const metrics = names.map((metric) => {
    const { direction, note } = directionOf(metric, config);
    if (note && !notes.includes(note)) notes.push(note);
    return diffMetric(
      metric,
      direction,
      baseline?.metrics.get(metric),
      current.metrics.get(metric),
      toleranceOf(metric, config, commandLine),
      notes,
      current.label,
    );
  });
  return { file: current.label, ...(baseline ? { baselineLabel: baseline.label } : {}), metrics };
}

export function diffMetric(
  metric: string,
  direction: Direction,
  old: MetricValue | undefined,
  now: MetricValue | undefined,
  tolerance: Tolerance,
  notes: string[] = [],
  file = '',
): MetricDiff {
  const base = { metric, direction, tolerance, ...(old ? { old } : {}), ...(now ? { new: now } : {}) };
  if (!old) return { ...base, allowed: describeTolerance(tolerance), status: 'added' };
  if (!now) return { ...base, allowed: describeTolerance(tolerance), status: 'removed' };
  const delta = now.value - old.value;
  const sign = direction === 'higher' ? 1 : -1;
  const gain = sign * delta;
  const noise = NOISE * Math.max(1, Math.abs(old.value), Math.abs(now.value));
  const diff = { ...base, delta };
  if (Math.abs(delta) <= noise) return { ...diff, allowed: describeTolerance(tolerance), status: 'unchanged' };
  if (gain > 0) return { ...diff, allowed: describeTolerance(tolerance), status: 'improved' };

  const bound = tolerance.ci ? (direction === 'higher' ? old.ci_low : old.ci_high) : undefined;
  if (bound !== undefined) {
    // The CI rule: worse is a regression only once the new value leaves the baseline's interval.
    const outside = direction === 'higher' ? now.value < bound : now.value > bound;
    return { ...diff, allowed: `ci (${direction === 'higher' ? '>=' : '<='} ${formatNumber(bound)})`, status: outside ? 'REGRESSED' : 'within tolerance' };
  }
  if (tolerance.ci) {
    const note = `${file ? `${file}: ` : ''}${metric}: the baseline has no confidence interval, so ci fell back to ${tolerance.atol !== undefined || tolerance.rtol !== undefined ? 'atol/rtol' : 'an exact comparison'}`;
    if (!notes.includes(note)) notes.push(note);
  }
  const allowedLoss = (tolerance.atol ?? 0) + (tolerance.rtol ?? 0) * Math.abs(old.value);
  const plain: Tolerance = {
    ...(tolerance.atol !== undefined ? { atol: tolerance.atol } : {}),
    ...(tolerance.rtol !== undefined ? { rtol: tolerance.rtol } : {}),
  };
  return { ...diff, allowed: describeTolerance(plain), status: -gain <= allowedLoss + noise ? 'within tolerance' : 'REGRESSED' };
}

export function hasRegression(diff: MetricsDiff): boolean {
  return diff.files.some((f) => f.metrics.some((m) => m.status === 'REGRESSED'));
}

export function countByStatus(diff: MetricsDiff): Record<MetricStatus, number> {
  const counts: Record<MetricStatus, number> = { improved: 0, unchanged: 0, 'within tolerance': 0, REGRESSED: 0, added: 0, removed: 0 };
  for (const f of diff.files) for (const m of f.metrics) counts[m.status]++;
  return counts;
}

/** Four decimals for everyday values; significant digits for very small or very large ones. */
export function formatNumber(x: number | undefined, signed = false): string {
  if (x === undefined) return '';
  const a = Math.abs(x);
  const text = a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(2) : x.toFixed(4);
  return signed && x >= 0 ? `+${text}` : text;
}

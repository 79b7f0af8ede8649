/**
 * Percentile bootstrap confidence intervals for every scalar metric of a scorer: `resamples`
 * times, draw n rows with replacement (as row multiplicities, from the seeded RNG), compute every
 * metric, and take the (1 - confidence)/2 and (1 + confidence)/2 percentiles (numpy's linear
 * interpolation). A resample where a metric is undefined (AUC on a single class) is skipped for
 * that metric and counted. The decision threshold stays the one chosen on the full data.
 *
 * With `strata` (a label per row), each stratum is resampled on its own, keeping its size: a
 * screening benchmark resamples actives and decoys separately, so every resample has both and the
 * actives' share (which enrichment factors depend on) stays that of the data.
 */
import { createRng } from '../../rng.js';
import type { Scorer } from './scorer.js';

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** e.g. 0.95 */
  confidence: number;
}

/** A metric with its interval; null where undefined or where no resample gave a value. */
export interface MetricEstimate {
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
}

export interface BootstrapResult {
  metrics: Record<string, MetricEstimate>;
  /** Per metric, resamples skipped because the metric was undefined on them. */
  skipped: Record<string, number>;
}

/** numpy.percentile(values, 100 q) with the default linear interpolation; values sorted ascending. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return NaN;
  const h = (m - 1) * q;
  const lo = Math.floor(h),
    hi = Math.min(lo + 1, m - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The rows of each stratum (in order of first appearance), or all rows as one group; a row's index is its own. */
function strataGroups(nRows: number, strata?: ArrayLike<number>): Int32Array[] {
  if (!strata) return [Int32Array.from({ length: nRows }, (_, i) => i)];
  if (strata.length !== nRows) throw new Error(`bootstrap: ${strata.length} stratum labels for ${nRows} rows`);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < nRows; i++) {
    const g = groups.get(strata[i]);
    if (g) g.push(i);
    else groups.set(strata[i], [i]);
  }
  return [...groups.values()].map((g) => Int32Array.from(g));
}

export function bootstrapMetrics(scorer: Scorer, nRows: number, options: BootstrapOptions, strata?: ArrayLike<number>): BootstrapResult {
  const point = scorer.compute();
  const draws: Record<string, number[]> = Object.fromEntries(scorer.names.map((n) => [n, []]));
  const skipped: Record<string, number> = Object.fromEntries(scorer.names.map((n) => [n, 0]));
  const rng = createRng(options.seed);
  const w = new Float64Array(nRows);
  // Without strata the one group is the identity, so the draws are those of an unstratified bootstrap.
  const groups = strataGroups(nRows, strata);
  for (let b = 0; b < options.resamples && nRows > 0; b++) {
    w.fill(0);
    for (const rows of groups) for (let i = 0; i < rows.length; i++) w[rows[rng.int(rows.length)]]++;
    const values = scorer.compute(w);
    for (const n of scorer.names) {
      if (n in scorer.unavailable) continue;
      if (Number.isFinite(values[n])) draws[n].push(values[n]);
      else skipped[n]++;
    }
  }
  const alpha = 1 - options.confidence;
  const metrics: Record<string, MetricEstimate> = {};
  for (const n of scorer.names) {
    const sorted = Float64Array.from(draws[n]).sort();
    metrics[n] = {
      value: finiteOrNull(point[n]),
      ci_low: finiteOrNull(percentile(sorted, alpha / 2)),
      ci_high: finiteOrNull(percentile(sorted, 1 - alpha / 2)),
    };
  }
  return { metrics, skipped };
}

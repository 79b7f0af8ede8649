/**
 * The report's one number format, used by every table, tooltip, legend and axis: so that 1 is
 * never "1" in one place and "1.00" in another, and two ticks of one axis never read the same.
 */

/**
 * A measured value: `decimals` decimal places (3: 0.982, 1.000, 0.360, 2.870), so the values of a
 * column line up and none looks more or less exact than another; below 0.1, as many as keep that
 * many significant digits (0.0489, 0.00264), so small values such as a lift do not read 0.000;
 * from 100 up, one decimal (55.2 is already precise enough for an error in the target's units).
 * The model card (src/bundle/card.ts) rounds the same way, so both show the same digits.
 * "n/a" for null, undefined and non-finite values.
 */
export function fmtNumber(v: number | null | undefined, decimals = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v === 0) return (0).toFixed(decimals); // also -0, which would read "-0.000"
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(1);
  // (Below 1e-6 toPrecision writes "1.00e-7", which is still the value, not a misleading 0.000.)
  if (abs < 0.1) return v.toPrecision(decimals);
  return v.toFixed(decimals);
}

/** A value with its confidence interval, "0.987 [0.964, 1.00]"; the value alone when it has no interval. */
export function fmtEstimate(m: { value: number | null; ci_low?: number | null; ci_high?: number | null } | undefined): string {
  if (!m) return 'n/a';
  const ci =
    m.ci_low !== null && m.ci_low !== undefined && m.ci_high !== null && m.ci_high !== undefined ? ` [${fmtNumber(m.ci_low)}, ${fmtNumber(m.ci_high)}]` : '';
  return `${fmtNumber(m.value)}${ci}`;
}

/**
 * Labels for an axis's ticks: every tick with the decimals its spacing needs (0.0, 0.2 … 1.0;
 * 0.995, 1.000), never fewer, so neighbouring ticks always read differently.
 */
export function tickFormat(ticks: readonly number[]): (v: number) => string {
  const steps = ticks
    .slice(1)
    .map((t, i) => Math.abs(t - ticks[i]))
    .filter((s) => s > 0);
  const step = steps.length ? Math.min(...steps) : Math.abs(ticks[0] ?? 1) || 1;
  // Enough decimals to tell the smallest step apart; 1e-9 absorbs floating error (0.30000000000000004).
  const decimals = Math.min(12, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
  const needsMore = (d: number): boolean => new Set(ticks.map((t) => t.toFixed(d))).size < new Set(ticks).size;
  let d = decimals;
  while (d < 12 && needsMore(d)) d++;
  return (v) => {
    const text = v.toFixed(d);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  };
}

/** 850 ms, 1.2 s, 3 min 05 s. */
export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Round numbers for SVG coordinates: shorter files, identical output for identical input. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

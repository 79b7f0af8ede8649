/** Number and duration formatting shared by the report's tables and charts. */

/** A metric value for a table: 3 significant digits for small numbers, fixed decimals for large ones; "n/a" for null or NaN. */
export function fmtNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return v.toFixed(0);
  if (abs >= 1) return v.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(abs))));
  return v.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
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

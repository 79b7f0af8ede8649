/**
 * A dataset as CSV text, for tables a person reads (candidate lists, predictions). Numbers are
 * written in full precision (String(x)) unless a number of significant digits is asked for (a
 * table for reading, where 6.694799999999999 is noise); missing values are empty cells. Date
 * columns are written as ISO 8601 (UTC), which load.csv reads back to the same days.
 */
import type { Column, Dataset } from './dataset.js';
import { formatDays } from './dates.js';

export function csvQuote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A number as the shortest text of its value rounded to `digits` significant digits (all of them when undefined). */
export function numberText(x: number, digits?: number): string {
  return digits === undefined || !Number.isFinite(x) ? String(x) : String(Number(x.toPrecision(digits)));
}

/** One cell of a column as CSV text (missing: empty); numbers to `digits` significant digits when given. */
export function csvCell(c: Column, r: number, digits?: number): string {
  const d = c.data;
  if (d.type === 'numeric' && c.kind === 'date') return Number.isNaN(d.values[r]) ? '' : formatDays(d.values[r]);
  if (d.type === 'numeric') return Number.isNaN(d.values[r]) ? '' : numberText(d.values[r], digits);
  if (d.type === 'categorical') return d.codes[r] < 0 ? '' : csvQuote(d.categories[d.codes[r]]);
  const v = d.values[r];
  return v === null ? '' : csvQuote(v);
}

/** `columns` picks and orders the columns written (all, in table order, when omitted); `digits`: see csvCell. */
export function datasetCsv(ds: Dataset, columns?: readonly string[], digits?: number): string {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const picked = columns?.length ? columns.map((n) => byName.get(n)!) : ds.columns;
  const lines = [picked.map((c) => csvQuote(c.name)).join(',')];
  for (let r = 0; r < ds.rowCount; r++) lines.push(picked.map((c) => csvCell(c, r, digits)).join(','));
  return lines.join('\n') + '\n';
}

/**
 * A dataset as CSV text, for tables a person reads (candidate lists, predictions). Numbers are
 * written in full precision (String(x)); missing values are empty cells.
 */
import type { Column, Dataset } from './dataset.js';

export function csvQuote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One cell of a column as CSV text (missing: empty). */
export function csvCell(c: Column, r: number): string {
  const d = c.data;
  if (d.type === 'numeric') return Number.isNaN(d.values[r]) ? '' : String(d.values[r]);
  if (d.type === 'categorical') return d.codes[r] < 0 ? '' : csvQuote(d.categories[d.codes[r]]);
  const v = d.values[r];
  return v === null ? '' : csvQuote(v);
}

/** `columns` picks and orders the columns written (all, in table order, when omitted). */
export function datasetCsv(ds: Dataset, columns?: readonly string[]): string {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const picked = columns?.length ? columns.map((n) => byName.get(n)!) : ds.columns;
  const lines = [picked.map((c) => csvQuote(c.name)).join(',')];
  for (let r = 0; r < ds.rowCount; r++) lines.push(picked.map((c) => csvCell(c, r)).join(','));
  return lines.join('\n') + '\n';
}

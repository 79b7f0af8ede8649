/**
 * Data-quality profile of a table, for the check.data step: per column its kind, missing values
 * (and which tokens of the source file marked them), numeric distribution with the IQR outlier
 * count, category level counts; duplicate rows and duplicate ids; class balance.
 *
 * Aggregates only, never a value of a row: rows are named by their 1-based number in the table.
 * Category levels are shown only when at least MIN_LEVEL_COUNT rows share them, so a near-unique
 * column (a note, a name) cannot leak its values through the level counts.
 */
import { missingMask, type Column, type ColumnData, type ColumnKind, type Dataset } from './dataset.js';

/** Levels listed per column; the rest are counted as "others". */
export const TOP_LEVELS = 20;
/** A level shared by fewer rows is not named (small-cell rule). */
export const MIN_LEVEL_COUNT = 5;
/** Row numbers given as examples of a finding. */
export const EXAMPLE_ROWS = 5;

export interface NumericSummary {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
  /** Values below q1 - 1.5 IQR or above q3 + 1.5 IQR. */
  outliers: number;
}

export interface LevelSummary {
  distinct: number;
  /** The most frequent levels shared by at least MIN_LEVEL_COUNT rows, most frequent first. */
  top: { level: string; count: number }[];
  /** Rows in the levels not listed in `top`. */
  others: number;
}

export interface ColumnProfile {
  name: string;
  kind: ColumnKind;
  missing: number;
  /** Which tokens of the source file marked the missing values ("" = blank), when known. */
  missing_tokens?: Record<string, number>;
  numeric?: NumericSummary;
  levels?: LevelSummary;
  /** Text and id columns: how many distinct values (no values shown). */
  distinct?: number;
}

export interface RowFinding {
  /** Rows involved. */
  rows: number;
  /** The first row numbers involved (1-based). */
  examples: number[];
}

export interface DuplicateIds extends RowFinding {
  column: string;
  /** How many ids occur on more than one row. */
  ids: number;
}

export interface QualityProfile {
  rows: number;
  columns: ColumnProfile[];
  /** Rows equal in every column to an earlier row. */
  duplicate_rows: RowFinding;
  /** Per id column, the rows whose id occurs more than once. */
  duplicate_ids: DuplicateIds[];
  class_balance?: { column: string; counts: { class: string; count: number }[]; missing: number };
}

/** Quantile with linear interpolation between order statistics (numpy's default), of sorted values. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function presentSorted(values: Float64Array): Float64Array {
  return values.filter((v) => !Number.isNaN(v)).sort();
}

function numericSummary(values: Float64Array): NumericSummary | undefined {
  const s = presentSorted(values);
  if (s.length === 0) return undefined;
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const iqr = q3 - q1;
  let outliers = 0;
  let sum = 0;
  for (const v of s) {
    sum += v;
    if (v < q1 - 1.5 * iqr || v > q3 + 1.5 * iqr) outliers++;
  }
  return { min: s[0], q1, median: quantileSorted(s, 0.5), q3, max: s[s.length - 1], mean: sum / s.length, outliers };
}

/** Present values of a categorical or text column as strings (null when missing). */
export function stringsOf(data: ColumnData): (string | null)[] {
  if (data.type === 'categorical') return Array.from(data.codes, (c) => (c < 0 ? null : data.categories[c]));
  if (data.type === 'text') return [...data.values];
  return Array.from(data.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

function levelSummary(data: ColumnData): LevelSummary {
  const counts = new Map<string, number>();
  for (const v of stringsOf(data)) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = sorted
    .filter(([, c]) => c >= MIN_LEVEL_COUNT)
    .slice(0, TOP_LEVELS)
    .map(([level, count]) => ({ level, count }));
  const shown = top.reduce((s, t) => s + t.count, 0);
  const total = sorted.reduce((s, [, c]) => s + c, 0);
  return { distinct: counts.size, top, others: total - shown };
}

function countMissing(data: ColumnData): number {
  const mask = missingMask(data);
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

export function profileColumn(c: Column): ColumnProfile {
  const missing = countMissing(c.data);
  const p: ColumnProfile = { name: c.name, kind: c.kind, missing };
  // Token counts describe the file as loaded: shown only while they still add up to this column's missing values.
  if (c.missingTokens && Object.values(c.missingTokens).reduce((a, b) => a + b, 0) === missing) p.missing_tokens = { ...c.missingTokens };
  if (c.data.type === 'numeric') {
    const s = numericSummary(c.data.values);
    if (s) p.numeric = s;
  } else if (c.data.type === 'categorical') p.levels = levelSummary(c.data);
  else p.distinct = new Set(c.data.values.filter((v) => v !== null)).size;
  return p;
}

/** Rows (1-based) whose value occurs on another row too; missing values are not compared. */
export function repeatedRows(values: readonly (string | null)[]): { rows: number[]; distinct: number } {
  const first = new Map<string, number>();
  const repeated = new Set<string>();
  values.forEach((v, i) => {
    if (v === null) return;
    if (first.has(v)) repeated.add(v);
    else first.set(v, i);
  });
  const rows: number[] = [];
  values.forEach((v, i) => {
    if (v !== null && repeated.has(v)) rows.push(i + 1);
  });
  return { rows, distinct: repeated.size };
}

function rowKey(ds: Dataset, i: number): string {
  return JSON.stringify(
    ds.columns.map((c) => {
      const d = c.data;
      if (d.type === 'numeric') return Number.isNaN(d.values[i]) ? null : d.values[i];
      if (d.type === 'categorical') return d.codes[i] < 0 ? null : d.categories[d.codes[i]];
      return d.values[i];
    }),
  );
}

function duplicateRows(ds: Dataset): RowFinding {
  const seen = new Set<string>();
  const rows: number[] = [];
  for (let i = 0; i < ds.rowCount; i++) {
    const key = rowKey(ds, i);
    if (seen.has(key)) rows.push(i + 1);
    else seen.add(key);
  }
  return { rows: rows.length, examples: rows.slice(0, EXAMPLE_ROWS) };
}

function classBalance(ds: Dataset): QualityProfile['class_balance'] {
  const col = ds.target && ds.columns.find((c) => c.name === ds.target?.column);
  if (col?.data.type !== 'categorical') return undefined;
  const counts = new Array<number>(col.data.categories.length).fill(0);
  let missing = 0;
  for (const c of col.data.codes) c < 0 ? missing++ : counts[c]++;
  return { column: col.name, counts: col.data.categories.map((c, k) => ({ class: c, count: counts[k] })), missing };
}

export function profileDataset(ds: Dataset): QualityProfile {
  const duplicate_ids = ds.columns
    .filter((c) => c.kind === 'id')
    .map((c): DuplicateIds => {
      const r = repeatedRows(stringsOf(c.data));
      return { column: c.name, rows: r.rows.length, ids: r.distinct, examples: r.rows.slice(0, EXAMPLE_ROWS) };
    });
  const balance = classBalance(ds);
  return {
    rows: ds.rowCount,
    columns: ds.columns.map(profileColumn),
    duplicate_rows: duplicateRows(ds),
    duplicate_ids,
    ...(balance ? { class_balance: balance } : {}),
  };
}

/**
 * Splitting evaluation rows into subgroups by one column (sex, age band, site...), so every metric
 * can be reported per group with its n. Categories and text values are groups as they are; a
 * numeric column is cut at `bins` edges ([a, b) intervals), or used value by value when it has few
 * distinct values (a coded column such as sex = 1/2). Missing values form their own group.
 */
import { StepInputError } from '../../errors.js';
import type { ColumnData } from '../../data/dataset.js';

export interface Subgroup {
  label: string;
  rows: Int32Array;
}

export const MISSING_GROUP = '(missing)';
/** A numeric column with more distinct values than this needs `bins:`. */
export const MAX_NUMERIC_GROUPS = 20;

function fmt(x: number): string {
  return String(x);
}

function binLabel(edges: readonly number[], b: number): string {
  if (b === 0) return `< ${fmt(edges[0])}`;
  if (b === edges.length) return `>= ${fmt(edges[edges.length - 1])}`;
  return `[${fmt(edges[b - 1])}, ${fmt(edges[b])})`;
}

function collect(n: number, labelOf: (i: number) => string, order: readonly string[]): Subgroup[] {
  const rows = new Map<string, number[]>(order.map((l) => [l, []]));
  for (let i = 0; i < n; i++) {
    const l = labelOf(i);
    let list = rows.get(l);
    if (!list) rows.set(l, (list = []));
    list.push(i);
  }
  return [...rows].filter(([, r]) => r.length > 0).map(([label, r]) => ({ label, rows: Int32Array.from(r) }));
}

/** Row groups of one column, in a stable order: category order, bin order, or sorted values; missing last. */
export function subgroupRows(column: string, data: ColumnData, bins?: readonly number[]): Subgroup[] {
  if (data.type === 'categorical') {
    const { codes, categories } = data;
    return collect(codes.length, (i) => (codes[i] < 0 ? MISSING_GROUP : categories[codes[i]]), [...categories, MISSING_GROUP]);
  }
  if (data.type === 'text') {
    if (bins) throw new StepInputError(`subgroup column "${column}" is not numeric, so it cannot have bins: remove bins`);
    const v = data.values;
    const labels = [...new Set(v.filter((x): x is string => x !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return collect(v.length, (i) => v[i] ?? MISSING_GROUP, [...labels, MISSING_GROUP]);
  }
  const v = data.values;
  if (bins) {
    if (!bins.length || bins.some((e, k) => !Number.isFinite(e) || (k > 0 && e <= bins[k - 1]))) {
      throw new StepInputError(`subgroup column "${column}": bins must be increasing numbers (the edges between groups), e.g. [40, 65]`);
    }
    const labels = Array.from({ length: bins.length + 1 }, (_, b) => binLabel(bins, b));
    return collect(
      v.length,
      (i) => {
        if (Number.isNaN(v[i])) return MISSING_GROUP;
        let b = 0;
        while (b < bins.length && v[i] >= bins[b]) b++;
        return labels[b];
      },
      [...labels, MISSING_GROUP],
    );
  }
  const distinct = [...new Set(Array.from(v).filter((x) => !Number.isNaN(x)))].sort((a, b) => a - b);
  if (distinct.length > MAX_NUMERIC_GROUPS) {
    throw new StepInputError(
      `subgroup column "${column}" is numeric with ${distinct.length} distinct values: give bins, the edges between groups (e.g. { column: ${column}, bins: [40, 65] })`,
    );
  }
  return collect(v.length, (i) => (Number.isNaN(v[i]) ? MISSING_GROUP : fmt(v[i])), [...distinct.map(fmt), MISSING_GROUP]);
}

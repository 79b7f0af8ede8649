/**
 * Two checks of check.data that compare columns rather than describe them:
 * - possible leakage: how well one column alone separates a binary target, as the AUC of a
 *   one-column score (a numeric column's own values, either direction; a category's in-sample
 *   positive rate, missing as a level of its own). A column near 1 is usually recorded after the
 *   outcome (a discharge code) or a copy of it.
 * - shift between train and test: the population stability index per column, over deciles of
 *   the train values (numeric) or over levels (categorical), missing values as a bin of their own.
 */
import { isFeatureKind, type Column, type Dataset } from './dataset.js';
import { presentSorted, quantileSorted, stringsOf } from './quality.js';

export interface LeakageResult {
  column: string;
  auc: number;
}

/** AUC of `score` for labels (1 = positive), ties counted half (Mann-Whitney with mid-ranks). */
export function rankAuc(score: ArrayLike<number>, positive: ArrayLike<number>): number | undefined {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (positive[order[k]]) {
        nPos++;
        rankSum += mid;
      }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return undefined;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** The binary target as 0/1 per row (-1 when missing), or undefined when the target is not binary. */
function binaryLabels(ds: Dataset): Int8Array | undefined {
  const t = ds.target && ds.columns.find((c) => c.name === ds.target?.column);
  if (t?.data.type !== 'categorical' || t.data.categories.length !== 2) return undefined;
  const positive = ds.target?.positive !== undefined ? t.data.categories.indexOf(ds.target.positive) : 1;
  if (positive < 0) return undefined;
  return Int8Array.from(t.data.codes, (c) => (c < 0 ? -1 : c === positive ? 1 : 0));
}

/** Columns a model could use or derive from (numeric, categorical, date): ids and free text are never scored. */
const scored = (c: Column): boolean => (isFeatureKind(c.kind) || c.kind === 'date') && c.data.type !== 'text';

function columnAuc(c: Column, labels: Int8Array): number | undefined {
  const rows: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) rows.push(i);
  const y = rows.map((i) => labels[i]);

  if (c.data.type === 'numeric') {
    const values = c.data.values;
    const present = rows.filter((i) => !Number.isNaN(values[i]));
    const auc = rankAuc(
      present.map((i) => values[i]),
      present.map((i) => labels[i]),
    );
    // Whether a value is there can give the label away too (a field filled in only after the
    // outcome, such as days to readmission): the missingness indicator is scored as well.
    const missing =
      present.length < rows.length
        ? rankAuc(
            rows.map((i) => (Number.isNaN(values[i]) ? 1 : 0)),
            y,
          )
        : undefined;
    const both = [auc, missing].filter((a): a is number => a !== undefined).map((a) => Math.max(a, 1 - a));
    return both.length ? Math.max(...both) : undefined;
  }
  const levels = stringsOf(c.data);
  const pos = new Map<string | null, number>();
  const all = new Map<string | null, number>();
  for (const i of rows) {
    all.set(levels[i], (all.get(levels[i]) ?? 0) + 1);
    pos.set(levels[i], (pos.get(levels[i]) ?? 0) + labels[i]);
  }
  const score = rows.map((i) => (pos.get(levels[i]) ?? 0) / (all.get(levels[i]) ?? 1));
  return rankAuc(score, y);
}

/** Every scored column's one-column AUC against a binary target, highest first; empty when the target is not binary. */
export function leakageScores(ds: Dataset): LeakageResult[] {
  const labels = binaryLabels(ds);
  if (!labels) return [];
  return ds.columns
    .filter((c) => c.kind !== 'target' && scored(c))
    .flatMap((c) => {
      const auc = columnAuc(c, labels);
      return auc === undefined ? [] : [{ column: c.name, auc }];
    })
    .sort((a, b) => b.auc - a.auc);
}

export interface ShiftResult {
  column: string;
  psi: number;
}

/** Share floor, so an empty bin in one table gives a large but finite PSI. */
const EPS = 1e-4;

function psi(expected: readonly number[], actual: readonly number[]): number {
  const e = expected.reduce((a, b) => a + b, 0) || 1;
  const a = actual.reduce((x, y) => x + y, 0) || 1;
  let s = 0;
  for (let k = 0; k < expected.length; k++) {
    const pe = Math.max(expected[k] / e, EPS);
    const pa = Math.max(actual[k] / a, EPS);
    s += (pa - pe) * Math.log(pa / pe);
  }
  return s;
}

/** Bin counts of values over cut points (value <= cut k goes to bin k), missing values in the last bin. */
function binCounts(values: Float64Array, cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 2).fill(0);
  for (const v of values) {
    if (Number.isNaN(v)) {
      counts[cuts.length + 1]++;
      continue;
    }
    let k = 0;
    while (k < cuts.length && v > cuts[k]) k++;
    counts[k]++;
  }
  return counts;
}

function columnPsi(train: Column, test: Column): number | undefined {
  if (train.data.type === 'numeric' && test.data.type === 'numeric') {
    const s = presentSorted(train.data.values);
    if (s.length === 0) return undefined;
    const cuts = [...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => quantileSorted(s, d / 10)))];
    return psi(binCounts(train.data.values, cuts), binCounts(test.data.values, cuts));
  }
  if (train.data.type === 'categorical' && test.data.type === 'categorical') {
    const a = stringsOf(train.data);
    const b = stringsOf(test.data);
    const levels = [...new Set([...a, ...b])];
    const count = (xs: (string | null)[]): number[] => {
      const m = new Map<string | null, number>();
      for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
      return levels.map((l) => m.get(l) ?? 0);
    };
    return psi(count(a), count(b));
  }
  return undefined;
}

/** PSI of every numeric or categorical column present in both tables (ids and text skipped), in train's column order. */
export function shiftScores(train: Dataset, test: Dataset): ShiftResult[] {
  return train.columns
    .filter((c) => c.kind !== 'id' && c.data.type !== 'text')
    .flatMap((c) => {
      const other = test.columns.find((t) => t.name === c.name);
      const value = other ? columnPsi(c, other) : undefined;
      return value === undefined ? [] : [{ column: c.name, psi: value }];
    });
}

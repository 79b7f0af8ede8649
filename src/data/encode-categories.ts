/**
 * How a categorical feature becomes numbers when it has many levels: the level limit that stops a
 * column from being expanded silently, scikit-learn's grouping of rare levels into one
 * "infrequent" level (OneHotEncoder min_frequency / max_categories, scikit-learn 1.2), and the
 * one-column encodings: frequency (the level's share of the training rows) and target (the
 * level's mean target, cross-fitted on the training rows so no row's own label enters its value).
 *
 * Target encoding, precisely:
 *   value(level) = (sum of y over the level's rows + m * prior) / (rows of the level + m)
 * with m = TARGET_SMOOTHING (an m-estimate: a level with m rows sits halfway between its own mean
 * and the prior) and prior = mean y over the rows used. y is the target for regression, 1 for
 * the positive class (the second class, scikit-learn's pos_label convention) for binary
 * classification; a multi-class target is refused (one column per class is not implemented).
 * Training rows get out-of-fold values: rows are dealt to TARGET_FOLDS seeded folds (KFold with
 * shuffling) and each fold is encoded with the statistics (and prior) of the other folds. Test
 * rows and new rows at predict time get the statistics of all training rows; an unseen level gets
 * the prior.
 */
import { DataError, StepInputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { targetVector } from './matrix.js';
import { closestName } from './select-names.js';
import { kFold } from './split.js';

/** How one categorical column is encoded. */
export type ColumnEncoding = 'one-hot' | 'ordinal' | 'frequency' | 'target';
export const COLUMN_ENCODINGS: readonly ColumnEncoding[] = ['one-hot', 'ordinal', 'frequency', 'target'];

/** `encode: one-hot` for every categorical column, or `encode: { ward: frequency }` per column (others one-hot). */
export type EncodeOption = 'one-hot' | 'ordinal' | Readonly<Record<string, ColumnEncoding>>;

/** Most levels a one-hot encoded column may have when rare levels are not grouped. */
export const DEFAULT_MAX_CATEGORIES = 50;
/** Folds of the cross-fitting of target encoding on the training rows. */
export const TARGET_FOLDS = 5;
/** m of the m-estimate that pulls a level's mean target toward the prior. */
export const TARGET_SMOOTHING = 10;
/** The output level rare levels are grouped into: `<column>=infrequent`. */
export const INFREQUENT = 'infrequent';

/** The encoding of each categorical feature column; names in a per-column map must be categorical features. */
export function resolveEncodings(option: EncodeOption | undefined, categorical: readonly string[], numeric: readonly string[]): Map<string, ColumnEncoding> {
  const out = new Map<string, ColumnEncoding>();
  if (option === undefined || typeof option === 'string') {
    for (const name of categorical) out.set(name, option ?? 'one-hot');
    return out;
  }
  for (const [name, how] of Object.entries(option)) {
    if (numeric.includes(name)) throw new StepInputError(`encode names column "${name}", which is numeric: only categorical columns are encoded`);
    if (!categorical.includes(name)) {
      const guess = closestName(name, categorical);
      throw new StepInputError(`encode names unknown categorical feature column "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
    if (!COLUMN_ENCODINGS.includes(how)) throw new StepInputError(`unknown encoding "${how}" for column "${name}" (one of ${COLUMN_ENCODINGS.join(', ')})`);
  }
  for (const name of categorical) out.set(name, option[name] ?? 'one-hot');
  return out;
}

/** The error of a one-hot column with more levels than the limit, naming the ways out. */
export function checkLevelLimit(column: string, levels: number, maxCategories: number): void {
  if (levels <= maxCategories) return;
  throw new DataError(`${levels} levels in the training rows, above max_categories (${maxCategories}), so one-hot encoding would add ${levels} columns`, {
    column,
    hint: `group rare levels: min_frequency: 0.01; encode: { ${column}: frequency } or target; or declare it an id`,
  });
}

/** How many rows hold each category (codes index `categories`; negative codes are missing). */
export function levelCounts(codes: Int32Array, categoryCount: number): number[] {
  const counts = new Array<number>(categoryCount).fill(0);
  for (const c of codes) if (c >= 0) counts[c]++;
  return counts;
}

/**
 * The categories grouped into the infrequent level, as scikit-learn 1.2's OneHotEncoder decides:
 * a level is infrequent when its count is below min_frequency (a count when >= 1, else a fraction
 * of the rows); then, when the frequent levels plus one would exceed max_categories, the levels
 * with the smallest counts (ties: the earlier in sorted order first) are added until
 * max_categories - 1 frequent levels are left. `categories` are sorted; the result keeps their order.
 */
export function infrequentCategories(
  categories: readonly string[],
  counts: readonly number[],
  rows: number,
  minFrequency: number | undefined,
  maxCategories: number | undefined,
): string[] {
  const threshold = minFrequency === undefined ? 0 : minFrequency >= 1 ? minFrequency : minFrequency * rows;
  const infrequent = counts.map((n) => n < threshold);
  const frequent = infrequent.filter((x) => !x).length;
  if (maxCategories !== undefined && maxCategories < frequent + 1) {
    // A stable ascending sort by count, as numpy's mergesort argsort.
    const order = counts.map((_, k) => k).sort((a, b) => counts[a] - counts[b] || a - b);
    for (const k of order.slice(0, counts.length - (maxCategories - 1))) infrequent[k] = true;
  }
  return categories.filter((_, k) => infrequent[k]);
}

/** Each category's share of the training rows. */
export function frequencyValues(counts: readonly number[], rows: number): number[] {
  return counts.map((n) => (rows > 0 ? n / rows : 0));
}

/** The numeric target used by target encoding, or a one-line refusal naming the column. */
export function targetForEncoding(ds: Dataset, column: string): Float64Array {
  if (!ds.target) throw new StepInputError(`encode: { ${column}: target } needs a target column: set target: on the load step`);
  const t = targetVector(ds);
  if (t.type === 'regression') return t.y;
  if (t.classes.length !== 2) {
    throw new StepInputError(
      `encode: { ${column}: target } needs a binary or numeric target; "${t.column}" has ${t.classes.length} classes: use frequency or one-hot for ${column}`,
    );
  }
  return Float64Array.from(t.y);
}

/** Smoothed mean target per category over the rows where `use` is true, and the prior (mean y) of those rows. */
function targetStatistics(codes: Int32Array, y: Float64Array, categoryCount: number, use: (i: number) => boolean): { values: number[]; prior: number } {
  const sum = new Array<number>(categoryCount).fill(0);
  const n = new Array<number>(categoryCount).fill(0);
  let total = 0,
    rows = 0;
  for (let i = 0; i < codes.length; i++) {
    if (!use(i)) continue;
    total += y[i];
    rows++;
    if (codes[i] >= 0) {
      sum[codes[i]] += y[i];
      n[codes[i]]++;
    }
  }
  const prior = rows ? total / rows : 0;
  return { values: sum.map((s, k) => (s + TARGET_SMOOTHING * prior) / (n[k] + TARGET_SMOOTHING)), prior };
}

/** Full-training statistics: what test rows and new rows get. */
export function targetValues(codes: Int32Array, y: Float64Array, categoryCount: number): { values: number[]; prior: number } {
  return targetStatistics(codes, y, categoryCount, () => true);
}

/**
 * Out-of-fold target encoding of the training rows: each row's value comes from the other folds
 * only. Missing categories (code < 0) stay NaN, as a missing value is left to imputation.
 */
export function crossFittedTargetEncoding(codes: Int32Array, y: Float64Array, categoryCount: number, seed: number): Float64Array {
  const n = codes.length;
  const out = new Float64Array(n).fill(NaN);
  if (n < 2) throw new DataError('target encoding needs at least 2 training rows to cross-fit');
  const k = Math.min(TARGET_FOLDS, n);
  const fold = kFold(n, k, { shuffle: true, seed });
  for (let f = 0; f < k; f++) {
    const stats = targetStatistics(codes, y, categoryCount, (i) => fold[i] !== f);
    for (let i = 0; i < n; i++) if (fold[i] === f && codes[i] >= 0) out[i] = stats.values[codes[i]];
  }
  return out;
}

/**
 * Preprocessing fitted on the training set: the statistics (fill values, clip bounds,
 * categories, centres and scales) come only from the table given to `fitPreprocess` and are
 * stored in a plain-JSON `PreprocessTransform`; `applyPreprocess` replays them on any table.
 *
 * The order is that of a typical scikit-learn Pipeline:
 *   drop columns (missing fraction in train > threshold)
 *   -> drop rows (missing fraction over the kept features > threshold; applied to every table
 *      transformed, and counted in the report, never silently)
 *   -> impute (SimpleImputer: mean, median, most_frequent, constant)
 *   -> clip outliers (iqr: [Q1 - k IQR, Q3 + k IQR]; zscore: mean ± z std, population std)
 *   -> encode categories (one-hot `<col>=<category>` or ordinal codes, categories sorted; per
 *      column frequency or target encoding, and rare levels grouped: src/data/encode-categories.ts)
 *   -> scale numeric columns (standard: mean and population std; minmax; robust: median and
 *      IQR 25-75), a constant column getting scale 1 as in sklearn.
 * Encoded columns are not scaled. id and target columns pass through untouched, and so do free
 * text columns (they are not features a scaler or encoder can use) and date columns. Features
 * derived from dates (`dates:`, date-features.ts) are added before all of this, as numeric columns.
 * Categorical columns use most_frequent when the imputation asked for is mean or median.
 * Without imputation, missing values stay NaN and are ignored by the fitted statistics.
 */
import { DataError, StepInputError } from '../errors.js';
import { columnListText } from '../suggest.js';
import { isFeatureKind, takeRows, type Column, type Dataset } from './dataset.js';
import { clipNumeric, imputeNumeric, labelsOf, rowMissingFractions, rowsToKeep } from './preprocess-apply.js';
import {
  checkLevelLimit,
  crossFittedTargetEncoding,
  DEFAULT_MAX_CATEGORIES,
  frequencyValues,
  INFREQUENT,
  infrequentCategories,
  levelCounts,
  resolveEncodings,
  targetForEncoding,
  targetValues,
  type ColumnEncoding,
} from './encode-categories.js';
import { checkFraction, resolveImputeRules, type ImputeRule, type PreprocessOptions } from './preprocess-options.js';
import { resolveDateFeatures, withDateFeatures } from './date-features.js';
import { labelMode, nanMean, nanMedian, nanMode, nanStd, quantileSorted, sortedPresent } from './preprocess-stats.js';
import {
  PREPROCESS_FORMAT,
  type CategoricalColumnTransform,
  type ColumnTransform,
  type NumericColumnTransform,
  type PreprocessTransform,
} from './preprocess-transform.js';

export { applyPreprocess, transformDataset, type ApplyOptions } from './preprocess-apply.js';
import { rejectInfinite } from './preprocess-apply.js';
export type * from './preprocess-transform.js';
export type * from './preprocess-options.js';

function isFeature(c: Column, ds: Dataset): boolean {
  return isFeatureKind(c.kind) && c.name !== ds.target?.column && c.data.type !== 'text';
}

function missingFraction(c: Column, rowCount: number): number {
  return rowCount ? rowMissingFractions([c], rowCount).reduce((a, b) => a + b, 0) / rowCount : 0;
}

/** Fits the transform on `train`. Throws StepInputError for impossible options, DataError for unusable data. */
export function fitPreprocess(train: Dataset, options: PreprocessOptions = {}): PreprocessTransform {
  return fitPreprocessWithTraining(train, options).transform;
}

/**
 * The transform, and the out-of-fold values of target-encoded columns for the training rows kept
 * (pass them to transformDataset as `outOfFold` when transforming `train` itself: a training row
 * must not be encoded with statistics that include its own label).
 */
export function fitPreprocessWithTraining(
  table: Dataset,
  options: PreprocessOptions = {},
): { transform: PreprocessTransform; outOfFold: Map<string, Float64Array> } {
  // Date features first: from here on they are numeric columns like any other.
  const dates = resolveDateFeatures(table, options.dates);
  const train = withDateFeatures(table, dates);
  const dropColumnsAbove = checkFraction('drop_columns_missing_above', options.dropColumnsMissingAbove);
  const dropRowsAbove = checkFraction('drop_rows_missing_above', options.dropRowsMissingAbove);
  const features = train.columns.filter((c) => isFeature(c, train));
  for (const c of features) rejectInfinite(c, 'the training set');
  const rules = resolveImputeRules(
    options.impute,
    features.map((c) => c.name),
  );

  const asked = checkDropColumns(options.dropColumns ?? [], features, train);
  const kept = features.filter((c) => !asked.has(c.name) && !(missingFraction(c, train.rowCount) > dropColumnsAbove));
  const rows = rowsToKeep(rowMissingFractions(kept, train.rowCount), dropRowsAbove < 1 ? dropRowsAbove : null);
  const fitted = rows.length === train.rowCount ? train : takeRows(train, rows);
  if (fitted.rowCount === 0) throw new DataError('no training rows left after dropping rows with missing values', { hint: 'raise drop_rows_missing_above' });

  const encodings = resolveEncodings(
    options.encode,
    features.filter((c) => c.data.type !== 'numeric').map((c) => c.name),
    features.filter((c) => c.data.type === 'numeric').map((c) => c.name),
  );
  const outOfFold = new Map<string, Float64Array>();
  const columns: ColumnTransform[] = train.columns.map((c): ColumnTransform => {
    if (!isFeature(c, train)) return { name: c.name, type: 'pass-through' };
    if (!kept.includes(c))
      return { name: c.name, type: 'dropped', missingFraction: missingFraction(c, train.rowCount), ...(asked.has(c.name) ? { asked: true as const } : {}) };
    const col = fitted.columns.find((x) => x.name === c.name) as Column;
    const rule = rules.get(c.name) as ImputeRule;
    if (col.data.type === 'numeric') return fitNumeric(col, col.data.values, rule, options);
    return fitCategorical(col, rule, encodings.get(c.name) as ColumnEncoding, fitted, options, outOfFold);
  });
  const outputColumns = columns.flatMap((c) => (c.type === 'dropped' ? [] : c.type === 'categorical' ? c.outputs : [c.name]));
  const duplicate = outputColumns.find((name, i) => outputColumns.indexOf(name) !== i);
  if (duplicate !== undefined) throw new StepInputError(`encoding would create two columns named "${duplicate}": rename the column or category`);
  const transform: PreprocessTransform = {
    format: PREPROCESS_FORMAT,
    columns,
    dropRowsMissingAbove: dropRowsAbove < 1 ? dropRowsAbove : null,
    onUnseen: options.onUnseen ?? 'ignore',
    outputColumns,
    fittedRows: fitted.rowCount,
    ...(dates.length ? { dates } : {}),
  };
  return { transform, outOfFold };
}

/** The columns drop_columns names, each a feature of the table (a typo would otherwise leave a leaky column in the model). */
function checkDropColumns(names: readonly string[], features: readonly Column[], table: Dataset): Set<string> {
  const featureNames = features.map((c) => c.name);
  for (const name of names) {
    if (featureNames.includes(name)) continue;
    const c = table.columns.find((x) => x.name === name);
    if (c)
      throw new StepInputError(
        `drop_columns: "${name}" is not a feature (it is ${c.kind === 'target' || name === table.target?.column ? 'the target' : `a ${c.kind} column`}), so there is nothing to drop`,
      );
    throw new StepInputError(`drop_columns: there is no column "${name}" among the features ${columnListText(name, featureNames)}`);
  }
  return new Set(names);
}

/** The smallest and largest present (non-NaN) value, or undefined when none is present. */
function presentRange(values: Float64Array): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return min <= max ? { min, max } : undefined;
}

function fitNumeric(c: Column, raw: Float64Array, rule: ImputeRule, options: PreprocessOptions): NumericColumnTransform {
  const t: NumericColumnTransform = { name: c.name, type: 'numeric' };
  const range = presentRange(raw);
  if (range) t.range = range;
  const v = Float64Array.from(raw);
  if (rule.strategy !== 'none') {
    const fill = numericFill(c.name, v, rule);
    t.impute = { strategy: rule.strategy, value: fill };
    imputeNumeric(v, fill);
  }
  const outliers = options.outliers ?? 'none';
  if (outliers !== 'none') {
    let lower: number, upper: number;
    if (outliers === 'iqr') {
      const k = options.iqrK ?? 1.5;
      const s = sortedPresent(v);
      const q1 = quantileSorted(s, 0.25),
        q3 = quantileSorted(s, 0.75);
      lower = q1 - k * (q3 - q1);
      upper = q3 + k * (q3 - q1);
    } else {
      const z = options.zscoreZ ?? 3;
      const m = nanMean(v),
        sd = nanStd(v);
      lower = m - z * sd;
      upper = m + z * sd;
    }
    t.clip = { method: outliers, lower, upper };
    clipNumeric(v, lower, upper);
  }
  const scale = options.scale ?? 'none';
  if (scale !== 'none') {
    let center: number, spread: number;
    if (scale === 'standard') {
      center = nanMean(v);
      spread = nanStd(v);
    } else if (scale === 'minmax') {
      const s = sortedPresent(v);
      center = s[0];
      spread = s[s.length - 1] - s[0];
    } else {
      const s = sortedPresent(v);
      center = quantileSorted(s, 0.5);
      spread = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
    }
    if (Number.isNaN(center))
      throw new DataError('column has no values in the training set, so it cannot be scaled', {
        column: c.name,
        hint: 'drop it (drop_columns_missing_above) or impute it with a constant',
      });
    // A constant column would divide by zero; sklearn leaves it unscaled (scale 1), and so do we.
    t.scale = { method: scale, center, scale: spread > 0 ? spread : 1 };
  }
  return t;
}

function numericFill(name: string, v: Float64Array, rule: ImputeRule): number {
  if (rule.strategy === 'constant') {
    if (rule.value === undefined) return 0;
    if (typeof rule.value !== 'number') throw new StepInputError(`column "${name}" is numeric, so its constant fill value must be a number (got a string)`);
    return rule.value;
  }
  const fill = rule.strategy === 'mean' ? nanMean(v) : rule.strategy === 'median' ? nanMedian(v) : nanMode(v);
  if (Number.isNaN(fill)) {
    throw new DataError(`column is entirely missing in the training set, so ${rule.strategy} imputation has nothing to compute from`, {
      column: name,
      hint: 'drop it with drop_columns_missing_above, or impute it with { strategy: constant, value: ... }',
    });
  }
  return fill;
}

function fitCategorical(
  c: Column,
  rule: ImputeRule,
  encode: ColumnEncoding,
  fitted: Dataset,
  options: PreprocessOptions,
  outOfFold: Map<string, Float64Array>,
): CategoricalColumnTransform {
  const labels = labelsOf(c.data);
  let impute: CategoricalColumnTransform['impute'];
  if (rule.strategy === 'constant') {
    impute = { strategy: 'constant', value: rule.value === undefined ? 'missing' : String(rule.value) };
  } else if (rule.strategy !== 'none') {
    const mode = labelMode(labels);
    if (mode === undefined) {
      throw new DataError('column is entirely missing in the training set, so the most frequent category is undefined', {
        column: c.name,
        hint: 'drop it with drop_columns_missing_above, or impute it with { strategy: constant, value: ... }',
      });
    }
    impute = { strategy: 'most_frequent', value: mode };
  }
  const seen = new Set<string>();
  for (const l of labels) {
    if (l !== null) seen.add(l);
    else if (impute) seen.add(impute.value);
  }
  const categories = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const base = { name: c.name, type: 'categorical' as const, ...(impute ? { impute } : {}), categories, encode };
  if (encode === 'ordinal') return { ...base, outputs: [c.name] };
  if (encode === 'one-hot') {
    const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
    if (options.minFrequency === undefined) {
      checkLevelLimit(c.name, categories.length, maxCategories);
      return { ...base, outputs: categories.map((cat) => `${c.name}=${cat}`) };
    }
    const counts = levelCounts(codesOf(labels, categories, impute?.value), categories.length);
    const infrequent = infrequentCategories(categories, counts, fitted.rowCount, options.minFrequency, maxCategories);
    if (infrequent.length === 0) return { ...base, outputs: categories.map((cat) => `${c.name}=${cat}`) };
    const grouped = new Set(infrequent);
    const outputs = [...categories.filter((cat) => !grouped.has(cat)).map((cat) => `${c.name}=${cat}`), `${c.name}=${INFREQUENT}`];
    return { ...base, infrequent, outputs };
  }
  const codes = codesOf(labels, categories, impute?.value);
  if (encode === 'frequency') {
    return { ...base, values: frequencyValues(levelCounts(codes, categories.length), fitted.rowCount), unseenValue: 0, outputs: [c.name] };
  }
  const y = targetForEncoding(fitted, c.name);
  const full = targetValues(codes, y, categories.length);
  outOfFold.set(c.name, crossFittedTargetEncoding(codes, y, categories.length, options.seed ?? 0));
  return { ...base, values: full.values, unseenValue: full.prior, outputs: [c.name] };
}

/** Each row's index in `categories` (missing rows take `fill` when given, else -1). */
function codesOf(labels: readonly (string | null)[], categories: readonly string[], fill: string | undefined): Int32Array {
  const index = new Map(categories.map((cat, k) => [cat, k]));
  return Int32Array.from(labels, (l) => {
    const label = l ?? fill;
    return label === undefined ? -1 : (index.get(label) ?? -1);
  });
}

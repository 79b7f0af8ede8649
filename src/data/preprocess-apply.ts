/**
 * Applies a fitted preprocessing transform to a table: drop rows with too many gaps, then per
 * column impute -> clip -> encode -> scale, using only the numbers stored in the transform.
 * The column-level functions are also used while fitting, so train and test go through exactly
 * the same arithmetic.
 */
import { DataError } from '../errors.js';
import { isFeatureKind, takeRows, type Column, type ColumnData, type Dataset } from './dataset.js';
import type { UnseenPolicy } from './preprocess-options.js';
import { withDateFeatures } from './date-features.js';
import { contextColumns } from './preprocess-context.js';
import type { CategoricalColumnTransform, NumericColumnTransform, PreprocessReport, PreprocessTransform } from './preprocess-transform.js';

export interface ApplyOptions {
  /** Overrides the transform's policy for categories never seen in training. */
  onUnseen?: UnseenPolicy;
  /** Named in error messages (e.g. the artifact or file the table came from). */
  source?: string;
  /**
   * Only when transforming the training table the transform was fitted on: the out-of-fold
   * values of its target-encoded columns (from fitPreprocessWithTraining), one per row kept.
   */
  outOfFold?: ReadonlyMap<string, Float64Array>;
  /** Source columns to carry as kind `context` for evaluation (src/data/preprocess-context.ts). */
  context?: readonly string[];
}

/** Fills NaN with `fill` in place; returns how many were filled. */
export function imputeNumeric(v: Float64Array, fill: number): number {
  let n = 0;
  for (let i = 0; i < v.length; i++)
    if (Number.isNaN(v[i])) {
      v[i] = fill;
      n++;
    }
  return n;
}

/** Clips into [lower, upper] in place; returns how many values moved. */
export function clipNumeric(v: Float64Array, lower: number, upper: number): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lower) {
      v[i] = lower;
      n++;
    } else if (v[i] > upper) {
      v[i] = upper;
      n++;
    }
  }
  return n;
}

export function scaleNumeric(v: Float64Array, center: number, scale: number): void {
  for (let i = 0; i < v.length; i++) v[i] = (v[i] - center) / scale;
}

/** A column's values as category labels; null where missing. */
export function labelsOf(data: ColumnData): (string | null)[] {
  if (data.type === 'text') return [...data.values];
  if (data.type === 'categorical') return Array.from(data.codes, (c) => (c < 0 ? null : data.categories[c]));
  throw new Error('labelsOf needs a categorical or text column');
}

/** Per row, the fraction of the given columns that are missing. */
export function rowMissingFractions(columns: readonly Column[], rowCount: number): Float64Array {
  const out = new Float64Array(rowCount);
  if (columns.length === 0) return out;
  for (const c of columns) {
    const d = c.data;
    for (let i = 0; i < rowCount; i++) {
      const missing = d.type === 'numeric' ? Number.isNaN(d.values[i]) : d.type === 'categorical' ? d.codes[i] < 0 : d.values[i] === null;
      if (missing) out[i]++;
    }
  }
  for (let i = 0; i < rowCount; i++) out[i] /= columns.length;
  return out;
}

/** Indices of rows whose missing fraction is at most `threshold` (all rows when null). */
export function rowsToKeep(fractions: Float64Array, threshold: number | null): number[] {
  const keep: number[] = [];
  for (let i = 0; i < fractions.length; i++) if (threshold === null || !(fractions[i] > threshold)) keep.push(i);
  return keep;
}

function emptyReport(rowsIn: number): PreprocessReport {
  return { rowsIn, rowsOut: rowsIn, rowsDropped: 0, imputed: {}, clipped: {}, unseen: {} };
}

/**
 * An infinite value is an input error, never a number to scale: standardising a column holding
 * one turns every value of it into ±Infinity or NaN. load.csv refuses them by line; this catches
 * tables that came another way (Arrow files, built-in or custom loaders).
 */
export function rejectInfinite(c: Column | undefined, source: string): void {
  if (c?.data.type !== 'numeric') return;
  const values = c.data.values;
  for (let r = 0; r < values.length; r++) {
    if (values[r] === Infinity || values[r] === -Infinity) {
      throw new DataError(`row ${r + 1} of ${source} has an infinite value`, {
        column: c.name,
        hint: 'infinities are input errors: fix the data, or load it with load.csv (which names the line; non_finite: missing treats them as missing)',
      });
    }
  }
}

/** Applies `t` to `ds`, returning the new table and counts of what was done. */
export function transformDataset(t: PreprocessTransform, raw: Dataset, options: ApplyOptions = {}): { dataset: Dataset; report: PreprocessReport } {
  const ds = withDateFeatures(raw, t.dates, options.source);
  const report = emptyReport(ds.rowCount);
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const known = new Set(t.columns.map((c) => c.name));
  for (const c of ds.columns) {
    const special = !isFeatureKind(c.kind) || c.name === ds.target?.column;
    if (!known.has(c.name) && !special) {
      throw new DataError('column was not in the training data, so the transform does not know it', {
        file: options.source,
        column: c.name,
        hint: 'remove it, or mark it as an id column',
      });
    }
  }
  for (const ct of t.columns) if (ct.type === 'numeric') rejectInfinite(byName.get(ct.name), options.source ?? 'the table');
  const features: Column[] = [];
  for (const ct of t.columns) {
    if (ct.type !== 'numeric' && ct.type !== 'categorical') continue;
    const c = byName.get(ct.name);
    if (!c) throw new DataError('column is missing; the transform was fitted with it', { file: options.source, column: ct.name });
    features.push(c);
  }
  // Rows are dropped first, over the features the transform keeps; original row numbers are kept for messages.
  const keep = rowsToKeep(rowMissingFractions(features, ds.rowCount), t.dropRowsMissingAbove);
  const table = keep.length === ds.rowCount ? ds : takeRows(ds, keep);
  report.rowsOut = keep.length;
  report.rowsDropped = ds.rowCount - keep.length;

  const policy = options.onUnseen ?? t.onUnseen;
  const out: Column[] = [];
  for (const ct of t.columns) {
    const c = table.columns.find((x) => x.name === ct.name);
    if (ct.type === 'dropped' || !c) continue;
    if (ct.type === 'pass-through') out.push(c);
    else if (ct.type === 'numeric') out.push(applyNumeric(ct, c, report, options.source));
    else out.push(...applyCategorical(ct, c, keep, policy, report, options.source, options.outOfFold?.get(ct.name)));
  }
  // Columns the transform never saw but that are id/target by kind pass through too.
  for (const c of table.columns) if (!known.has(c.name)) out.push(c);
  if (options.context?.length) out.push(...contextColumns(t, table, options.context));
  const target = ds.target && out.some((c) => c.name === ds.target?.column) ? ds.target : undefined;
  return { dataset: { columns: out, rowCount: keep.length, ...(target ? { target } : {}) }, report };
}

/** The transformed table only; see transformDataset for the counts. */
export function applyPreprocess(t: PreprocessTransform, ds: Dataset, options: ApplyOptions = {}): Dataset {
  return transformDataset(t, ds, options).dataset;
}

function applyNumeric(ct: NumericColumnTransform, c: Column, report: PreprocessReport, source: string | undefined): Column {
  if (c.data.type !== 'numeric') throw new DataError(`expected numbers (as in training), found a ${c.data.type} column`, { file: source, column: c.name });
  const v = Float64Array.from(c.data.values);
  if (ct.impute) report.imputed[ct.name] = imputeNumeric(v, ct.impute.value);
  if (ct.clip) report.clipped[ct.name] = clipNumeric(v, ct.clip.lower, ct.clip.upper);
  if (ct.scale) scaleNumeric(v, ct.scale.center, ct.scale.scale);
  return { name: ct.name, kind: 'numeric', data: { type: 'numeric', values: v } };
}

function applyCategorical(
  ct: CategoricalColumnTransform,
  c: Column,
  rowIndex: readonly number[],
  policy: UnseenPolicy,
  report: PreprocessReport,
  source: string | undefined,
  outOfFold: Float64Array | undefined,
): Column[] {
  if (c.data.type === 'numeric') throw new DataError('expected categories (as in training), found a numeric column', { file: source, column: c.name });
  const labels = labelsOf(c.data);
  const index = new Map(ct.categories.map((cat, k) => [cat, k]));
  const n = labels.length;
  // code per row: category index, -1 missing (no imputation), -2 unseen.
  const codes = new Int32Array(n);
  let imputed = 0,
    unseen = 0;
  for (let i = 0; i < n; i++) {
    let label = labels[i];
    if (label === null && ct.impute) {
      label = ct.impute.value;
      imputed++;
    }
    if (label === null) {
      codes[i] = -1;
      continue;
    }
    const k = index.get(label);
    if (k !== undefined) {
      codes[i] = k;
      continue;
    }
    // With rare levels grouped, an unseen category joins them (handle_unknown='infrequent_if_exist').
    if (policy === 'error' && !ct.infrequent) {
      throw new DataError(`category not seen in training (known: ${ct.categories.length} categories)`, {
        file: source,
        row: rowIndex[i] + 1,
        column: ct.name,
        hint: 'use on_unseen: ignore to encode unseen categories as all zeros (one-hot) or as missing (ordinal)',
      });
    }
    unseen++;
    codes[i] = -2;
  }
  if (ct.impute) report.imputed[ct.name] = imputed;
  if (unseen) report.unseen[ct.name] = unseen;
  if (ct.encode === 'frequency' || ct.encode === 'target') {
    if (outOfFold && outOfFold.length !== n) throw new Error(`out-of-fold values of "${ct.name}" do not match the table's rows`);
    const values = ct.values ?? [];
    const unseenValue = ct.unseenValue ?? 0;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = codes[i] === -1 ? NaN : outOfFold ? outOfFold[i] : codes[i] === -2 ? unseenValue : values[codes[i]];
    return [{ name: ct.outputs[0], kind: 'numeric', data: { type: 'numeric', values: v } }];
  }
  if (ct.infrequent) return oneHotGrouped(ct, codes);
  if (ct.encode === 'ordinal') {
    // An unseen category is treated as missing, then imputed like a missing value would be.
    const fill = ct.impute ? index.get(ct.impute.value) : undefined;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = codes[i] >= 0 ? codes[i] : codes[i] === -2 && fill !== undefined ? fill : NaN;
    return [{ name: ct.outputs[0], kind: 'numeric', data: { type: 'numeric', values: v } }];
  }
  return ct.categories.map((_, k) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = codes[i] === k ? 1 : 0;
    return { name: ct.outputs[k], kind: 'numeric', data: { type: 'numeric', values: v } };
  });
}

/** One-hot with rare levels grouped: the frequent categories' columns, then `<col>=infrequent` for the rare and the unseen. */
function oneHotGrouped(ct: CategoricalColumnTransform, codes: Int32Array): Column[] {
  const grouped = new Set(ct.infrequent);
  const frequent = ct.categories.map((cat) => !grouped.has(cat));
  // Output slot per category code: its own column, or the last (infrequent) one.
  const last = ct.outputs.length - 1;
  const slot: number[] = [];
  let next = 0;
  for (const isFrequent of frequent) slot.push(isFrequent ? next++ : last);
  const columns = ct.outputs.map(() => new Float64Array(codes.length));
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] >= 0) columns[slot[codes[i]]][i] = 1;
    else if (codes[i] === -2) columns[last][i] = 1;
  }
  return ct.outputs.map((name, k) => ({ name, kind: 'numeric', data: { type: 'numeric', values: columns[k] } }));
}

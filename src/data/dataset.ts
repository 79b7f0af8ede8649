/**
 * The in-memory table every data step works on: columnar, typed arrays for numbers,
 * dictionary-encoded categories, plain strings for text. Missing values are NaN in numeric
 * columns, code -1 in categorical columns and null in text columns.
 *
 * This module knows nothing of the engine; it is a plain library (see STYLE.md, rule 2).
 */

/**
 * What a column is for. `id`, `target`, `text`, `date` and `context` columns are never used as features:
 * - `text`: free text (notes, SMILES strings): a step that understands it derives features from it
 *   (featurize.molecules), otherwise it is carried along and left out, as the load step notes;
 * - `date`: a date or time, held as numeric data in days since 1970-01-01 (UTC, fractional for
 *   times); features are derived from it explicitly (preprocess `dates:`), never by one-hot encoding;
 * - `context`: a source column carried through preprocessing for evaluation only (subgroups by a
 *   column the model sees encoded, or does not see at all), under its source name.
 */
export type ColumnKind = 'numeric' | 'categorical' | 'text' | 'id' | 'target' | 'date' | 'context';

/** Every column kind (for files that store a kind by name). */
export const COLUMN_KINDS: readonly ColumnKind[] = ['numeric', 'categorical', 'text', 'id', 'target', 'date', 'context'];

/** Kinds that are never model features. */
const NOT_FEATURES: ReadonlySet<ColumnKind> = new Set(['id', 'target', 'text', 'date', 'context']);

export interface NumericData {
  readonly type: 'numeric';
  /** NaN marks a missing value. */
  readonly values: Float64Array;
}

export interface CategoricalData {
  readonly type: 'categorical';
  /** Index into `categories`; -1 marks a missing value. */
  readonly codes: Int32Array;
  readonly categories: readonly string[];
}

export interface TextData {
  readonly type: 'text';
  /** null marks a missing value. */
  readonly values: readonly (string | null)[];
}

export type ColumnData = NumericData | CategoricalData | TextData;

export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly data: ColumnData;
  /**
   * How many of the column's missing values each missing token of the source file stood for
   * ("" for a blank cell, "NA", "?", …), as the CSV reader saw them; absent when nothing was
   * missing or the column did not come from a file. Dropped when rows are taken (counts of the whole file).
   */
  readonly missingTokens?: Readonly<Record<string, number>>;
}

/** The label of a classification or regression table. */
export interface TargetInfo {
  readonly column: string;
  /** For binary classification: the category that counts as positive (e.g. "malignant"). */
  readonly positive?: string;
}

export interface Dataset {
  readonly columns: readonly Column[];
  readonly rowCount: number;
  readonly target?: TargetInfo;
}

export function columnLength(data: ColumnData): number {
  return data.type === 'categorical' ? data.codes.length : data.values.length;
}

/** A typed mask, 1 where the value is missing. */
export function missingMask(data: ColumnData): Uint8Array {
  const n = columnLength(data);
  const mask = new Uint8Array(n);
  if (data.type === 'numeric') for (let i = 0; i < n; i++) mask[i] = Number.isNaN(data.values[i]) ? 1 : 0;
  else if (data.type === 'categorical') for (let i = 0; i < n; i++) mask[i] = data.codes[i] < 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) mask[i] = data.values[i] === null ? 1 : 0;
  return mask;
}

export function getColumn(ds: Dataset, name: string): Column | undefined {
  return ds.columns.find((c) => c.name === name);
}

/** Whether a column of this kind may be a model feature (id, target, text, date and context columns never are). */
export function isFeatureKind(kind: ColumnKind): boolean {
  return !NOT_FEATURES.has(kind);
}

/** Columns usable as model features, in table order. */
export function featureColumns(ds: Dataset): Column[] {
  return ds.columns.filter((c) => isFeatureKind(c.kind));
}

/** Builds a dataset, checking that every column has `rowCount` values and names are unique. */
export function makeDataset(columns: readonly Column[], target?: TargetInfo): Dataset {
  const rowCount = columns.length ? columnLength(columns[0].data) : 0;
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new Error(`duplicate column name "${c.name}"`);
    seen.add(c.name);
    if (columnLength(c.data) !== rowCount) throw new Error(`column "${c.name}" has ${columnLength(c.data)} values, expected ${rowCount}`);
  }
  if (target && !seen.has(target.column)) throw new Error(`target column "${target.column}" is not in the dataset`);
  return { columns, rowCount, target };
}

/** A new dataset with the rows at `indices`, in that order (used by splits and bootstraps). */
export function takeRows(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const columns = ds.columns.map(({ missingTokens: _wholeFile, ...c }): Column => {
    const d = c.data;
    if (d.type === 'numeric') {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = d.values[indices[i]];
      return { ...c, data: { type: 'numeric', values: v } };
    }
    if (d.type === 'categorical') {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = d.codes[indices[i]];
      return { ...c, data: { type: 'categorical', codes, categories: d.categories } };
    }
    const v: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) v[i] = d.values[indices[i]];
    return { ...c, data: { type: 'text', values: v } };
  });
  return { columns, rowCount: n, target: ds.target };
}

/** Rows, columns, kinds and missing counts: what a step may report about a table (counts only, never values). */
export interface DatasetSummary {
  [key: string]: unknown;
  rows: number;
  columns: number;
  kinds: Partial<Record<ColumnKind, number>>;
  target?: string;
  /** Missing values per column, for columns that have any. */
  missing: Record<string, number>;
}

export function summariseDataset(ds: Dataset): DatasetSummary {
  const kinds: Partial<Record<ColumnKind, number>> = {};
  const missing: Record<string, number> = {};
  for (const c of ds.columns) {
    kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
    const mask = missingMask(c.data);
    let count = 0;
    for (let i = 0; i < mask.length; i++) count += mask[i];
    if (count > 0) missing[c.name] = count;
  }
  return { rows: ds.rowCount, columns: ds.columns.length, kinds, ...(ds.target ? { target: ds.target.column } : {}), missing };
}

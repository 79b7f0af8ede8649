/**
 * From a Dataset to what learning algorithms take: a dense row-major feature matrix and a label
 * vector. Models in src/ml receive these plain typed arrays and never see columns or kinds.
 */
import { StepInputError } from '../errors.js';
import { featureColumns, getColumn, type Column, type Dataset } from './dataset.js';

export interface FeatureMatrix {
  /** Row-major: value of feature j in row i is X[i * nCols + j]. NaN marks a missing value. */
  X: Float64Array;
  nRows: number;
  nCols: number;
  /** Feature names, in column order of X. */
  names: string[];
}

export interface ClassificationTarget {
  column: string;
  type: 'classification';
  /** Class index per row, into `classes`. */
  y: Int32Array;
  /** Sorted class labels; for a binary target with a positive class, that class is index 1. */
  classes: string[];
  /** Index of the positive class in `classes` (always 1) when the dataset names one. */
  positiveIndex?: number;
}

export interface RegressionTarget {
  column: string;
  type: 'regression';
  y: Float64Array;
}

export type TargetVector = ClassificationTarget | RegressionTarget;

/**
 * The feature matrix of `ds`: every column that is not an id or the target, or exactly the columns
 * in `names` (in that order) when given, e.g. to apply a fitted model to new data.
 */
export function featureMatrix(ds: Dataset, names?: readonly string[]): FeatureMatrix {
  const columns: Column[] = names
    ? names.map((name) => {
        const c = getColumn(ds, name);
        if (!c) throw new StepInputError(`feature column "${name}" is not in the dataset (columns: ${ds.columns.map((x) => x.name).join(', ')})`);
        return c;
      })
    : featureColumns(ds).filter((c) => c.name !== ds.target?.column);
  const nRows = ds.rowCount;
  const nCols = columns.length;
  const X = new Float64Array(nRows * nCols);
  columns.forEach((c, j) => {
    if (c.data.type !== 'numeric') {
      throw new StepInputError(
        `feature column "${c.name}" is ${c.data.type}, but models need numbers: encode it first (a preprocess step with one-hot or ordinal encoding), or mark it as an id column`,
      );
    }
    const v = c.data.values;
    for (let i = 0; i < nRows; i++) X[i * nCols + j] = v[i];
  });
  return { X, nRows, nCols, names: columns.map((c) => c.name) };
}

/** The label vector of `ds`: classification for a categorical target, regression for a numeric one. */
export function targetVector(ds: Dataset): TargetVector {
  const info = ds.target;
  if (!info) throw new StepInputError('the dataset has no target column: set `target:` on the load step');
  const col = getColumn(ds, info.column);
  if (!col) throw new StepInputError(`target column "${info.column}" is not in the dataset`);
  const d = col.data;
  if (d.type === 'numeric') {
    const missing = countWhere(ds.rowCount, (i) => Number.isNaN(d.values[i]));
    if (missing) throw missingTargetError(info.column, missing);
    return { column: info.column, type: 'regression', y: Float64Array.from(d.values) };
  }
  if (d.type === 'text')
    throw new StepInputError(`target column "${info.column}" holds free text; declare it categorical (columns: { ${info.column}: categorical })`);

  const missing = countWhere(ds.rowCount, (i) => d.codes[i] < 0);
  if (missing) throw missingTargetError(info.column, missing);
  // Only classes present in the rows count; sorted so the order does not depend on row order.
  const used = new Uint8Array(d.categories.length);
  for (let i = 0; i < ds.rowCount; i++) used[d.codes[i]] = 1;
  let classes = d.categories.filter((_, k) => used[k] || d.categories[k] === info.positive).sort(compareLabels);
  let positiveIndex: number | undefined;
  if (info.positive !== undefined) {
    if (!classes.includes(info.positive)) throw new StepInputError(`positive class "${info.positive}" is not a value of target column "${info.column}"`);
    if (classes.length === 2) {
      // scikit-learn's pos_label convention: the positive class is the second one.
      classes = [classes.find((c) => c !== info.positive) as string, info.positive];
      positiveIndex = 1;
    }
  }
  const index = new Map(classes.map((c, k) => [c, k]));
  const remap = d.categories.map((c) => index.get(c) ?? -1);
  const y = new Int32Array(ds.rowCount);
  for (let i = 0; i < ds.rowCount; i++) y[i] = remap[d.codes[i]];
  return { column: info.column, type: 'classification', y, classes, ...(positiveIndex !== undefined ? { positiveIndex } : {}) };
}

/** Plain code-unit order, the same on every machine and locale (unlike localeCompare). */
function compareLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countWhere(n: number, pred: (i: number) => boolean): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (pred(i)) k++;
  return k;
}

function missingTargetError(column: string, count: number): StepInputError {
  return new StepInputError(
    `target column "${column}" has ${count} missing value${count === 1 ? '' : 's'}: drop those rows or impute the target before training`,
  );
}

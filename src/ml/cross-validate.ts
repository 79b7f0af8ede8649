/**
 * k-fold cross-validation of any model, given how to fit it: for each fold, fit on the other
 * folds' rows and score the held-out rows. Used by the training steps when a split's `folds`
 * output is wired in, so select-best can compare the combinations of a sweep on training data
 * alone, without looking at the test set.
 */
import { StepInputError } from '../errors.js';
import { binaryCurve, rankScores, rocAuc } from './metrics/ranking.js';
import { regressionMetrics } from './metrics/regression.js';

export interface FittedPredictor {
  /** Class index per row (classification) or value (regression). */
  predict(X: Float64Array, nRows: number): Int32Array | Float64Array;
  /** Binary classification: a score that ranks the positive class (probability or decision value). */
  positiveScore?(X: Float64Array, nRows: number): Float64Array;
}

export interface CrossValidationInput {
  X: Float64Array;
  nRows: number;
  nCols: number;
  y: Int32Array | Float64Array;
  task: 'classification' | 'regression';
  /** Fold of each row, 0..k-1. */
  fold: ArrayLike<number>;
  /** Binary classification: the class index counted as positive. */
  positiveIndex?: number;
  fit(X: Float64Array, nRows: number, y: Int32Array | Float64Array): Promise<FittedPredictor>;
  /** Aborting it stops between folds (pass it to `fit` too, to stop within one); rejects with its reason. */
  signal?: AbortSignal;
}

export interface CrossValidation {
  k: number;
  /** Per metric: the mean and (population) standard deviation over folds, and each fold's value. */
  metrics: Record<string, { mean: number; std: number; folds: number[] }>;
}

function rowsOf(X: Float64Array, nCols: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * nCols);
  rows.forEach((r, i) => out.set(X.subarray(r * nCols, r * nCols + nCols), i * nCols));
  return out;
}

function take<T extends Int32Array | Float64Array>(y: T, rows: readonly number[]): T {
  const out = new (y.constructor as { new (n: number): T })(rows.length);
  rows.forEach((r, i) => (out[i] = y[r]));
  return out;
}

export async function crossValidate(input: CrossValidationInput): Promise<CrossValidation> {
  const { X, nRows, nCols, y, task, fold } = input;
  if (fold.length !== nRows)
    throw new StepInputError(
      `the folds cover ${fold.length} rows but the training table has ${nRows}: wire the folds of the split that produced this table, and do not drop rows in between`,
    );
  let k = 0;
  for (let i = 0; i < nRows; i++) k = Math.max(k, fold[i] + 1);
  if (k < 2) throw new StepInputError('cross-validation needs at least 2 folds');
  const values: Record<string, number[]> = {};
  const add = (name: string, v: number): void => void (values[name] ??= []).push(v);
  for (let f = 0; f < k; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < nRows; i++) (fold[i] === f ? testRows : trainRows).push(i);
    if (!testRows.length || !trainRows.length) throw new StepInputError(`fold ${f} is empty or holds every row`);
    input.signal?.throwIfAborted();
    const model = await input.fit(rowsOf(X, nCols, trainRows), trainRows.length, take(y, trainRows));
    const Xt = rowsOf(X, nCols, testRows);
    const truth = take(y, testRows);
    const predicted = model.predict(Xt, testRows.length);
    if (task === 'regression') {
      const m = regressionMetrics(truth as Float64Array, Float64Array.from(predicted));
      add('rmse', m.rmse);
      add('mae', m.mae);
      add('r2', m.r2);
      continue;
    }
    let correct = 0;
    for (let i = 0; i < testRows.length; i++) if (predicted[i] === truth[i]) correct++;
    add('accuracy', correct / testRows.length);
    if (model.positiveScore && input.positiveIndex !== undefined) {
      const positive = Uint8Array.from(truth, (t) => (t === input.positiveIndex ? 1 : 0));
      if (positive.some((p) => p === 1) && positive.some((p) => p === 0))
        add('roc_auc', rocAuc(binaryCurve(rankScores(model.positiveScore(Xt, testRows.length)), positive)));
    }
  }
  const metrics: CrossValidation['metrics'] = {};
  for (const [name, vs] of Object.entries(values)) {
    const mean = vs.reduce((s, v) => s + v, 0) / vs.length;
    const std = Math.sqrt(vs.reduce((s, v) => s + (v - mean) ** 2, 0) / vs.length);
    metrics[name] = { mean, std, folds: vs };
  }
  return { k, metrics };
}

/** Mean and spread per metric, for a step summary (the per-fold values stay in the model). */
export function cvSummary(cv: CrossValidation): Record<string, { mean: number; std: number }> {
  return Object.fromEntries(Object.entries(cv.metrics).map(([name, v]) => [name, { mean: v.mean, std: v.std }]));
}

/** Reads a split's `folds` artifact ({ k, fold: number[] }). */
export function parseFolds(json: unknown): number[] {
  const fold = (json as { fold?: unknown }).fold;
  if (!Array.isArray(fold) || !fold.every((f) => Number.isInteger(f) && f >= 0))
    throw new StepInputError("the folds input is not a split's folds output ({ k, fold: [...] })");
  return fold as number[];
}

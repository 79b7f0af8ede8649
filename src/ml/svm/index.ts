/**
 * medpipe's support vector machine: C-SVC and epsilon-SVR with libsvm's algorithm (so results
 * match scikit-learn's SVC and SVR), on row-major Float64Array data. This module checks the
 * inputs, resolves gamma and class weights as scikit-learn does, and hands over to the solver.
 */
import { DataError, StepInputError } from '../../errors.js';
import { createRng } from '../../rng.js';
import { cancellationPoint } from '../cancellation-point.js';
import { trainClassifier, trainRegressor, type TrainSettings } from './train.js';
import type { KernelParams, SvmModel, SvmOptions } from './types.js';
import { DotEngine } from './wasm-dot.js';
import { WasmSvm } from './wasm-solver.js';

export type { KernelParams, SvmKernel, SvmModel, SvmOptions, SvmType } from './types.js';
export { decisionFunction, decisionFunctionOvr, predictProba, predictSvm } from './predict.js';
export { svmFromJSON, svmToJSON, type SvmModelJSON } from './serialize.js';

/** scikit-learn's gamma: 'scale' = 1 / (nCols * var(X)) over all entries (1 when X is constant), 'auto' = 1 / nCols. */
export function resolveGamma(gamma: SvmOptions['gamma'], X: Float64Array, nCols: number): number {
  return gammaOf(gamma, nCols, () => WasmSvm.create(X, nCols)?.variance() ?? variance(X));
}

function gammaOf(gamma: SvmOptions['gamma'], nCols: number, varianceOfX: () => number): number {
  if (gamma === undefined || gamma === 'scale') {
    const v = varianceOfX();
    return v !== 0 ? 1 / (nCols * v) : 1;
  }
  if (gamma === 'auto') return 1 / nCols;
  if (!(typeof gamma === 'number' && gamma > 0 && Number.isFinite(gamma))) {
    throw new StepInputError(`gamma must be 'scale', 'auto' or a number > 0, got ${String(gamma)}`);
  }
  return gamma;
}

function variance(X: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < X.length; i++) mean += X[i];
  mean /= X.length;
  let v = 0;
  for (let i = 0; i < X.length; i++) v += (X[i] - mean) * (X[i] - mean);
  return v / X.length;
}

function firstNonFinite(X: Float64Array): number {
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) return i;
  return -1;
}

function checkPositive(name: string, v: number): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new StepInputError(`${name} must be a number > 0, got ${v}`);
}

function checkData(X: Float64Array, nRows: number, nCols: number, y: Int32Array | Float64Array, wasm: WasmSvm | null): void {
  if (!(nRows > 0 && nCols > 0) || X.length !== nRows * nCols) {
    throw new StepInputError(`the SVM needs a non-empty ${nRows} x ${nCols} matrix, but got ${X.length} values`);
  }
  if (y.length !== nRows) throw new StepInputError(`the SVM got ${nRows} rows but ${y.length} targets`);
  const i = wasm ? wasm.firstNonFinite() : firstNonFinite(X);
  if (i >= 0) {
    throw new DataError('missing or infinite feature value: the SVM cannot use it', {
      row: Math.floor(i / nCols) + 2,
      column: `feature ${(i % nCols) + 1}`,
      hint: 'impute missing values before training (preprocess with impute: median)',
    });
  }
  for (let i = 0; i < nRows; i++) {
    if (!Number.isFinite(y[i])) throw new DataError('missing or infinite target value', { row: i + 2, hint: 'drop rows without a target before training' });
  }
}

/** Class weights as scikit-learn: 'balanced' = n / (k * count), or a weight per label (default 1). */
function classWeights(option: SvmOptions['classWeight'], labels: number[], counts: number[], n: number): Float64Array {
  const w = new Float64Array(labels.length).fill(1);
  if (option === 'balanced') for (let c = 0; c < labels.length; c++) w[c] = n / (labels.length * counts[c]);
  else if (option) {
    for (const [key, value] of Object.entries(option)) {
      const c = labels.indexOf(Number(key));
      if (c < 0) throw new StepInputError(`class_weight names class ${key}, which is not in the training data (classes: ${labels.join(', ')})`);
      checkPositive(`class_weight for class ${key}`, value);
      w[c] = value;
    }
  }
  return w;
}

/** Fits a C-SVC (y = class labels, integers) or an epsilon-SVR (y = values) on row-major X. */
export async function fitSvm(X: Float64Array, nRows: number, nCols: number, y: Int32Array | Float64Array, options: SvmOptions = {}): Promise<SvmModel> {
  const type = options.type ?? 'c-svc';
  const C = options.C ?? 1;
  checkPositive('C', C);
  const tol = options.tol ?? 1e-3;
  checkPositive('tol', tol);
  const cacheMb = options.cacheMb ?? 200;
  checkPositive('cacheMb', cacheMb);
  if (options.maxIter !== undefined) checkPositive('maxIter', options.maxIter);
  options.signal?.throwIfAborted();
  const degree = options.degree ?? 3;
  if (!(Number.isInteger(degree) && degree >= 0)) throw new StepInputError(`degree must be a whole number >= 0, got ${degree}`);
  if (!(nRows > 0 && nCols > 0) || X.length !== nRows * nCols) {
    throw new StepInputError(`the SVM needs a non-empty ${nRows} x ${nCols} matrix, but got ${X.length} values`);
  }
  // The compiled solver, holding X for this fit (null: the TypeScript code does everything).
  const wasm = (options.solver ?? 'auto') === 'auto' ? WasmSvm.create(X, nCols) : null;
  checkData(X, nRows, nCols, y, wasm);
  const varianceOfX = () => (wasm ? wasm.variance() : variance(X));
  const kernel: KernelParams = { kernel: options.kernel ?? 'rbf', gamma: gammaOf(options.gamma, nCols, varianceOfX), degree, coef0: options.coef0 ?? 0 };
  // The DotEngine serves the TypeScript solver and probability's cross-validated decision values;
  // created on first use (its WebAssembly module and memory cost milliseconds on a small fit).
  let engine: DotEngine | undefined;
  const settings: TrainSettings = {
    X,
    engine: () => (engine ??= new DotEngine(nRows, nCols)),
    nRows,
    nCols,
    kernel,
    eps: tol,
    cacheMb,
    shrinking: options.shrinking ?? true,
    maxIter: options.maxIter,
    onProgress: options.onProgress,
    wasm,
    // Every binary problem ends with a turn of the event loop, however fast it was: problems are
    // few and each is far longer than a turn, and a fit whose problems each took less than the
    // default slice would otherwise never let the engine's abort message in (a quiet machine
    // solved breast cancer's six problems without one turn, so Ctrl-C waited for the whole fit).
    point: cancellationPoint(options.signal, 0),
  };

  if (type === 'epsilon-svr') {
    const epsilon = options.epsilon ?? 0.1;
    if (!(epsilon >= 0)) throw new StepInputError(`epsilon must be >= 0, got ${epsilon}`);
    if (options.probability) throw new StepInputError('probability estimates exist only for classification (c-svc); remove probability: true');
    return trainRegressor(settings, Float64Array.from(y), C, epsilon);
  }
  if (type !== 'c-svc') throw new StepInputError(`unknown SVM type "${String(type)}" (use c-svc or epsilon-svr)`);

  const labels = [...new Set(Array.from(y))].sort((a, b) => a - b);
  if (labels.some((v) => !Number.isInteger(v))) throw new StepInputError('classification targets must be whole-number class labels');
  if (labels.length < 2) {
    throw new DataError(`the training data has a single class (${labels.length ? labels[0] : 'none'}); a classifier needs at least two`, {
      hint: 'check the target column and the split (stratify: true keeps every class in each part)',
    });
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const classOf = new Int32Array(nRows);
  const counts = new Array<number>(labels.length).fill(0);
  for (let r = 0; r < nRows; r++) {
    classOf[r] = index.get(y[r]) as number;
    counts[classOf[r]]++;
  }
  const w = classWeights(options.classWeight, labels, counts, nRows);
  const weightedC = w.map((v) => v * C);
  return trainClassifier(settings, { classOf, labels, weightedC, probability: options.probability ?? false, rng: createRng(options.seed ?? 0) });
}

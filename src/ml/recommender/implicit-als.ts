/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) for "was prescribed" data: every observed pair
 * has preference 1 and confidence 1 + alpha x value (value = outcome, or 1 for plain prescriptions);
 * every unobserved pair has preference 0 and confidence 1. The trick that makes it sparse:
 *   Y^T C_u Y = Y^T Y + Y^T (C_u - I) Y,
 * where Y^T Y is computed once per half-step and the correction only touches u's observed items.
 */
import { createRng } from '../../rng.js';
import { StepInputError } from '../../errors.js';
import { buildInteractionMatrix, type Interactions, type SparseRows } from './interactions.js';
import { choleskySolveInPlace } from './cholesky.js';
import { checkFactorOptions } from './als.js';
import { runUnits, runUnitsCancellable } from '../cancellation-point.js';
import { checkHistory, checkItem, checkUser, selectTopK, type Ranked, type Recommender, type TopKOptions } from './top-k.js';

export interface ImplicitAlsOptions {
  factors: number;
  iterations: number;
  lambda: number;
  /** Confidence slope: confidence = 1 + alpha x value. */
  alpha: number;
  seed: number;
  /** Called after each full iteration, for progress reports. */
  onIteration?: (done: number, of: number) => void;
}

export interface ImplicitAlsModel extends Recommender {
  readonly method: 'implicit-als';
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
}

function gram(Y: Float64Array, n: number, k: number, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < n; r++) {
    const off = r * k;
    for (let a = 0; a < k; a++) {
      const ya = Y[off + a];
      for (let e = 0; e <= a; e++) out[a * k + e] += ya * Y[off + e];
    }
  }
}

function solveSide(
  rows: SparseRows,
  X: Float64Array,
  Y: Float64Array,
  nY: number,
  k: number,
  lambda: number,
  alpha: number,
  YtY: Float64Array,
  A: Float64Array,
  b: Float64Array,
): void {
  gram(Y, nY, k, YtY);
  for (let r = 0; r < rows.ptr.length - 1; r++) {
    A.set(YtY);
    b.fill(0);
    for (let p = rows.ptr[r]; p < rows.ptr[r + 1]; p++) {
      const off = rows.index[p] * k;
      const c = 1 + alpha * rows.value[p];
      for (let a = 0; a < k; a++) {
        const ya = Y[off + a];
        const w = (c - 1) * ya;
        for (let e = 0; e <= a; e++) A[a * k + e] += w * Y[off + e];
        b[a] += c * ya; // preference 1
      }
    }
    for (let a = 0; a < k; a++) A[a * k + a] += lambda;
    if (!choleskySolveInPlace(A, b, k)) throw new StepInputError('implicit ALS system is not positive definite: increase lambda or check that values are >= 0');
    X.set(b, r * k);
  }
}

export function fitImplicitAls(obs: Interactions, nUsers: number, nItems: number, options: ImplicitAlsOptions): ImplicitAlsModel {
  return runUnits(implicitIterations(obs, nUsers, nItems, options));
}

/** `fitImplicitAls` that stops between iterations once `signal` is aborted (rejecting with its reason). */
export function fitImplicitAlsCancellable(
  obs: Interactions,
  nUsers: number,
  nItems: number,
  options: ImplicitAlsOptions,
  signal: AbortSignal,
): Promise<ImplicitAlsModel> {
  return runUnitsCancellable(implicitIterations(obs, nUsers, nItems, options), signal);
}

/** The fit, one iteration (both half-steps) per unit. */
function* implicitIterations(obs: Interactions, nUsers: number, nItems: number, options: ImplicitAlsOptions): Generator<void, ImplicitAlsModel, void> {
  checkFactorOptions(options);
  if (!(options.alpha >= 0)) throw new StepInputError(`alpha must be >= 0, got ${options.alpha}`);
  const m = buildInteractionMatrix(obs, nUsers, nItems);
  for (let p = 0; p < m.byUser.value.length; p++) {
    if (m.byUser.value[p] < 0) throw new StepInputError('implicit ALS needs non-negative values (counts, doses or 1 for "was prescribed")');
  }
  const k = options.factors;
  const rng = createRng(options.seed);
  const P = new Float64Array(nUsers * k),
    Q = new Float64Array(nItems * k);
  for (let j = 0; j < Q.length; j++) Q[j] = 0.1 * rng.normal();
  const YtY = new Float64Array(k * k),
    A = new Float64Array(k * k),
    b = new Float64Array(k);
  for (let it = 0; it < options.iterations; it++) {
    solveSide(m.byUser, P, Q, nItems, k, options.lambda, options.alpha, YtY, A, b);
    solveSide(m.byItem, Q, P, nUsers, k, options.lambda, options.alpha, YtY, A, b);
    options.onIteration?.(it + 1, options.iterations);
    yield;
  }
  const score = (u: number, i: number): number => {
    let s = 0;
    for (let a = 0; a < k; a++) s += P[u * k + a] * Q[i * k + a];
    return s;
  };
  return {
    method: 'implicit-als',
    nUsers,
    nItems,
    userFactors: P,
    itemFactors: Q,
    predict(u: number, i: number): number {
      checkUser(u, nUsers);
      checkItem(i, nItems);
      return score(u, i);
    },
    topK(u: number, kk: number, o: TopKOptions = {}): Ranked {
      checkUser(u, nUsers);
      checkHistory(m.byUser, u, 'implicit ALS');
      const scores = new Float64Array(nItems);
      for (let i = 0; i < nItems; i++) scores[i] = score(u, i);
      return selectTopK(scores, kk, m.byUser, u, o.excludeSeen ?? true);
    },
  };
}

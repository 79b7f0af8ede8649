/**
 * Explicit-feedback alternating least squares with L2 regularisation and patient/treatment biases:
 *   outcome(u, i) ≈ mean + userBias[u] + itemBias[i] + P[u] · Q[i].
 * Each half-step fixes one side and solves, for every patient (then every treatment), the (k+1) x
 * (k+1) ridge system for its factors and bias together (the bias is a factor whose partner is the
 * constant 1). The penalty is λ times the number of the row's observations (weighted-λ ALS, Zhou et
 * al. 2008), which keeps one λ right for patients with 2 and with 200 treatments.
 * Scratch matrices are allocated once; only the lower triangle is accumulated.
 * By default the half-steps run compiled to WebAssembly (als-wasm.ts, same factors bit for bit);
 * `solveSide` below is the reference and the fallback.
 */
import { createRng } from '../../rng.js';
import { StepInputError } from '../../errors.js';
import { buildInteractionMatrix, type InteractionMatrix, type Interactions, type SparseRows } from './interactions.js';
import { choleskySolveInPlace } from './cholesky.js';
import { AlsWasm, wasmHalfStep } from './als-wasm.js';
import { runUnits, runUnitsCancellable } from '../cancellation-point.js';
import { checkHistory, checkItem, checkUser, selectTopK, type Ranked, type Recommender, type TopKOptions } from './top-k.js';

export interface AlsOptions {
  factors: number;
  iterations: number;
  lambda: number;
  seed: number;
  /** Worker threads for `fitAlsParallel` (default 1); `fitAls` always runs on the calling thread. */
  threads?: number;
  /** Called after each full iteration (both half-steps), for progress reports. */
  onIteration?: (done: number, of: number) => void;
  /**
   * `fitAlsParallel` only: aborting it stops the fit between iterations (between half-steps on
   * several threads, whose workers are then terminated); the fit rejects with the signal's reason.
   */
  signal?: AbortSignal;
  /**
   * 'auto' (default): the WebAssembly half-step when it is available (als-wasm.ts), else the
   * TypeScript one; 'typescript' forces the latter. Both give bit-identical factors.
   */
  solver?: 'auto' | 'typescript';
}

export interface AlsModel extends Recommender {
  readonly method: 'als';
  readonly factors: number;
  readonly mean: number;
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
}

export function checkFactorOptions(o: { factors: number; iterations: number; lambda: number }): void {
  if (!Number.isInteger(o.factors) || o.factors < 1) throw new StepInputError(`factors must be a positive integer, got ${o.factors}`);
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new StepInputError(`iterations must be a positive integer, got ${o.iterations}`);
  if (!(o.lambda >= 0)) throw new StepInputError(`lambda must be >= 0, got ${o.lambda}`);
}

/**
 * One half-step: for every row of `rows`, solve for [X[row], xBias[row]] with the other side's
 * factors Y and biases yBias fixed. Target is outcome - mean - yBias[col].
 * The Gram matrix is accumulated four observations at a time (a rank-4 update from the gathered
 * rows [Y[col], 1] in `G`), which cuts loads and stores of A by four: the loop that dominates ALS.
 */
export function solveSide(
  rows: SparseRows,
  from: number,
  to: number,
  X: Float64Array,
  xBias: Float64Array,
  Y: Float64Array,
  yBias: Float64Array,
  mean: number,
  k: number,
  lambda: number,
  A: Float64Array,
  b: Float64Array,
  G: Float64Array,
): void {
  const d = k + 1;
  const t = new Float64Array(4);
  for (let r = from; r < to; r++) {
    const start = rows.ptr[r],
      end = rows.ptr[r + 1];
    const count = end - start;
    if (count === 0) {
      X.fill(0, r * k, r * k + k);
      xBias[r] = 0;
      continue;
    }
    A.fill(0);
    b.fill(0);
    for (let p = start; p < end; p += 4) {
      const m = Math.min(4, end - p);
      for (let q = 0; q < 4; q++) {
        const g = q * d;
        if (q < m) {
          const c = rows.index[p + q];
          const off = c * k;
          for (let a = 0; a < k; a++) G[g + a] = Y[off + a];
          G[g + k] = 1;
          t[q] = rows.value[p + q] - mean - yBias[c];
        } else {
          G.fill(0, g, g + d); // padding rows contribute nothing
          t[q] = 0;
        }
      }
      for (let a = 0; a < d; a++) {
        const g0 = G[a],
          g1 = G[d + a],
          g2 = G[2 * d + a],
          g3 = G[3 * d + a];
        const ra = a * d;
        for (let e = 0; e <= a; e++) A[ra + e] += g0 * G[e] + g1 * G[d + e] + g2 * G[2 * d + e] + g3 * G[3 * d + e];
        b[a] += g0 * t[0] + g1 * t[1] + g2 * t[2] + g3 * t[3];
      }
    }
    const reg = lambda * count;
    for (let a = 0; a < d; a++) A[a * d + a] += reg;
    if (!choleskySolveInPlace(A, b, d)) throw new StepInputError('ALS system is not positive definite: increase lambda');
    for (let a = 0; a < k; a++) X[r * k + a] = b[a];
    xBias[r] = b[k];
  }
}

/** The starting state: Q ~ N(0, 0.01) from the seed, P and biases zero (the first half-step sets P). */
function initialState(nUsers: number, nItems: number, k: number, seed: number, alloc: (n: number) => Float64Array) {
  const state = { P: alloc(nUsers * k), Q: alloc(nItems * k), bu: alloc(nUsers), bi: alloc(nItems) };
  seedItemFactors(state.Q, seed);
  return state;
}

function seedItemFactors(Q: Float64Array, seed: number): void {
  const rng = createRng(seed);
  for (let j = 0; j < Q.length; j++) Q[j] = 0.1 * rng.normal();
}

/** Throws the TypeScript path's error when a WebAssembly half-step reports a row that is not positive definite. */
export function checkWasmRow(failedRow: number): void {
  if (failedRow >= 0) throw new StepInputError('ALS system is not positive definite: increase lambda');
}

/** The WebAssembly layout of this fit with the item factors seeded, or null (then use TypeScript). */
function wasmState(m: InteractionMatrix, options: AlsOptions, threads: number): AlsWasm | null {
  if ((options.solver ?? 'auto') !== 'auto') return null;
  const wasm = AlsWasm.create(m, options.factors, options.lambda, threads);
  if (wasm) seedItemFactors(wasm.views(m.nUsers, m.nItems).Q, options.seed);
  return wasm;
}

/** Copies the factors out of the WebAssembly memory so the model owns plain arrays. */
function modelFromWasm(m: InteractionMatrix, wasm: AlsWasm): AlsModel {
  const v = wasm.views(m.nUsers, m.nItems);
  return alsModel(m, wasm.layout.k, v.P.slice(), v.Q.slice(), v.bu.slice(), v.bi.slice());
}

export function fitAls(obs: Interactions, nUsers: number, nItems: number, options: AlsOptions): AlsModel {
  return runUnits(serialIterations(obs, nUsers, nItems, options));
}

/** The fit on the calling thread, one iteration per unit: `fitAls` runs it straight through, `fitAlsParallel` with cancellation points between iterations. */
function* serialIterations(obs: Interactions, nUsers: number, nItems: number, options: AlsOptions): Generator<void, AlsModel, void> {
  checkFactorOptions(options);
  const m = buildInteractionMatrix(obs, nUsers, nItems);
  const k = options.factors;
  const wasm = wasmState(m, options, 1);
  if (wasm) {
    const step = wasmHalfStep(wasm.module, wasm.memory, wasm.layout, 0);
    for (let it = 0; it < options.iterations; it++) {
      checkWasmRow(step('user', 0, nUsers));
      checkWasmRow(step('item', 0, nItems));
      options.onIteration?.(it + 1, options.iterations);
      yield;
    }
    return modelFromWasm(m, wasm);
  }
  const { P, Q, bu, bi } = initialState(nUsers, nItems, k, options.seed, (n) => new Float64Array(n));
  const d = k + 1;
  const A = new Float64Array(d * d),
    b = new Float64Array(d),
    G = new Float64Array(4 * d);
  for (let it = 0; it < options.iterations; it++) {
    solveSide(m.byUser, 0, nUsers, P, bu, Q, bi, m.mean, k, options.lambda, A, b, G);
    solveSide(m.byItem, 0, nItems, Q, bi, P, bu, m.mean, k, options.lambda, A, b, G);
    options.onIteration?.(it + 1, options.iterations);
    yield;
  }
  return alsModel(m, k, P, Q, bu, bi);
}

/** Splits rows 0..n into `parts` contiguous ranges with about equal numbers of observations. */
function balancedRanges(rows: SparseRows, parts: number): [number, number][] {
  const n = rows.ptr.length - 1,
    total = rows.ptr[n];
  const out: [number, number][] = [];
  let from = 0;
  for (let q = 1; q <= parts; q++) {
    let to = from;
    const target = (total * q) / parts;
    while (to < n && (q === parts || rows.ptr[to] < target)) to++;
    out.push([from, to]);
    from = to;
  }
  return out;
}

/**
 * ALS on `options.threads` worker threads sharing the factor arrays (the WebAssembly path's shared
 * memory, or SharedArrayBuffers for the TypeScript one). Within a half-step every row's system only
 * reads the other side, so rows are split between workers with no locking, and the result is
 * byte-identical to `fitAls` whatever the thread count and solver.
 */
export async function fitAlsParallel(obs: Interactions, nUsers: number, nItems: number, options: AlsOptions): Promise<AlsModel> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new StepInputError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) return runUnitsCancellable(serialIterations(obs, nUsers, nItems, options), options.signal);
  options.signal?.throwIfAborted();
  checkFactorOptions(options);
  const m = buildInteractionMatrix(obs, nUsers, nItems);
  const k = options.factors;
  const { Worker } = await import('node:worker_threads');
  const wasm = wasmState(m, options, threads);
  let workers: InstanceType<typeof Worker>[];
  /** The model once all iterations are done: factors copied out of shared memory into plain arrays. */
  let finish: () => AlsModel;
  if (wasm) {
    // Each worker instantiates the module on the shared memory with its own scratch block.
    workers = Array.from(
      { length: threads },
      (_, q) =>
        new Worker(new URL('./als-worker.js', import.meta.url), {
          workerData: { wasm: { module: wasm.module, memory: wasm.memory, layout: wasm.layout, thread: q } },
        }),
    );
    finish = () => modelFromWasm(m, wasm);
  } else {
    const shared = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(8 * n));
    const state = initialState(nUsers, nItems, k, options.seed, shared);
    const share = (rows: SparseRows) => ({ ptr: rows.ptr, index: rows.index, value: rows.value });
    const workerData = { ts: { byUser: share(m.byUser), byItem: share(m.byItem), ...state, mean: m.mean, k, lambda: options.lambda } };
    workers = Array.from({ length: threads }, () => new Worker(new URL('./als-worker.js', import.meta.url), { workerData }));
    finish = () => alsModel(m, k, Float64Array.from(state.P), Float64Array.from(state.Q), Float64Array.from(state.bu), Float64Array.from(state.bi));
  }
  const userRanges = balancedRanges(m.byUser, threads),
    itemRanges = balancedRanges(m.byItem, threads);
  const run = (side: 'user' | 'item', ranges: [number, number][]) =>
    Promise.all(
      workers.map(
        (w, q) =>
          new Promise<void>((resolve, reject) => {
            const onError = (e: Error): void => reject(e);
            w.once('message', (msg: { error?: string }) => {
              w.off('error', onError);
              if (msg.error) reject(new StepInputError(msg.error));
              else resolve();
            });
            w.once('error', onError);
            w.postMessage({ side, from: ranges[q][0], to: ranges[q][1] });
          }),
      ),
    );
  try {
    // The workers hold the CPU; this thread waits for their replies, so an abort arrives between half-steps.
    for (let it = 0; it < options.iterations; it++) {
      await run('user', userRanges);
      options.signal?.throwIfAborted();
      await run('item', itemRanges);
      options.onIteration?.(it + 1, options.iterations);
      options.signal?.throwIfAborted();
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return finish();
}

function alsModel(m: InteractionMatrix, k: number, P: Float64Array, Q: Float64Array, bu: Float64Array, bi: Float64Array): AlsModel {
  const { nUsers, nItems } = m;
  const predict = (u: number, i: number): number => {
    let s = m.mean + bu[u] + bi[i];
    const pu = u * k,
      qi = i * k;
    for (let a = 0; a < k; a++) s += P[pu + a] * Q[qi + a];
    return s;
  };
  return {
    method: 'als',
    nUsers,
    nItems,
    factors: k,
    mean: m.mean,
    userFactors: P,
    itemFactors: Q,
    userBias: bu,
    itemBias: bi,
    predict(u: number, i: number): number {
      checkUser(u, nUsers);
      checkItem(i, nItems);
      return predict(u, i);
    },
    topK(u: number, kk: number, o: TopKOptions = {}): Ranked {
      checkUser(u, nUsers);
      checkHistory(m.byUser, u, 'ALS');
      const scores = new Float64Array(nItems);
      for (let i = 0; i < nItems; i++) scores[i] = predict(u, i);
      return selectTopK(scores, kk, m.byUser, u, o.excludeSeen ?? true);
    },
  };
}

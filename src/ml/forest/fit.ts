/**
 * fitForest: checks the inputs, resolves sklearn-style defaults, bins the features once, grows the
 * trees (on this thread, helped by threads - 1 pooled workers when threads > 1) and combines them
 * into a model with the out-of-bag score and feature importances.
 *
 * Each tree draws from its own generator, createRng(seed).fork(treeIndex), and results are
 * gathered by tree index, so a forest is byte-identical whatever the number of threads.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { DataError, isUserErrorName, StepInputError } from '../../errors.js';
import { cancellationPoint, pollPhase } from '../cancellation-point.js';
import { binMatrix } from './binning.js';
import type { WorkerRequest } from './forest-worker.js';
import type { ForestModel, ForestOptions, GrownTree, MaxFeatures, TrainingData, TreeSettings } from './types.js';
import { outputsPerNode } from './types.js';
import { discardWorkers, prestartWorkers, returnWorkers, takeWorkers } from './tree-workers.js';
import { WasmTreeGrower } from './wasm-grower.js';

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new StepInputError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** sklearn 1.2's max_features rule. A number <= 1 is a fraction of the features (so 1 means all of them). */
export function resolveMaxFeatures(mf: MaxFeatures, nCols: number): number {
  if (mf === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nCols)));
  if (mf === 'log2') return Math.max(1, Math.floor(Math.log2(nCols)));
  if (typeof mf === 'number' && mf > 0 && mf <= 1) return Math.max(1, Math.floor(mf * nCols));
  if (typeof mf === 'number' && Number.isInteger(mf) && mf > 1 && mf <= nCols) return mf;
  throw new StepInputError(
    `max_features must be 'sqrt', 'log2', a fraction in (0, 1] or an integer from 2 to the number of features (${nCols}), got ${String(mf)}`,
  );
}

function featureName(options: ForestOptions & { featureNames?: readonly string[] }, f: number): string {
  return options.featureNames?.[f] ?? `feature ${f + 1}`;
}

/** Rejects what sklearn rejects, with where it is and what to do; never echoes the values themselves. */
function checkInputs(X: Float64Array, nRows: number, nCols: number, y: Int32Array | Float64Array, options: FitOptions, nClasses: number): void {
  if (!Number.isInteger(nRows) || nRows < 1)
    throw new DataError(`the training data has no rows (nRows = ${nRows})`, { hint: 'check the split and any row filters before training' });
  if (!Number.isInteger(nCols) || nCols < 1)
    throw new DataError(`the training data has no feature columns (nCols = ${nCols})`, { hint: 'keep at least one feature column' });
  if (X.length !== nRows * nCols) throw new StepInputError(`feature matrix has ${X.length} values, expected nRows * nCols = ${nRows * nCols}`);
  if (y.length !== nRows) throw new StepInputError(`target has ${y.length} values but the feature matrix has ${nRows} rows`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) {
      const what = Number.isNaN(X[i]) ? 'missing value (NaN)' : 'infinite value';
      throw new DataError(`${what} in the training features`, {
        row: Math.floor(i / nCols) + 2,
        column: featureName(options, i % nCols),
        hint: 'random forests need complete data: impute missing values first (e.g. preprocess with impute: median)',
      });
    }
  }
  for (let i = 0; i < nRows; i++) {
    const v = y[i];
    if (options.task === 'classification' ? !(Number.isInteger(v) && v >= 0 && v < nClasses) : !Number.isFinite(v)) {
      throw new DataError(options.task === 'classification' ? `target is not a class index in 0..${nClasses - 1}` : 'target is missing or not finite', {
        row: i + 2,
        hint: 'drop or fill rows without a label before training',
      });
    }
  }
}

export type FitOptions = ForestOptions & {
  /** Column names, used only to say where bad data is. */
  featureNames?: readonly string[];
  /** Filled in with where the fit's time went (for benchmarks; the model does not depend on it). */
  timings?: FitTimings;
};

/** Where a fit's time went, in milliseconds of wall time unless said otherwise. */
export interface FitTimings {
  /** Checking the inputs and binning the features. */
  binningMs: number;
  /** Growing the trees, on every thread, including each tree's walk of its out-of-bag rows. */
  growingMs: number;
  /** CPU time walking the out-of-bag rows down their trees, summed over trees (inside growingMs). */
  oobWalkMs: number;
  /** Combining the trees' out-of-bag votes into the score, and the importances. */
  oobScoreMs: number;
  /** Workers that grew their first trees in this fit (started for it, or prestarted); 0 when the pool's were warm. */
  workersStarted: number;
  /** From handing out the first trees until every worker's first tree had arrived (start-up, if any, plus one tree), or until the end if a worker delivered none; 0 on one thread. */
  workerFirstTreeMs: number;
}

function resolveSettings(nCols: number, y: Int32Array | Float64Array, o: FitOptions): TreeSettings & { trees: number } {
  const classification = o.task === 'classification';
  if (o.task !== 'classification' && o.task !== 'regression') throw new StepInputError(`task must be 'classification' or 'regression', got ${String(o.task)}`);
  let nClasses = 1;
  if (classification) {
    let max = 0;
    for (let i = 0; i < y.length; i++) if (y[i] > max) max = y[i];
    nClasses = o.nClasses ?? max + 1;
    positiveInt('nClasses', nClasses, 1);
  }
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new StepInputError(`seed must be a number, got ${seed}`);
  return {
    task: o.task,
    nClasses,
    trees: positiveInt('trees', o.trees ?? 100, 1),
    maxDepth: o.maxDepth === undefined ? Infinity : positiveInt('max_depth', o.maxDepth, 1),
    minSamplesSplit: positiveInt('min_samples_split', o.minSamplesSplit ?? 2, 2),
    minSamplesLeaf: positiveInt('min_samples_leaf', o.minSamplesLeaf ?? 1, 1),
    maxFeatures: resolveMaxFeatures(o.maxFeatures ?? (classification ? 'sqrt' : 1), nCols),
    bootstrap: o.bootstrap ?? true,
    seed,
  };
}

/** Per-row weights from class weights: 'balanced' is n / (k * count_c) over the whole training set. */
export function rowWeights(y: Int32Array | Float64Array, nClasses: number, cw: FitOptions['classWeight']): Float64Array | undefined {
  if (cw === undefined || cw === 'balanced_subsample') return undefined;
  let perClass: Float64Array;
  if (cw === 'balanced') {
    const count = new Float64Array(nClasses);
    for (let i = 0; i < y.length; i++) count[y[i]]++;
    let present = 0;
    for (let c = 0; c < nClasses; c++) if (count[c] > 0) present++;
    perClass = count.map((k) => (k > 0 ? y.length / (present * k) : 0));
  } else {
    if (cw.length !== nClasses || cw.some((w) => !(Number.isFinite(w) && w >= 0))) {
      throw new StepInputError(`class_weight needs one non-negative weight per class (${nClasses}), got ${cw.length}`);
    }
    perClass = Float64Array.from(cw);
  }
  const w = new Float64Array(y.length);
  let any = false;
  for (let i = 0; i < y.length; i++) {
    w[i] = perClass[y[i]];
    if (w[i] > 0) any = true;
  }
  if (!any) throw new StepInputError('class_weight gives every training row weight 0: give at least one present class a positive weight');
  return w;
}

/**
 * Threads when the caller leaves it open: all cores, except for small forests, where handing
 * trees to a worker costs more than it saves. An explicit `threads` is obeyed.
 */
function defaultThreads(nRows: number, nCols: number, trees: number): number {
  return nRows * nCols * trees < SMALL_FOREST ? 1 : availableParallelism();
}

/**
 * rows x features x trees below which one thread is the default (see defaultThreads). Measured
 * again with the compiled tree grower on 2 cores shared with other jobs (fresh processes taking
 * turns): scikit-learn's digits (1,347 x 64, 100 trees, 8.6e6) as a process's first fit took
 * 0.12-0.13 s on one thread and 0.10-0.11 s on two while the other core was mostly free, but
 * 0.13-0.15 s against 0.14-0.22 s while it was busy: the second thread's worker has to start and
 * compile the grower, and gains ~20 ms at best. From 1.6e7 to 6.4e7 (4,000 to 16,000 rows x 40)
 * two threads took half the time whenever the second core was free. So the line stays here.
 */
const SMALL_FOREST = 1e7;

/**
 * Starts the workers a fit of about `cells` feature values (rows x features) would use, ahead of
 * it, e.g. while a step loads its libraries and reads its input, and has them compile the tree
 * grower and run it on a few throw-away trees; they wait in the pool. A guess that turns out
 * wrong only leaves an idle worker in the pool (or starts none).
 */
export function prestartForestWorkers(cells: number, trees: number, threads?: number): void {
  const n = threads ?? defaultThreads(cells, 1, trees);
  if (n > 1) prestartWorkers(Math.min(n, trees) - 1, true);
}

/** Trees queued per worker, so a worker has its next index while the calling thread is busy growing a tree of its own. */
const QUEUED_PER_WORKER = 2;

/** Tags one fit's messages, so replies a worker still sends for an earlier fit are told apart. */
let lastFitId = 0;

type WorkerReply = { type: 'tree'; fit: number; treeIndex: number; grown: GrownTree } | { type: 'error'; fit: number; name: string; message: string };

/**
 * Grows trees 0..n-1 on the calling thread and `threads - 1` pooled workers, each taking the next
 * index as it frees up. The calling thread yields to its event loop between its own trees, which
 * is when workers' trees and an abort arrive.
 *
 * When no index is left to hand out, the calling thread grows the trees still queued on workers
 * itself, the last queued first, instead of waiting for them: a tree depends only on its index, so
 * whichever copy arrives first is the same tree, and the fit never waits on a worker that is
 * still cold or starved of CPU. A worker goes back to the pool at once; replies it still sends for
 * this fit carry this fit's id and are ignored by the next.
 *
 * An abort or a worker's failure rejects after the calling thread's current tree and terminates
 * the workers, whatever tree they are in; nothing is reported after the rejection.
 */
async function growInParallel(
  data: TrainingData,
  s: TreeSettings,
  trees: number,
  threads: number,
  onTree: (i: number, g: GrownTree) => void,
  signal: AbortSignal | undefined,
  timings: FitTimings | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  const fit = ++lastFitId;
  const started = performance.now();
  const { workers, cold } = takeWorkers(threads - 1);
  let waitingForFirst = workers.length;
  if (timings) timings.workersStarted = cold;
  const have = new Uint8Array(trees);
  let next = 0;
  let received = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
  };
  const deliver = (i: number, g: GrownTree): void => {
    if (have[i]) return;
    have[i] = 1;
    received++;
    onTree(i, g);
  };
  const send = (w: Worker): void => {
    if (next < trees) w.postMessage({ type: 'grow', treeIndex: next++ } satisfies WorkerRequest);
  };
  const listeners = workers.map((w) => {
    let first = true;
    return {
      message: (msg: WorkerReply): void => {
        if (failure || msg.fit !== fit) return;
        if (msg.type === 'error') {
          fail(
            isUserErrorName(msg.name)
              ? Object.assign(new Error(msg.message), { name: msg.name })
              : new Error(`growing a tree failed in a worker: ${msg.message}`),
          );
          return;
        }
        if (first) {
          first = false;
          if (--waitingForFirst === 0 && timings) timings.workerFirstTreeMs = performance.now() - started;
        }
        try {
          deliver(msg.treeIndex, msg.grown);
        } catch (e) {
          // onProgress failed on this worker's tree: thrown from a listener it would be uncaught.
          fail(e);
          return;
        }
        send(w);
      },
      error: fail,
      exit: (code: number): void => fail(new Error(`a forest worker exited (code ${code}) before its trees were grown`)),
    };
  });
  const onAbort = (): void => fail(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  workers.forEach((w, wi) => {
    w.on('message', listeners[wi].message);
    w.on('error', listeners[wi].error);
    w.on('exit', listeners[wi].exit);
    w.postMessage({ type: 'init', fit, data, settings: s } satisfies WorkerRequest);
    for (let q = 0; q < QUEUED_PER_WORKER; q++) send(w);
  });
  let stealFrom = trees - 1;
  try {
    // Made inside the try: when it cannot be (data beyond the module's memory), the workers, already
    // sent the data, are still let go of; held ref'd, they kept the process alive.
    const grower = new WasmTreeGrower(data, s);
    while (received < trees) {
      if (failure) throw failure.error;
      let i = -1;
      if (next < trees) i = next++;
      else {
        while (have[stealFrom]) stealFrom--;
        i = stealFrom--;
      }
      deliver(i, grower.grow(i));
      await pollPhase();
    }
    if (failure) throw failure.error;
  } catch (e) {
    // This thread's own failure (its grower, a tree, onProgress) is the fit's too: the workers may
    // still be growing this fit's trees, so they are terminated like a failed worker's peers.
    fail(e);
    throw e;
  } finally {
    if (timings && waitingForFirst > 0) timings.workerFirstTreeMs = performance.now() - started;
    signal?.removeEventListener('abort', onAbort);
    workers.forEach((w, wi) => {
      w.off('message', listeners[wi].message);
      w.off('error', listeners[wi].error);
      w.off('exit', listeners[wi].exit);
    });
    if (failure) await discardWorkers(workers);
    else {
      for (const w of workers) w.postMessage({ type: 'release' } satisfies WorkerRequest);
      await returnWorkers(workers);
    }
  }
}

/** Out-of-bag accuracy or R², summing tree outputs in tree order (deterministic). */
function oobScore(grown: GrownTree[], y: Int32Array | Float64Array, s: TreeSettings): number | undefined {
  const n = y.length;
  const nOut = outputsPerNode(s.task, s.nClasses);
  const sum = new Float64Array(n * nOut);
  const hits = new Int32Array(n);
  for (const g of grown) {
    for (let j = 0; j < g.oobRows.length; j++) {
      const r = g.oobRows[j];
      const leaf = g.oobLeaves[j];
      hits[r]++;
      for (let c = 0; c < nOut; c++) sum[r * nOut + c] += g.tree.value[leaf * nOut + c];
    }
  }
  let used = 0;
  if (s.task === 'classification') {
    let correct = 0;
    for (let r = 0; r < n; r++) {
      if (!hits[r]) continue;
      used++;
      let best = 0;
      for (let c = 1; c < nOut; c++) if (sum[r * nOut + c] > sum[r * nOut + best]) best = c;
      if (best === y[r]) correct++;
    }
    return used ? correct / used : undefined;
  }
  let mean = 0;
  for (let r = 0; r < n; r++)
    if (hits[r]) {
      used++;
      mean += y[r];
    }
  if (!used) return undefined;
  mean /= used;
  let ssRes = 0,
    ssTot = 0;
  for (let r = 0; r < n; r++) {
    if (!hits[r]) continue;
    ssRes += (y[r] - sum[r] / hits[r]) ** 2;
    ssTot += (y[r] - mean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : undefined;
}

/** Mean of the per-tree importances over trees that split at all, renormalised to sum 1 (as sklearn). */
function forestImportances(grown: GrownTree[], nCols: number): Float64Array {
  const out = new Float64Array(nCols);
  let nTrees = 0;
  for (const g of grown) {
    if (!g.importances) continue;
    nTrees++;
    for (let f = 0; f < nCols; f++) out[f] += g.importances[f];
  }
  let sum = 0;
  for (let f = 0; f < nCols; f++) sum += out[f] / nTrees;
  if (nTrees && sum > 0) for (let f = 0; f < nCols; f++) out[f] = out[f] / nTrees / sum;
  return out;
}

export async function fitForest(X: Float64Array, nRows: number, nCols: number, y: Int32Array | Float64Array, options: FitOptions): Promise<ForestModel> {
  options.signal?.throwIfAborted();
  // The clock is read for options.timings only; nothing in the model depends on it.
  const timings = options.timings;
  let mark = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const s = resolveSettings(nCols, y, options);
  const threads = Math.max(1, Math.min(s.trees, options.threads ?? defaultThreads(nRows, nCols, s.trees)));
  // Workers start up on their own threads while this one checks and bins the data.
  if (threads > 1) prestartWorkers(threads - 1);
  checkInputs(X, nRows, nCols, y, options, s.nClasses);
  const classification = s.task === 'classification';
  const binned = binMatrix(X, nRows, nCols);
  const cw = classification ? options.classWeight : undefined;
  const data: TrainingData = {
    codes: binned.codes,
    edges: binned.edges,
    nRows,
    nCols,
    y: classification ? Int32Array.from(y) : Float64Array.from(y),
    rowWeight: rowWeights(y, s.nClasses, cw),
    balancedSubsample: cw === 'balanced_subsample',
  };
  if (timings) Object.assign(timings, { binningMs: lap(), workersStarted: 0, workerFirstTreeMs: 0 });
  const { trees, ...settings } = s;
  const grown: GrownTree[] = new Array(trees);
  let built = 0;
  const onTree = (i: number, g: GrownTree): void => {
    grown[i] = g;
    options.onProgress?.(++built, trees);
  };
  if (threads === 1) {
    // One synchronous loop: the cancellation point between trees lets an abort message in.
    const point = cancellationPoint(options.signal);
    const grower = new WasmTreeGrower(data, settings);
    for (let i = 0; i < trees; i++) {
      await point();
      onTree(i, grower.grow(i));
    }
  } else await growInParallel(data, settings, trees, threads, onTree, options.signal, timings);
  if (timings) {
    timings.growingMs = lap();
    timings.oobWalkMs = grown.reduce((sum, g) => sum + g.oobWalkMs, 0);
  }

  const model: ForestModel = {
    task: s.task,
    nFeatures: nCols,
    nClasses: s.nClasses,
    trees: grown.map((g) => g.tree),
    featureImportances: forestImportances(grown, nCols),
    oobScore: s.bootstrap ? oobScore(grown, data.y, settings) : undefined,
    settings: { ...s, ...(cw === undefined ? {} : { classWeight: typeof cw === 'string' ? cw : [...cw] }) },
  };
  if (timings) timings.oobScoreMs = lap();
  return model;
}

/**
 * Worker-thread entry that grows trees for fit.ts. Per fit it receives the training data once
 * (the bin codes in a SharedArrayBuffer, so nothing large is copied), then answers "grow tree i"
 * messages in order, tagging each reply with the fit it belongs to; the calling thread hands out
 * tree indices as workers free up. "release" ends the fit: the worker drops the data (and its
 * grower's WebAssembly memory) and waits in the pool (tree-workers.ts) for the next fit, the tree
 * grower's module already compiled in this thread.
 */
import { parentPort } from 'node:worker_threads';
import { isUserErrorName } from '../../errors.js';
import { createRng } from '../../rng.js';
import type { TrainingData, TreeSettings } from './types.js';
import { WasmTreeGrower } from './wasm-grower.js';

export type WorkerRequest =
  | { type: 'init'; fit: number; data: TrainingData; settings: TreeSettings }
  | { type: 'grow'; treeIndex: number }
  | { type: 'release' }
  | { type: 'warm-up' };

if (!parentPort) throw new Error('forest-worker.js must run in a worker thread');
const port = parentPort;
let grower: WasmTreeGrower | undefined;
/** Why this fit's grower could not be made (e.g. the module is missing); answered to every tree asked for. */
let initError: unknown;
/** The fit being served; every reply carries it (see growInParallel). */
let fit = 0;

/**
 * Grows a few trees on a small made-up data set and drops them, so that by the time a fit's data
 * arrives this thread has compiled the tree grower's module and V8 has moved its hot functions from
 * the baseline compiler's code to optimised code (a worker's first tree of a fit, measured: 7 ms
 * with this against 16 ms without on digits; it costs the worker ~10 ms beforehand). Asked for by a
 * worker started ahead of a step's fit, while the step loads its libraries and reads its input
 * (tree-workers.ts, prestartWorkers).
 */
function warmUp(): void {
  const nRows = 400;
  const nCols = 8;
  const nClasses = 3;
  const rng = createRng(0);
  const codes = new Uint8Array(nRows * nCols);
  for (let i = 0; i < codes.length; i++) codes[i] = rng.int(32);
  const y = Int32Array.from({ length: nRows }, (_, r) => (codes[r] + codes[nRows + r]) % nClasses);
  const edges = Array.from({ length: nCols }, () => Float64Array.from({ length: 31 }, (_, b) => b + 0.5));
  const settings: TreeSettings = {
    task: 'classification',
    nClasses,
    maxDepth: Infinity,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    maxFeatures: 3,
    bootstrap: true,
    seed: 0,
  };
  const warm = new WasmTreeGrower({ codes, edges, nRows, nCols, y }, settings);
  for (let t = 0; t < 4; t++) warm.grow(t);
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'warm-up') {
    warmUp();
    return;
  }
  if (msg.type === 'init') {
    fit = msg.fit;
    grower = undefined;
    initError = undefined;
    try {
      grower = new WasmTreeGrower(msg.data, msg.settings);
    } catch (e) {
      initError = e;
    }
    return;
  }
  if (msg.type === 'release') {
    grower = undefined;
    initError = undefined;
    return;
  }
  try {
    if (initError) throw initError;
    if (!grower) throw new Error(`asked for tree ${msg.treeIndex} before any training data`);
    const grown = grower.grow(msg.treeIndex);
    const t = grown.tree;
    const transfer = [t.feature.buffer, t.threshold.buffer, t.left.buffer, t.value.buffer, grown.oobRows.buffer, grown.oobLeaves.buffer] as ArrayBuffer[];
    port.postMessage({ type: 'tree', fit, treeIndex: msg.treeIndex, grown }, transfer);
  } catch (e) {
    // A user error (e.g. data too large for the grower) crosses by name and message, as a step's
    // does, so the fit rethrows it as one; anything else keeps its stack, for a bug report.
    const name = e instanceof Error ? e.name : 'Error';
    const message = e instanceof Error ? (isUserErrorName(name) ? e.message : (e.stack ?? e.message)) : String(e);
    port.postMessage({ type: 'error', fit, treeIndex: msg.treeIndex, name, message });
  }
});

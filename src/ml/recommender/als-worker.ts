/**
 * Worker thread for `fitAlsParallel`: solves the rows [from, to) of one side per message, then
 * replies. Either the WebAssembly half-step, instantiated on the fit's shared memory with this
 * worker's scratch block (als-wasm.ts), or the TypeScript one on views of the shared factor arrays
 * with scratch allocated once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkWasmRow, solveSide } from './als.js';
import { wasmHalfStep, type AlsWasmLayout } from './als-wasm.js';
import type { SparseRows } from './interactions.js';

interface SharedArrays {
  byUser: SparseRows;
  byItem: SparseRows;
  P: Float64Array;
  Q: Float64Array;
  bu: Float64Array;
  bi: Float64Array;
  mean: number;
  k: number;
  lambda: number;
}

interface SharedWasm {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  layout: AlsWasmLayout;
  thread: number;
}

type Side = 'user' | 'item';

function typescriptHalfStep(w: SharedArrays): (side: Side, from: number, to: number) => void {
  const d = w.k + 1;
  const A = new Float64Array(d * d),
    b = new Float64Array(d),
    G = new Float64Array(4 * d);
  return (side, from, to) => {
    if (side === 'user') solveSide(w.byUser, from, to, w.P, w.bu, w.Q, w.bi, w.mean, w.k, w.lambda, A, b, G);
    else solveSide(w.byItem, from, to, w.Q, w.bi, w.P, w.bu, w.mean, w.k, w.lambda, A, b, G);
  };
}

const data = workerData as { wasm?: SharedWasm; ts?: SharedArrays };
let halfStep: (side: Side, from: number, to: number) => void;
if (data.wasm) {
  const step = wasmHalfStep(data.wasm.module, data.wasm.memory, data.wasm.layout, data.wasm.thread);
  halfStep = (side, from, to) => checkWasmRow(step(side, from, to));
} else if (data.ts) {
  halfStep = typescriptHalfStep(data.ts);
} else {
  throw new Error('als-worker started without its shared state');
}

parentPort?.on('message', (msg: { side: Side; from: number; to: number }) => {
  try {
    halfStep(msg.side, msg.from, msg.to);
    parentPort?.postMessage({});
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});

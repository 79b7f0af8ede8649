/**
 * Worker thread for `fitAlsParallel`: holds views of the shared factor arrays and solves the rows
 * [from, to) of one side per message, then replies. Scratch is allocated once per worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { solveSide } from './als.js';
import type { SparseRows } from './interactions.js';

interface Shared {
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

const w = workerData as Shared;
const d = w.k + 1;
const A = new Float64Array(d * d), b = new Float64Array(d), G = new Float64Array(4 * d);

parentPort?.on('message', (msg: { side: 'user' | 'item'; from: number; to: number }) => {
  try {
    if (msg.side === 'user') solveSide(w.byUser, msg.from, msg.to, w.P, w.bu, w.Q, w.bi, w.mean, w.k, w.lambda, A, b, G);
    else solveSide(w.byItem, msg.from, msg.to, w.Q, w.bi, w.P, w.bu, w.mean, w.k, w.lambda, A, b, G);
    parentPort?.postMessage({});
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});

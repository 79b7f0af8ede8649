/**
 * Worker-thread entry that grows trees for fit.ts. Per fit it receives the training data once
 * (the bin codes in a SharedArrayBuffer, so nothing large is copied), then answers "grow tree i"
 * messages in order, tagging each reply with the fit it belongs to; the calling thread hands out
 * tree indices as workers free up. "release" ends the fit: the worker drops the data and waits in
 * the pool (tree-workers.ts) for the next fit, its tree builder already compiled.
 */
import { parentPort } from 'node:worker_threads';
import { TreeGrower } from './grow-tree.js';
import type { TrainingData } from './grow-tree.js';
import type { TreeSettings } from './types.js';

export type WorkerRequest =
  | { type: 'init'; fit: number; data: TrainingData; settings: TreeSettings }
  | { type: 'grow'; treeIndex: number }
  | { type: 'release' };

if (!parentPort) throw new Error('forest-worker.js must run in a worker thread');
const port = parentPort;
let grower: TreeGrower | undefined;
/** The fit being served; every reply carries it (see growInParallel). */
let fit = 0;

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'init') {
    grower = new TreeGrower(msg.data, msg.settings);
    fit = msg.fit;
    return;
  }
  if (msg.type === 'release') {
    grower = undefined;
    return;
  }
  try {
    if (!grower) throw new Error(`asked for tree ${msg.treeIndex} before any training data`);
    const grown = grower.grow(msg.treeIndex);
    const t = grown.tree;
    const transfer = [t.feature.buffer, t.threshold.buffer, t.left.buffer, t.value.buffer, grown.oobRows.buffer, grown.oobLeaves.buffer] as ArrayBuffer[];
    port.postMessage({ type: 'tree', fit, treeIndex: msg.treeIndex, grown }, transfer);
  } catch (e) {
    port.postMessage({ type: 'error', fit, treeIndex: msg.treeIndex, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

/**
 * The forest's tree grower: the AssemblyScript module wasm/grow.ts, compiled ahead of time by
 * `npm run build:wasm` into forest-grower.wasm next to this file. One WasmTreeGrower per fit and
 * thread (the calling thread's, and each worker's in forest-worker.ts) copies the training data
 * into a fresh instance's memory once, then grows a tree per call and copies its arrays out, in
 * the GrownTree shape the rest of the forest uses.
 *
 * Why a fresh instance per fit rather than one per thread: an instance's memory can grow but never
 * shrink, and pooled workers live as long as the process; a fit's memory is released with its
 * grower. Instantiating the compiled module costs microseconds; it is compiled once per thread.
 *
 * The module is always built with medpipe; when it is missing or broken this throws, naming the
 * file and `npm run build`, rather than falling back to other code.
 */
import { StepInputError } from '../../errors.js';
import { seedBase } from '../../rng.js';
import { compiledWasmFile } from '../wasm-file.js';
import { growMemoryTo, linearRegions } from '../wasm-memory.js';
import type { GrownTree, TrainingData, TreeSettings } from './types.js';
import { outputsPerNode } from './types.js';

// Configuration block slots (f64), mirrored in wasm/grow.ts.
const CFG = {
  rows: 0,
  cols: 1,
  classes: 2,
  classification: 3,
  integral: 4,
  balancedSubsample: 5,
  bootstrap: 6,
  maxDepth: 7,
  minSplit: 8,
  minLeaf: 9,
  maxFeatures: 10,
  seedBase: 11,
  codes: 12,
  edges: 13,
  edgeStart: 14,
  y: 15,
  rowWeight: 16,
  counts: 17,
  weight: 18,
  idx: 19,
  features: 20,
  hist: 21,
  touched: 22,
  totals: 23,
  leftAcc: 24,
  present: 25,
  feature: 26,
  threshold: 27,
  splitBin: 28,
  left: 29,
  value: 30,
  nodeWeight: 31,
  nodeImpurity: 32,
  stack: 33,
  classScale: 34,
  importances: 35,
  oobRows: 36,
  oobLeaves: 37,
} as const;
const CFG_SLOTS = 38;
/** Addresses are 32-bit inside the module: its memory holds at most 2^16 pages of 64 KiB. */
const MAX_BYTES = 2 ** 32;

interface ForestGrowerExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  configure(cfg: number): void;
  grow(treeIndex: number): number;
  outOfBag(): number;
}

export const FOREST_GROWER_FILE = 'forest-grower.wasm';
/** The compiled module (once per thread and file); throws saying how to rebuild when it is missing or cannot be compiled. */
export function forestGrowerModule(url: URL = new URL(`./${FOREST_GROWER_FILE}`, import.meta.url)): WebAssembly.Module {
  return compiledWasmFile(url, {
    unreadable: (path, code) =>
      `the random forest's tree grower ${path} could not be read (${code}): run \`npm run build\` (its build:wasm part compiles src/ml/forest/wasm/grow.ts)`,
    invalid: (path, why) => `the random forest's tree grower ${path} is not a valid WebAssembly module (${why}): run \`npm run build\` to rebuild it`,
  });
}

/** A user error (shown as it is, without a stack): only smaller training data can fit. */
function tooLarge(data: TrainingData, s: TreeSettings, bytes: number, why: string): StepInputError {
  const gb = (bytes / 2 ** 30).toFixed(1);
  const classes = s.task === 'classification' ? `, ${s.nClasses} classes` : '';
  return new StepInputError(
    `the random forest's training data (${data.nRows} rows x ${data.nCols} features${classes}) needs ${gb} GB of the tree grower's WebAssembly memory, which ${why}: train on a sample of the rows or on fewer features`,
  );
}

export class WasmTreeGrower {
  private readonly exports: ForestGrowerExports;
  private readonly nOut: number;
  private readonly nCols: number;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly value: Float64Array;
  private readonly importances: Float64Array;
  private readonly oobRows: Int32Array;
  private readonly oobLeaves: Int32Array;

  constructor(data: TrainingData, s: TreeSettings, moduleUrl?: URL) {
    const exports = new WebAssembly.Instance(forestGrowerModule(moduleUrl), {}).exports as unknown as ForestGrowerExports;
    this.exports = exports;
    const { nRows: n, nCols } = data;
    const classification = s.task === 'classification';
    const k = s.nClasses;
    const nOut = outputsPerNode(s.task, k);
    const stride = classification ? k + 1 : 3;
    const cap = Math.max(1, 2 * n - 1);
    const nEdges = data.edges.reduce((sum, e) => sum + e.length, 0);
    this.nOut = nOut;
    this.nCols = nCols;

    const mem = linearRegions(exports.heapBase(), 8);
    const cfgAt = mem.take(CFG_SLOTS * 8);
    const at = {
      codes: mem.take(n * nCols),
      edges: mem.take(nEdges * 8),
      edgeStart: mem.take(nCols * 4),
      y: mem.take(n * 8),
      rowWeight: data.rowWeight ? mem.take(n * 8) : 0,
      counts: mem.take(n * 4),
      weight: mem.take(n * 8),
      idx: mem.take(n * 4),
      features: mem.take(nCols * 4),
      hist: mem.take(256 * stride * 8),
      touched: mem.take(256 * 4),
      totals: mem.take(stride * 8),
      leftAcc: mem.take(stride * 8),
      present: mem.take(k * 4),
      feature: mem.take(cap * 4),
      threshold: mem.take(cap * 8),
      splitBin: mem.take(cap * 4),
      left: mem.take(cap * 4),
      value: mem.take(cap * nOut * 8),
      nodeWeight: mem.take(cap * 8),
      nodeImpurity: mem.take(cap * 8),
      // (node, start, end, depth) per pending node: at most one per level of a path, plus the root.
      stack: mem.take(4 * (n + 1) * 4),
      classScale: mem.take(k * 8),
      importances: mem.take(nCols * 8),
      oobRows: mem.take(n * 4),
      oobLeaves: mem.take(n * 4),
    };
    if (mem.end > MAX_BYTES) throw tooLarge(data, s, mem.end, 'is more than its 4 GB');
    try {
      growMemoryTo(exports.memory, mem.end);
    } catch (e) {
      throw tooLarge(data, s, mem.end, `could not be allocated (${(e as Error).message})`);
    }

    const buffer = exports.memory.buffer;
    const cfg = new Float64Array(buffer, cfgAt, CFG_SLOTS);
    const values: Record<keyof typeof CFG, number> = {
      rows: n,
      cols: nCols,
      classes: k,
      classification: classification ? 1 : 0,
      // Whole-number weights (bootstrap counts, no class weights) are summed in an integer histogram.
      integral: classification && !data.rowWeight && !data.balancedSubsample ? 1 : 0,
      balancedSubsample: data.balancedSubsample ? 1 : 0,
      bootstrap: s.bootstrap ? 1 : 0,
      maxDepth: Math.min(s.maxDepth, 2 ** 31 - 1),
      minSplit: s.minSamplesSplit,
      minLeaf: s.minSamplesLeaf,
      maxFeatures: s.maxFeatures,
      seedBase: seedBase(s.seed),
      ...at,
    };
    for (const [name, slot] of Object.entries(CFG)) cfg[slot] = values[name as keyof typeof CFG];
    new Uint8Array(buffer, at.codes, n * nCols).set(data.codes);
    const edges = new Float64Array(buffer, at.edges, nEdges);
    const edgeStart = new Int32Array(buffer, at.edgeStart, nCols);
    let e = 0;
    for (let f = 0; f < nCols; f++) {
      edgeStart[f] = e;
      edges.set(data.edges[f], e);
      e += data.edges[f].length;
    }
    if (classification) new Int32Array(buffer, at.y, n).set(data.y);
    else new Float64Array(buffer, at.y, n).set(data.y);
    if (data.rowWeight) new Float64Array(buffer, at.rowWeight, n).set(data.rowWeight);
    exports.configure(cfgAt);

    this.feature = new Int32Array(buffer, at.feature, cap);
    this.threshold = new Float64Array(buffer, at.threshold, cap);
    this.left = new Int32Array(buffer, at.left, cap);
    this.value = new Float64Array(buffer, at.value, cap * nOut);
    this.importances = new Float64Array(buffer, at.importances, nCols);
    this.oobRows = new Int32Array(buffer, at.oobRows, n);
    this.oobLeaves = new Int32Array(buffer, at.oobLeaves, n);
  }

  /** Tree `treeIndex` of the forest: the same tree whichever thread or grower grows it, in whatever order. */
  grow(treeIndex: number): GrownTree {
    const nodes = this.exports.grow(treeIndex);
    const tree = {
      feature: this.feature.slice(0, nodes),
      threshold: this.threshold.slice(0, nodes),
      left: this.left.slice(0, nodes),
      value: this.value.slice(0, nodes * this.nOut),
    };
    const importances = nodes > 1 ? this.importances.slice(0, this.nCols) : undefined;
    // Timed for FitTimings only; nothing depends on it.
    const oobStart = performance.now();
    const nOob = this.exports.outOfBag();
    const oobWalkMs = performance.now() - oobStart;
    return { tree, importances, oobRows: this.oobRows.slice(0, nOob), oobLeaves: this.oobLeaves.slice(0, nOob), oobWalkMs };
  }
}

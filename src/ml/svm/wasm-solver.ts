/**
 * The SMO solver compiled ahead of time to WebAssembly (source: wasm/solver.ts, AssemblyScript,
 * built by `npm run build:wasm` into svm-solver.wasm next to this file). It runs libsvm's
 * algorithm exactly as solver.ts does, kernel rows and cache included, on data laid out here in
 * its linear memory, and returns bit-identical alpha and rho. Why: the JavaScript solver is fast
 * once V8 has optimised it, but the first fit in a process runs in the interpreter, boxing every
 * double (breast cancer: 28 ms cold, 2-3 ms warm); WebAssembly is compiled before it runs.
 *
 * One WasmSvm per fit holds the training matrix in its memory (also for the input checks and
 * gamma='scale'); each problem is laid out after it, reusing the space. `WasmSvm.create` returns
 * null when the module is not available (not built, or no WebAssembly SIMD) and callers fall back
 * to the TypeScript code. `wasmDecisionValues` predicts with one instance of the same module per
 * model, made on its first prediction and kept with it.
 */
import { readFileSync } from 'node:fs';
import { growMemoryTo, linearRegions } from '../wasm-memory.js';
import type { SolverResult } from './solver.js';
import type { KernelParams, SvmModel } from './types.js';

// Configuration block slots (f64), mirrored in wasm/solver.ts.
const CFG = {
  l: 0,
  n: 1,
  cols: 2,
  kind: 3,
  gamma: 4,
  coef0: 5,
  degree: 6,
  Cp: 7,
  Cn: 8,
  eps: 9,
  shrinking: 10,
  maxIter: 11,
  svr: 12,
  capacity: 13,
  progress: 14,
  P: 15,
  sq: 16,
  scale: 17,
  lin: 18,
  y: 19,
  alpha: 20,
  G: 21,
  Gbar: 22,
  status: 23,
  active: 24,
  QD: 25,
  tmp: 26,
  cdata: 27,
  clen: 28,
  cprev: 29,
  cnext: 30,
  spare: 31,
  plo: 32,
  phi: 33,
  pcap: 34,
  slab: 35,
  sign: 36,
  index: 37,
  buf0: 38,
  buf1: 39,
  out: 40,
  rho: 41,
  objective: 42,
  iterations: 43,
  hitMax: 44,
  X: 45,
  rows: 46,
} as const;
const CFG_SLOTS = 48;
const KIND = { linear: 0, rbf: 1, poly: 2, sigmoid: 3 } as const;
/** Addresses are stored as i32 inside the module, so the layout stays under 2 GB. */
const MAX_BYTES = 2 ** 31 - 2 ** 26;
const MAX_ITER = 2 ** 31 - 1;

let compiled: WebAssembly.Module | null | undefined;

function solverModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      const bytes = readFileSync(new URL('./svm-solver.wasm', import.meta.url));
      // Synchronous compilation is fine for a 13 KB module, and keeps fitting synchronous.
      // (Compiling it in the background at import time measured slower on a busy 2-core machine.)
      // Compiling validates: without SIMD support it throws, and the catch leaves the fallback.
      if (typeof WebAssembly === 'object') compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** True when the compiled solver can be used (built, and WebAssembly SIMD is available). */
export function wasmSolverAvailable(): boolean {
  return solverModule() !== null;
}

/** The solver reads its arrays with SIMD: their regions start on 16-byte boundaries. */
const SIMD_ALIGN = 16;

/** Grows `memory` to hold `bytes`; false when that is refused or beyond the 2 GB the module addresses. */
function growTo(memory: WebAssembly.Memory, bytes: number): boolean {
  if (bytes >= MAX_BYTES) return false;
  try {
    growMemoryTo(memory, bytes);
  } catch {
    return false;
  }
  return true;
}

/** A fresh instance (its own memory) of the compiled module; `progress` receives the solver's iteration reports. */
function instantiate(mod: WebAssembly.Module, progress: (iterations: number) => void = () => undefined): SolverExports {
  return new WebAssembly.Instance(mod, { env: { tanh: Math.tanh, exp: Math.exp, progress } }).exports as unknown as SolverExports;
}

interface SolverExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  solve(cfg: number): void;
  firstNonFinite(ptr: number, len: number): number;
  variance(ptr: number, len: number): number;
  decide(
    p: number,
    sq: number,
    tmp: number,
    kv: number,
    nSv: number,
    cols: number,
    x: number,
    rowCount: number,
    kind: number,
    gamma: number,
    coef0: number,
    degree: number,
    coef: number,
    rho: number,
    perClass: number,
    k: number,
    out: number,
  ): void;
  cvDecisions(
    x: number,
    cols: number,
    rows: number,
    l: number,
    alpha: number,
    rho: number,
    targets: number,
    nTargets: number,
    kind: number,
    gamma: number,
    coef0: number,
    degree: number,
    sq: number,
    out: number,
  ): void;
}

export interface WasmProblem {
  /** Training rows of this problem, in position order (SVR: every kernel row once). */
  rows: Int32Array;
  kernel: KernelParams;
  /** epsilon-SVR's doubled problem: 2 * rows.length variables over rows.length kernel rows. */
  svr: boolean;
  /** Linear term, one per variable. */
  p: Float64Array;
  /** +1/-1 per variable. */
  y: Int8Array;
  Cp: number;
  Cn: number;
  eps: number;
  shrinking: boolean;
  maxIter: number;
  cacheMb: number;
  onIterations?: (iterations: number) => void;
}

/** Byte layout of one problem in linear memory, each region 16-byte aligned. */
function layout(base: number, l: number, n: number, nCols: number, capacity: number, pcap: number, svr: boolean) {
  const { take } = linearRegions(base, SIMD_ALIGN);
  const cfg = take(CFG_SLOTS * 8);
  const P = take(n * nCols * 8),
    sq = take(n * 8),
    lin = take(l * 8),
    y = take(l),
    alpha = take(l * 8);
  const G = take(l * 8),
    Gbar = take(l * 8),
    status = take(l),
    active = take(l * 4),
    QD = take(l * 8),
    tmp = take(n * 8);
  const cdata = take(n * 4),
    clen = take(n * 4),
    cprev = take((n + 1) * 4),
    cnext = take((n + 1) * 4),
    spare = take(capacity * 4);
  const plo = take(pcap * 4),
    phi = take(pcap * 4),
    out = take(l * 8),
    rows = take(n * 4);
  const scale = svr ? take(n) : y;
  const sign = svr ? take(l) : 0,
    index = svr ? take(l * 4) : 0,
    buf0 = svr ? take(l * 4) : 0,
    buf1 = svr ? take(l * 4) : 0;
  // The cache slab last: pages the cache never reaches are never touched.
  const slab = take(0);
  return {
    cfg,
    P,
    sq,
    scale,
    rows,
    lin,
    y,
    alpha,
    G,
    Gbar,
    status,
    active,
    QD,
    tmp,
    cdata,
    clen,
    cprev,
    cnext,
    spare,
    plo,
    phi,
    sign,
    index,
    buf0,
    buf1,
    out,
    slab,
    end: slab,
  };
}

/** The compiled solver for one fit: the training matrix in its memory, problems solved one at a time. */
export class WasmSvm {
  private onIterations: ((iterations: number) => void) | undefined;
  private readonly xPtr: number;
  /** First byte after the matrix: each problem's layout starts here. */
  private readonly base: number;

  private constructor(
    private readonly exports: SolverExports,
    private readonly X: Float64Array,
    private readonly nCols: number,
  ) {
    this.xPtr = exports.heapBase();
    this.base = this.xPtr + Math.ceil((X.length * 8) / 16) * 16;
  }

  /** Null when the module is unavailable or the matrix does not fit its memory. */
  static create(X: Float64Array, nCols: number): WasmSvm | null {
    const mod = solverModule();
    if (!mod) return null;
    let self: WasmSvm | null = null;
    self = new WasmSvm(
      instantiate(mod, (iterations) => self?.onIterations?.(iterations)),
      X,
      nCols,
    );
    if (!growTo(self.exports.memory, self.base)) return null;
    new Float64Array(self.exports.memory.buffer, self.xPtr, X.length).set(X);
    return self;
  }

  /** Index of the matrix's first NaN or infinite value, or -1. */
  firstNonFinite(): number {
    return this.exports.firstNonFinite(this.xPtr, this.X.length);
  }

  /** Population variance of all values, bit-identical to summing in order in JavaScript. */
  variance(): number {
    return this.exports.variance(this.xPtr, this.X.length);
  }

  /** Solves one problem (alpha starts at 0); null when it does not fit the memory. */
  solve(prob: WasmProblem): SolverResult | null {
    const n = prob.rows.length,
      l = prob.svr ? 2 * n : n,
      nCols = this.nCols;
    const pcap = Math.max(64, 2 * l);
    const fixed = layout(this.base, l, n, nCols, n, pcap, prob.svr);
    if (fixed.end >= MAX_BYTES) return null;
    // Rows the cache may hold, as cache.ts (at least 2: the solver holds rows i and j at once),
    // fewer if the budget does not fit the address space: the cache's size changes speed only.
    const floats = Math.floor((prob.cacheMb * 1024 * 1024) / 4);
    let capacity = Math.max(2, Math.min(n, Math.floor(floats / Math.max(1, n))));
    capacity = Math.max(2, Math.min(capacity, Math.floor((MAX_BYTES - fixed.end) / (4 * n))));
    const at = layout(this.base, l, n, nCols, capacity, pcap, prob.svr);
    if (!growTo(this.exports.memory, at.slab + capacity * n * 4)) return null;
    const buffer = this.exports.memory.buffer;

    new Int32Array(buffer, at.rows, n).set(prob.rows);
    new Float64Array(buffer, at.lin, l).set(prob.p);
    new Int8Array(buffer, at.y, l).set(prob.y);
    if (prob.svr) new Int8Array(buffer, at.scale, n).fill(1);

    const k = prob.kernel;
    const cfg = new Float64Array(buffer, at.cfg, CFG_SLOTS);
    cfg[CFG.l] = l;
    cfg[CFG.n] = n;
    cfg[CFG.cols] = nCols;
    cfg[CFG.kind] = KIND[k.kernel];
    cfg[CFG.gamma] = k.gamma;
    cfg[CFG.coef0] = k.coef0;
    cfg[CFG.degree] = k.degree;
    cfg[CFG.Cp] = prob.Cp;
    cfg[CFG.Cn] = prob.Cn;
    cfg[CFG.eps] = prob.eps;
    cfg[CFG.shrinking] = prob.shrinking ? 1 : 0;
    cfg[CFG.maxIter] = Math.min(prob.maxIter, MAX_ITER);
    cfg[CFG.svr] = prob.svr ? 1 : 0;
    cfg[CFG.capacity] = capacity;
    cfg[CFG.progress] = prob.onIterations ? 1 : 0;
    cfg[CFG.pcap] = pcap;
    cfg[CFG.X] = this.xPtr;
    for (const name of [
      'P',
      'sq',
      'scale',
      'rows',
      'lin',
      'y',
      'alpha',
      'G',
      'Gbar',
      'status',
      'active',
      'QD',
      'tmp',
      'cdata',
      'clen',
      'cprev',
      'cnext',
      'spare',
      'plo',
      'phi',
      'slab',
      'sign',
      'index',
      'buf0',
      'buf1',
      'out',
    ] as const) {
      cfg[CFG[name]] = at[name];
    }

    this.onIterations = prob.onIterations;
    this.exports.solve(at.cfg);
    this.onIterations = undefined;

    return {
      alpha: new Float64Array(buffer, at.out, l).slice(),
      rho: cfg[CFG.rho],
      objective: cfg[CFG.objective],
      iterations: cfg[CFG.iterations],
      hitMaxIter: cfg[CFG.hitMax] !== 0,
    };
  }

  /**
   * Cross-validation decision values, as train.ts's binaryDecision (same bits): for each training
   * row in `targets`, the fold model's decision value, the fold being training rows `rows` with
   * dual coefficients `alpha` (times y) and `rho`. Null when it does not fit the memory.
   */
  decisions(rows: Int32Array, alpha: Float64Array, rho: number, targets: Int32Array, k: KernelParams): Float64Array | null {
    const l = rows.length,
      t = targets.length;
    const area = linearRegions(this.base, SIMD_ALIGN);
    const rowsAt = area.take(l * 4),
      alphaAt = area.take(l * 8),
      targetsAt = area.take(t * 4),
      sqAt = area.take(l * 8),
      outAt = area.take(t * 8);
    if (!growTo(this.exports.memory, area.end)) return null;
    const buffer = this.exports.memory.buffer;
    new Int32Array(buffer, rowsAt, l).set(rows);
    new Float64Array(buffer, alphaAt, l).set(alpha);
    new Int32Array(buffer, targetsAt, t).set(targets);
    this.exports.cvDecisions(this.xPtr, this.nCols, rowsAt, l, alphaAt, rho, targetsAt, t, KIND[k.kernel], k.gamma, k.coef0, k.degree, sqAt, outAt);
    return new Float64Array(buffer, outAt, t).slice();
  }
}

/** Rows of X laid out at once when predicting: bounds the memory a large prediction takes. */
const PREDICT_CHUNK_BYTES = 32 * 1024 * 1024;
/** Rows a model's kept instance lays out at once (larger predictions go through in pieces of this many). */
const KEPT_CHUNK_ROWS = 4096;

/** A model's instance with its support vectors and coefficients in memory, and where each region is. */
interface Decider {
  readonly exports: SolverExports;
  readonly at: { p: number; sq: number; tmp: number; kv: number; coef: number; rho: number; perClass: number; x: number; out: number };
  readonly chunk: number;
  readonly nPairs: number;
  readonly k: number;
}

/**
 * Each model's instance, made on its first prediction and kept (weakly, with the model): making
 * one and copying the support vectors in cost more than deciding a few rows, and a server or an
 * explainer predicts from one model many times. Predicting reuses only the scratch regions, which
 * `decide` rewrites, so every call gives the same bits as a fresh instance.
 */
const deciders = new WeakMap<SvmModel, Decider | null>();

function deciderFor(model: SvmModel, mod: WebAssembly.Module): Decider | null {
  const kept = deciders.get(model);
  if (kept !== undefined) return kept;
  const nSv = model.nSupport,
    nCols = model.nFeatures;
  const k = model.type === 'c-svc' ? model.labels.length : 0;
  const nPairs = k ? (k * (k - 1)) / 2 : 1;
  const chunk = Math.max(1, Math.min(KEPT_CHUNK_ROWS, Math.floor(PREDICT_CHUNK_BYTES / (8 * (nCols + nPairs)))));
  const exports = instantiate(mod);
  const memoryRegions = linearRegions(exports.heapBase(), SIMD_ALIGN);
  const { take } = memoryRegions;
  const at = {
    p: take((nSv + 1) * nCols * 8),
    sq: take((nSv + 1) * 8),
    tmp: take((nSv + 1) * 8),
    kv: take(nSv * 8),
    coef: take(model.svCoef.length * 8),
    rho: take(model.rho.length * 8),
    perClass: take(Math.max(1, k) * 4),
    x: take(chunk * nCols * 8),
    out: take(chunk * nPairs * 8),
  };
  if (!growTo(exports.memory, memoryRegions.end)) {
    deciders.set(model, null);
    return null;
  }
  const buffer = exports.memory.buffer;
  new Float64Array(buffer, at.p, nSv * nCols).set(model.supportVectors.subarray(0, nSv * nCols));
  new Float64Array(buffer, at.coef, model.svCoef.length).set(model.svCoef);
  new Float64Array(buffer, at.rho, model.rho.length).set(model.rho);
  if (k) new Int32Array(buffer, at.perClass, k).set(model.nSupportPerClass);
  const decider = { exports, at, chunk, nPairs, k };
  deciders.set(model, decider);
  return decider;
}

/**
 * predict.ts's raw decision values (libsvm's dec_values: nRows x nPairs for C-SVC, nRows for SVR)
 * computed by the compiled module, bit-identical to the JavaScript path; null when the module is
 * unavailable or the model does not fit its memory (the caller then uses JavaScript).
 */
export function wasmDecisionValues(model: SvmModel, X: Float64Array, nRows: number): Float64Array | null {
  const mod = solverModule();
  if (!mod) return null;
  const d = deciderFor(model, mod);
  if (!d) return null;
  const { exports, at, chunk, nPairs, k } = d;
  const nSv = model.nSupport,
    nCols = model.nFeatures;
  const buffer = exports.memory.buffer;
  const result = new Float64Array(nRows * nPairs);
  const xView = new Float64Array(buffer, at.x, chunk * nCols),
    outView = new Float64Array(buffer, at.out, chunk * nPairs);
  for (let r0 = 0; r0 < nRows; r0 += chunk) {
    const rows = Math.min(chunk, nRows - r0);
    xView.set(X.subarray(r0 * nCols, (r0 + rows) * nCols));
    exports.decide(
      at.p,
      at.sq,
      at.tmp,
      at.kv,
      nSv,
      nCols,
      at.x,
      rows,
      KIND[model.kernel],
      model.gamma,
      model.coef0,
      model.degree,
      at.coef,
      at.rho,
      at.perClass,
      k,
      at.out,
    );
    result.set(outView.subarray(0, rows * nPairs), r0 * nPairs);
  }
  return result;
}

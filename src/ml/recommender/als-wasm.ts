/**
 * The ALS half-step compiled ahead of time to WebAssembly with SIMD (source: wasm/als.ts,
 * AssemblyScript, built by `npm run build:wasm` into als.wasm next to this file). It gives factors
 * bit-identical to `solveSide` in als.ts (same operations in the same order) about twice as fast:
 * the Gram accumulation and the Cholesky solve work on two entries per instruction.
 *
 * Everything the half-steps touch lives in one shared WebAssembly.Memory: both sparse layouts,
 * both factor matrices and their biases, and one scratch block per thread. Worker threads
 * instantiate the module on the same memory and write their rows of the factors in place, so
 * nothing is copied between half-steps (copying the factors in and out of per-worker memories
 * would cost a few milliseconds per half-step for no gain).
 * `AlsWasm.create` returns null when the module is unavailable (not built, no SIMD or shared
 * memory) or the problem does not fit, and callers fall back to the TypeScript code.
 */
import { readFileSync } from 'node:fs';
import { linearRegions } from '../wasm-memory.js';
import type { InteractionMatrix, SparseRows } from './interactions.js';

/** The module's pointers are i32 and it declares at most 32768 pages: keep the layout under 2 GB. */
const MAX_PAGES = 32768;
const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null. Synchronous compilation: it is 2 KB. */
export function alsWasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      const bytes = readFileSync(new URL('./als.wasm', import.meta.url));
      if (typeof WebAssembly === 'object' && typeof SharedArrayBuffer === 'function' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

interface AlsExports {
  scratchBytes(k: number): number;
  solveSide(
    ptr: number,
    index: number,
    value: number,
    from: number,
    to: number,
    X: number,
    xBias: number,
    Y: number,
    yBias: number,
    mean: number,
    k: number,
    lambda: number,
    scratch: number,
  ): number;
}

/** Byte addresses of one sparse layout in the memory. */
export interface RowsAt {
  ptr: number;
  index: number;
  value: number;
}

/** Where everything is, for the main thread and the workers (structured-cloneable). */
export interface AlsWasmLayout {
  byUser: RowsAt;
  byItem: RowsAt;
  P: number;
  Q: number;
  bu: number;
  bi: number;
  /** One scratch block per thread. */
  scratch: number[];
  mean: number;
  k: number;
  lambda: number;
}

/** One half-step on rows [from, to) of one side; returns -1 or the first row that is not positive definite. */
export type WasmHalfStep = (side: 'user' | 'item', from: number, to: number) => number;

/**
 * Rows are handed to the module in runs of about this many observations: V8 first runs a function
 * in its baseline compiler and switches to the optimised code on a later call (there is no
 * on-stack replacement in WebAssembly), so one call per half-step would spend the whole first
 * half-step in baseline code.
 */
const CHUNK_OBSERVATIONS = 16384;

/** Instantiates the module on `memory` and returns the half-step of thread `thread`. */
export function wasmHalfStep(mod: WebAssembly.Module, memory: WebAssembly.Memory, at: AlsWasmLayout, thread: number): WasmHalfStep {
  const ex = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as AlsExports;
  const scratch = at.scratch[thread];
  const userPtr = new Int32Array(memory.buffer, at.byUser.ptr),
    itemPtr = new Int32Array(memory.buffer, at.byItem.ptr);
  return (side, from, to) => {
    const [rows, ptr, X, xb, Y, yb] = side === 'user' ? [at.byUser, userPtr, at.P, at.bu, at.Q, at.bi] : [at.byItem, itemPtr, at.Q, at.bi, at.P, at.bu];
    for (let r = from; r < to; ) {
      let end = r + 1;
      while (end < to && ptr[end] - ptr[r] < CHUNK_OBSERVATIONS) end++;
      const failed = ex.solveSide(rows.ptr, rows.index, rows.value, r, end, X, xb, Y, yb, at.mean, at.k, at.lambda, scratch);
      if (failed >= 0) return failed;
      r = end;
    }
    return -1;
  };
}

/** The shared memory of one fit, with the data written in and views of the factors. */
export class AlsWasm {
  private constructor(
    readonly module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    readonly layout: AlsWasmLayout,
  ) {}

  /** Lays out `m` for `threads` threads with k factors; null when the module is unavailable or it does not fit. */
  static create(m: InteractionMatrix, k: number, lambda: number, threads: number): AlsWasm | null {
    const mod = alsWasmModule();
    if (!mod) return null;
    // scratchBytes is a pure function of k: ask a throwaway instance on a one-page memory.
    let scratchBytes: number;
    try {
      const probe = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      scratchBytes = (new WebAssembly.Instance(mod, { env: { memory: probe } }).exports as unknown as AlsExports).scratchBytes(k);
    } catch {
      return null;
    }
    const regions = linearRegions(64, 16); // address 0 stays unused
    const { take } = regions;
    const rows = (r: SparseRows): RowsAt => ({ ptr: take(r.ptr.byteLength), index: take(r.index.byteLength), value: take(r.value.byteLength) });
    const byUser = rows(m.byUser),
      byItem = rows(m.byItem);
    const P = take(m.nUsers * k * 8),
      Q = take(m.nItems * k * 8),
      bu = take(m.nUsers * 8),
      bi = take(m.nItems * 8);
    const scratch = Array.from({ length: threads }, () => take(scratchBytes));
    const pages = Math.ceil(regions.end / PAGE);
    if (pages > MAX_PAGES) return null;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch {
      return null;
    }
    const buf = memory.buffer;
    const put = (r: SparseRows, a: RowsAt): void => {
      new Int32Array(buf, a.ptr, r.ptr.length).set(r.ptr);
      new Int32Array(buf, a.index, r.index.length).set(r.index);
      new Float64Array(buf, a.value, r.value.length).set(r.value);
    };
    put(m.byUser, byUser);
    put(m.byItem, byItem);
    return new AlsWasm(mod, memory, { byUser, byItem, P, Q, bu, bi, scratch, mean: m.mean, k, lambda });
  }

  /** Views of the factor arrays and biases inside the memory (written by the half-steps). */
  views(nUsers: number, nItems: number): { P: Float64Array; Q: Float64Array; bu: Float64Array; bi: Float64Array } {
    const buf = this.memory.buffer,
      at = this.layout,
      k = at.k;
    return {
      P: new Float64Array(buf, at.P, nUsers * k),
      Q: new Float64Array(buf, at.Q, nItems * k),
      bu: new Float64Array(buf, at.bu, nUsers),
      bi: new Float64Array(buf, at.bi, nItems),
    };
  }
}

/** True when the compiled half-step can be used (built, WebAssembly SIMD and shared memory available). */
export function alsWasmAvailable(): boolean {
  return alsWasmModule() !== null;
}

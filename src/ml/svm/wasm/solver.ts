/**
 * AssemblyScript: libsvm's SMO solver (the TypeScript solver.ts, cache.ts, q-matrix.ts and the
 * kernel rows of wasm-dot.ts / kernel.ts, line by line) compiled ahead of time to WebAssembly, so
 * the very first fit in a process runs optimised code. The JavaScript solver, before V8 optimises
 * it, boxes every double and spends most of a small fit in the interpreter and the garbage
 * collector (breast cancer: 28 ms cold against 2-3 ms once warm).
 *
 * Built by `npm run build:wasm` (asc, see package.json); loaded by ../wasm-solver.ts. Not part of
 * the tsc build (its types i32/f64/usize and load/store are AssemblyScript's).
 *
 * Everything lives in linear memory at addresses the JavaScript side lays out and writes into a
 * configuration block of f64 values (see CFG_* below and wasm-solver.ts); nothing is allocated
 * here. Every floating-point operation is written in the same order as in the TypeScript code,
 * so both paths give bit-identical alpha and rho (WebAssembly arithmetic is IEEE-754 with no
 * fused or reassociated operations, as JavaScript's).
 */

// --- configuration block layout (f64 slots), mirrored in wasm-solver.ts ---
const CFG_L = 0, CFG_N = 1, CFG_COLS = 2, CFG_KIND = 3, CFG_GAMMA = 4, CFG_COEF0 = 5, CFG_DEGREE = 6;
const CFG_CP = 7, CFG_CN = 8, CFG_EPS = 9, CFG_SHRINKING = 10, CFG_MAXITER = 11, CFG_SVR = 12, CFG_CAPACITY = 13, CFG_PROGRESS = 14;
const CFG_P = 15, CFG_SQ = 16, CFG_SCALE = 17, CFG_LIN = 18, CFG_Y = 19, CFG_ALPHA = 20, CFG_G = 21, CFG_GBAR = 22;
const CFG_STATUS = 23, CFG_ACTIVE = 24, CFG_QD = 25, CFG_TMP = 26, CFG_CDATA = 27, CFG_CLEN = 28, CFG_CPREV = 29;
const CFG_CNEXT = 30, CFG_SPARE = 31, CFG_PLO = 32, CFG_PHI = 33, CFG_PCAP = 34, CFG_SLAB = 35, CFG_SIGN = 36, CFG_INDEX = 37;
const CFG_BUF0 = 38, CFG_BUF1 = 39, CFG_OUT = 40;
// Results written back: rho, objective, iterations, hitMaxIter.
const CFG_RHO = 41, CFG_OBJ = 42, CFG_ITER = 43, CFG_HITMAX = 44;
// The training matrix (row-major f64) and the i32 training-row index of each kernel row.
const CFG_X = 45, CFG_ROWS = 46;

/** Math.tanh from JavaScript, so the sigmoid kernel's values are exactly the TypeScript path's. */
@external("env", "tanh")
declare function jsTanh(x: f64): f64;

/** Math.exp from JavaScript, so predicted kernel values are exactly predict.ts's JavaScript ones. */
@external("env", "exp")
declare function jsExp(x: f64): f64;

/** Progress every 1000 iterations (rare enough that calling out to JavaScript costs nothing). */
@external("env", "progress")
declare function reportProgress(iterations: i32): void;

const TAU: f64 = 1e-12;
const LOWER: u8 = 0, UPPER: u8 = 1, FREE: u8 = 2;
const KIND_LINEAR = 0, KIND_RBF = 1, KIND_POLY = 2, KIND_SIGMOID = 3;

// --- problem state (wasm globals, set by solve) ---
let l: i32 = 0;
let nRows: i32 = 0;
let nCols: i32 = 0;
let kind: i32 = 0;
let gamma: f64 = 0;
let coef0: f64 = 0;
let degree: i32 = 0;
let Cp: f64 = 0;
let Cn: f64 = 0;
let eps: f64 = 0;
let svr = false;
let activeSize: i32 = 0;
let unshrink = false;
let wi: i32 = -1;
let wj: i32 = -1;

let P: usize = 0;      // kernel rows, nRows x nCols f64, in position order (SVC: swapped with positions)
let SQ: usize = 0;     // squared norm per kernel row, f64
let SCALE: usize = 0;  // +1/-1 per kernel row, i8 (SVC: the labels y; SVR: all +1)
let LIN: usize = 0;    // linear term p, f64
let Y: usize = 0;      // labels per variable, i8
let ALPHA: usize = 0;
let G: usize = 0;
let GBAR: usize = 0;
let STATUS: usize = 0; // u8
let ACTIVE: usize = 0; // i32: original index at each position
let QD: usize = 0;
let TMP: usize = 0;    // f64 scratch per kernel row
let SIGN: usize = 0;   // SVR: i8 per variable
let INDEX: usize = 0;  // SVR: i32 kernel row per variable
let BUF0: usize = 0;   // SVR: two alternating Q rows (f32)
let BUF1: usize = 0;
let nextBuffer: i32 = 0;

// --- memory helpers ---
@inline function f64At(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function setF64(base: usize, i: i32, v: f64): void { store<f64>(base + (<usize>i << 3), v); }
@inline function f32At(base: usize, i: i32): f32 { return load<f32>(base + (<usize>i << 2)); }
@inline function setF32(base: usize, i: i32, v: f32): void { store<f32>(base + (<usize>i << 2), v); }
@inline function i32At(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }
@inline function setI32(base: usize, i: i32, v: i32): void { store<i32>(base + (<usize>i << 2), v); }
@inline function i8At(base: usize, i: i32): i32 { return <i32>load<i8>(base + <usize>i); }
@inline function u8At(base: usize, i: i32): u8 { return load<u8>(base + <usize>i); }
@inline function setU8(base: usize, i: i32, v: u8): void { store<u8>(base + <usize>i, v); }

@inline function swapF64(base: usize, i: i32, j: i32): void {
  const t = f64At(base, i);
  setF64(base, i, f64At(base, j));
  setF64(base, j, t);
}
@inline function swapI32(base: usize, i: i32, j: i32): void {
  const t = i32At(base, i);
  setI32(base, i, i32At(base, j));
  setI32(base, j, t);
}
@inline function swapU8(base: usize, i: i32, j: i32): void {
  const t = load<u8>(base + <usize>i);
  store<u8>(base + <usize>i, load<u8>(base + <usize>j));
  store<u8>(base + <usize>j, t);
}

/** Where the JavaScript side may start laying out its data (after this module's own data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// ======================= input checks (index.ts) =======================
// Cold JavaScript loops over every value of the matrix cost milliseconds on a small fit.

/** Index of the first NaN or infinite value among len f64 at ptr, or -1. */
export function firstNonFinite(ptr: usize, len: i32): i32 {
  for (let i = 0; i < len; i++) if (!isFinite<f64>(f64At(ptr, i))) return i;
  return -1;
}

/** Population variance of len f64 at ptr, summed in order as index.ts's resolveGamma. */
export function variance(ptr: usize, len: i32): f64 {
  let mean: f64 = 0;
  for (let i = 0; i < len; i++) mean += f64At(ptr, i);
  mean /= <f64>len;
  let v: f64 = 0;
  for (let i = 0; i < len; i++) {
    const d = f64At(ptr, i) - mean;
    v += d * d;
  }
  return v / <f64>len;
}

// ======================= kernel rows (wasm-dot.ts, kernel.ts) =======================

/**
 * <row a, row b> exactly as wasm-dot.ts's dotCode: two f64x2 accumulators over groups of four,
 * their lanes summed, then the remainder one by one.
 */
@inline function dotRows(a: usize, b: usize): f64 {
  const nb = nCols << 3;
  const n4b = nb & -32;
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let k: i32 = 0;
  for (; k < n4b; k += 32) {
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + <usize>k), v128.load(b + <usize>k)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(a + <usize>k, 16), v128.load(b + <usize>k, 16)));
  }
  const acc = f64x2.add(acc0, acc1);
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; k < nb; k += 8) sum += load<f64>(a + <usize>k) * load<f64>(b + <usize>k);
  return sum;
}

// exp as wasm-dot.ts's expCode: range reduction and a degree-11 Taylor polynomial (Estrin).
const LOG2E: f64 = 1.4426950408889634, LN2_HI: f64 = 6.93147180369123816490e-1, LN2_LO: f64 = 1.90821492927058770002e-10, SHIFTER: f64 = 6755399441055744;
const E0: f64 = 1.0, E1: f64 = 1.0, E2: f64 = 1.0 / 2, E3: f64 = 1.0 / 6, E4: f64 = 1.0 / 24, E5: f64 = 1.0 / 120;
const E6: f64 = 1.0 / 720, E7: f64 = 1.0 / 5040, E8: f64 = 1.0 / 40320, E9: f64 = 1.0 / 362880, E10: f64 = 1.0 / 3628800, E11: f64 = 1.0 / 39916800;

/** libsvm's powi, as kernel.ts. */
@inline function powi(base: f64, times: i32): f64 {
  let tmp = base, ret: f64 = 1;
  for (let t = times; t > 0; t = t / 2) {
    if (t % 2 == 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

@inline function rowAt(i: i32): usize {
  return P + <usize>i * <usize>nCols * 8;
}

/** The squared norm of the nCols values at a, summed in order (as DotEngine.setRow and rowSquaredNorms). */
@inline function squaredNorm(a: usize): f64 {
  let s: f64 = 0;
  for (let k = 0; k < nCols; k++) {
    const v = load<f64>(a + (<usize>k << 3));
    s += v * v;
  }
  return s;
}

/** SQ[r] for the first `count` kernel rows. */
function rowNorms(count: i32): void {
  for (let r = 0; r < count; r++) setF64(SQ, r, squaredNorm(rowAt(r)));
}

/**
 * TMP[j] = <row i, row j> for j in [start, end), two rows per pass over row i (half the loads of
 * row i and of loop overhead); each row's sum is accumulated exactly as dotRows does.
 */
function dotsInto(i: i32, start: i32, end: i32): void {
  const a = rowAt(i);
  const rowBytes = <usize>nCols << 3;
  const nb = nCols << 3;
  const n4b = nb & -32;
  let b = P + <usize>start * rowBytes;
  let j = start;
  for (; j + 1 < end; j += 2) {
    const c = b + rowBytes;
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), c0 = f64x2.splat(0), c1 = f64x2.splat(0);
    let k: i32 = 0;
    for (; k + 32 < n4b; k += 64) {
      const a0 = v128.load(a + <usize>k), a1 = v128.load(a + <usize>k, 16);
      b0 = f64x2.add(b0, f64x2.mul(a0, v128.load(b + <usize>k)));
      b1 = f64x2.add(b1, f64x2.mul(a1, v128.load(b + <usize>k, 16)));
      c0 = f64x2.add(c0, f64x2.mul(a0, v128.load(c + <usize>k)));
      c1 = f64x2.add(c1, f64x2.mul(a1, v128.load(c + <usize>k, 16)));
      const a2 = v128.load(a + <usize>k, 32), a3 = v128.load(a + <usize>k, 48);
      b0 = f64x2.add(b0, f64x2.mul(a2, v128.load(b + <usize>k, 32)));
      b1 = f64x2.add(b1, f64x2.mul(a3, v128.load(b + <usize>k, 48)));
      c0 = f64x2.add(c0, f64x2.mul(a2, v128.load(c + <usize>k, 32)));
      c1 = f64x2.add(c1, f64x2.mul(a3, v128.load(c + <usize>k, 48)));
    }
    if (k < n4b) {
      const a0 = v128.load(a + <usize>k), a1 = v128.load(a + <usize>k, 16);
      b0 = f64x2.add(b0, f64x2.mul(a0, v128.load(b + <usize>k)));
      b1 = f64x2.add(b1, f64x2.mul(a1, v128.load(b + <usize>k, 16)));
      c0 = f64x2.add(c0, f64x2.mul(a0, v128.load(c + <usize>k)));
      c1 = f64x2.add(c1, f64x2.mul(a1, v128.load(c + <usize>k, 16)));
      k += 32;
    }
    const bs = f64x2.add(b0, b1), cs = f64x2.add(c0, c1);
    let sb = f64x2.extract_lane(bs, 0) + f64x2.extract_lane(bs, 1);
    let sc = f64x2.extract_lane(cs, 0) + f64x2.extract_lane(cs, 1);
    for (; k < nb; k += 8) {
      const av = load<f64>(a + <usize>k);
      sb += av * load<f64>(b + <usize>k);
      sc += av * load<f64>(c + <usize>k);
    }
    setF64(TMP, j, sb);
    setF64(TMP, j + 1, sc);
    b = c + rowBytes;
  }
  if (j < end) setF64(TMP, j, dotRows(a, b));
}

/** exp of both lanes, each lane with exactly the operations of wasm-dot.ts's scalar expCode, so the same bits. */
@inline function expPoly2(x0: v128): v128 {
  const x1 = f64x2.pmax(x0, f64x2.splat(-700));
  const t = f64x2.add(f64x2.mul(x1, f64x2.splat(LOG2E)), f64x2.splat(SHIFTER));
  const k = f64x2.sub(t, f64x2.splat(SHIFTER));
  const x = f64x2.sub(f64x2.sub(x1, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  const r2 = f64x2.mul(x, x);
  const r4 = f64x2.mul(r2, r2);
  const q0 = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(E1), x), f64x2.splat(E0)), f64x2.mul(f64x2.add(f64x2.mul(f64x2.splat(E3), x), f64x2.splat(E2)), r2));
  const q4 = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(E5), x), f64x2.splat(E4)), f64x2.mul(f64x2.add(f64x2.mul(f64x2.splat(E7), x), f64x2.splat(E6)), r2));
  const q8 = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(E9), x), f64x2.splat(E8)), f64x2.mul(f64x2.add(f64x2.mul(f64x2.splat(E11), x), f64x2.splat(E10)), r2));
  const poly = f64x2.add(f64x2.add(q0, f64x2.mul(q4, r4)), f64x2.mul(q8, f64x2.mul(r4, r4)));
  return f64x2.mul(poly, i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52));
}

/** out[j] = scale_i scale_j K(i, j) in f32 for kernel rows j in [start, end), as KernelRows.fill. */
function fillRow(i: i32, out: usize, start: i32, end: i32): void {
  dotsInto(i, start, end);
  if (kind == KIND_RBF) fillRbf(i, out, start, end);
  else fillOther(i, out, start, end);
}

/**
 * The RBF kernel from the dot products in TMP: exponent gamma (2d - sq_i - sq_j), exp, times
 * y_i y_j, to float32, as wasm-dot.ts's rbf; two values per step, and an odd last value through
 * the same two-lane code (lane 0 kept), so the function stays small: V8 compiles it again with
 * its optimising compiler while the first fit runs, and that compile time grows with its size.
 * That last step reads one value past `end` (within the region's 16-byte padding, or the next
 * region's first bytes) into lane 1, which is dropped.
 */
function fillRbf(i: i32, out: usize, start: i32, end: i32): void {
  const yi = <f64>i8At(SCALE, i);
  const g2 = f64x2.splat(gamma), sqa2 = f64x2.splat(f64At(SQ, i)), two = f64x2.splat(2), yi2 = f64x2.splat(yi);
  for (let j = start; j < end; j += 2) {
    const d = v128.load(TMP + (<usize>j << 3));
    const x = f64x2.mul(g2, f64x2.sub(f64x2.sub(f64x2.mul(d, two), sqa2), v128.load(SQ + (<usize>j << 3))));
    // y_j of both rows as f64: two bytes widened to i16, i32, then converted.
    const yj = f64x2.convert_low_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load16_splat(SCALE + <usize>j))));
    const v = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.mul(expPoly2(x), yi2), yj));
    if (j + 1 < end) v128.store64_lane(out + (<usize>j << 2), v, 0);
    else v128.store32_lane(out + (<usize>j << 2), v, 0);
  }
}

function fillOther(i: i32, out: usize, start: i32, end: i32): void {
  const yi = <f64>i8At(SCALE, i);
  if (kind == KIND_LINEAR) {
    for (let j = start; j < end; j++) setF32(out, j, <f32>(yi * <f64>i8At(SCALE, j) * f64At(TMP, j)));
  } else if (kind == KIND_POLY) {
    for (let j = start; j < end; j++) setF32(out, j, <f32>(yi * <f64>i8At(SCALE, j) * powi(gamma * f64At(TMP, j) + coef0, degree)));
  } else {
    for (let j = start; j < end; j++) setF32(out, j, <f32>(yi * <f64>i8At(SCALE, j) * jsTanh(gamma * f64At(TMP, j) + coef0)));
  }
}

/** K(i, i) from the squared norm, as KernelRows.diag (kernelFromDot with d = sqA = sqB). */
function diag(i: i32): f64 {
  const sq = f64At(SQ, i);
  if (kind == KIND_LINEAR) return sq;
  if (kind == KIND_RBF) return Math.exp(-gamma * (sq + sq - 2 * sq));
  if (kind == KIND_POLY) return powi(gamma * sq + coef0, degree);
  return jsTanh(gamma * sq + coef0);
}

function swapKernelRows(i: i32, j: i32): void {
  const a = rowAt(i), b = rowAt(j);
  for (let k = 0; k < nCols; k++) {
    const off = <usize>k << 3;
    const t = load<f64>(a + off);
    store<f64>(a + off, load<f64>(b + off));
    store<f64>(b + off, t);
  }
  swapF64(SQ, i, j);
  // SVC: SCALE is the solver's Y, swapped there.
}

// ======================= kernel cache (cache.ts) =======================
// Doubly linked LRU list over row indices; slot nRows is the sentinel. Row headers swap at once,
// the entries inside cached rows lazily (one pass per row before the next read).

let CDATA: usize = 0;  // i32 per row: address of its cached entries, 0 when not cached
let CLEN: usize = 0;   // i32 per row: entries filled
let CPREV: usize = 0;
let CNEXT: usize = 0;
let SPARE: usize = 0;  // i32 stack of rows given back by flush
let spareCount: i32 = 0;
let PLO: usize = 0;    // pending swaps (low, high)
let PHI: usize = 0;
let pendingCap: i32 = 0;
let pendingCount: i32 = 0;
let SLAB: usize = 0;   // capacity rows of nRows f32 each, taken in order
let slabUsed: i32 = 0;
let capacity: i32 = 0;
let allocated: i32 = 0;
let cacheStart: i32 = 0;

function cacheInit(): void {
  for (let h = 0; h < nRows; h++) {
    setI32(CDATA, h, 0);
    setI32(CLEN, h, 0);
    setI32(CPREV, h, -1);
    setI32(CNEXT, h, -1);
  }
  setI32(CPREV, nRows, nRows);
  setI32(CNEXT, nRows, nRows);
  spareCount = 0;
  pendingCount = 0;
  slabUsed = 0;
  allocated = 0;
}

@inline function unlink(h: i32): void {
  setI32(CNEXT, i32At(CPREV, h), i32At(CNEXT, h));
  setI32(CPREV, i32At(CNEXT, h), i32At(CPREV, h));
}

@inline function append(h: i32): void {
  const s = nRows;
  setI32(CNEXT, h, s);
  setI32(CPREV, h, i32At(CPREV, s));
  setI32(CNEXT, i32At(CPREV, s), h);
  setI32(CPREV, s, h);
}

function newRow(): usize {
  if (spareCount > 0) return <usize>i32At(SPARE, --spareCount);
  const row = SLAB + <usize>slabUsed * <usize>nRows * 4;
  slabUsed++;
  return row;
}

/** Row `index` with room for `len` entries; entries before cacheStart are already valid. */
function getData(index: i32, len: i32): usize {
  if (pendingCount > 0) flush();
  let row = <usize>i32At(CDATA, index);
  if (row != 0) unlink(index);
  else {
    if (allocated < capacity) {
      row = newRow();
      allocated++;
    } else {
      const victim = i32At(CNEXT, nRows);
      unlink(victim);
      row = <usize>i32At(CDATA, victim);
      setI32(CDATA, victim, 0);
      setI32(CLEN, victim, 0);
    }
    setI32(CDATA, index, <i32>row);
    setI32(CLEN, index, 0);
  }
  append(index);
  cacheStart = i32At(CLEN, index);
  if (len > cacheStart) setI32(CLEN, index, len);
  return row;
}

function cacheSwap(i: i32, j: i32): void {
  if (i == j) return;
  const di = i32At(CDATA, i), dj = i32At(CDATA, j);
  if (di != 0) unlink(i);
  if (dj != 0) unlink(j);
  setI32(CDATA, i, dj);
  setI32(CDATA, j, di);
  swapI32(CLEN, i, j);
  if (dj != 0) append(i);
  if (di != 0) append(j);
  // Applying the pending swaps early is equivalent: cached rows and their lengths do not change
  // between reads.
  if (pendingCount == pendingCap) flush();
  setI32(PLO, pendingCount, i < j ? i : j);
  setI32(PHI, pendingCount, i < j ? j : i);
  pendingCount++;
}

function flush(): void {
  const count = pendingCount, s = nRows;
  pendingCount = 0;
  for (let h = i32At(CNEXT, s); h != s; ) {
    const after = i32At(CNEXT, h);
    const len = i32At(CLEN, h);
    const row = <usize>i32At(CDATA, h);
    for (let t = 0; t < count; t++) {
      const i = i32At(PLO, t);
      if (len <= i) continue;
      const j = i32At(PHI, t);
      if (len > j) {
        const v = f32At(row, i);
        setF32(row, i, f32At(row, j));
        setF32(row, j, v);
      } else {
        unlink(h);
        setI32(SPARE, spareCount++, <i32>row);
        setI32(CDATA, h, 0);
        setI32(CLEN, h, 0);
        allocated--;
        break;
      }
    }
    h = after;
  }
}

// ======================= Q matrices (q-matrix.ts) =======================

/** Row i of Q, entries [0, len) valid (address of f32 values). */
function getQ(i: i32, len: i32): usize {
  if (!svr) {
    const row = getData(i, len);
    if (cacheStart < len) fillRow(i, row, cacheStart, len);
    return row;
  }
  const real = i32At(INDEX, i);
  const data = getData(real, nRows);
  if (cacheStart < nRows) fillRow(real, data, cacheStart, nRows);
  const buf = nextBuffer == 0 ? BUF0 : BUF1;
  nextBuffer = 1 - nextBuffer;
  const si = i8At(SIGN, i);
  for (let j = 0; j < len; j++) {
    const v = f32At(data, i32At(INDEX, j));
    setF32(buf, j, si == i8At(SIGN, j) ? v : -v);
  }
  return buf;
}

function qSwap(i: i32, j: i32): void {
  if (!svr) {
    cacheSwap(i, j);
    swapKernelRows(i, j);
  } else {
    const t = load<i8>(SIGN + <usize>i);
    store<i8>(SIGN + <usize>i, load<i8>(SIGN + <usize>j));
    store<i8>(SIGN + <usize>j, t);
    swapI32(INDEX, i, j);
  }
  swapF64(QD, i, j);
}

// ======================= the solver (solver.ts) =======================

@inline function Cof(i: i32): f64 {
  return i8At(Y, i) > 0 ? Cp : Cn;
}

@inline function updateStatus(i: i32): void {
  const a = f64At(ALPHA, i);
  setU8(STATUS, i, a >= Cof(i) ? UPPER : a <= 0 ? LOWER : FREE);
}

@inline function ptr(cfg: usize, slot: i32): usize {
  return <usize>load<f64>(cfg + <usize>slot * 8);
}

/** Solves the problem laid out by the configuration block at `cfg`; writes rho etc. back into it. */
export function solve(cfg: usize): void {
  l = <i32>load<f64>(cfg + CFG_L * 8);
  nRows = <i32>load<f64>(cfg + CFG_N * 8);
  nCols = <i32>load<f64>(cfg + CFG_COLS * 8);
  kind = <i32>load<f64>(cfg + CFG_KIND * 8);
  gamma = load<f64>(cfg + CFG_GAMMA * 8);
  coef0 = load<f64>(cfg + CFG_COEF0 * 8);
  degree = <i32>load<f64>(cfg + CFG_DEGREE * 8);
  Cp = load<f64>(cfg + CFG_CP * 8);
  Cn = load<f64>(cfg + CFG_CN * 8);
  eps = load<f64>(cfg + CFG_EPS * 8);
  const shrinking = load<f64>(cfg + CFG_SHRINKING * 8) != 0;
  const maxIter = <i32>load<f64>(cfg + CFG_MAXITER * 8);
  svr = load<f64>(cfg + CFG_SVR * 8) != 0;
  capacity = <i32>load<f64>(cfg + CFG_CAPACITY * 8);
  const progress = load<f64>(cfg + CFG_PROGRESS * 8) != 0;
  P = ptr(cfg, CFG_P); SQ = ptr(cfg, CFG_SQ); SCALE = ptr(cfg, CFG_SCALE); LIN = ptr(cfg, CFG_LIN); Y = ptr(cfg, CFG_Y);
  ALPHA = ptr(cfg, CFG_ALPHA); G = ptr(cfg, CFG_G); GBAR = ptr(cfg, CFG_GBAR); STATUS = ptr(cfg, CFG_STATUS);
  ACTIVE = ptr(cfg, CFG_ACTIVE); QD = ptr(cfg, CFG_QD); TMP = ptr(cfg, CFG_TMP); CDATA = ptr(cfg, CFG_CDATA);
  CLEN = ptr(cfg, CFG_CLEN); CPREV = ptr(cfg, CFG_CPREV); CNEXT = ptr(cfg, CFG_CNEXT); SPARE = ptr(cfg, CFG_SPARE);
  PLO = ptr(cfg, CFG_PLO); PHI = ptr(cfg, CFG_PHI); pendingCap = <i32>load<f64>(cfg + CFG_PCAP * 8);
  SLAB = ptr(cfg, CFG_SLAB); SIGN = ptr(cfg, CFG_SIGN); INDEX = ptr(cfg, CFG_INDEX); BUF0 = ptr(cfg, CFG_BUF0); BUF1 = ptr(cfg, CFG_BUF1);
  nextBuffer = 0;
  activeSize = l;
  unshrink = false;
  wi = -1;
  wj = -1;

  initProblem(cfg);

  let iter: i32 = 0;
  let counter: i32 = min(l, 1000) + 1;
  while (iter < maxIter) {
    if (--counter == 0) {
      counter = min(l, 1000);
      if (shrinking) doShrinking();
    }
    if (selectWorkingSet()) {
      reconstructGradient();
      activeSize = l;
      if (selectWorkingSet()) break;
      counter = 1;
    }
    iter++;
    if (progress && iter % 1000 == 0) reportProgress(iter);

    step();
  }

  finishProblem(cfg, iter >= maxIter, iter);
}

/**
 * The one-off work before and after the iterations, out of solve() (exported only so that the
 * optimiser does not inline them back): V8 re-compiles a function with its optimising compiler
 * once enough of its code has run, in the background while the first fit is running, and the
 * cost of that compile grows with the function's size. solve() is left with the loop alone.
 */
export function initProblem(cfg: usize): void {
  // Kernel rows gathered from the matrix; squared norms summed in order, as DotEngine.setRow.
  const X = ptr(cfg, CFG_X), ROWS = ptr(cfg, CFG_ROWS), rowBytes = <usize>nCols << 3;
  for (let r = 0; r < nRows; r++) memory.copy(rowAt(r), X + <usize>i32At(ROWS, r) * rowBytes, rowBytes);
  memory.fill(ALPHA, 0, <usize>l << 3);
  rowNorms(nRows);
  if (!svr) for (let i = 0; i < l; i++) setF64(QD, i, diag(i));
  else {
    const n = nRows;
    for (let k = 0; k < n; k++) {
      store<i8>(SIGN + <usize>k, 1);
      store<i8>(SIGN + <usize>(k + n), -1);
      setI32(INDEX, k, k);
      setI32(INDEX, k + n, k);
      setF64(QD, k, diag(k));
      setF64(QD, k + n, f64At(QD, k));
    }
  }
  cacheInit();

  for (let i = 0; i < l; i++) {
    setI32(ACTIVE, i, i);
    setF64(G, i, 0);
    setF64(GBAR, i, 0);
    updateStatus(i);
  }

  for (let i = 0; i < l; i++) setF64(G, i, f64At(LIN, i));
  for (let i = 0; i < l; i++) {
    if (u8At(STATUS, i) == LOWER) continue;
    const Qi = getQ(i, l);
    const ai = f64At(ALPHA, i);
    for (let j = 0; j < l; j++) setF64(G, j, f64At(G, j) + ai * <f64>f32At(Qi, j));
    if (u8At(STATUS, i) == UPPER) {
      const ci = Cof(i);
      for (let j = 0; j < l; j++) setF64(GBAR, j, f64At(GBAR, j) + ci * <f64>f32At(Qi, j));
    }
  }

}

export function finishProblem(cfg: usize, hitMaxIter: bool, iter: i32): void {
  const OUT = ptr(cfg, CFG_OUT);
  if (hitMaxIter && activeSize < l) {
    reconstructGradient();
    activeSize = l;
  }
  const rho = calculateRho();
  let v: f64 = 0;
  for (let i = 0; i < l; i++) v += f64At(ALPHA, i) * (f64At(G, i) + f64At(LIN, i));
  for (let i = 0; i < l; i++) setF64(OUT, i32At(ACTIVE, i), f64At(ALPHA, i));
  store<f64>(cfg + CFG_RHO * 8, rho);
  store<f64>(cfg + CFG_OBJ * 8, v / 2);
  store<f64>(cfg + CFG_ITER * 8, <f64>iter);
  store<f64>(cfg + CFG_HITMAX * 8, hitMaxIter ? 1 : 0);
}

/**
 * One SMO update of the working set (wi, wj). A function of its own, called once per iteration:
 * V8 replaces baseline-compiled WebAssembly with optimised code only at function calls (there
 * is no on-stack replacement), so a loop body kept inside solve() would run unoptimised for the
 * whole first fit.
 */
function step(): void {
  const i = wi, j = wj;
  const active = activeSize;
  const Qi = getQ(i, active);
  const Qj = getQ(j, active);
  const Ci = Cof(i), Cj = Cof(j);
  const oldAi = f64At(ALPHA, i), oldAj = f64At(ALPHA, j);
  let ai = oldAi, aj = oldAj;

  if (i8At(Y, i) != i8At(Y, j)) {
    let quad = f64At(QD, i) + f64At(QD, j) + 2 * <f64>f32At(Qi, j);
    if (quad <= 0) quad = TAU;
    const delta = (-f64At(G, i) - f64At(G, j)) / quad;
    const diff = ai - aj;
    ai += delta;
    aj += delta;
    if (diff > 0) {
      if (aj < 0) { aj = 0; ai = diff; }
    } else if (ai < 0) { ai = 0; aj = -diff; }
    if (diff > Ci - Cj) {
      if (ai > Ci) { ai = Ci; aj = Ci - diff; }
    } else if (aj > Cj) { aj = Cj; ai = Cj + diff; }
  } else {
    let quad = f64At(QD, i) + f64At(QD, j) - 2 * <f64>f32At(Qi, j);
    if (quad <= 0) quad = TAU;
    const delta = (f64At(G, i) - f64At(G, j)) / quad;
    const sum = ai + aj;
    ai -= delta;
    aj += delta;
    if (sum > Ci) {
      if (ai > Ci) { ai = Ci; aj = sum - Ci; }
    } else if (aj < 0) { aj = 0; ai = sum; }
    if (sum > Cj) {
      if (aj > Cj) { aj = Cj; ai = sum - Cj; }
    } else if (ai < 0) { ai = 0; aj = sum; }
  }
  setF64(ALPHA, i, ai);
  setF64(ALPHA, j, aj);

  const dAi = ai - oldAi, dAj = aj - oldAj;
  // Two gradients per step (lane by lane the same operations as one at a time): fewer loop turns,
  // which matters most before V8 has optimised this function.
  const dAi2 = f64x2.splat(dAi), dAj2 = f64x2.splat(dAj);
  let k = 0;
  for (; k + 1 < active; k += 2) {
    const qi = f64x2.promote_low_f32x4(v128.load64_zero(Qi + (<usize>k << 2)));
    const qj = f64x2.promote_low_f32x4(v128.load64_zero(Qj + (<usize>k << 2)));
    const at = G + (<usize>k << 3);
    v128.store(at, f64x2.add(v128.load(at), f64x2.add(f64x2.mul(qi, dAi2), f64x2.mul(qj, dAj2))));
  }
  if (k < active) setF64(G, k, f64At(G, k) + (<f64>f32At(Qi, k) * dAi + <f64>f32At(Qj, k) * dAj));

  const wasUpperI = u8At(STATUS, i) == UPPER, wasUpperJ = u8At(STATUS, j) == UPPER;
  updateStatus(i);
  updateStatus(j);
  if (wasUpperI != (u8At(STATUS, i) == UPPER)) {
    const row = getQ(i, l);
    const c = wasUpperI ? -Ci : Ci;
    for (let k = 0; k < l; k++) setF64(GBAR, k, f64At(GBAR, k) + c * <f64>f32At(row, k));
  }
  if (wasUpperJ != (u8At(STATUS, j) == UPPER)) {
    const row = getQ(j, l);
    const c = wasUpperJ ? -Cj : Cj;
    for (let k = 0; k < l; k++) setF64(GBAR, k, f64At(GBAR, k) + c * <f64>f32At(row, k));
  }
}

/** WSS3 (see solver.ts). True when optimal. */
function selectWorkingSet(): bool {
  const active = activeSize;
  let Gmax: f64 = -Infinity, Gmax2: f64 = -Infinity, objDiffMin: f64 = Infinity;
  let GmaxIdx: i32 = -1, GminIdx: i32 = -1;
  for (let t = 0; t < active; t++) {
    const g = f64At(G, t);
    if (i8At(Y, t) > 0) {
      if (u8At(STATUS, t) != UPPER && -g >= Gmax) { Gmax = -g; GmaxIdx = t; }
    } else if (u8At(STATUS, t) != LOWER && g >= Gmax) { Gmax = g; GmaxIdx = t; }
  }
  const i = GmaxIdx;
  if (i != -1) {
    const Qi = getQ(i, active);
    const yi = <f64>i8At(Y, i), QDi = f64At(QD, i);
    for (let j = 0; j < active; j++) {
      const g = f64At(G, j);
      if (i8At(Y, j) > 0) {
        if (u8At(STATUS, j) != LOWER) {
          const gradDiff = Gmax + g;
          if (g >= Gmax2) Gmax2 = g;
          if (gradDiff > 0) {
            const quad = QDi + f64At(QD, j) - 2 * yi * <f64>f32At(Qi, j);
            const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
            if (objDiff <= objDiffMin) { GminIdx = j; objDiffMin = objDiff; }
          }
        }
      } else if (u8At(STATUS, j) != UPPER) {
        const gradDiff = Gmax - g;
        if (-g >= Gmax2) Gmax2 = -g;
        if (gradDiff > 0) {
          const quad = QDi + f64At(QD, j) + 2 * yi * <f64>f32At(Qi, j);
          const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
          if (objDiff <= objDiffMin) { GminIdx = j; objDiffMin = objDiff; }
        }
      }
    }
  }
  if (Gmax + Gmax2 < eps || GminIdx == -1) return true;
  wi = GmaxIdx;
  wj = GminIdx;
  return false;
}

@inline function beShrunk(i: i32, Gmax1: f64, Gmax2: f64): bool {
  const s = u8At(STATUS, i);
  const g = f64At(G, i);
  if (s == UPPER) return i8At(Y, i) > 0 ? -g > Gmax1 : -g > Gmax2;
  if (s == LOWER) return i8At(Y, i) > 0 ? g > Gmax2 : g > Gmax1;
  return false;
}

function doShrinking(): void {
  let Gmax1: f64 = -Infinity, Gmax2: f64 = -Infinity;
  for (let i = 0; i < activeSize; i++) {
    const g = f64At(G, i), s = u8At(STATUS, i);
    if (i8At(Y, i) > 0) {
      if (s != UPPER && -g >= Gmax1) Gmax1 = -g;
      if (s != LOWER && g >= Gmax2) Gmax2 = g;
    } else {
      if (s != UPPER && -g >= Gmax2) Gmax2 = -g;
      if (s != LOWER && g >= Gmax1) Gmax1 = g;
    }
  }
  if (!unshrink && Gmax1 + Gmax2 <= eps * 10) {
    unshrink = true;
    reconstructGradient();
    activeSize = l;
  }
  for (let i = 0; i < activeSize; i++) {
    if (!beShrunk(i, Gmax1, Gmax2)) continue;
    activeSize--;
    while (activeSize > i) {
      if (!beShrunk(activeSize, Gmax1, Gmax2)) {
        swapIndex(i, activeSize);
        break;
      }
      activeSize--;
    }
  }
}

function swapIndex(i: i32, j: i32): void {
  qSwap(i, j);
  const t = load<i8>(Y + <usize>i);
  store<i8>(Y + <usize>i, load<i8>(Y + <usize>j));
  store<i8>(Y + <usize>j, t);
  swapF64(G, i, j);
  swapU8(STATUS, i, j);
  swapF64(ALPHA, i, j);
  swapF64(LIN, i, j);
  swapI32(ACTIVE, i, j);
  swapF64(GBAR, i, j);
}

function reconstructGradient(): void {
  const active = activeSize;
  if (active == l) return;
  for (let j = active; j < l; j++) setF64(G, j, f64At(GBAR, j) + f64At(LIN, j));
  let nrFree = 0;
  for (let j = 0; j < active; j++) if (u8At(STATUS, j) == FREE) nrFree++;
  if (<f64>nrFree * <f64>l > 2 * <f64>active * <f64>(l - active)) {
    for (let i = active; i < l; i++) {
      const Qi = getQ(i, active);
      let g = f64At(G, i);
      for (let j = 0; j < active; j++) if (u8At(STATUS, j) == FREE) g += f64At(ALPHA, j) * <f64>f32At(Qi, j);
      setF64(G, i, g);
    }
  } else {
    for (let i = 0; i < active; i++) {
      if (u8At(STATUS, i) != FREE) continue;
      const Qi = getQ(i, l);
      const ai = f64At(ALPHA, i);
      for (let j = active; j < l; j++) setF64(G, j, f64At(G, j) + ai * <f64>f32At(Qi, j));
    }
  }
}

function calculateRho(): f64 {
  let nrFree = 0;
  let ub: f64 = Infinity, lb: f64 = -Infinity, sumFree: f64 = 0;
  for (let i = 0; i < activeSize; i++) {
    const yi = i8At(Y, i);
    const yG = <f64>yi * f64At(G, i);
    const s = u8At(STATUS, i);
    if (s == UPPER) {
      if (yi < 0) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else if (s == LOWER) {
      if (yi > 0) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else {
      nrFree++;
      sumFree += yG;
    }
  }
  return nrFree > 0 ? sumFree / <f64>nrFree : (ub + lb) / 2;
}

// ======================= prediction (predict.ts's rawDecisionValues) =======================

let svCount: i32 = 0;
let classes: i32 = 0;  // 0 for SVR
let KV: usize = 0;     // kernel values of the current row against each support vector, f64
let COEF: usize = 0;   // dual coefficients, (k - 1) x nSv f64 (SVR: nSv)
let RHOS: usize = 0;   // rho per class pair, f64
let NPC: usize = 0;    // support vectors per class, i32

/** kernelFromDot (kernel.ts), with JavaScript's Math.exp and Math.tanh. */
@inline function kernelValue(d: f64, sqa: f64, sqb: f64): f64 {
  if (kind == KIND_RBF) return jsExp(-gamma * (sqa + sqb - 2 * d));
  if (kind == KIND_LINEAR) return d;
  if (kind == KIND_POLY) return powi(gamma * d + coef0, degree);
  return jsTanh(gamma * d + coef0);
}

/**
 * Decision values of `rowCount` rows at x (row-major) against the nSv support vectors the caller
 * put at p (with room for one more row after them), into out: rowCount x nPairs for C-SVC with
 * k classes, rowCount for SVR (k = 0). The same arithmetic in the same order as predict.ts's
 * JavaScript: dot products as DotEngine's (dotsInto), norms summed in order, sums over support
 * vectors in libsvm's order. Why here: that JavaScript runs unoptimised on the first predict of
 * a process and builds its own kernel module first (8 ms on breast cancer against 1 ms for
 * scikit-learn).
 */
export function decide(p: usize, sq: usize, tmp: usize, kv: usize, nSv: i32, cols: i32, x: usize, rowCount: i32, kindArg: i32, gammaArg: f64, coef0Arg: f64, degreeArg: i32, coef: usize, rho: usize, perClass: usize, k: i32, out: usize): void {
  P = p; SQ = sq; TMP = tmp; KV = kv; svCount = nSv; nCols = cols;
  kind = kindArg; gamma = gammaArg; coef0 = coef0Arg; degree = degreeArg;
  COEF = coef; RHOS = rho; NPC = perClass; classes = k;
  rowNorms(nSv);
  const rowBytes = <usize>cols << 3;
  for (let r = 0; r < rowCount; r++) {
    memory.copy(rowAt(nSv), x + <usize>r * rowBytes, rowBytes);
    decideRow(out, r);
  }
}

/** One row (in the slot after the support vectors): a function of its own so V8 optimises it between calls. */
function decideRow(out: usize, r: i32): void {
  const nSv = svCount;
  const sqx = squaredNorm(rowAt(nSv));
  dotsInto(nSv, 0, nSv);
  for (let v = 0; v < nSv; v++) setF64(KV, v, kernelValue(f64At(TMP, v), sqx, f64At(SQ, v)));
  if (classes == 0) {
    let s: f64 = 0;
    for (let v = 0; v < nSv; v++) s += f64At(COEF, v) * f64At(KV, v);
    setF64(out, r, s - f64At(RHOS, 0));
    return;
  }
  const k = classes, nPairs = (k * (k - 1)) / 2;
  let pair = 0, si = 0;
  for (let i = 0; i < k; i++) {
    const ni = i32At(NPC, i);
    let sj = si + ni;
    for (let j = i + 1; j < k; j++) {
      const nj = i32At(NPC, j);
      const c1 = (j - 1) * nSv, c2 = i * nSv;
      let s: f64 = 0;
      for (let t = 0; t < ni; t++) s += f64At(COEF, c1 + si + t) * f64At(KV, si + t);
      for (let t = 0; t < nj; t++) s += f64At(COEF, c2 + sj + t) * f64At(KV, sj + t);
      setF64(out, r * nPairs + pair, s - f64At(RHOS, pair));
      pair++;
      sj += nj;
    }
    si += ni;
  }
}

// ======================= cross-validation decision values (train.ts's binaryDecision) =======================

/** <a, b> over nCols values exactly as kernel.ts's dot: four running sums, then s0 + s1 + (s2 + s3). */
@inline function dotScalar4(a: usize, b: usize): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let k = 0;
  for (; k + 3 < nCols; k += 4) {
    const o = <usize>k << 3;
    s0 += load<f64>(a + o) * load<f64>(b + o);
    s1 += load<f64>(a + o, 8) * load<f64>(b + o, 8);
    s2 += load<f64>(a + o, 16) * load<f64>(b + o, 16);
    s3 += load<f64>(a + o, 24) * load<f64>(b + o, 24);
  }
  for (; k < nCols; k++) s0 += load<f64>(a + (<usize>k << 3)) * load<f64>(b + (<usize>k << 3));
  return s0 + s1 + (s2 + s3);
}

/**
 * Decision values of a fold's model at held-out training rows, as train.ts's binaryDecision with
 * kernel.ts's KernelRows.at: for each target row, the sum over the fold's rows k with a non-zero
 * alpha (in `rows` order) of alpha[k] K(row k, target), minus rho. The matrix is at x (cols wide);
 * rows and targets are row indices into it; sq is scratch for the fold rows' squared norms.
 * Why here: run as JavaScript, these loops were most of a first probability fit.
 */
export function cvDecisions(x: usize, cols: i32, rows: usize, l: i32, alpha: usize, rho: f64, targets: usize, nTargets: i32, kindArg: i32, gammaArg: f64, coef0Arg: f64, degreeArg: i32, sq: usize, out: usize): void {
  nCols = cols; kind = kindArg; gamma = gammaArg; coef0 = coef0Arg; degree = degreeArg;
  const rowBytes = <usize>cols << 3;
  for (let k = 0; k < l; k++) setF64(sq, k, squaredNorm(x + <usize>i32At(rows, k) * rowBytes));
  for (let t = 0; t < nTargets; t++) setF64(out, t, cvDecision(x, rows, l, alpha, rho, sq, x + <usize>i32At(targets, t) * rowBytes));
}

/** One held-out row: a function of its own so V8 optimises it between calls. */
function cvDecision(x: usize, rows: usize, l: i32, alpha: usize, rho: f64, sq: usize, target: usize): f64 {
  const rowBytes = <usize>nCols << 3;
  const sqr = squaredNorm(target);
  let sum: f64 = 0;
  for (let k = 0; k < l; k++) {
    const a = f64At(alpha, k);
    if (a != 0) sum += a * kernelValue(dotScalar4(x + <usize>i32At(rows, k) * rowBytes, target), f64At(sq, k), sqr);
  }
  return sum - rho;
}

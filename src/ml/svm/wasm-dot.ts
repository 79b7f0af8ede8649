/**
 * The hot loops of SVM training and prediction as a tiny WebAssembly module assembled here from
 * bytes (no build step, no binary file), with a plain JavaScript fallback where WebAssembly SIMD
 * is unavailable:
 *   dots: one row against many, f64x2 SIMD with two accumulators;
 *   rbf:  the same dot products turned into a kernel-cache row y_i y_j exp(-gamma |x_i - x_j|^2)
 *         in float32, with exp by range reduction and a degree-11 polynomial (relative error
 *         below 1e-14, far under float32's 6e-8, so cached values match Math.exp's but for a
 *         rare last-bit rounding).
 *
 * The engine holds the rows of the current problem in position order (P), and the solver's
 * swaps move the rows themselves: a kernel row then streams through memory in order, which the
 * hardware prefetcher follows (with a permutation table the 40-column dot products were bound by
 * memory latency on the 16,000-row benchmark).
 *
 * Memory layout: P (capacity x cols doubles) | squared norms (doubles) | y scale (Int8) |
 * out (doubles) | out32 (floats).
 */

// --- a minimal WebAssembly binary emitter, just enough for two functions ---
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function f64(v: number): number[] {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v, true);
  return [0x44, ...Array.from(new Uint8Array(b.buffer))];
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Opcodes used below.
const GET = 0x20,
  SET = 0x21,
  TEE = 0x22,
  I32 = 0x41,
  ADD = 0x6a,
  MUL = 0x6c,
  AND = 0x71,
  SHL = 0x74,
  GE_S = 0x4e;
const BLOCK = [0x02, 0x40],
  LOOP = [0x03, 0x40],
  END = 0x0b,
  BR = 0x0c,
  BR_IF = 0x0d;
const I32_LOAD8_S = [0x2c, 0, 0],
  F64_LOAD = [0x2b, 3, 0],
  F64_STORE = [0x39, 3, 0],
  F32_STORE = [0x38, 2, 0];
const F64_ADD = 0xa0,
  F64_SUB = 0xa1,
  F64_MUL = 0xa2,
  F64_LT = 0x63,
  SELECT = 0x1b;
const F64_CONVERT_I32_S = 0xb7,
  F32_DEMOTE = 0xb6,
  I64_CONST = 0x42,
  I64_ADD = 0x7c,
  I64_SHL = 0x86,
  F64_REINTERPRET = 0xbf;
const V128_LOAD = (offset: number) => [0xfd, 0x00, 3, ...uleb(offset)];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const F64X2_ADD = [0xfd, ...uleb(0xf0)],
  F64X2_MUL = [0xfd, ...uleb(0xf2)];
const LANE = (i: number) => [0xfd, 0x21, i];
const I32T = 0x7f,
  F64T = 0x7c,
  V128T = 0x7b;

interface DotLocals {
  a: number;
  rowByte: number;
  k: number;
  nb: number;
  n4b: number;
  acc0: number;
  acc1: number;
  sum: number;
}

/** Code leaving <row at byte a, row at byte rowByte> in local `sum` (k, acc0, acc1 are scratch). */
function dotCode(l: DotLocals): number[] {
  return [
    ...V128_ZERO,
    SET,
    l.acc0,
    ...V128_ZERO,
    SET,
    l.acc1,
    I32,
    0,
    SET,
    l.k,
    ...BLOCK,
    ...LOOP,
    GET,
    l.k,
    GET,
    l.n4b,
    GE_S,
    BR_IF,
    1,
    GET,
    l.acc0,
    GET,
    l.a,
    GET,
    l.k,
    ADD,
    ...V128_LOAD(0),
    GET,
    l.rowByte,
    GET,
    l.k,
    ADD,
    ...V128_LOAD(0),
    ...F64X2_MUL,
    ...F64X2_ADD,
    SET,
    l.acc0,
    GET,
    l.acc1,
    GET,
    l.a,
    GET,
    l.k,
    ADD,
    ...V128_LOAD(16),
    GET,
    l.rowByte,
    GET,
    l.k,
    ADD,
    ...V128_LOAD(16),
    ...F64X2_MUL,
    ...F64X2_ADD,
    SET,
    l.acc1,
    GET,
    l.k,
    I32,
    32,
    ADD,
    SET,
    l.k,
    BR,
    0,
    END,
    END,
    GET,
    l.acc0,
    GET,
    l.acc1,
    ...F64X2_ADD,
    TEE,
    l.acc0,
    ...LANE(0),
    GET,
    l.acc0,
    ...LANE(1),
    F64_ADD,
    SET,
    l.sum,
    ...BLOCK,
    ...LOOP,
    GET,
    l.k,
    GET,
    l.nb,
    GE_S,
    BR_IF,
    1,
    GET,
    l.sum,
    GET,
    l.a,
    GET,
    l.k,
    ADD,
    ...F64_LOAD,
    GET,
    l.rowByte,
    GET,
    l.k,
    ADD,
    ...F64_LOAD,
    F64_MUL,
    F64_ADD,
    SET,
    l.sum,
    GET,
    l.k,
    I32,
    8,
    ADD,
    SET,
    l.k,
    BR,
    0,
    END,
    END,
  ];
}

/** for j in [start, end): row j starts at byte j * n * 8; `body` uses it. */
function rowLoop(p: { start: number; end: number; n: number }, l: { j: number; rowByte: number; nb: number; n4b: number }, body: number[]): number[] {
  return [
    GET,
    p.n,
    I32,
    3,
    SHL,
    SET,
    l.nb,
    GET,
    l.nb,
    I32,
    ...sleb(-32),
    AND,
    SET,
    l.n4b,
    GET,
    p.start,
    SET,
    l.j,
    GET,
    p.start,
    GET,
    l.nb,
    MUL,
    SET,
    l.rowByte,
    ...BLOCK,
    ...LOOP,
    GET,
    l.j,
    GET,
    p.end,
    GE_S,
    BR_IF,
    1,
    ...body,
    GET,
    l.j,
    I32,
    1,
    ADD,
    SET,
    l.j,
    GET,
    l.rowByte,
    GET,
    l.nb,
    ADD,
    SET,
    l.rowByte,
    BR,
    0,
    END,
    END,
  ];
}

// exp(x) = 2^k e^r with k = round(x log2 e) and |r| <= ln2 / 2; e^r by its Taylor polynomial to
// degree 11 (error < 1e-14) in Estrin's scheme, whose short dependency chains keep the processor
// busy. k is rounded by adding 1.5 * 2^52, whose low mantissa bits then hold k for building 2^k.
const LOG2E = Math.LOG2E,
  LN2_HI = 6.9314718036912381649e-1,
  LN2_LO = 1.90821492927058770002e-10,
  SHIFTER = 6755399441055744;
const C = Array.from({ length: 12 }, (_, i) => 1 / [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800][i]);
const I64_REINTERPRET = 0xbd;

/** Code replacing local x (f64) by exp(x) for x <= 700 (RBF exponents are <= 0); below -700 gives exp(-700), 0 in float32. t, r2, r4 are f64 scratch locals. */
function expCode(x: number, t: number, r2: number, r4: number): number[] {
  const pair = (lo: number): number[] => [...f64(C[lo + 1]), GET, x, F64_MUL, ...f64(C[lo]), F64_ADD]; // C[lo] + C[lo+1] r
  const quad = (lo: number): number[] => [...pair(lo), ...pair(lo + 2), GET, r2, F64_MUL, F64_ADD]; // + r^2 (C[lo+2] + C[lo+3] r)
  return [
    ...f64(-700),
    GET,
    x,
    GET,
    x,
    ...f64(-700),
    F64_LT,
    SELECT,
    TEE,
    x,
    ...f64(LOG2E),
    F64_MUL,
    ...f64(SHIFTER),
    F64_ADD,
    SET,
    t,
    // r = x - k ln2, k = t - SHIFTER, in two parts for accuracy
    GET,
    x,
    GET,
    t,
    ...f64(SHIFTER),
    F64_SUB,
    TEE,
    r2,
    ...f64(LN2_HI),
    F64_MUL,
    F64_SUB,
    GET,
    r2,
    ...f64(LN2_LO),
    F64_MUL,
    F64_SUB,
    SET,
    x,
    GET,
    x,
    GET,
    x,
    F64_MUL,
    TEE,
    r2,
    GET,
    r2,
    F64_MUL,
    SET,
    r4,
    ...quad(0),
    ...quad(4),
    GET,
    r4,
    F64_MUL,
    F64_ADD,
    ...quad(8),
    GET,
    r4,
    GET,
    r4,
    F64_MUL,
    F64_MUL,
    F64_ADD,
    // times 2^k: (bits(t) + 1023) << 52 keeps exactly the biased exponent k + 1023
    GET,
    t,
    I64_REINTERPRET,
    I64_CONST,
    ...sleb(1023),
    I64_ADD,
    I64_CONST,
    ...sleb(52),
    I64_SHL,
    F64_REINTERPRET,
    F64_MUL,
    SET,
    x,
  ];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  // dots(a, start, end, n, out): out[j] = <row at byte a, row j> (f64).
  const dots = (() => {
    const P = { a: 0, start: 1, end: 2, n: 3, out: 4 };
    const L = { j: 5, rowByte: 6, k: 7, nb: 8, n4b: 9, acc0: 10, acc1: 11, sum: 12 };
    const body = [...dotCode({ ...L, a: P.a }), GET, P.out, GET, L.j, I32, 3, SHL, ADD, GET, L.sum, ...F64_STORE];
    return [
      ...vec([
        [5, I32T],
        [2, V128T],
        [1, F64T],
      ]),
      ...rowLoop(P, L, body),
      END,
    ];
  })();
  // rbf(a, start, end, n, out32, sq, sqa, gamma, scale, yi, tmp):
  //   out32[j] = yi * scale[j] * exp(-gamma * (sqa + sq[j] - 2 <row at byte a, row j>)) (f32).
  // Two passes: the exponents into tmp, then the exps. Separate, the exp iterations are
  // independent and short, so the processor overlaps them; fused behind each dot product, the
  // polynomial's latency chain made the kernel row three times slower.
  const rbf = (() => {
    const P = { a: 0, start: 1, end: 2, n: 3, out: 4, sq: 5, sqa: 6, gamma: 7, scale: 8, yi: 9, tmp: 10 };
    const L = { j: 11, rowByte: 12, k: 13, nb: 14, n4b: 15, acc0: 16, acc1: 17, sum: 18, x: 19, t: 20, r2: 21, r4: 22 };
    const exponents = [
      ...dotCode({ ...L, a: P.a }),
      GET,
      P.tmp,
      GET,
      L.j,
      I32,
      3,
      SHL,
      ADD,
      GET,
      P.gamma,
      GET,
      L.sum,
      ...f64(2),
      F64_MUL,
      GET,
      P.sqa,
      F64_SUB,
      GET,
      P.sq,
      GET,
      L.j,
      I32,
      3,
      SHL,
      ADD,
      ...F64_LOAD,
      F64_SUB,
      F64_MUL,
      ...F64_STORE,
    ];
    const exps = [
      GET,
      P.start,
      SET,
      L.j,
      ...BLOCK,
      ...LOOP,
      GET,
      L.j,
      GET,
      P.end,
      GE_S,
      BR_IF,
      1,
      GET,
      P.tmp,
      GET,
      L.j,
      I32,
      3,
      SHL,
      ADD,
      ...F64_LOAD,
      SET,
      L.x,
      ...expCode(L.x, L.t, L.r2, L.r4),
      GET,
      P.out,
      GET,
      L.j,
      I32,
      2,
      SHL,
      ADD,
      GET,
      L.x,
      GET,
      P.yi,
      F64_MUL,
      GET,
      P.scale,
      GET,
      L.j,
      ADD,
      ...I32_LOAD8_S,
      F64_CONVERT_I32_S,
      F64_MUL,
      F32_DEMOTE,
      ...F32_STORE,
      GET,
      L.j,
      I32,
      1,
      ADD,
      SET,
      L.j,
      BR,
      0,
      END,
      END,
    ];
    return [
      ...vec([
        [5, I32T],
        [2, V128T],
        [5, F64T],
      ]),
      ...rowLoop(P, L, exponents),
      ...exps,
      END,
    ];
  })();
  const i32s = (n: number) => new Array<number[]>(n).fill([I32T]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(
      1,
      vec([
        [0x60, ...vec(i32s(5)), 0x00],
        [0x60, ...vec([...i32s(6), [F64T], [F64T], [I32T], [F64T], [I32T]]), 0x00],
      ]),
    ),
    ...section(2, vec([[...str('e'), ...str('m'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0x00], [0x01]])),
    ...section(
      7,
      vec([
        [...str('dots'), 0x00, 0x00],
        [...str('rbf'), 0x00, 0x01],
      ]),
    ),
    ...section(
      10,
      vec([
        [...uleb(dots.length), ...dots],
        [...uleb(rbf.length), ...rbf],
      ]),
    ),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

type DotsFn = (a: number, start: number, end: number, n: number, out: number) => void;
type RbfFn = (
  a: number,
  start: number,
  end: number,
  n: number,
  out32: number,
  sq: number,
  sqa: number,
  gamma: number,
  scale: number,
  yi: number,
  tmp: number,
) => void;

/**
 * Rows of one problem in position order, with dot products and RBF kernel rows of one position
 * against a range of positions. Positions are swapped by moving the rows.
 */
export class DotEngine {
  /** Row-major rows in position order (inside WebAssembly memory when SIMD is available). */
  readonly P: Float64Array;
  /** Squared norm of the row at each position. */
  readonly sq: Float64Array;
  /** +1/-1 per position, the problem's labels (all +1 when unused). */
  readonly scale: Int8Array;
  readonly out: Float64Array;
  readonly out32: Float32Array;
  private readonly fn: { dots: DotsFn; rbf: RbfFn } | null;
  private readonly at: { sq: number; scale: number; out: number; out32: number };

  constructor(
    readonly capacity: number,
    readonly nCols: number,
    useWasm = true,
  ) {
    const mod = useWasm ? wasmModule() : null;
    const pad = (b: number) => Math.ceil(b / 16) * 16;
    const sq = capacity * nCols * 8,
      scale = sq + capacity * 8,
      out = scale + pad(capacity),
      out32 = out + capacity * 8,
      total = out32 + pad(capacity * 4);
    this.at = { sq, scale, out, out32 };
    let memory: WebAssembly.Memory | null = null;
    try {
      // More than WebAssembly's 4 GB address space (or a refused allocation): plain JavaScript.
      if (mod) memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536) + 1 });
    } catch {
      memory = null;
    }
    let buffer: ArrayBuffer;
    if (mod && memory) {
      const exports = new WebAssembly.Instance(mod, { e: { m: memory } }).exports;
      this.fn = { dots: exports.dots as DotsFn, rbf: exports.rbf as RbfFn };
      buffer = memory.buffer;
    } else {
      this.fn = null;
      buffer = new ArrayBuffer(total);
    }
    this.P = new Float64Array(buffer, 0, capacity * nCols);
    this.sq = new Float64Array(buffer, sq, capacity);
    this.scale = new Int8Array(buffer, scale, capacity).fill(1);
    this.out = new Float64Array(buffer, out, capacity);
    this.out32 = new Float32Array(buffer, out32, capacity);
  }

  /** Copies rows `rows` of X (row-major, nCols wide) to positions 0.. and labels them with y (or +1). */
  load(X: Float64Array, rows: ArrayLike<number>, y?: Int8Array): void {
    const n = this.nCols;
    for (let i = 0; i < rows.length; i++) this.setRow(i, X, rows[i] * n);
    if (y) this.scale.set(y);
    else this.scale.fill(1, 0, rows.length);
  }

  /** Copies the row at offset `from` of `src` to position i and updates its norm. */
  setRow(i: number, src: Float64Array, from: number): void {
    const n = this.nCols,
      P = this.P,
      o = i * n;
    let s = 0;
    for (let k = 0; k < n; k++) {
      const v = src[from + k];
      P[o + k] = v;
      s += v * v;
    }
    this.sq[i] = s;
  }

  swap(i: number, j: number): void {
    const n = this.nCols,
      P = this.P,
      a = i * n,
      b = j * n;
    for (let k = 0; k < n; k++) {
      const t = P[a + k];
      P[a + k] = P[b + k];
      P[b + k] = t;
    }
    const t = this.sq[i];
    this.sq[i] = this.sq[j];
    this.sq[j] = t;
    const s = this.scale[i];
    this.scale[i] = this.scale[j];
    this.scale[j] = s;
  }

  /** out[j] = <P[i], P[j]> for positions j in [start, end). */
  dots(i: number, start: number, end: number): void {
    const n = this.nCols;
    if (this.fn) {
      this.fn.dots(i * n * 8, start, end, n, this.at.out);
      return;
    }
    const P = this.P,
      out = this.out,
      a = i * n;
    for (let j = start; j < end; j++) {
      const b = j * n;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        k = 0;
      for (; k + 3 < n; k += 4) {
        s0 += P[a + k] * P[b + k];
        s1 += P[a + k + 1] * P[b + k + 1];
        s2 += P[a + k + 2] * P[b + k + 2];
        s3 += P[a + k + 3] * P[b + k + 3];
      }
      for (; k < n; k++) s0 += P[a + k] * P[b + k];
      out[j] = s0 + s1 + (s2 + s3);
    }
  }

  /** out32[j] = scale[i] * scale[j] * exp(-gamma |P[i] - P[j]|^2) for positions j in [start, end); overwrites `out`. */
  rbf(i: number, start: number, end: number, gamma: number): void {
    const yi = this.scale[i];
    if (this.fn) {
      this.fn.rbf(i * this.nCols * 8, start, end, this.nCols, this.at.out32, this.at.sq, this.sq[i], gamma, this.at.scale, yi, this.at.out);
      return;
    }
    this.dots(i, start, end);
    const d = this.out,
      sq = this.sq,
      scale = this.scale,
      out = this.out32,
      sqa = sq[i];
    for (let j = start; j < end; j++) out[j] = yi * scale[j] * Math.exp(-gamma * (sqa + sq[j] - 2 * d[j]));
  }
}

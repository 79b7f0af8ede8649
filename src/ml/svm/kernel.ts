/**
 * Kernel functions (libsvm's linear, rbf, poly, sigmoid from a dot product and squared norms),
 * and the kernel over one problem's training rows as the solver sees them: by position, with
 * positions swapped by shrinking. The heavy loops live in the DotEngine (wasm-dot.ts).
 */
import type { KernelParams } from './types.js';
import type { DotEngine } from './wasm-dot.js';

/** Squared Euclidean norm of every row (the RBF kernel uses |a-b|^2 = |a|^2 + |b|^2 - 2ab). */
export function rowSquaredNorms(X: Float64Array, nRows: number, nCols: number): Float64Array {
  const out = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let s = 0;
    const o = r * nCols;
    for (let k = 0; k < nCols; k++) s += X[o + k] * X[o + k];
    out[r] = s;
  }
  return out;
}

export function dot(A: Float64Array, a: number, B: Float64Array, b: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += A[a + k] * B[b + k];
    s1 += A[a + k + 1] * B[b + k + 1];
    s2 += A[a + k + 2] * B[b + k + 2];
    s3 += A[a + k + 3] * B[b + k + 3];
  }
  for (; k < n; k++) s0 += A[a + k] * B[b + k];
  return s0 + s1 + (s2 + s3);
}

/** Integer power by squaring, as libsvm's powi. */
function powi(base: number, times: number): number {
  let tmp = base,
    ret = 1;
  for (let t = times; t > 0; t = Math.floor(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

/** Turns a dot product (and the squared norms, for RBF) into the kernel value. */
export function kernelFromDot(p: KernelParams, d: number, sqA: number, sqB: number): number {
  switch (p.kernel) {
    case 'linear':
      return d;
    case 'rbf':
      return Math.exp(-p.gamma * (sqA + sqB - 2 * d));
    case 'poly':
      return powi(p.gamma * d + p.coef0, p.degree);
    case 'sigmoid':
      return Math.tanh(p.gamma * d + p.coef0);
  }
}

/**
 * The kernel on the training rows of one problem, addressed by position (libsvm's view), with
 * per-position labels (+1/-1, or all +1). The rows live in the shared DotEngine in position
 * order, so only one KernelRows per engine may be in use at a time (training solves its binary
 * problems one after another).
 */
export class KernelRows {
  /** Training-row index at each position. */
  readonly rows: Int32Array;
  private readonly kind: number;

  constructor(
    private readonly engine: DotEngine,
    private readonly X: Float64Array,
    rows: Int32Array,
    y: Int8Array | undefined,
    private readonly p: KernelParams,
  ) {
    engine.load(X, rows, y);
    this.rows = Int32Array.from(rows);
    this.kind = p.kernel === 'linear' ? 0 : p.kernel === 'rbf' ? 1 : 2;
  }

  swap(i: number, j: number): void {
    const t = this.rows[i];
    this.rows[i] = this.rows[j];
    this.rows[j] = t;
    this.engine.swap(i, j);
  }

  /** K(position i, position i). */
  diag(i: number): number {
    const sq = this.engine.sq[i];
    return kernelFromDot(this.p, sq, sq, sq);
  }

  /** K(position i, training row r with squared norm sqr): decision values during cross-validation. */
  at(i: number, r: number, sqr: number): number {
    const n = this.engine.nCols;
    return kernelFromDot(this.p, dot(this.engine.P, i * n, this.X, r * n, n), this.engine.sq[i], sqr);
  }

  /** out[j] = y_i y_j K(i, j) for positions j in [start, end), in float32 as libsvm's Qfloat. */
  fill(i: number, out: Float32Array, start: number, end: number): void {
    const e = this.engine;
    if (this.kind === 1) {
      e.rbf(i, start, end, this.p.gamma);
      out.set(e.out32.subarray(start, end), start);
      return;
    }
    e.dots(i, start, end);
    const d = e.out,
      scale = e.scale,
      yi = scale[i],
      sq = e.sq,
      sqa = sq[i];
    if (this.kind === 0) for (let j = start; j < end; j++) out[j] = yi * scale[j] * d[j];
    else for (let j = start; j < end; j++) out[j] = yi * scale[j] * kernelFromDot(this.p, d[j], sqa, sq[j]);
  }
}

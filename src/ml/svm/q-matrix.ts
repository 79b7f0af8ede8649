/**
 * The Q matrices of libsvm's dual problems, served row by row through the kernel cache:
 * C-SVC uses Q_ij = y_i y_j K(i, j); epsilon-SVR doubles the variables (alpha and alpha*) and
 * maps both halves onto one cached kernel row.
 */
import { KernelCache } from './cache.js';
import type { KernelRows } from './kernel.js';

export interface QMatrix {
  /** Diagonal Q_ii. */
  readonly QD: Float64Array;
  /** Row i of Q; entries [0, len) are valid. The array may be reused by later calls. */
  getQ(i: number, len: number): Float32Array;
  swapIndex(i: number, j: number): void;
}

export class SvcQ implements QMatrix {
  readonly QD: Float64Array;
  private readonly cache: KernelCache;

  /** `kernel` carries the labels y (its scale), so rows come out as y_i y_j K(i, j). */
  constructor(
    private readonly kernel: KernelRows,
    cacheMb: number,
  ) {
    const l = kernel.rows.length;
    this.cache = new KernelCache(l, l, cacheMb);
    this.QD = new Float64Array(l);
    for (let i = 0; i < l; i++) this.QD[i] = kernel.diag(i);
  }

  getQ(i: number, len: number): Float32Array {
    const row = this.cache.getData(i, len);
    const start = this.cache.start;
    if (start < len) this.kernel.fill(i, row, start, len);
    return row;
  }

  swapIndex(i: number, j: number): void {
    this.cache.swapIndex(i, j);
    this.kernel.swap(i, j);
    const QD = this.QD;
    const tq = QD[i];
    QD[i] = QD[j];
    QD[j] = tq;
  }
}

export class SvrQ implements QMatrix {
  readonly QD: Float64Array;
  private readonly cache: KernelCache;
  private readonly sign: Int8Array;
  private readonly index: Int32Array;
  private readonly buffers: [Float32Array, Float32Array];
  private nextBuffer = 0;
  private readonly n: number;

  constructor(
    private readonly kernel: KernelRows,
    n: number,
    cacheMb: number,
  ) {
    this.n = n;
    this.cache = new KernelCache(n, n, cacheMb);
    this.sign = new Int8Array(2 * n);
    this.index = new Int32Array(2 * n);
    this.QD = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      this.sign[k] = 1;
      this.sign[k + n] = -1;
      this.index[k] = k;
      this.index[k + n] = k;
      this.QD[k] = kernel.diag(k);
      this.QD[k + n] = this.QD[k];
    }
    this.buffers = [new Float32Array(2 * n), new Float32Array(2 * n)];
  }

  getQ(i: number, len: number): Float32Array {
    const real = this.index[i];
    const data = this.cache.getData(real, this.n);
    if (this.cache.start < this.n) this.kernel.fill(real, data, this.cache.start, this.n);
    // Two alternating buffers: the solver holds rows i and j at once.
    const buf = this.buffers[this.nextBuffer];
    this.nextBuffer = 1 - this.nextBuffer;
    const si = this.sign[i],
      sign = this.sign,
      index = this.index;
    for (let j = 0; j < len; j++) buf[j] = si * sign[j] * data[index[j]];
    return buf;
  }

  swapIndex(i: number, j: number): void {
    const s = this.sign,
      x = this.index,
      QD = this.QD;
    let t = s[i];
    s[i] = s[j];
    s[j] = t;
    t = x[i];
    x[i] = x[j];
    x[j] = t;
    t = QD[i];
    QD[i] = QD[j];
    QD[j] = t;
  }
}

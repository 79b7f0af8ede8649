/**
 * Training as libsvm's svm_train: C-SVC as one-vs-one binary problems over classes in
 * increasing label order (scikit-learn's ordering), with per-class C from class weights and
 * optional Platt scaling per pair; epsilon-SVR as one doubled problem. Each problem names its
 * rows by index into the caller's matrix; the kernel copies them into the DotEngine in the
 * solver's position order.
 */
import type { Rng } from '../../rng.js';
import type { CancellationPoint } from '../cancellation-point.js';
import { KernelRows } from './kernel.js';
import type { DotEngine } from './wasm-dot.js';
import { SvcQ, SvrQ } from './q-matrix.js';
import { sigmoidTrain } from './probability.js';
import { solve, type SolverResult } from './solver.js';
import type { KernelParams, SvmModel } from './types.js';
import type { WasmSvm } from './wasm-solver.js';

export interface TrainSettings {
  X: Float64Array;
  /** Holds the rows of the problem being solved (one problem at a time); created on first call. */
  engine: () => DotEngine;
  nRows: number;
  nCols: number;
  kernel: KernelParams;
  eps: number;
  cacheMb: number;
  shrinking: boolean;
  maxIter: number | undefined;
  onProgress: ((iterations: number) => void) | undefined;
  /** The compiled solver holding X, when available (else solver.ts; both give the same result). */
  wasm: WasmSvm | null;
  /** Awaited before each binary problem: where a cancelled fit stops. */
  point: CancellationPoint;
}

/** Counts iterations across every binary problem for progress reports. */
class IterationCounter {
  total = 0;
  /** False once any problem stopped at maxIter before meeting the tolerance. */
  converged = true;
  constructor(private readonly report: ((n: number) => void) | undefined) {}
  problem(): ((n: number) => void) | undefined {
    if (!this.report) return undefined;
    const base = this.total;
    return (n) => this.report?.(base + n);
  }
  add(res: SolverResult): void {
    this.total += res.iterations;
    if (res.hitMaxIter) this.converged = false;
  }
}

function maxIterFor(s: TrainSettings, l: number): number {
  return s.maxIter ?? Math.max(10_000_000, 100 * l);
}

/** One binary C-SVC problem on `rows` (y = +1/-1); alpha comes back multiplied by y. */
function solveBinary(s: TrainSettings, rows: Int32Array, y: Int8Array, Cp: number, Cn: number, counter: IterationCounter): SolverResult {
  const l = rows.length;
  const p = new Float64Array(l).fill(-1);
  const common = { p, y, Cp, Cn, eps: s.eps, shrinking: s.shrinking, maxIter: maxIterFor(s, l), onIterations: counter.problem() };
  const res =
    s.wasm?.solve({ ...common, rows, kernel: s.kernel, svr: false, cacheMb: s.cacheMb }) ??
    solve({ ...common, Q: new SvcQ(new KernelRows(s.engine(), s.X, rows, y, s.kernel), s.cacheMb), alpha: new Float64Array(l) });
  counter.add(res);
  for (let i = 0; i < l; i++) res.alpha[i] *= y[i];
  return res;
}

/** Decision value of a binary solution (on the rows bound to `kernel`) at training row `r`. */
function binaryDecision(s: TrainSettings, kernel: KernelRows, alpha: Float64Array, rho: number, r: number): number {
  let sqr = 0;
  for (let k = 0, o = r * s.nCols; k < s.nCols; k++) sqr += s.X[o + k] * s.X[o + k];
  let sum = 0;
  for (let k = 0; k < alpha.length; k++) if (alpha[k] !== 0) sum += alpha[k] * kernel.at(k, r, sqr);
  return sum - rho;
}

/** libsvm's svm_binary_svc_probability: 5-fold cross-validated decision values, then Platt's sigmoid. */
async function binaryProbability(
  s: TrainSettings,
  rows: Int32Array,
  y: Int8Array,
  Cp: number,
  Cn: number,
  rng: Rng,
  counter: IterationCounter,
): Promise<{ A: number; B: number }> {
  const l = rows.length,
    nrFold = 5;
  const perm = new Int32Array(l);
  for (let i = 0; i < l; i++) perm[i] = i;
  for (let i = 0; i < l; i++) {
    const j = i + rng.int(l - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const dec = new Float64Array(l);
  for (let f = 0; f < nrFold; f++) {
    const begin = Math.floor((f * l) / nrFold),
      end = Math.floor(((f + 1) * l) / nrFold);
    const subRows = new Int32Array(l - (end - begin));
    const subY = new Int8Array(subRows.length);
    let k = 0,
      pos = 0,
      neg = 0;
    for (let j = 0; j < l; j++) {
      if (j >= begin && j < end) continue;
      subRows[k] = rows[perm[j]];
      subY[k] = y[perm[j]];
      if (subY[k] > 0) pos++;
      else neg++;
      k++;
    }
    if (pos === 0 || neg === 0) {
      const v = pos > 0 ? 1 : neg > 0 ? -1 : 0;
      for (let j = begin; j < end; j++) dec[perm[j]] = v;
      continue;
    }
    await s.point();
    const sub = solveBinary(s, subRows, subY, Cp, Cn, counter);
    const heldOut = Int32Array.from({ length: end - begin }, (_, q) => rows[perm[begin + q]]);
    const compiled = s.wasm?.decisions(subRows, sub.alpha, sub.rho, heldOut, s.kernel);
    if (compiled) {
      for (let j = begin; j < end; j++) dec[perm[j]] = compiled[j - begin];
      continue;
    }
    // A fresh position table in the original order of subRows (the solver permuted the last one).
    const kernel = new KernelRows(s.engine(), s.X, subRows, undefined, s.kernel);
    for (let j = begin; j < end; j++) dec[perm[j]] = binaryDecision(s, kernel, sub.alpha, sub.rho, heldOut[j - begin]);
  }
  const positive = new Uint8Array(l);
  for (let i = 0; i < l; i++) positive[i] = y[i] > 0 ? 1 : 0;
  return sigmoidTrain(dec, positive);
}

function pickRows(s: TrainSettings, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length * s.nCols);
  for (let k = 0; k < indices.length; k++) out.set(s.X.subarray(indices[k] * s.nCols, (indices[k] + 1) * s.nCols), k * s.nCols);
  return out;
}

export interface ClassifierSettings {
  /** Class of each row as an index into `labels`. */
  classOf: Int32Array;
  labels: number[];
  /** C per class (C times the class weight). */
  weightedC: Float64Array;
  probability: boolean;
  rng: Rng;
}

/** One-vs-one C-SVC over all class pairs, assembled in libsvm's model layout. */
export async function trainClassifier(s: TrainSettings, c: ClassifierSettings): Promise<SvmModel> {
  const k = c.labels.length;
  const groups: number[][] = Array.from({ length: k }, () => []);
  for (let r = 0; r < s.nRows; r++) groups[c.classOf[r]].push(r);
  const isSv = new Uint8Array(s.nRows);
  const nPairs = (k * (k - 1)) / 2;
  const rho = new Float64Array(nPairs);
  const probA = c.probability ? new Float64Array(nPairs) : undefined;
  const probB = c.probability ? new Float64Array(nPairs) : undefined;
  const pairAlpha: Float64Array[] = [];
  const counter = new IterationCounter(s.onProgress);
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const gi = groups[i],
        gj = groups[j];
      const rows = Int32Array.from([...gi, ...gj]);
      const y = new Int8Array(rows.length);
      y.fill(1, 0, gi.length);
      y.fill(-1, gi.length);
      if (probA && probB) {
        const ab = await binaryProbability(s, rows, y, c.weightedC[i], c.weightedC[j], c.rng.fork(p), counter);
        probA[p] = ab.A;
        probB[p] = ab.B;
      }
      await s.point();
      const res = solveBinary(s, rows, y, c.weightedC[i], c.weightedC[j], counter);
      for (let t = 0; t < rows.length; t++) if (Math.abs(res.alpha[t]) > 0) isSv[rows[t]] = 1;
      rho[p] = res.rho;
      pairAlpha.push(res.alpha);
      p++;
    }
  }

  // Support vectors grouped by class, in training order within a class, as libsvm stores them.
  const nSupportPerClass = groups.map((g) => g.reduce((n, r) => n + isSv[r], 0));
  const start: number[] = [];
  const svIndex: number[] = [];
  for (let i = 0; i < k; i++) {
    start.push(svIndex.length);
    for (const r of groups[i]) if (isSv[r]) svIndex.push(r);
  }
  const nSv = svIndex.length;
  const svCoef = new Float64Array(Math.max(1, k - 1) * nSv);
  p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const alpha = pairAlpha[p];
      const gi = groups[i],
        gj = groups[j];
      let q = start[i];
      for (let t = 0; t < gi.length; t++) if (isSv[gi[t]]) svCoef[(j - 1) * nSv + q++] = alpha[t];
      q = start[j];
      for (let t = 0; t < gj.length; t++) if (isSv[gj[t]]) svCoef[i * nSv + q++] = alpha[gi.length + t];
      p++;
    }
  }
  return {
    type: 'c-svc',
    ...s.kernel,
    nFeatures: s.nCols,
    labels: c.labels,
    nSupportPerClass,
    nSupport: nSv,
    supportVectors: pickRows(s, svIndex),
    supportIndices: Int32Array.from(svIndex),
    svCoef,
    rho,
    probA,
    probB,
    iterations: counter.total,
    converged: counter.converged,
  };
}

/** epsilon-SVR: variables alpha (first n) and alpha* (last n) on one doubled problem. */
export function trainRegressor(s: TrainSettings, y: Float64Array, C: number, epsilon: number): SvmModel {
  const n = s.nRows;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  const p = new Float64Array(2 * n);
  const y2 = new Int8Array(2 * n);
  for (let i = 0; i < n; i++) {
    p[i] = epsilon - y[i];
    y2[i] = 1;
    p[i + n] = epsilon + y[i];
    y2[i + n] = -1;
  }
  const counter = new IterationCounter(s.onProgress);
  const common = { p, y: y2, Cp: C, Cn: C, eps: s.eps, shrinking: s.shrinking, maxIter: maxIterFor(s, 2 * n), onIterations: counter.problem() };
  const res =
    s.wasm?.solve({ ...common, rows, kernel: s.kernel, svr: true, cacheMb: s.cacheMb }) ??
    solve({ ...common, Q: new SvrQ(new KernelRows(s.engine(), s.X, rows, undefined, s.kernel), n, s.cacheMb), alpha: new Float64Array(2 * n) });
  counter.add(res);
  const svIndex: number[] = [];
  const coef: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = res.alpha[i] - res.alpha[i + n];
    if (Math.abs(a) > 0) {
      svIndex.push(i);
      coef.push(a);
    }
  }
  return {
    type: 'epsilon-svr',
    ...s.kernel,
    nFeatures: s.nCols,
    labels: [],
    nSupportPerClass: [svIndex.length],
    nSupport: svIndex.length,
    supportVectors: pickRows(s, svIndex),
    supportIndices: Int32Array.from(svIndex),
    svCoef: Float64Array.from(coef),
    rho: Float64Array.of(res.rho),
    iterations: counter.total,
    converged: counter.converged,
  };
}

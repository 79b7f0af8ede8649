/**
 * KernelSHAP (Lundberg & Lee 2017) for any model that maps a feature matrix to outputs: the
 * Shapley values of the "interventional" value function v(S) = mean over background rows b of
 * f(x_S, b_notS), found as the weighted least-squares fit of v over coalitions with the Shapley
 * kernel weights and the efficiency constraint sum(phi) = f(x) - v({}).
 *
 * Up to `exactUpTo` features (12) every coalition is used, and the least-squares solution is then
 * the exact Shapley value. Beyond, coalitions are sampled (seeded, in complementary pairs, sizes
 * drawn from the kernel) and the error is estimated by a bootstrap over the sampled pairs.
 */
import { StepInputError } from '../errors.js';
import { createRng } from '../rng.js';
import type { Rng } from '../rng.js';

/** The model as a function of a feature matrix: row-major nRows x nOut outputs. */
export type BatchModel = (X: Float64Array, nRows: number) => Float64Array;

export interface KernelShapOptions {
  /** Seed for sampled coalitions and their bootstrap (0). */
  seed?: number;
  /** Sampled mode: coalitions per row (2048 + 2 x features, rounded up to even). */
  samples?: number;
  /** Largest feature count explained with every coalition (12). */
  exactUpTo?: number;
}

export interface KernelShapResult {
  method: 'exact' | 'sampled';
  /** v({}): the mean output over the background, per output. */
  base: Float64Array;
  /** f(x) per row and output, row-major nRows x nOut. */
  predictions: Float64Array;
  /** Row-major nRows x nOut x nFeatures. */
  contributions: Float64Array;
  /** Sampled mode: the largest bootstrap standard error of any contribution. */
  error?: number;
}

/** Bootstrap replicates for the sampled mode's error estimate. */
const BOOTSTRAP = 30;
/** Model rows evaluated per call when computing v over coalitions. */
const CHUNK_ROWS = 1 << 15;

/** Shapley kernel weight of a coalition of `s` of `m` features (0 < s < m). */
function kernelWeight(m: number, s: number): number {
  let binom = 1;
  for (let i = 1; i <= s; i++) binom = (binom * (m - s + i)) / i;
  return (m - 1) / (binom * s * (m - s));
}

interface Coalitions {
  /** Row-major count x m membership (1: the feature takes the explained row's value). */
  z: Uint8Array;
  count: number;
  weight: Float64Array;
}

function allCoalitions(m: number): Coalitions {
  const count = (1 << m) - 2;
  const z = new Uint8Array(count * m);
  const weight = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const mask = k + 1;
    let s = 0;
    for (let i = 0; i < m; i++) if (mask & (1 << i)) (z[k * m + i] = 1), s++;
    weight[k] = kernelWeight(m, s);
  }
  return { z, count, weight };
}

/** Pairs of complementary coalitions; sizes follow the kernel, members are uniform given the size. */
function sampledCoalitions(m: number, samples: number, rng: Rng): Coalitions {
  const pairs = Math.ceil(samples / 2);
  const sizeWeight = Array.from({ length: m - 1 }, (_, i) => (m - 1) / ((i + 1) * (m - 1 - i)));
  const total = sizeWeight.reduce((a, b) => a + b, 0);
  const z = new Uint8Array(pairs * 2 * m);
  const order = Int32Array.from({ length: m }, (_, i) => i);
  for (let p = 0; p < pairs; p++) {
    let u = rng.next() * total;
    let s = 1;
    while (s < m - 1 && u >= sizeWeight[s - 1]) u -= sizeWeight[s++ - 1];
    for (let i = 0; i < s; i++) {
      const j = i + rng.int(m - i);
      const t = order[j];
      order[j] = order[i];
      order[i] = t;
    }
    const a = 2 * p * m;
    const b = a + m;
    for (let i = 0; i < m; i++) z[b + i] = 1;
    for (let i = 0; i < s; i++) (z[a + order[i]] = 1), (z[b + order[i]] = 0);
  }
  // Sampled from the kernel, so each coalition counts once.
  return { z, count: pairs * 2, weight: new Float64Array(pairs * 2).fill(1) };
}

/** v(S) - for each coalition and output: the mean model output with S from x and the rest from the background. */
function coalitionValues(f: BatchModel, nOut: number, x: Float64Array, bg: Float64Array, nBg: number, m: number, c: Coalitions): Float64Array {
  const values = new Float64Array(c.count * nOut);
  const perChunk = Math.max(1, Math.floor(CHUNK_ROWS / nBg));
  for (let start = 0; start < c.count; start += perChunk) {
    const end = Math.min(c.count, start + perChunk);
    const rows = (end - start) * nBg;
    const X = new Float64Array(rows * m);
    for (let k = start; k < end; k++)
      for (let b = 0; b < nBg; b++) {
        const at = ((k - start) * nBg + b) * m;
        for (let i = 0; i < m; i++) X[at + i] = c.z[k * m + i] ? x[i] : bg[b * m + i];
      }
    const out = f(X, rows);
    for (let k = start; k < end; k++)
      for (let b = 0; b < nBg; b++) for (let o = 0; o < nOut; o++) values[k * nOut + o] += out[((k - start) * nBg + b) * nOut + o] / nBg;
  }
  return values;
}

/** Solves the symmetric positive definite system A x = b (n x n, row-major) by Cholesky; A and b are overwritten. */
function solveSpd(A: Float64Array, b: Float64Array, n: number, nRhs: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) throw new StepInputError("too few sampled coalitions to separate every feature's contribution: raise the number of samples (--samples)");
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / l;
    }
  }
  for (let r = 0; r < nRhs; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      let s = b[o + i];
      for (let k = 0; k < i; k++) s -= A[i * n + k] * b[o + k];
      b[o + i] = s / A[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[o + i];
      for (let k = i + 1; k < n; k++) s -= A[k * n + i] * b[o + k];
      b[o + i] = s / A[i * n + i];
    }
  }
}

/**
 * The constrained weighted least-squares fit for one row: phi (nOut x m). The last feature is
 * eliminated with the efficiency constraint, leaving an unconstrained (m-1)-dimensional problem.
 * `use` gives each coalition's multiplicity (the bootstrap resamples pairs through it).
 */
function fitRow(c: Coalitions, use: Float64Array, v: Float64Array, base: Float64Array, fx: Float64Array, m: number, nOut: number): Float64Array {
  const phi = new Float64Array(nOut * m);
  if (m === 1) {
    for (let o = 0; o < nOut; o++) phi[o] = fx[o] - base[o];
    return phi;
  }
  const n = m - 1;
  const A = new Float64Array(n * n);
  const b = new Float64Array(nOut * n);
  const xr = new Float64Array(n);
  for (let k = 0; k < c.count; k++) {
    const w = c.weight[k] * use[k];
    if (w === 0) continue;
    const zl = c.z[k * m + n];
    for (let i = 0; i < n; i++) xr[i] = c.z[k * m + i] - zl;
    for (let i = 0; i < n; i++) {
      if (xr[i] === 0) continue;
      for (let j = 0; j <= i; j++) A[i * n + j] += w * xr[i] * xr[j];
    }
    for (let o = 0; o < nOut; o++) {
      const y = v[k * nOut + o] - base[o] - zl * (fx[o] - base[o]);
      for (let i = 0; i < n; i++) b[o * n + i] += w * xr[i] * y;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  solveSpd(A, b, n, nOut);
  for (let o = 0; o < nOut; o++) {
    let sum = 0;
    for (let i = 0; i < n; i++) (phi[o * m + i] = b[o * n + i]), (sum += b[o * n + i]);
    phi[o * m + n] = fx[o] - base[o] - sum;
  }
  return phi;
}

/**
 * SHAP values of `f` for each row of X (row-major nRows x m) against the background rows
 * (row-major nBg x m). Rows are independent: a row's sampled coalitions come from the seed forked
 * by a hash of the row's values, so a patient explained alone or in a batch gets the same bits.
 */
export function kernelShap(
  f: BatchModel,
  nOut: number,
  background: Float64Array,
  nBg: number,
  X: Float64Array,
  nRows: number,
  m: number,
  options: KernelShapOptions = {},
): KernelShapResult {
  if (X.length !== nRows * m || background.length !== nBg * m)
    throw new Error(`KernelSHAP: expected ${nRows} rows and ${nBg} background rows of ${m} features`);
  const exact = m <= (options.exactUpTo ?? 12);
  const samples = options.samples ?? 2048 + 2 * m;
  const base = new Float64Array(nOut);
  const bgOut = f(background, nBg);
  for (let b = 0; b < nBg; b++) for (let o = 0; o < nOut; o++) base[o] += bgOut[b * nOut + o] / nBg;
  const predictions = nRows ? f(X, nRows) : new Float64Array(0);
  const contributions = new Float64Array(nRows * nOut * m);
  const all = exact ? allCoalitions(m) : undefined;
  let error = 0;
  for (let r = 0; r < nRows; r++) {
    const x = X.subarray(r * m, (r + 1) * m);
    const fx = predictions.subarray(r * nOut, (r + 1) * nOut);
    const rng = createRng(options.seed ?? 0).fork(rowLabel(x));
    const c = all ?? sampledCoalitions(m, samples, rng);
    const v = coalitionValues(f, nOut, x, background, nBg, m, c);
    const phi = fitRow(c, new Float64Array(c.count).fill(1), v, base, fx, m, nOut);
    contributions.set(phi, r * nOut * m);
    if (!exact) error = Math.max(error, bootstrapError(c, v, base, fx, m, nOut, phi, rng));
  }
  return { method: exact ? 'exact' : 'sampled', base, predictions, contributions, ...(exact ? {} : { error }) };
}

/** FNV-1a over the row's float64 bytes: the label a row's random draws are forked by. */
function rowLabel(x: Float64Array): number {
  const bytes = new Uint8Array(Float64Array.from(x).buffer);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The largest standard deviation, over contributions, of the fit on pairs resampled with replacement. */
function bootstrapError(c: Coalitions, v: Float64Array, base: Float64Array, fx: Float64Array, m: number, nOut: number, phi: Float64Array, rng: Rng): number {
  const pairs = c.count / 2;
  const sq = new Float64Array(phi.length);
  const use = new Float64Array(c.count);
  for (let rep = 0; rep < BOOTSTRAP; rep++) {
    use.fill(0);
    for (let p = 0; p < pairs; p++) {
      const q = rng.int(pairs);
      use[2 * q]++;
      use[2 * q + 1]++;
    }
    let boot: Float64Array;
    try {
      boot = fitRow(c, use, v, base, fx, m, nOut);
    } catch {
      continue; // a resample that misses a feature entirely says nothing about the spread
    }
    for (let i = 0; i < phi.length; i++) sq[i] += (boot[i] - phi[i]) ** 2;
  }
  let worst = 0;
  for (let i = 0; i < phi.length; i++) worst = Math.max(worst, Math.sqrt(sq[i] / BOOTSTRAP));
  return worst;
}

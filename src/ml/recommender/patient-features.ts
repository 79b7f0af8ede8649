/**
 * Patient features for hybrid recommenders: how a patient's columns become a standardised vector
 * (numeric columns centred and scaled, categorical ones one-hot then scaled, missing values imputed
 * at the training mean = 0), the ridge map from that vector to a factor model's patient factors,
 * and the nearest known patients by feature distance. Together they let a model recommend for a
 * patient it has never seen.
 */
import { StepInputError } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { choleskySolveInPlace } from './cholesky.js';
import { selectTopK } from './top-k.js';

export interface PatientFeatureSpec {
  name: string;
  kind: 'numeric' | 'categorical';
  /** categorical: the training categories, one standardised column each (others encode as all-average). */
  categories?: string[];
}

export interface FeatureScaling {
  specs: PatientFeatureSpec[];
  /** Per expanded column (numeric: one; categorical: one per category). */
  center: number[];
  scale: number[];
}

/** A feature value as a user gives it: a number, a category, or null for unknown. */
export type FeatureValue = number | string | null;

export function expandedWidth(specs: readonly PatientFeatureSpec[]): number {
  return specs.reduce((w, s) => w + (s.kind === 'numeric' ? 1 : s.categories!.length), 0);
}

/**
 * The standardised feature matrix (patients x width) of the training patients, from the row
 * `firstRow[u]` of each patient (features are per patient, so any of their rows would do).
 */
export function fitPatientFeatures(ds: Dataset, columns: readonly string[], firstRow: Int32Array): { scaling: FeatureScaling; X: Float64Array } {
  const specs: PatientFeatureSpec[] = columns.map((name) => {
    const c = ds.columns.find((x) => x.name === name);
    if (!c) throw new StepInputError(`patient feature "${name}" is not in the training table (columns: ${ds.columns.map((x) => x.name).join(', ')})`);
    if (c.data.type === 'numeric') return { name, kind: 'numeric' };
    if (c.data.type === 'categorical') return { name, kind: 'categorical', categories: [...c.data.categories] };
    throw new StepInputError(`patient feature "${name}" is ${c.data.type}: use numeric or categorical columns`);
  });
  const n = firstRow.length,
    d = expandedWidth(specs);
  const raw = new Float64Array(n * d);
  let col = 0;
  for (const s of specs) {
    const data = ds.columns.find((x) => x.name === s.name)!.data;
    if (data.type === 'numeric') {
      for (let u = 0; u < n; u++) raw[u * d + col] = data.values[firstRow[u]];
      col++;
    } else if (data.type === 'categorical') {
      const w = s.categories!.length;
      for (let u = 0; u < n; u++) {
        const code = data.codes[firstRow[u]];
        for (let c = 0; c < w; c++) raw[u * d + col + c] = code < 0 ? NaN : code === c ? 1 : 0;
      }
      col += w;
    }
  }
  const center = new Array<number>(d).fill(0),
    scale = new Array<number>(d).fill(1);
  for (let j = 0; j < d; j++) {
    let s = 0,
      s2 = 0,
      m = 0;
    for (let u = 0; u < n; u++) {
      const v = raw[u * d + j];
      if (Number.isNaN(v)) continue;
      s += v;
      s2 += v * v;
      m++;
    }
    const mean = m ? s / m : 0;
    const sd = m ? Math.sqrt(Math.max(0, s2 / m - mean * mean)) : 0;
    center[j] = mean;
    scale[j] = sd > 1e-12 ? sd : 1;
  }
  const X = new Float64Array(n * d);
  for (let u = 0; u < n; u++)
    for (let j = 0; j < d; j++) {
      const v = raw[u * d + j];
      X[u * d + j] = Number.isNaN(v) ? 0 : (v - center[j]) / scale[j];
    }
  return { scaling: { specs, center, scale }, X };
}

/**
 * One patient's standardised vector from a record of raw values. Missing or null features are
 * imputed (0 after standardising) and listed in `imputed`; a category unseen in training is too.
 */
export function encodeFeatures(scaling: FeatureScaling, record: Readonly<Record<string, FeatureValue | undefined>>): { z: Float64Array; imputed: string[] } {
  const known = new Set(scaling.specs.map((s) => s.name));
  const extra = Object.keys(record).filter((k) => !known.has(k));
  if (extra.length)
    throw new StepInputError(
      `unknown patient feature${extra.length === 1 ? '' : 's'} ${extra.map((e) => `"${e}"`).join(', ')}; the model uses: ${scaling.specs.map((s) => s.name).join(', ')}`,
    );
  const z = new Float64Array(scaling.center.length);
  const imputed: string[] = [];
  let col = 0;
  for (const s of scaling.specs) {
    const v = record[s.name];
    if (s.kind === 'numeric') {
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (typeof v === 'string' && v.trim() !== '' && Number.isNaN(x)) throw new StepInputError(`patient feature "${s.name}" must be a number, got "${v}"`);
      // Infinity (or 1e309, which overflows to it) is not a measurement: refuse it rather than impute it silently.
      if (x === Infinity || x === -Infinity) throw new StepInputError(`patient feature "${s.name}" must be a finite number, got "${String(v)}"`);
      if (Number.isFinite(x)) z[col] = (x - scaling.center[col]) / scaling.scale[col];
      else imputed.push(s.name);
      col++;
    } else {
      const cats = s.categories!;
      const c = v === null || v === undefined ? -1 : cats.indexOf(String(v));
      if (c < 0) imputed.push(s.name);
      else for (let j = 0; j < cats.length; j++) z[col + j] = ((j === c ? 1 : 0) - scaling.center[col + j]) / scaling.scale[col + j];
      col += cats.length;
    }
  }
  return { z, imputed };
}

/** Ridge regression from standardised X (n x d) to targets Y (n x m): Y ≈ mean(Y) + X W. */
export function fitRidge(
  X: Float64Array,
  n: number,
  d: number,
  Y: Float64Array,
  m: number,
  lambda: number,
): { weights: Float64Array; intercept: Float64Array } {
  const intercept = new Float64Array(m);
  for (let u = 0; u < n; u++) for (let a = 0; a < m; a++) intercept[a] += Y[u * m + a] / n;
  const XtX = new Float64Array(d * d);
  for (let u = 0; u < n; u++)
    for (let i = 0; i < d; i++) {
      const xi = X[u * d + i];
      for (let j = 0; j <= i; j++) XtX[i * d + j] += xi * X[u * d + j];
    }
  for (let i = 0; i < d; i++) XtX[i * d + i] += lambda * n;
  const weights = new Float64Array(d * m);
  const A = new Float64Array(d * d),
    b = new Float64Array(d);
  for (let a = 0; a < m; a++) {
    A.set(XtX);
    b.fill(0);
    for (let u = 0; u < n; u++) {
      const t = Y[u * m + a] - intercept[a];
      for (let i = 0; i < d; i++) b[i] += X[u * d + i] * t;
    }
    if (!choleskySolveInPlace(A, b, d)) throw new StepInputError('the patient-feature ridge system is not positive definite: increase feature_ridge');
    for (let i = 0; i < d; i++) weights[i * m + a] = b[i];
  }
  return { weights, intercept };
}

export function applyRidge(z: Float64Array, weights: Float64Array, intercept: Float64Array): Float64Array {
  const d = z.length,
    m = intercept.length;
  const out = Float64Array.from(intercept);
  for (let i = 0; i < d; i++) {
    const zi = z[i];
    if (zi !== 0) for (let a = 0; a < m; a++) out[a] += zi * weights[i * m + a];
  }
  return out;
}

/** The k known patients nearest to z (Euclidean, standardised features), nearest first; ties by index. */
export function nearestPatients(X: Float64Array, n: number, z: Float64Array, k: number): { index: Int32Array; distance: Float64Array } {
  const d = z.length;
  const negDist = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const e = X[u * d + j] - z[j];
      s += e * e;
    }
    negDist[u] = -s;
  }
  const none = { ptr: new Int32Array(2), index: new Int32Array(0), value: new Float64Array(0) };
  const top = selectTopK(negDist, Math.min(k, n), none, 0, false);
  return { index: top.items, distance: Float64Array.from(top.scores, (s) => Math.sqrt(-s)) };
}

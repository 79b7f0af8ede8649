/**
 * Evaluation of a recommender on held-out (patient, treatment, outcome) rows, per patient: the top-k
 * list (known patients: from their history, seen treatments excluded; new patients: from their
 * features when the model is hybrid) against the held-out treatments whose outcome reaches the
 * relevance threshold, and predicted against observed outcomes. Confidence intervals are a
 * percentile bootstrap over patients (a patient's rows stay together), and a second model — the
 * popularity baseline — is scored on the same resamples so the lift has an interval too.
 */
import { StepInputError } from '../../errors.js';
import { createRng } from '../../rng.js';
import { percentile } from '../metrics/bootstrap.js';
import { cancellationPoint } from '../cancellation-point.js';
import type { LoadedRecommender } from './artifact.js';
import type { FeatureValue } from './patient-features.js';
import { rankingMetrics } from './metrics.js';

export interface HeldOut {
  /** Test patient ids and, per row, the patient (index into `patients`), treatment id and outcome. */
  patients: string[];
  patient: Int32Array;
  treatments: string[];
  treatment: Int32Array;
  outcome: Float64Array;
  /** Features of patient p (for models that recommend from features), or null. */
  features(p: number): Readonly<Record<string, FeatureValue>> | null;
}

export interface Estimate {
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
}

/** One model's per-patient results: the material of every metric and of the bootstrap. */
interface PerPatient {
  /** Top-k list per test patient (null: the model cannot recommend for them). */
  lists: (Int32Array | null)[];
  /** precision, recall, ndcg, ap, hit per patient (NaN for patients without a relevant treatment). */
  rank: Float64Array[];
  sqErr: Float64Array;
  absErr: Float64Array;
  rated: Int32Array;
}

export interface ModelEvaluation {
  metrics: Record<string, Estimate>;
  unavailable: Record<string, string>;
  /** Test patients the model could not recommend for (unknown, and no features / not hybrid). */
  skipped: number;
  byFeatures: number;
}

export interface RecommenderEvaluation {
  k: number;
  threshold: number;
  patients: number;
  relevantPatients: number;
  rows: number;
  model: ModelEvaluation;
  baseline: ModelEvaluation;
  lift: Record<string, Estimate>;
  unknownTreatments: number;
}

export interface EvaluateOptions {
  k: number;
  threshold: number;
  resamples: number;
  seed: number;
  confidence: number;
  /** Aborting it stops the evaluation between bootstrap resamples; it rejects with the signal's reason. */
  signal?: AbortSignal;
}

const RANK_NAMES = ['precision', 'recall', 'ndcg', 'map', 'hit_rate'] as const;

export function metricNames(k: number): { rank: string[]; coverage: string; error: string[] } {
  return { rank: RANK_NAMES.map((n) => `${n}@${k}`), coverage: `coverage@${k}`, error: ['rmse', 'mae'] };
}

/** Rows of each test patient, grouped. */
function group(h: HeldOut): { ptr: Int32Array; rows: Int32Array } {
  const nP = h.patients.length;
  const ptr = new Int32Array(nP + 1);
  for (let r = 0; r < h.patient.length; r++) ptr[h.patient[r] + 1]++;
  for (let p = 0; p < nP; p++) ptr[p + 1] += ptr[p];
  const fill = ptr.slice(0, nP);
  const rows = new Int32Array(h.patient.length);
  for (let r = 0; r < h.patient.length; r++) rows[fill[h.patient[r]]++] = r;
  return { ptr, rows };
}

function perPatient(
  model: LoadedRecommender,
  h: HeldOut,
  g: { ptr: Int32Array; rows: Int32Array },
  k: number,
  threshold: number,
): { pp: PerPatient; byFeatures: number } {
  const nP = h.patients.length;
  const tIndex = h.treatments.map((t) => model.treatmentIndexOf(t));
  const pp: PerPatient = {
    lists: new Array(nP).fill(null),
    rank: RANK_NAMES.map(() => new Float64Array(nP).fill(NaN)),
    sqErr: new Float64Array(nP),
    absErr: new Float64Array(nP),
    rated: new Int32Array(nP),
  };
  let byFeatures = 0;
  for (let p = 0; p < nP; p++) {
    const u = model.patientIndex(h.patients[p]);
    let list: Int32Array | null = null;
    let predict: ((i: number) => number) | null = null;
    if (u >= 0) {
      list = model.topKnown(u, k, true).items;
      predict = (i) => model.predictKnown(u, i);
    } else if (model.hybrid) {
      const f = h.features(p);
      // A new patient with no usable feature cannot be scored; they are counted as skipped rather
      // than failing the whole evaluation.
      const pr = f ? profileOrNull(model, f) : null;
      if (pr) {
        list = model.topProfile(pr, k).items;
        predict = (i) => model.predictProfile(pr, i);
        byFeatures++;
      }
    } else if (model.method === 'popularity') {
      list = model.topPopular(k).items;
      predict = (i) => model.predictKnown(0, i); // popularity predicts a treatment's mean, whoever the patient
    }
    if (!list) continue;
    pp.lists[p] = list;
    // Relevant: held-out treatments at or above the threshold; one the model never saw is still
    // relevant (it counts against recall) but cannot be recommended (a negative id never matches).
    const relevant: number[] = [];
    for (let q = g.ptr[p]; q < g.ptr[p + 1]; q++) {
      const r = g.rows[q],
        i = tIndex[h.treatment[r]];
      if (h.outcome[r] >= threshold) relevant.push(i >= 0 ? i : -1 - r);
      if (i >= 0 && predict && model.predictsOutcomes) {
        const e = predict(i) - h.outcome[r];
        pp.sqErr[p] += e * e;
        pp.absErr[p] += Math.abs(e);
        pp.rated[p]++;
      }
    }
    if (relevant.length) {
      const m = rankingMetrics([list], [Int32Array.from(relevant)], k, model.nTreatments);
      const v = [m.precision, m.recall, m.ndcg, m.map, m.hitRate];
      for (let j = 0; j < v.length; j++) pp.rank[j][p] = v[j];
    }
  }
  return { pp, byFeatures };
}

/** All metrics of one model on the patients `take` (with multiplicity, for the bootstrap). */
function compute(pp: PerPatient, take: Int32Array, nT: number, k: number, outcomes: boolean): Float64Array {
  // [precision, recall, ndcg, map, hit_rate, coverage, rmse, mae]
  const out = new Float64Array(8).fill(NaN);
  const sums = new Float64Array(RANK_NAMES.length);
  let n = 0,
    sq = 0,
    ab = 0,
    rated = 0;
  const shown = new Uint8Array(nT);
  let covered = 0,
    listed = 0;
  for (const p of take) {
    const list = pp.lists[p];
    if (!list) continue;
    listed++;
    for (let j = 0; j < Math.min(k, list.length); j++) if (!shown[list[j]]) (shown[list[j]] = 1), covered++;
    if (!Number.isNaN(pp.rank[0][p])) {
      n++;
      for (let j = 0; j < RANK_NAMES.length; j++) sums[j] += pp.rank[j][p];
    }
    sq += pp.sqErr[p];
    ab += pp.absErr[p];
    rated += pp.rated[p];
  }
  if (n > 0) for (let j = 0; j < RANK_NAMES.length; j++) out[j] = sums[j] / n;
  // No patient recommended for: coverage is undefined, not 0.
  if (listed > 0) out[5] = covered / nT;
  if (outcomes && rated > 0) {
    out[6] = Math.sqrt(sq / rated);
    out[7] = ab / rated;
  }
  return out;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function profileOrNull(model: LoadedRecommender, f: Parameters<LoadedRecommender['profile']>[0]): ReturnType<LoadedRecommender['profile']> | null {
  try {
    return model.profile(f);
  } catch (e) {
    if (e instanceof StepInputError) return null;
    throw e;
  }
}

/** Leaves out of `pp` the patients `scored` could not recommend for, so two models are compared on the same patients. */
function restrictTo(pp: PerPatient, scored: PerPatient): void {
  for (let p = 0; p < pp.lists.length; p++) {
    if (scored.lists[p] !== null) continue;
    pp.lists[p] = null;
    for (const r of pp.rank) r[p] = NaN;
    pp.sqErr[p] = 0;
    pp.absErr[p] = 0;
    pp.rated[p] = 0;
  }
}

export async function evaluateRecommender(
  model: LoadedRecommender,
  baseline: LoadedRecommender,
  h: HeldOut,
  o: EvaluateOptions,
): Promise<RecommenderEvaluation> {
  if (!Number.isInteger(o.k) || o.k < 1) throw new StepInputError(`k must be a positive integer, got ${o.k}`);
  if (h.patient.length === 0) throw new StepInputError('the test table has no rows: nothing to evaluate');
  const g = group(h);
  const nP = h.patients.length;
  const a = perPatient(model, h, g, o.k, o.threshold);
  const point = cancellationPoint(o.signal);
  await point();
  const b = perPatient(baseline, h, g, o.k, o.threshold);
  // The baseline can rank for anyone; judging it on patients the model skipped would bias the lift.
  restrictTo(b.pp, a.pp);
  const all = Int32Array.from({ length: nP }, (_, p) => p);
  const pointA = compute(a.pp, all, model.nTreatments, o.k, model.predictsOutcomes);
  const pointB = compute(b.pp, all, baseline.nTreatments, o.k, true);
  const drawsA: number[][] = Array.from({ length: 8 }, () => []);
  const drawsB: number[][] = Array.from({ length: 8 }, () => []);
  const drawsL: number[][] = Array.from({ length: 8 }, () => []);
  const rng = createRng(o.seed);
  const take = new Int32Array(nP);
  for (let s = 0; s < o.resamples; s++) {
    await point();
    for (let j = 0; j < nP; j++) take[j] = rng.int(nP);
    const x = compute(a.pp, take, model.nTreatments, o.k, model.predictsOutcomes);
    const y = compute(b.pp, take, baseline.nTreatments, o.k, true);
    for (let m = 0; m < 8; m++) {
      if (Number.isFinite(x[m])) drawsA[m].push(x[m]);
      if (Number.isFinite(y[m])) drawsB[m].push(y[m]);
      if (Number.isFinite(x[m] - y[m])) drawsL[m].push(x[m] - y[m]);
    }
  }
  const alpha = (1 - o.confidence) / 2;
  const estimate = (point: number, draws: number[]): Estimate => {
    const sorted = Float64Array.from(draws).sort();
    const ok = o.resamples > 0 && sorted.length > 0 && Number.isFinite(point);
    return {
      value: finiteOrNull(point),
      ci_low: ok ? finiteOrNull(percentile(sorted, alpha)) : null,
      ci_high: ok ? finiteOrNull(percentile(sorted, 1 - alpha)) : null,
    };
  };
  const names = metricNames(o.k);
  const order = [...names.rank, names.coverage, ...names.error];
  const pack = (point: Float64Array, draws: number[][], outcomes: boolean, skipped: number, byFeatures: number): ModelEvaluation => {
    const metrics: Record<string, Estimate> = {};
    const unavailable: Record<string, string> = {};
    order.forEach((name, m) => {
      if (m >= 6 && !outcomes) unavailable[name] = 'the model scores preferences, not outcomes (implicit-als)';
      else if (!Number.isFinite(point[m]))
        unavailable[name] =
          m < 5
            ? `no test patient has a held-out treatment with outcome >= ${o.threshold}`
            : m === 5
              ? 'no test patient could be recommended for'
              : 'no held-out outcome could be predicted';
      // Coverage is a property of the set of patients, not a mean over them: a resample has fewer
      // distinct patients and so lower coverage, and a percentile interval would sit below the value.
      else metrics[name] = m === 5 ? { value: point[m], ci_low: null, ci_high: null } : estimate(point[m], draws[m]);
    });
    return { metrics, unavailable, skipped, byFeatures };
  };
  const count = (pp: PerPatient): number => pp.lists.filter((l) => l === null).length;
  const lift: Record<string, Estimate> = {};
  order.forEach((name, m) => {
    if (Number.isFinite(pointA[m] - pointB[m]))
      lift[name] = m === 5 ? { value: pointA[m] - pointB[m], ci_low: null, ci_high: null } : estimate(pointA[m] - pointB[m], drawsL[m]);
  });
  let relevantPatients = 0;
  for (let p = 0; p < nP; p++) {
    for (let q = g.ptr[p]; q < g.ptr[p + 1]; q++) {
      if (h.outcome[g.rows[q]] >= o.threshold) {
        relevantPatients++;
        break;
      }
    }
  }
  let unknownTreatments = 0;
  for (let r = 0; r < h.treatment.length; r++) if (model.treatmentIndexOf(h.treatments[h.treatment[r]]) < 0) unknownTreatments++;
  return {
    k: o.k,
    threshold: o.threshold,
    patients: nP,
    relevantPatients,
    rows: h.patient.length,
    model: pack(pointA, drawsA, model.predictsOutcomes, count(a.pp), a.byFeatures),
    baseline: pack(pointB, drawsB, true, count(b.pp), b.byFeatures),
    lift,
    unknownTreatments,
  };
}

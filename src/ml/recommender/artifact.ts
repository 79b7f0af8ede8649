/**
 * The recommender model artifact (`medpipe.recommender/1`, JSON with typed arrays as base64) and
 * the one loader every consumer uses (evaluate.recommender, recommend, `medpipe recommend`).
 *
 * The artifact holds the id maps, the fitted arrays of the method (factors and biases, or the
 * neighbour table, or the counts), every training patient's history (to exclude what they already
 * had and to explain), and for hybrid models the feature scaling, the training patients'
 * standardised features and the ridge map to factors. Scores are computed from these arrays the
 * same way the library models in this folder compute them.
 */
import { StepInputError } from '../../errors.js';
import { decodeF64, decodeI32, encode, type Encoded } from './codec.js';
import type { InteractionMatrix, SparseRows } from './interactions.js';
import { hasEntry } from './interactions.js';
import { applyRidge, encodeFeatures, nearestPatients, type FeatureScaling, type FeatureValue } from './patient-features.js';
import { selectTopK } from './top-k.js';
import { RECOMMENDER_FORMAT } from '../model-formats.js';

export { RECOMMENDER_FORMAT };
export type RecommenderMethod = 'als' | 'implicit-als' | 'item-knn' | 'popularity';

interface EncodedRows {
  ptr: Encoded;
  index: Encoded;
  value: Encoded;
}

export interface RecommenderArtifact {
  format: typeof RECOMMENDER_FORMAT;
  algorithm: 'recommender';
  /** The method again, under the name model cards print. */
  type: RecommenderMethod;
  method: RecommenderMethod;
  /** The outcome column (what a rating method predicts). */
  target: string;
  /** Patient feature columns of a hybrid model (the bundle's input signature); empty otherwise. */
  features: string[];
  columns: { patient: string; treatment: string; outcome: string };
  params: Record<string, unknown>;
  patients: string[];
  treatments: string[];
  mean: number;
  /** Per patient: treatments had in training, with outcomes. */
  history: EncodedRows;
  itemMean: Encoded;
  counts: Encoded;
  factors?: { k: number; user: Encoded; item: Encoded; userBias?: Encoded; itemBias?: Encoded };
  neighbours?: EncodedRows;
  hybrid: null | { scaling: FeatureScaling; X: Encoded; similarPatients: number; ridge?: { lambda: number; weights: Encoded; intercept: Encoded } };
}

const encodeRows = (r: SparseRows): EncodedRows => ({ ptr: encode(r.ptr), index: encode(r.index), value: encode(r.value) });
const decodeRows = (r: EncodedRows): SparseRows => ({ ptr: decodeI32(r.ptr), index: decodeI32(r.index), value: decodeF64(r.value) });

export interface ArtifactParts {
  method: RecommenderMethod;
  columns: { patient: string; treatment: string; outcome: string };
  params: Record<string, unknown>;
  patients: string[];
  treatments: string[];
  matrix: InteractionMatrix;
  factors?: { k: number; user: Float64Array; item: Float64Array; userBias?: Float64Array; itemBias?: Float64Array };
  neighbours?: SparseRows;
  hybrid?: { scaling: FeatureScaling; X: Float64Array; similarPatients: number; ridge?: { lambda: number; weights: Float64Array; intercept: Float64Array } };
}

export function buildArtifact(p: ArtifactParts): RecommenderArtifact {
  const { byItem } = p.matrix;
  const nItems = p.treatments.length;
  const counts = new Int32Array(nItems),
    itemMean = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const s = byItem.ptr[i],
      e = byItem.ptr[i + 1];
    counts[i] = e - s;
    let sum = 0;
    for (let q = s; q < e; q++) sum += byItem.value[q];
    itemMean[i] = e > s ? sum / (e - s) : p.matrix.mean;
  }
  const f = p.factors;
  return {
    format: RECOMMENDER_FORMAT,
    algorithm: 'recommender',
    type: p.method,
    method: p.method,
    target: p.columns.outcome,
    features: p.hybrid ? p.hybrid.scaling.specs.map((s) => s.name) : [],
    columns: p.columns,
    params: p.params,
    patients: p.patients,
    treatments: p.treatments,
    mean: p.matrix.mean,
    history: encodeRows(p.matrix.byUser),
    itemMean: encode(itemMean),
    counts: encode(counts),
    ...(f
      ? {
          factors: {
            k: f.k,
            user: encode(f.user),
            item: encode(f.item),
            ...(f.userBias ? { userBias: encode(f.userBias) } : {}),
            ...(f.itemBias ? { itemBias: encode(f.itemBias) } : {}),
          },
        }
      : {}),
    ...(p.neighbours ? { neighbours: encodeRows(p.neighbours) } : {}),
    hybrid: p.hybrid
      ? {
          scaling: p.hybrid.scaling,
          X: encode(p.hybrid.X),
          similarPatients: p.hybrid.similarPatients,
          ...(p.hybrid.ridge
            ? { ridge: { lambda: p.hybrid.ridge.lambda, weights: encode(p.hybrid.ridge.weights), intercept: encode(p.hybrid.ridge.intercept) } }
            : {}),
        }
      : null,
  };
}

export interface Explanation {
  /** Treatments the patient had that are most like this one (history-based recommendations). */
  similar_treatments?: { treatment: string; similarity: number }[];
  /** How many of the similar patients had it (feature-based item-knn / popularity). */
  similar_patients_with?: number;
  /** Patients in training who had it (popularity). */
  patients_with?: number;
  text: string;
}

export interface Recommendation {
  treatment: string;
  score: number;
  explanation: Explanation;
}

export interface RecommendResult {
  patient: string | null;
  /** history: the patient is known; features: recommended from their features; popularity: neither (popularity model). */
  basis: 'history' | 'features' | 'popularity';
  /**
   * What `score` is, in words: it differs by method and basis (a predicted outcome on the training
   * scale, a similarity sum, votes of similar patients, a count), so scores are comparable only
   * within one result, and between results with the same meaning.
   */
  score_meaning: string;
  /** Features given as missing or unknown categories, imputed at the training mean. */
  imputed: string[];
  /** Feature-based: the nearest known patients, the explanation of every recommendation. */
  similar_patients?: { patient: string; distance: number }[];
  recommendations: Recommendation[];
}

export interface RecommendQuery {
  patient?: string;
  features?: Readonly<Record<string, FeatureValue | undefined>>;
}

/** A feature-based patient: the standardised vector, its nearest known patients and (factor models) the mapped factors. */
export interface FeatureProfile {
  imputed: string[];
  neighbours: Int32Array;
  distances: Float64Array;
  /** Factor models: [factors..., bias] (bias only for als). */
  mapped?: Float64Array;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export class LoadedRecommender {
  readonly method: RecommenderMethod;
  readonly patients: readonly string[];
  readonly treatments: readonly string[];
  readonly artifact: RecommenderArtifact;
  readonly history: SparseRows;
  private readonly index = new Map<string, number>();
  private readonly treatmentIndex = new Map<string, number>();
  private readonly itemMean: Float64Array;
  private readonly counts: Int32Array;
  private readonly k: number;
  private readonly P?: Float64Array;
  private readonly Q?: Float64Array;
  private readonly bu?: Float64Array;
  private readonly bi?: Float64Array;
  private readonly qNorm?: Float64Array;
  private readonly neighbours?: SparseRows;
  private readonly X?: Float64Array;
  private readonly W?: Float64Array;
  private readonly W0?: Float64Array;

  constructor(a: RecommenderArtifact) {
    if (a.format !== RECOMMENDER_FORMAT)
      throw new StepInputError(`not a recommender model (format ${String(a.format)}, expected ${RECOMMENDER_FORMAT}): wire in a train.recommender model`);
    this.artifact = a;
    this.method = a.method;
    this.patients = a.patients;
    this.treatments = a.treatments;
    a.patients.forEach((p, i) => this.index.set(p, i));
    a.treatments.forEach((t, i) => this.treatmentIndex.set(t, i));
    this.history = decodeRows(a.history);
    this.itemMean = decodeF64(a.itemMean);
    this.counts = decodeI32(a.counts);
    this.k = a.factors?.k ?? 0;
    if (a.factors) {
      this.P = decodeF64(a.factors.user);
      this.Q = decodeF64(a.factors.item);
      if (a.factors.userBias) this.bu = decodeF64(a.factors.userBias);
      if (a.factors.itemBias) this.bi = decodeF64(a.factors.itemBias);
      const q = this.Q,
        k = this.k,
        qn = new Float64Array(a.treatments.length);
      for (let i = 0; i < qn.length; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += q[i * k + j] ** 2;
        qn[i] = Math.sqrt(s);
      }
      this.qNorm = qn;
    }
    if (a.neighbours) this.neighbours = decodeRows(a.neighbours);
    if (a.hybrid) {
      this.X = decodeF64(a.hybrid.X);
      if (a.hybrid.ridge) {
        this.W = decodeF64(a.hybrid.ridge.weights);
        this.W0 = decodeF64(a.hybrid.ridge.intercept);
      }
    }
  }

  get nPatients(): number {
    return this.patients.length;
  }

  get nTreatments(): number {
    return this.treatments.length;
  }

  /** Whether the model predicts outcomes (RMSE/MAE make sense) rather than preference scores. */
  get predictsOutcomes(): boolean {
    return this.method !== 'implicit-als';
  }

  get hybrid(): boolean {
    return this.artifact.hybrid !== null;
  }

  patientIndex(id: string): number {
    return this.index.get(id) ?? -1;
  }

  treatmentIndexOf(id: string): number {
    return this.treatmentIndex.get(id) ?? -1;
  }

  /** Ranking scores of every treatment for known patient u (as the library model's topK scores). */
  scoresKnown(u: number): Float64Array {
    const nT = this.nTreatments;
    const scores = new Float64Array(nT);
    const h = this.history;
    if (this.method === 'popularity') {
      for (let i = 0; i < nT; i++) scores[i] = this.counts[i];
    } else if (this.method === 'item-knn') {
      const nb = this.neighbours!;
      for (let q = h.ptr[u]; q < h.ptr[u + 1]; q++) {
        const i = h.index[q];
        for (let p = nb.ptr[i]; p < nb.ptr[i + 1]; p++) scores[nb.index[p]] += nb.value[p];
      }
    } else {
      for (let i = 0; i < nT; i++) scores[i] = this.factorScore(this.P!, u * this.k, this.bu ? this.bu[u] : 0, i);
    }
    return scores;
  }

  private factorScore(P: Float64Array, off: number, userBias: number, i: number): number {
    const k = this.k,
      Q = this.Q!;
    // Summed in the library models' order, so scores are bit-identical to theirs.
    let s = this.method === 'als' ? this.artifact.mean + userBias + this.bi![i] : 0;
    for (let a = 0; a < k; a++) s += P[off + a] * Q[i * k + a];
    return s;
  }

  /** Predicted outcome of treatment i for known patient u (rating methods). */
  predictKnown(u: number, i: number): number {
    if (this.method === 'popularity') return this.itemMean[i];
    if (this.method === 'item-knn') {
      const nb = this.neighbours!,
        h = this.history;
      let num = 0,
        den = 0;
      for (let p = nb.ptr[i]; p < nb.ptr[i + 1]; p++) {
        const j = nb.index[p];
        const at = hasEntry(h, u, j);
        if (at < 0) continue;
        num += nb.value[p] * (h.value[at] - this.itemMean[j]);
        den += Math.abs(nb.value[p]);
      }
      return this.itemMean[i] + (den > 0 ? num / den : 0);
    }
    return this.factorScore(this.P!, u * this.k, this.bu ? this.bu[u] : 0, i);
  }

  /** A patient never seen, from their features (hybrid models only). */
  profile(features: Readonly<Record<string, FeatureValue | undefined>>): FeatureProfile {
    const h = this.artifact.hybrid;
    if (!h)
      throw new StepInputError(
        `this ${this.method} model was trained without patient features (hybrid: false), so it recommends only for patients it was trained on`,
      );
    const { z, imputed } = encodeFeatures(h.scaling, features);
    if (imputed.length === h.scaling.specs.length)
      throw new StepInputError(`no usable patient features were given; the model needs: ${h.scaling.specs.map((s) => s.name).join(', ')}`);
    const near = nearestPatients(this.X!, this.nPatients, z, h.similarPatients);
    return { imputed, neighbours: near.index, distances: near.distance, ...(this.W ? { mapped: applyRidge(z, this.W, this.W0!) } : {}) };
  }

  scoresProfile(pr: FeatureProfile): Float64Array {
    const nT = this.nTreatments;
    const scores = new Float64Array(nT);
    if (pr.mapped) {
      for (let i = 0; i < nT; i++) scores[i] = this.factorScore(pr.mapped, 0, this.method === 'als' ? pr.mapped[this.k] : 0, i);
      return scores;
    }
    // item-knn / popularity: what worked for the nearest patients. A treatment counts 1 for each
    // similar patient whose outcome on it was at least their own average, 0.25 otherwise; the
    // overall count breaks ties (it adds less than one vote).
    const h = this.history,
      nU = this.nPatients;
    for (const n of pr.neighbours) {
      const s = h.ptr[n],
        e = h.ptr[n + 1];
      let mean = 0;
      for (let q = s; q < e; q++) mean += h.value[q] / (e - s);
      for (let q = s; q < e; q++) scores[h.index[q]] += h.value[q] >= mean ? 1 : 0.25;
    }
    for (let i = 0; i < nT; i++) scores[i] += this.counts[i] / (nU + 1);
    return scores;
  }

  /** Predicted outcome for a feature-based patient. */
  predictProfile(pr: FeatureProfile, i: number): number {
    if (pr.mapped) return this.factorScore(pr.mapped, 0, this.method === 'als' ? pr.mapped[this.k] : 0, i);
    // The similar patients' outcomes on i, shrunk towards i's mean by 3 pseudo-observations.
    const h = this.history;
    let sum = 3 * this.itemMean[i],
      n = 3;
    for (const u of pr.neighbours) {
      const at = hasEntry(h, u, i);
      if (at >= 0) (sum += h.value[at]), n++;
    }
    return sum / n;
  }

  /** The top k for a known patient index or a profile, with seen treatments excluded when asked. */
  topKnown(u: number, k: number, excludeSeen: boolean): { items: Int32Array; scores: Float64Array } {
    if (excludeSeen && this.method !== 'popularity' && this.history.ptr[u + 1] === this.history.ptr[u]) {
      throw new StepInputError(`patient "${this.patients[u]}" has an empty treatment history`);
    }
    return selectTopK(this.scoresKnown(u), k, this.history, u, excludeSeen);
  }

  /** The most given treatments, for a patient about whom nothing is known. */
  topPopular(k: number): { items: Int32Array; scores: Float64Array } {
    const none: SparseRows = { ptr: new Int32Array(2), index: new Int32Array(0), value: new Float64Array(0) };
    return selectTopK(Float64Array.from(this.counts), k, none, 0, false);
  }

  topProfile(pr: FeatureProfile, k: number): { items: Int32Array; scores: Float64Array } {
    const none: SparseRows = { ptr: new Int32Array(2), index: new Int32Array(0), value: new Float64Array(0) };
    return selectTopK(this.scoresProfile(pr), k, none, 0, false);
  }

  /** What the scores of a result with this basis are (see RecommendResult.score_meaning). */
  scoreMeaning(basis: RecommendResult['basis'], mapped: boolean): string {
    if (basis === 'popularity' || (this.method === 'popularity' && basis === 'history')) return 'patients given the treatment in training';
    if (this.method === 'als' && (basis === 'history' || mapped))
      return `predicted outcome, on the training outcomes' scale${basis === 'features' ? " (from the patient's features)" : ''}`;
    if (this.method === 'implicit-als' && (basis === 'history' || mapped)) return 'preference score (higher: more likely to be given; not an outcome)';
    if (basis === 'history') return 'sum of the similarities to the treatments the patient had (a ranking score, not an outcome)';
    return 'votes of the most similar training patients (1 if it worked at least as well as their average, 0.25 otherwise; not an outcome)';
  }

  /** Ranked treatments with scores and explanations, for a known patient id or a feature record. */
  recommend(query: RecommendQuery, k: number, excludeSeen = true): RecommendResult {
    if (!Number.isInteger(k) || k < 1) throw new StepInputError(`k must be a positive integer, got ${k}`);
    const id = query.patient ?? null;
    const u = id === null ? -1 : this.patientIndex(id);
    const hasFeatures = query.features !== undefined && Object.keys(query.features).length > 0;
    if (u >= 0) {
      const top = this.topKnown(u, k, excludeSeen);
      return {
        patient: id,
        basis: 'history',
        score_meaning: this.scoreMeaning('history', false),
        imputed: [],
        recommendations: Array.from(top.items, (i, r) => ({ treatment: this.treatments[i], score: top.scores[r], explanation: this.explainKnown(u, i) })),
      };
    }
    if (!hasFeatures) {
      if (this.method === 'popularity' && !this.hybrid) {
        const top = this.topPopular(k);
        return {
          patient: id,
          basis: 'popularity',
          score_meaning: this.scoreMeaning('popularity', false),
          imputed: [],
          recommendations: Array.from(top.items, (i, r) => ({
            treatment: this.treatments[i],
            score: top.scores[r],
            explanation: { patients_with: this.counts[i], text: `given to ${this.counts[i]} patients in training` },
          })),
        };
      }
      const needs = this.artifact.hybrid
        ? `: pass their features (${this.artifact.hybrid.scaling.specs.map((s) => s.name).join(', ')})`
        : ', and this model was trained without patient features (hybrid: false), so it cannot recommend for new patients';
      throw new StepInputError(
        id === null ? `no patient id and no features given${needs}` : `unknown patient "${id}": the model has no history for them${needs}`,
      );
    }
    const pr = this.profile(query.features!);
    const top = this.topProfile(pr, k);
    const similar = Array.from(pr.neighbours.subarray(0, 3), (n, j) => ({ patient: this.patients[n], distance: round(pr.distances[j]) }));
    const simText = `similar patients ${similar.map((s) => s.patient).join(', ')}`;
    return {
      patient: id,
      basis: 'features',
      score_meaning: this.scoreMeaning('features', pr.mapped !== undefined),
      imputed: pr.imputed,
      similar_patients: Array.from(pr.neighbours, (n, j) => ({ patient: this.patients[n], distance: round(pr.distances[j]) })),
      recommendations: Array.from(top.items, (i, r) => {
        if (pr.mapped) return { treatment: this.treatments[i], score: top.scores[r], explanation: { text: `from the patient's features; ${simText}` } };
        let had = 0;
        for (const n of pr.neighbours) if (hasEntry(this.history, n, i) >= 0) had++;
        return {
          treatment: this.treatments[i],
          score: top.scores[r],
          explanation: {
            similar_patients_with: had,
            text: `had by ${had} of ${pr.neighbours.length} similar patients (nearest: ${similar.map((x) => x.patient).join(', ')})`,
          },
        };
      }),
    };
  }

  /** Why treatment i was recommended to known patient u: the most similar treatments they had. */
  explainKnown(u: number, i: number): Explanation {
    if (this.method === 'popularity') return { patients_with: this.counts[i], text: `given to ${this.counts[i]} patients in training` };
    const h = this.history;
    const sims: { j: number; s: number }[] = [];
    if (this.method === 'item-knn') {
      const nb = this.neighbours!;
      for (let q = h.ptr[u]; q < h.ptr[u + 1]; q++) {
        const j = h.index[q];
        for (let p = nb.ptr[j]; p < nb.ptr[j + 1]; p++) if (nb.index[p] === i) sims.push({ j, s: nb.value[p] });
      }
    } else {
      const Q = this.Q!,
        k = this.k,
        qn = this.qNorm!;
      for (let q = h.ptr[u]; q < h.ptr[u + 1]; q++) {
        const j = h.index[q];
        if (j === i) continue;
        let d = 0;
        for (let a = 0; a < k; a++) d += Q[i * k + a] * Q[j * k + a];
        sims.push({ j, s: qn[i] > 0 && qn[j] > 0 ? d / (qn[i] * qn[j]) : 0 });
      }
    }
    sims.sort((a, b) => b.s - a.s || a.j - b.j);
    const top = sims.slice(0, 3).map((x) => ({ treatment: this.treatments[x.j], similarity: round(x.s) }));
    return {
      similar_treatments: top,
      text: top.length
        ? `like ${top.map((t) => `${t.treatment} (${t.similarity})`).join(', ')} that the patient had`
        : "no similar treatment in the patient's history",
    };
  }
}

export function loadRecommender(json: unknown): LoadedRecommender {
  const a = json as RecommenderArtifact | null;
  if (!a || typeof a !== 'object' || a.format !== RECOMMENDER_FORMAT)
    throw new StepInputError(`not a recommender model (format ${String((a as { format?: unknown } | null)?.format)}): wire in a model from train.recommender`);
  return new LoadedRecommender(a);
}

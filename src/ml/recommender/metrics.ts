/**
 * Recommender metrics: outcome error (RMSE, MAE) on held-out observations and ranking quality of
 * top-k lists against each patient's held-out relevant treatments (precision, recall, NDCG and MAP
 * at k, hit rate), plus catalogue coverage. Relevance is binary; averages are over patients with at
 * least one relevant treatment.
 */
import { StepInputError } from '../../errors.js';

export function rmse(predicted: Float64Array, actual: Float64Array): number {
  checkSameLength(predicted, actual);
  let s = 0;
  for (let j = 0; j < actual.length; j++) s += (predicted[j] - actual[j]) ** 2;
  return Math.sqrt(s / actual.length);
}

export function mae(predicted: Float64Array, actual: Float64Array): number {
  checkSameLength(predicted, actual);
  let s = 0;
  for (let j = 0; j < actual.length; j++) s += Math.abs(predicted[j] - actual[j]);
  return s / actual.length;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new StepInputError(`predictions (${a.length}) and outcomes (${b.length}) differ in length`);
  if (a.length === 0) throw new StepInputError('no held-out outcomes to score');
}

export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  hitRate: number;
  /** Distinct treatments recommended to anyone / all treatments. */
  coverage: number;
  /** Patients that had at least one relevant treatment (the denominator of the averages). */
  patients: number;
}

/**
 * `recommended[u]` is patient u's ranked list (only its first k count); `relevant[u]` the held-out
 * treatments that count as hits. Coverage counts every patient's first k, relevant or not.
 */
export function rankingMetrics(recommended: readonly Int32Array[], relevant: readonly Int32Array[], k: number, nItems: number): RankingMetrics {
  if (!Number.isInteger(k) || k < 1) throw new StepInputError(`k must be a positive integer, got ${k}`);
  if (recommended.length !== relevant.length) throw new StepInputError(`${recommended.length} recommendation lists but ${relevant.length} relevance sets`);
  const shown = new Uint8Array(nItems);
  let precision = 0,
    recall = 0,
    ndcg = 0,
    map = 0,
    hits = 0,
    n = 0;
  for (let u = 0; u < recommended.length; u++) {
    const rec = recommended[u].subarray(0, k);
    for (const i of rec) shown[i] = 1;
    const rel = new Set(relevant[u]);
    if (rel.size === 0) continue;
    n++;
    let h = 0,
      dcg = 0,
      ap = 0;
    for (let r = 0; r < rec.length; r++) {
      if (!rel.has(rec[r])) continue;
      h++;
      dcg += 1 / Math.log2(r + 2);
      ap += h / (r + 1);
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(k, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    precision += h / k;
    recall += h / rel.size;
    ndcg += dcg / idcg;
    map += ap / Math.min(k, rel.size);
    if (h > 0) hits++;
  }
  let covered = 0;
  for (let i = 0; i < nItems; i++) covered += shown[i];
  const avg = (x: number): number => (n > 0 ? x / n : 0);
  return { precision: avg(precision), recall: avg(recall), ndcg: avg(ndcg), map: avg(map), hitRate: avg(hits), coverage: covered / nItems, patients: n };
}

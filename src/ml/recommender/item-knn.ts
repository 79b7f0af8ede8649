/**
 * Item-based k-nearest-neighbours: cosine (or adjusted cosine: outcomes centred on each patient's
 * mean) similarity between treatment columns, keeping the top-k neighbours of each treatment as a
 * sparse table. Similarities are accumulated through the patients who had treatment i, so the cost
 * is the sum over patients of (history length)^2, never treatments^2 x patients.
 */
import { StepInputError } from '../../errors.js';
import { buildInteractionMatrix, hasEntry, type Interactions, type SparseRows } from './interactions.js';
import { checkHistory, checkItem, checkUser, selectTopK, type Ranked, type Recommender, type TopKOptions } from './top-k.js';

export interface ItemKnnOptions {
  /** Neighbours kept per treatment. */
  neighbours: number;
  similarity: 'cosine' | 'adjusted-cosine';
}

export interface ItemKnnModel extends Recommender {
  readonly method: 'item-knn';
  /** Row i: the neighbours of treatment i (most similar first) and their similarities. */
  readonly neighbours: SparseRows;
}

/** Outcomes as used by the similarity: raw (cosine) or minus the patient's mean (adjusted cosine). */
function centredRows(byUser: SparseRows, adjusted: boolean): Float64Array {
  const v = Float64Array.from(byUser.value);
  if (!adjusted) return v;
  for (let u = 0; u < byUser.ptr.length - 1; u++) {
    const s = byUser.ptr[u],
      e = byUser.ptr[u + 1];
    let sum = 0;
    for (let p = s; p < e; p++) sum += v[p];
    const mean = sum / Math.max(1, e - s);
    for (let p = s; p < e; p++) v[p] -= mean;
  }
  return v;
}

export function fitItemKnn(obs: Interactions, nUsers: number, nItems: number, options: ItemKnnOptions): ItemKnnModel {
  if (!Number.isInteger(options.neighbours) || options.neighbours < 1)
    throw new StepInputError(`neighbours must be a positive integer, got ${options.neighbours}`);
  const m = buildInteractionMatrix(obs, nUsers, nItems);
  const { byUser, byItem } = m;
  const r = centredRows(byUser, options.similarity === 'adjusted-cosine');
  // Same centred values in item-major order: find each item entry's position in its user's row.
  const rItem = new Float64Array(byItem.index.length);
  const norm = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    for (let p = byItem.ptr[i]; p < byItem.ptr[i + 1]; p++) {
      const x = r[hasEntry(byUser, byItem.index[p], i)];
      rItem[p] = x;
      norm[i] += x * x;
    }
    norm[i] = Math.sqrt(norm[i]);
  }
  const kN = Math.min(options.neighbours, nItems - 1);
  const ptr = new Int32Array(nItems + 1);
  const index = new Int32Array(nItems * kN);
  const value = new Float64Array(nItems * kN);
  const acc = new Float64Array(nItems);
  const noSeen: SparseRows = { ptr: new Int32Array(2), index: new Int32Array(0), value: new Float64Array(0) };
  let fill = 0;
  for (let i = 0; i < nItems; i++) {
    acc.fill(0);
    for (let p = byItem.ptr[i]; p < byItem.ptr[i + 1]; p++) {
      const u = byItem.index[p],
        x = rItem[p];
      for (let q = byUser.ptr[u]; q < byUser.ptr[u + 1]; q++) acc[byUser.index[q]] += x * r[q];
    }
    for (let j = 0; j < nItems; j++) acc[j] = norm[i] > 0 && norm[j] > 0 ? acc[j] / (norm[i] * norm[j]) : 0;
    acc[i] = -Infinity; // never one's own neighbour
    if (kN > 0) {
      const top = selectTopK(acc, kN, noSeen, 0, false);
      for (let t = 0; t < top.items.length; t++) {
        if (top.scores[t] === 0 || top.scores[t] === -Infinity) break; // no shared patients: not a neighbour
        index[fill] = top.items[t];
        value[fill++] = top.scores[t];
      }
    }
    ptr[i + 1] = fill;
  }
  const neighbours: SparseRows = { ptr, index: index.slice(0, fill), value: value.slice(0, fill) };
  const itemMean = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    let s = 0;
    for (let p = byItem.ptr[i]; p < byItem.ptr[i + 1]; p++) s += byItem.value[p];
    itemMean[i] = byItem.ptr[i + 1] > byItem.ptr[i] ? s / (byItem.ptr[i + 1] - byItem.ptr[i]) : m.mean;
  }
  return {
    method: 'item-knn',
    nUsers,
    nItems,
    neighbours,
    /** Treatment mean plus the similarity-weighted deviations of the patient's outcomes on its neighbours. */
    predict(u: number, i: number): number {
      checkUser(u, nUsers);
      checkItem(i, nItems);
      let num = 0,
        den = 0;
      for (let p = neighbours.ptr[i]; p < neighbours.ptr[i + 1]; p++) {
        const j = neighbours.index[p];
        const at = hasEntry(byUser, u, j);
        if (at < 0) continue;
        num += neighbours.value[p] * (byUser.value[at] - itemMean[j]);
        den += Math.abs(neighbours.value[p]);
      }
      return itemMean[i] + (den > 0 ? num / den : 0);
    },
    /** Score of treatment j: sum over the patient's treatments i of sim(i, j) x (centred outcome on i + 1), so any shared neighbour counts. */
    topK(u: number, k: number, o: TopKOptions = {}): Ranked {
      checkUser(u, nUsers);
      checkHistory(byUser, u, 'item-kNN');
      const scores = new Float64Array(nItems);
      for (let q = byUser.ptr[u]; q < byUser.ptr[u + 1]; q++) {
        const i = byUser.index[q];
        for (let p = neighbours.ptr[i]; p < neighbours.ptr[i + 1]; p++) scores[neighbours.index[p]] += neighbours.value[p];
      }
      return selectTopK(scores, k, byUser, u, o.excludeSeen ?? true);
    },
  };
}

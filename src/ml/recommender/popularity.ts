/**
 * The baseline every recommender must beat: rank treatments by how many patients had them; predict
 * an outcome as the treatment's mean outcome (the global mean for a treatment nobody had).
 */
import { buildInteractionMatrix, type Interactions } from './interactions.js';
import { checkItem, checkUser, selectTopK, type Ranked, type Recommender, type TopKOptions } from './top-k.js';

export interface PopularityModel extends Recommender {
  readonly method: 'popularity';
  readonly counts: Int32Array;
  readonly itemMean: Float64Array;
}

export function fitPopularity(obs: Interactions, nUsers: number, nItems: number): PopularityModel {
  const m = buildInteractionMatrix(obs, nUsers, nItems);
  const counts = new Int32Array(nItems);
  const itemMean = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const s = m.byItem.ptr[i],
      e = m.byItem.ptr[i + 1];
    counts[i] = e - s;
    let sum = 0;
    for (let p = s; p < e; p++) sum += m.byItem.value[p];
    itemMean[i] = e > s ? sum / (e - s) : m.mean;
  }
  const scores = Float64Array.from(counts);
  return {
    method: 'popularity',
    nUsers,
    nItems,
    counts,
    itemMean,
    predict(u: number, i: number): number {
      checkUser(u, nUsers);
      checkItem(i, nItems);
      return itemMean[i];
    },
    topK(u: number, k: number, o: TopKOptions = {}): Ranked {
      checkUser(u, nUsers);
      return selectTopK(scores, k, m.byUser, u, o.excludeSeen ?? true);
    },
  };
}

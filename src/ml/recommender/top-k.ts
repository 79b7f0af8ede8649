/**
 * What every fitted recommender offers (predict one outcome, rank treatments for a patient) and the
 * shared top-k selection that ranks a dense score vector while skipping treatments already had.
 */
import { StepInputError } from '../../errors.js';
import type { SparseRows } from './interactions.js';

export interface Ranked {
  /** Treatment indices, best first. */
  items: Int32Array;
  scores: Float64Array;
}

export interface TopKOptions {
  /** Leave out treatments the patient already had in training (default true). */
  excludeSeen?: boolean;
}

export interface Recommender {
  readonly method: 'als' | 'implicit-als' | 'item-knn' | 'popularity';
  readonly nUsers: number;
  readonly nItems: number;
  /** Predicted outcome (or preference score for implicit-als / popularity) of treatment `item` for patient `user`. */
  predict(user: number, item: number): number;
  topK(user: number, k: number, options?: TopKOptions): Ranked;
}

export function checkUser(user: number, nUsers: number): void {
  if (!Number.isInteger(user) || user < 0 || user >= nUsers) {
    throw new StepInputError(`unknown patient index ${user}: the model knows patients 0..${nUsers - 1}`);
  }
}

export function checkItem(item: number, nItems: number): void {
  if (!Number.isInteger(item) || item < 0 || item >= nItems) {
    throw new StepInputError(`unknown treatment index ${item}: the model knows treatments 0..${nItems - 1}`);
  }
}

export function checkHistory(seen: SparseRows, user: number, method: string): void {
  if (seen.ptr[user + 1] === seen.ptr[user]) {
    throw new StepInputError(`patient ${user} has an empty treatment history, so ${method} cannot personalise: use the popularity baseline or a hybrid model with patient features`);
  }
}

/**
 * The k best of `scores` (ties broken by lower index, so results are deterministic), skipping the
 * treatments in row `user` of `seen` when asked. A size-k min-heap: O(n log k).
 */
export function selectTopK(scores: Float64Array, k: number, seen: SparseRows, user: number, excludeSeen: boolean): Ranked {
  if (!Number.isInteger(k) || k < 1) throw new StepInputError(`k must be a positive integer, got ${k}`);
  const n = scores.length;
  const heapI = new Int32Array(k);
  const heapS = new Float64Array(k);
  let size = 0;
  let sp = seen.ptr[user];
  const end = seen.ptr[user + 1];
  // "worse" = lower score, or equal score and higher index.
  const worse = (a: number, b: number): boolean => heapS[a] < heapS[b] || (heapS[a] === heapS[b] && heapI[a] > heapI[b]);
  const swap = (a: number, b: number): void => {
    const ti = heapI[a]; heapI[a] = heapI[b]; heapI[b] = ti;
    const ts = heapS[a]; heapS[a] = heapS[b]; heapS[b] = ts;
  };
  const siftDown = (start: number): void => {
    let p = start;
    for (;;) {
      const l = 2 * p + 1, r = l + 1;
      let m = p;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === p) return;
      swap(p, m);
      p = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (excludeSeen) {
      while (sp < end && seen.index[sp] < i) sp++;
      if (sp < end && seen.index[sp] === i) continue;
    }
    const s = scores[i];
    if (size < k) {
      heapI[size] = i; heapS[size] = s;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (s > heapS[0] || (s === heapS[0] && i < heapI[0])) {
      heapI[0] = i; heapS[0] = s;
      siftDown(0);
    }
  }
  const items = new Int32Array(size);
  const out = new Float64Array(size);
  for (let r = size - 1; r >= 0; r--) {
    items[r] = heapI[0]; out[r] = heapS[0];
    heapI[0] = heapI[size - 1]; heapS[0] = heapS[size - 1];
    size--;
    siftDown(0);
  }
  return { items, scores: out };
}

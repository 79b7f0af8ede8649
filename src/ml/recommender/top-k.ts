/**
 * What every fitted recommender offers (predict one outcome, rank treatments for a patient) and the
 * shared top-k selection that ranks a dense score vector while skipping treatments already had.
 */
import { StepInputError } from '../../errors.js';
import type { SparseRows } from './interactions.js';
import { TopK } from '../top-k-heap.js';

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
    throw new StepInputError(
      `patient ${user} has an empty treatment history, so ${method} cannot personalise: use the popularity baseline or a hybrid model with patient features`,
    );
  }
}

/**
 * The k best of `scores` (ties broken by lower index, so results are deterministic), skipping the
 * treatments in row `user` of `seen` when asked. A size-k heap: O(n log k).
 */
export function selectTopK(scores: Float64Array, k: number, seen: SparseRows, user: number, excludeSeen: boolean): Ranked {
  if (!Number.isInteger(k) || k < 1) throw new StepInputError(`k must be a positive integer, got ${k}`);
  const heap = new TopK(k);
  let sp = seen.ptr[user];
  const end = seen.ptr[user + 1];
  for (let i = 0; i < scores.length; i++) {
    if (excludeSeen) {
      while (sp < end && seen.index[sp] < i) sp++;
      if (sp < end && seen.index[sp] === i) continue;
    }
    heap.offer(scores[i], i);
  }
  const items = new Int32Array(k);
  const out = new Float64Array(k);
  const n = heap.drain(items, out, 0);
  return { items: items.slice(0, n), scores: out.slice(0, n) };
}

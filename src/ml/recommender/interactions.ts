/**
 * The observed (patient, treatment, outcome) table every recommender trains on, checked once and
 * turned into compressed sparse rows (per patient) and columns (per treatment) as typed arrays.
 * Both are built by two counting sorts, so indices inside each row and column come out ascending
 * and a duplicate (patient, treatment) pair shows up as two equal neighbours.
 */
import { StepInputError } from '../../errors.js';

/** The long outcome table: observation n is (user[n], item[n], value[n]). */
export interface Interactions {
  user: Int32Array;
  item: Int32Array;
  value: Float64Array;
}

/** Compressed sparse rows: the entries of row r are index/value[ptr[r] .. ptr[r+1]), index ascending. */
export interface SparseRows {
  ptr: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

export interface InteractionMatrix {
  nUsers: number;
  nItems: number;
  /** Per patient: the treatments they had, with outcomes. */
  byUser: SparseRows;
  /** Per treatment: the patients who had it, with outcomes. */
  byItem: SparseRows;
  mean: number;
}

function transpose(rowOf: Int32Array, colOf: Int32Array, value: Float64Array, order: Int32Array | null, nCols: number): SparseRows {
  const n = rowOf.length;
  const ptr = new Int32Array(nCols + 1);
  for (let t = 0; t < n; t++) ptr[colOf[order ? order[t] : t] + 1]++;
  for (let c = 0; c < nCols; c++) ptr[c + 1] += ptr[c];
  const fill = ptr.slice(0, nCols);
  const index = new Int32Array(n);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const o = order ? order[t] : t;
    const p = fill[colOf[o]]++;
    index[p] = rowOf[o];
    out[p] = value[o];
  }
  return { ptr, index, value: out };
}

/**
 * Checks the table (lengths, index ranges, finite outcomes, no duplicate pairs, not empty) and builds
 * both sparse layouts. Errors say which observation (0-based) is wrong and never show outcomes.
 */
export function buildInteractionMatrix(obs: Interactions, nUsers: number, nItems: number): InteractionMatrix {
  const n = obs.user.length;
  if (obs.item.length !== n || obs.value.length !== n) {
    throw new StepInputError(
      `interactions have ${n} patients, ${obs.item.length} treatments and ${obs.value.length} outcomes: the three columns must have the same length`,
    );
  }
  if (n === 0) throw new StepInputError('the interaction table is empty: a recommender needs at least one observed (patient, treatment, outcome)');
  if (!(Number.isInteger(nUsers) && nUsers > 0 && Number.isInteger(nItems) && nItems > 0)) {
    throw new StepInputError(`numbers of patients (${nUsers}) and treatments (${nItems}) must be positive integers`);
  }
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const u = obs.user[t],
      i = obs.item[t],
      v = obs.value[t];
    if (u < 0 || u >= nUsers) throw new StepInputError(`observation ${t}: patient index ${u} is out of range 0..${nUsers - 1}`);
    if (i < 0 || i >= nItems) throw new StepInputError(`observation ${t}: treatment index ${i} is out of range 0..${nItems - 1}`);
    if (!Number.isFinite(v)) throw new StepInputError(`observation ${t}: outcome is not a finite number (remove or impute missing outcomes first)`);
    sum += v;
  }
  // Items first (stable in observation order), then rows from the item-major order: rows sorted by item.
  const byItemUnsorted = transpose(obs.user, obs.item, obs.value, null, nItems);
  const itemOfEntry = new Int32Array(n);
  for (let i = 0; i < nItems; i++) for (let p = byItemUnsorted.ptr[i]; p < byItemUnsorted.ptr[i + 1]; p++) itemOfEntry[p] = i;
  const byUser = transpose(itemOfEntry, byItemUnsorted.index, byItemUnsorted.value, null, nUsers);
  for (let u = 0; u < nUsers; u++) {
    for (let p = byUser.ptr[u] + 1; p < byUser.ptr[u + 1]; p++) {
      if (byUser.index[p] === byUser.index[p - 1]) {
        throw new StepInputError(
          `patient ${u} has more than one outcome for treatment ${byUser.index[p]}: duplicate (patient, treatment) rows; aggregate them (e.g. mean or last) before training`,
        );
      }
    }
  }
  const userOfEntry = new Int32Array(n);
  for (let u = 0; u < nUsers; u++) for (let p = byUser.ptr[u]; p < byUser.ptr[u + 1]; p++) userOfEntry[p] = u;
  const byItem = transpose(userOfEntry, byUser.index, byUser.value, null, nItems);
  return { nUsers, nItems, byUser, byItem, mean: sum / n };
}

/** Whether patient u had treatment i in the training data (binary search in the sorted row). */
export function hasEntry(rows: SparseRows, r: number, c: number): number {
  let lo = rows.ptr[r],
    hi = rows.ptr[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = rows.index[mid];
    if (x === c) return mid;
    if (x < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

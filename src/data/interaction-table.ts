/**
 * A long (patient, treatment, outcome) table read from a Dataset, as every recommender step needs
 * it: patient and treatment ids interned to 0-based indices (typed arrays, no per-row objects), the
 * outcome as numbers, and duplicate (patient, treatment) rows found or aggregated. Ids may be text,
 * categorical or whole numbers, so a CSV loaded with `load.csv` works as well as the builtin table.
 *
 * Rows are named 1-based in table order in errors ("row 12"); a CSV row r is on line r + 1. No
 * outcome value is ever put into an error.
 */
import { StepInputError } from '../errors.js';
import type { Dataset } from './dataset.js';

export interface InteractionColumns {
  patient: string;
  treatment: string;
  outcome: string;
}

export type DuplicatePolicy = 'error' | 'mean' | 'last';

/** One id column interned: `codes[row]` indexes `names`. */
export interface InternedIds {
  codes: Int32Array;
  names: string[];
}

function column(ds: Dataset, name: string, role: string) {
  const c = ds.columns.find((x) => x.name === name);
  if (!c)
    throw new StepInputError(
      `the ${role} column "${name}" is not in the table (columns: ${ds.columns.map((x) => x.name).join(', ')}): set ${role}: to the column that holds it`,
    );
  return c;
}

/** Interns an id column in order of first appearance. Missing ids are an error naming the row. */
export function internIds(ds: Dataset, name: string, role: string): InternedIds {
  const d = column(ds, name, role).data;
  const n = ds.rowCount;
  const codes = new Int32Array(n);
  const names: string[] = [];
  const missing = (r: number): never => {
    throw new StepInputError(`row ${r + 1}: the ${role} id (column "${name}") is missing; every row needs a ${role}`);
  };
  if (d.type === 'categorical') {
    // Map category codes to first-appearance order; categories no row uses are dropped.
    const remap = new Int32Array(d.categories.length).fill(-1);
    for (let r = 0; r < n; r++) {
      const c = d.codes[r];
      if (c < 0) missing(r);
      if (remap[c] < 0) (remap[c] = names.length), names.push(d.categories[c]);
      codes[r] = remap[c];
    }
    return { codes, names };
  }
  const index = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    const v = d.values[r];
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) missing(r);
    const key = String(v);
    let c = index.get(key);
    if (c === undefined) (c = names.length), index.set(key, c), names.push(key);
    codes[r] = c;
  }
  return { codes, names };
}

/** The outcome column as numbers; a missing or non-numeric outcome is an error naming the row or the column. */
export function outcomeValues(ds: Dataset, name: string): Float64Array {
  const d = column(ds, name, 'outcome').data;
  if (d.type !== 'numeric')
    throw new StepInputError(
      `the outcome column "${name}" is ${d.type}, not numeric: outcomes must be numbers (declare it numeric on the load step, or name the right column with outcome:)`,
    );
  for (let r = 0; r < d.values.length; r++) {
    if (!Number.isFinite(d.values[r]))
      throw new StepInputError(`row ${r + 1}: the outcome (column "${name}") is missing or not a finite number; drop or impute rows without an outcome first`);
  }
  return d.values;
}

export interface Deduplicated {
  /** 1 for rows kept. */
  keep: Uint8Array;
  /** Outcome of each kept row after aggregation (same as the input where nothing was aggregated). */
  value: Float64Array;
  duplicates: number;
}

/**
 * Finds rows with the same (patient, treatment). `error` throws naming the first duplicate pair in
 * table order; `mean` keeps the first row of each pair with the mean outcome; `last` keeps the
 * last row in table order.
 */
export function deduplicate(
  patient: InternedIds,
  treatment: InternedIds,
  value: Float64Array,
  policy: DuplicatePolicy,
  names: InteractionColumns,
): Deduplicated {
  const n = patient.codes.length;
  const nP = patient.names.length,
    nT = treatment.names.length;
  // Rows grouped by patient, table order within each patient (a stable counting sort).
  const ptr = new Int32Array(nP + 1);
  for (let r = 0; r < n; r++) ptr[patient.codes[r] + 1]++;
  for (let p = 0; p < nP; p++) ptr[p + 1] += ptr[p];
  const fill = ptr.slice(0, nP);
  const byPatient = new Int32Array(n);
  for (let r = 0; r < n; r++) byPatient[fill[patient.codes[r]]++] = r;

  const stamp = new Int32Array(nT).fill(-1);
  const at = new Int32Array(nT);
  const keep = new Uint8Array(n).fill(1);
  const out = Float64Array.from(value);
  const count = policy === 'mean' ? new Int32Array(n).fill(1) : null;
  let duplicates = 0;
  let first: [number, number] | null = null;
  for (let p = 0; p < nP; p++) {
    for (let q = ptr[p]; q < ptr[p + 1]; q++) {
      const r = byPatient[q],
        t = treatment.codes[r];
      if (stamp[t] !== p) {
        stamp[t] = p;
        at[t] = r;
        continue;
      }
      duplicates++;
      const earlier = at[t];
      if (!first || r < first[1]) first = [earlier, r];
      if (policy === 'last') {
        keep[earlier] = 0;
        at[t] = r;
      } else if (policy === 'mean') {
        keep[r] = 0;
        out[earlier] += (value[r] - out[earlier]) / ++count![earlier];
      }
    }
  }
  if (first && policy === 'error') {
    throw new StepInputError(
      `rows ${first[0] + 1} and ${first[1] + 1} have the same ${names.patient} and ${names.treatment} (${duplicates} duplicate row${duplicates === 1 ? '' : 's'} in all): a recommender needs one outcome per pair; aggregate them first, or set duplicates: mean (or last) on split.interactions`,
    );
  }
  return { keep, value: out, duplicates };
}

/** The table's interactions with their ids, after checking columns, outcomes and duplicates (which are an error here). */
export interface InteractionTable {
  patients: string[];
  treatments: string[];
  user: Int32Array;
  item: Int32Array;
  value: Float64Array;
}

export function readInteractions(ds: Dataset, names: InteractionColumns): InteractionTable {
  if (ds.rowCount === 0) throw new StepInputError('the table has no rows: a recommender needs observed (patient, treatment, outcome) rows');
  const patient = internIds(ds, names.patient, 'patient');
  const treatment = internIds(ds, names.treatment, 'treatment');
  const value = outcomeValues(ds, names.outcome);
  deduplicate(patient, treatment, value, 'error', names);
  return { patients: patient.names, treatments: treatment.names, user: patient.codes, item: treatment.codes, value: Float64Array.from(value) };
}

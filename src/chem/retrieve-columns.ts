/**
 * Which columns retrieve.nearest compares, and the library's molecule identity: the dataset-aware
 * part of nearest-neighbour retrieval, kept out of the typed-array search itself.
 */
import { StepInputError } from '../errors.js';
import { getColumn, isFeatureKind, type ColumnData, type Dataset } from '../data/dataset.js';

export interface CompareOptions {
  metric: 'euclidean' | 'tanimoto';
  columns: readonly string[] | null;
  fingerprint_prefix: string;
}

export interface PickedColumns {
  names: string[];
  query: Float64Array[];
  library: Float64Array[];
}

const isNumeric = (ds: Dataset, name: string): boolean => getColumn(ds, name)?.data.type === 'numeric';
const isFeature = (ds: Dataset, name: string): boolean => {
  const c = getColumn(ds, name);
  return c !== undefined && isFeatureKind(c.kind) && name !== ds.target?.column;
};

/** The compared columns of both tables, checked: present in both, numeric, no missing values. */
export function selectColumns(query: Dataset, library: Dataset, options: CompareOptions): PickedColumns {
  const prefix = options.fingerprint_prefix;
  let names: string[];
  if (options.columns) {
    names = [...options.columns];
    for (const n of names) {
      for (const [ds, which] of [
        [query, 'query'],
        [library, 'library'],
      ] as const) {
        if (!getColumn(ds, n)) throw new StepInputError(`columns names "${n}", which is not in the ${which} dataset`);
        if (!isNumeric(ds, n))
          throw new StepInputError(`column "${n}" of the ${which} dataset is not numeric: compare numeric descriptor or fingerprint columns only`);
      }
    }
  } else if (options.metric === 'tanimoto') {
    names = library.columns.filter((c) => c.name.startsWith(prefix) && isNumeric(library, c.name) && isNumeric(query, c.name)).map((c) => c.name);
    if (!names.length) {
      throw new StepInputError(
        `tanimoto needs fingerprint bit columns (named ${prefix}0, ${prefix}1, …) in both the query and the library; ${countPrefixed(query, prefix)} in the query, ${countPrefixed(library, prefix)} in the library (featurize with fingerprint:, generate them, or use metric: euclidean)`,
      );
    }
  } else {
    names = library.columns
      .filter(
        (c) => !c.name.startsWith(prefix) && isFeature(library, c.name) && isFeature(query, c.name) && isNumeric(library, c.name) && isNumeric(query, c.name),
      )
      .map((c) => c.name);
    if (!names.length) {
      throw new StepInputError(
        `the query and the library share no numeric descriptor columns (fingerprint bits ${prefix}* are compared with metric: tanimoto); name them with columns: [...]`,
      );
    }
  }
  const pick = (ds: Dataset, which: string): Float64Array[] =>
    names.map((n) => {
      const data = getColumn(ds, n)!.data as Extract<ColumnData, { type: 'numeric' }>;
      const bad = data.values.findIndex((v) => Number.isNaN(v));
      if (bad >= 0) throw new StepInputError(`column "${n}" of the ${which} dataset has a missing value (data row ${bad + 1}): impute or drop such rows first`);
      return data.values;
    });
  return { names, query: pick(query, 'query'), library: pick(library, 'library') };
}

function countPrefixed(ds: Dataset, prefix: string): number {
  return ds.columns.filter((c) => c.name.startsWith(prefix)).length;
}

/** A string key per row of an id column; a missing id gets a key of its own (it cannot equal another molecule). */
export function libraryKeys(data: ColumnData): string[] {
  const n = data.type === 'categorical' ? data.codes.length : data.values.length;
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v =
      data.type === 'categorical'
        ? data.codes[i] < 0
          ? null
          : data.categories[data.codes[i]]
        : data.type === 'numeric'
          ? Number.isNaN(data.values[i])
            ? null
            : String(data.values[i])
          : data.values[i];
    keys[i] = v === null ? `\u0000missing ${i}` : `=${v}`;
  }
  return keys;
}

/** The first row of each distinct key, ascending. */
export function firstOfEachKey(keys: readonly string[]): Int32Array {
  const seen = new Set<string>();
  const rows: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (seen.has(keys[i])) continue;
    seen.add(keys[i]);
    rows.push(i);
  }
  return Int32Array.from(rows);
}

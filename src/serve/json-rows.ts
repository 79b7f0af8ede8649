/**
 * JSON rows (`{"rows": [{column: value, …}]}`) read against a bundle's input signature, as
 * `medpipe predict` reads CSV rows (readRowsForBundle): the same column kinds, the same missing
 * values, so the server and `predict` give the same answer for the same rows. Unlike the CSV
 * reader, which stops at the first bad cell, every bad field is collected, so a client can fix a
 * request in one go.
 *
 * - numeric columns take JSON numbers only: a string (even "12.5", "NaN" or "1e999") is refused,
 *   and so is a number JSON.parse turned into Infinity (a literal 1e999);
 * - categorical columns take strings (a number or boolean stands for its text, as in a CSV cell);
 *   the CSV reader's missing tokens ("", "NA", "?", …) are missing here too;
 * - date columns take ISO 8601 text (`2024-03-05`, `2024-03-05T14:30:00Z`);
 * - null is a missing value, handled as predict handles a missing cell: imputed when the model's
 *   preprocessing imputes the column; refused when it does not and the model would read it;
 * - a column absent from a row is an error (send null for a missing value): a misspelt key must
 *   not silently become a missing value; extra fields are ignored, as predict ignores extra columns.
 *
 * Problems name the row (0-based index into `rows`) and the column, never the value sent: it may
 * be patient data.
 */
import type { InputColumn, ModelBundle } from '../bundle/bundle.js';
import { DEFAULT_MISSING } from '../data/csv.js';
import type { Column, Dataset } from '../data/dataset.js';
import { matchIso, partsToDays } from '../data/dates.js';
import type { CategoricalColumnTransform, NumericColumnTransform } from '../data/preprocess-transform.js';

export interface FieldProblem {
  /** 0-based index into the request's `rows`; absent for a problem with the request as a whole. */
  readonly row?: number;
  readonly column?: string;
  readonly problem: string;
}

export type RowsResult =
  | { readonly dataset: Dataset; readonly problems?: undefined }
  /** `more`: problems beyond those listed; `tooMany`: the request has more rows than the server takes. */
  | { readonly problems: readonly FieldProblem[]; readonly more: number; readonly tooMany?: boolean };

const MISSING_TEXT: ReadonlySet<string> = new Set(DEFAULT_MISSING.map((m) => m.trim()));

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  return `a ${typeof v}`;
}

/**
 * Which signature columns may not be missing: those whose missing value would reach the model as
 * NaN (no imputation in the preprocessing, and the model reads the feature). A missing category
 * one-hot encoded is all zeros, which the model can read.
 */
function columnsNeedingValues(bundle: ModelBundle): Set<string> {
  const features = new Set(Array.isArray(bundle.model.features) ? (bundle.model.features as unknown[]).map(String) : []);
  const t = bundle.transform;
  if (!t) return new Set(bundle.signature.columns.map((c) => c.name));
  const byName = new Map(t.columns.map((c) => [c.name, c]));
  const need = new Set<string>();
  const reachesModel = (ct: NumericColumnTransform | CategoricalColumnTransform): boolean =>
    ct.type === 'numeric' ? !ct.impute && features.has(ct.name) : !ct.impute && ct.encode !== 'one-hot' && ct.outputs.some((o) => features.has(o));
  for (const col of bundle.signature.columns) {
    if (col.kind === 'date') {
      // A date's features are derived from it; the date is needed when any of them is read unimputed.
      const outputs = t.dates?.find((d) => d.column === col.name)?.outputs ?? [];
      if (
        outputs.some((o) => {
          const ct = byName.get(o);
          return ct?.type === 'numeric' && reachesModel(ct);
        })
      )
        need.add(col.name);
      continue;
    }
    const ct = byName.get(col.name);
    if (ct && (ct.type === 'numeric' || ct.type === 'categorical') && reachesModel(ct)) need.add(col.name);
  }
  return need;
}

/** Categorical columns whose unseen categories the preprocessing refuses (on_unseen: error, no rare-level group). */
function strictCategories(bundle: ModelBundle): Map<string, ReadonlySet<string>> {
  const t = bundle.transform;
  const strict = new Map<string, ReadonlySet<string>>();
  if (t?.onUnseen !== 'error') return strict;
  for (const c of t.columns) if (c.type === 'categorical' && !c.infrequent) strict.set(c.name, new Set(c.categories));
  return strict;
}

interface ColumnRules {
  readonly needed: ReadonlySet<string>;
  readonly strict: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Worked out once per bundle: a server reads every request against the same one. */
const rulesByBundle = new WeakMap<ModelBundle, ColumnRules>();

function rulesOf(bundle: ModelBundle): ColumnRules {
  let rules = rulesByBundle.get(bundle);
  if (!rules) {
    rules = { needed: columnsNeedingValues(bundle), strict: strictCategories(bundle) };
    rulesByBundle.set(bundle, rules);
  }
  return rules;
}

/**
 * The request body's rows as a Dataset with the signature's columns (in signature order), or
 * every problem found, at most `maxProblems` of them plus a count of the rest.
 */
export function rowsForBundle(bundle: ModelBundle, body: unknown, options: { maxRows: number; maxProblems?: number }): RowsResult {
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(rows))
    return {
      problems: [{ problem: 'the body must be a JSON object with "rows": an array of objects, one per patient ({"rows": [{"column": value, …}]})' }],
      more: 0,
    };
  if (rows.length === 0) return { problems: [{ problem: '"rows" is empty: send at least one row' }], more: 0 };
  if (rows.length > options.maxRows)
    return {
      problems: [{ problem: `"rows" has ${rows.length} rows; this server takes at most ${options.maxRows} per request (--max-rows): split the request` }],
      more: 0,
      tooMany: true,
    };
  const maxProblems = options.maxProblems ?? 100;
  const problems: FieldProblem[] = [];
  let more = 0;
  const report = (p: FieldProblem): void => {
    if (problems.length < maxProblems) problems.push(p);
    else more++;
  };
  rows.forEach((row, r) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      report({ row: r, problem: `expected an object of column values, got ${describeType(row)}` });
  });
  const { needed, strict } = rulesOf(bundle);
  const n = rows.length;
  const columns: Column[] = bundle.signature.columns.map((col) => readColumn(col, rows, n, needed.has(col.name), strict.get(col.name), report));
  if (problems.length) return { problems, more };
  return { dataset: { columns, rowCount: n } };
}

function readColumn(
  col: InputColumn,
  rows: readonly unknown[],
  n: number,
  needsValue: boolean,
  known: ReadonlySet<string> | undefined,
  report: (p: FieldProblem) => void,
): Column {
  const name = col.name;
  const cell = (r: number): { present: boolean; value: unknown } => {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return { present: false, value: undefined };
    return Object.hasOwn(row, name) ? { present: true, value: (row as Record<string, unknown>)[name] } : { present: false, value: undefined };
  };
  const missingRefused = (r: number): void => {
    if (needsValue) report({ row: r, column: name, problem: "missing (null), and the model's preprocessing does not impute this column: send a value" });
  };
  const absent = (r: number): void => {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return; // reported once per row, below
    report({ row: r, column: name, problem: 'absent: the model needs this column (send null for a missing value)' });
  };
  if (col.kind === 'numeric' || col.kind === 'date') {
    const values = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const { present, value } = cell(r);
      values[r] = NaN;
      if (!present) absent(r);
      else if (value === null) missingRefused(r);
      else if (col.kind === 'numeric') {
        if (typeof value !== 'number') report({ row: r, column: name, problem: `expected a number, got ${describeType(value)}` });
        else if (!Number.isFinite(value)) report({ row: r, column: name, problem: 'not a finite number (too large for a 64-bit float)' });
        else values[r] = value;
      } else {
        const text = typeof value === 'string' ? value.trim() : undefined;
        const parts = text === undefined || MISSING_TEXT.has(text) ? undefined : matchIso(text);
        if (text !== undefined && MISSING_TEXT.has(text)) missingRefused(r);
        else if (!parts)
          report({ row: r, column: name, problem: `expected an ISO 8601 date text (2024-03-05 or 2024-03-05T14:30:00Z), got ${describeType(value)}` });
        else values[r] = partsToDays(parts);
      }
    }
    return { name, kind: col.kind === 'date' ? 'date' : 'numeric', data: { type: 'numeric', values } };
  }
  // categorical
  const codes = new Int32Array(n);
  const categories: string[] = [];
  const index = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    const { present, value } = cell(r);
    codes[r] = -1;
    if (!present) {
      absent(r);
      continue;
    }
    let text: string | undefined;
    if (typeof value === 'string') text = value.trim();
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') text = String(value);
    else if (value !== null) {
      report({ row: r, column: name, problem: `expected a category (text), got ${describeType(value)}` });
      continue;
    }
    if (text === undefined || MISSING_TEXT.has(text)) {
      missingRefused(r);
      continue;
    }
    if (known && !known.has(text)) {
      report({ row: r, column: name, problem: `a category not seen in training (the model knows ${known.size}); its preprocessing refuses unseen categories` });
      continue;
    }
    let k = index.get(text);
    if (k === undefined) {
      k = categories.length;
      categories.push(text);
      index.set(text, k);
    }
    codes[r] = k;
  }
  return { name, kind: 'categorical', data: { type: 'categorical', codes, categories } };
}

/**
 * Decisions the CSV loader makes from a sample of the first rows: is the first row a header, and
 * what is each column (numeric, categorical, free text, or an identifier). Every decision here can
 * be overridden in the load step's `with:` (header, columns, id).
 */
import { parseNumberText } from './csv-number.js';
import { closest } from '../suggest.js';

export type InferredKind = 'numeric' | 'categorical' | 'text' | 'id';

/** Most distinct values a column inferred categorical may have (beyond that it is free text). */
export const MAX_CATEGORIES = 1000;

/** Column names that read as identifiers: "id", "patient_id", "MRN", "nci_id", "record-id", "ID number". */
const ID_NAME = /(^|[^a-z])(id|mrn|uuid)$|^(id|mrn|uuid)([^a-z]|$)/i;

/**
 * Whether the first record is a header. It is not when one of its cells is a number (column names
 * rarely are), or when most of its cells reappear as values further down their column.
 */
export function looksLikeHeader(first: readonly string[], rest: readonly (readonly string[])[], missing: ReadonlySet<string>): boolean {
  if (rest.length === 0) return true;
  let reappearing = 0;
  let cells = 0;
  for (let j = 0; j < first.length; j++) {
    const cell = first[j].trim();
    if (cell === '' || missing.has(cell)) continue;
    if (!Number.isNaN(parseNumberText(cell))) return false;
    cells++;
    if (rest.some((r) => r[j] === first[j])) reappearing++;
  }
  return cells === 0 || reappearing * 2 <= cells;
}

/**
 * What the sample says a column is: a kind, or `mostly-numeric` when most present values are
 * numbers but not all, which the loader refuses to guess about (it names the other cells' lines).
 */
export type SampleVerdict = InferredKind | 'mostly-numeric';

/**
 * The kind of a column from its sample values: numeric when every present value is a number (or
 * nothing is present); an identifier when the name says so and no value repeats; categorical
 * when few values repeat often enough (at most half as many distinct values as values, or at
 * most 10 in a small sample); free text otherwise.
 *
 * Between all numbers and half numbers the verdict is `mostly-numeric`. A column's type is never
 * decided by a minority of its cells: when most of a column is numbers, the rest are typos, units,
 * thousands separators (`1,001`) or missing markers nobody listed, and loading the column as text
 * would quietly drop or mis-encode a feature that is meant to be a number. So a strict majority of
 * numbers makes the column numeric-or-nothing, and the user says which cells are wrong or declares
 * the column; a share threshold such as 90% would still let 10-50% of odd cells (e.g. censored
 * lab values like `<0.5`) silently decide. A column half words or more is a coded category (stage
 * 1, 2, IIIa) and is inferred as before. A false alarm costs one line of `columns:`; a wrong guess
 * costs a model trained on the wrong thing.
 */
export function inferColumnKind(name: string, values: readonly string[], missing: ReadonlySet<string>): SampleVerdict {
  const present = values.filter((v) => !missing.has(v.trim()));
  const distinct = new Set(present);
  const unique = distinct.size === present.length && present.length > 0;
  if (ID_NAME.test(name) && unique) return 'id';
  const notNumbers = countNonNumbers(present);
  if (notNumbers === 0) return 'numeric';
  if (notNumbers * 2 < present.length) return 'mostly-numeric';
  const d = distinct.size;
  const n = present.length;
  if (d <= MAX_CATEGORIES && (d * 2 <= n || (n < 20 && d <= 10))) return 'categorical';
  return 'text';
}

/** How many of `present` are not numbers; stops counting once they are half, where the count no longer matters. */
function countNonNumbers(present: readonly string[]): number {
  let bad = 0;
  for (const v of present) {
    if (Number.isNaN(parseNumberText(v)) && ++bad * 2 >= present.length) break;
  }
  return bad;
}

/** Whether a sample value is present (not a missing token) and not a number. */
export function isPresentNonNumber(value: string, missing: ReadonlySet<string>): boolean {
  return !missing.has(value.trim()) && Number.isNaN(parseNumberText(value));
}

/** The column name closest to `wanted` (case-insensitive), if close enough to suggest. */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
  return closest(wanted, names, Math.max(2, Math.floor(wanted.length / 3)));
}

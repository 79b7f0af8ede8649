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
 * The kind of a column from its sample values: numeric when every present value is a number (or
 * nothing is present); an identifier when the name says so and no value repeats; categorical
 * when few values repeat often enough (at most half as many distinct values as values, or at
 * most 10 in a small sample); free text otherwise.
 */
export function inferColumnKind(name: string, values: readonly string[], missing: ReadonlySet<string>): InferredKind {
  const present = values.filter((v) => !missing.has(v.trim()));
  const distinct = new Set(present);
  const unique = distinct.size === present.length && present.length > 0;
  if (ID_NAME.test(name) && unique) return 'id';
  if (present.every((v) => !Number.isNaN(parseNumberText(v)))) return 'numeric';
  const d = distinct.size;
  const n = present.length;
  if (d <= MAX_CATEGORIES && (d * 2 <= n || (n < 20 && d <= 10))) return 'categorical';
  return 'text';
}

/** The column name closest to `wanted` (case-insensitive), if close enough to suggest. */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
  return closest(wanted, names, Math.max(2, Math.floor(wanted.length / 3)));
}

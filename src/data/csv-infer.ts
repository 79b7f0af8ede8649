/**
 * Decisions the CSV loader makes from a sample of the first rows: is the first row a header, and
 * what is each column (numeric, categorical, free text, or an identifier). Every decision here can
 * be overridden in the load step's `with:` (header, columns, id).
 */
import { parseNumberText } from './csv-number.js';

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

/** Edit distance, for "did you mean" suggestions on column names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The column name closest to `wanted` (ignoring case first), if any is close enough to suggest. */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
  const lower = wanted.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const n of names) {
    const d = editDistance(lower, n.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

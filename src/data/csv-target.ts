/**
 * Checks of a categorical target against what the user declared about it, once the whole file is
 * read: `positive:` names a class that is there, `positive:` alone means exactly two classes (a
 * stray third one, typically a typo such as `malignnat`, would otherwise quietly make the task
 * three-class), and `classes:` lists every value the target may take.
 *
 * Class labels are shown, since the user must find and fix them, but only short ones: a long
 * value suggests the wrong column (free text) was named as the target, and may be about a patient.
 */
import { DataError } from '../errors.js';
import type { CategoricalData } from './dataset.js';

export interface TargetDeclaration {
  readonly column: string;
  readonly positive?: string;
  readonly classes?: readonly string[];
}

/** The line a category first appears on, in the file. */
export type FirstLine = (category: string) => number | undefined;

/** Labels longer than this are described by their length, never shown. */
const MAX_SHOWN_LABEL = 30;
/** Unexpected classes named in one message; the rest are counted. */
const MAX_LISTED = 5;

export function checkTargetClasses(data: CategoricalData, target: TargetDeclaration, firstLine: FirstLine, file: string): void {
  if (target.positive !== undefined) checkPositivePresent(data.categories, target.column, target.positive, file);
  if (target.classes !== undefined) checkListedClasses(data.categories, target.column, target.classes, firstLine, file);
  else if (target.positive !== undefined) checkBinary(data, target.column, target.positive, firstLine, file);
}

function checkPositivePresent(categories: readonly string[], column: string, positive: string, file: string): void {
  if (categories.includes(positive)) return;
  const caseMatch = categories.some((c) => c.toLowerCase() === positive.toLowerCase());
  throw new DataError(`the positive class given in \`positive:\` is not one of the ${categories.length} values of the target column`, {
    file,
    column,
    hint: caseMatch ? 'a value differs only in upper/lower case: match it exactly' : 'check the spelling against the values in the file',
  });
}

/**
 * `positive:` without `classes:` declares a binary target. With more classes, the positive one and
 * the most frequent other are taken as the intended pair, and the rest are named as unexpected.
 */
function checkBinary(data: CategoricalData, column: string, positive: string, firstLine: FirstLine, file: string): void {
  const categories = data.categories;
  if (categories.length <= 2) return;
  const counts = new Array<number>(categories.length).fill(0);
  for (const code of data.codes) if (code >= 0) counts[code]++;
  const byLine = (a: string, b: string): number => (firstLine(a) ?? 0) - (firstLine(b) ?? 0);
  const others = categories.filter((c) => c !== positive).sort(byLine);
  const negative = others.reduce((best, c) => (counts[categories.indexOf(c)] > counts[categories.indexOf(best)] ? c : best));
  const unexpected = others.filter((c) => c !== negative);
  throw new DataError(
    `\`positive: ${positive}\` declares a binary target, but the column has ${categories.length} classes: besides ${label(positive)} and ${label(negative)} it has ${listWithLines(unexpected, firstLine)}`,
    {
      file,
      column,
      hint: 'fix those rows, or list every class in `classes:` if the target really has more than two',
    },
  );
}

function checkListedClasses(categories: readonly string[], column: string, classes: readonly string[], firstLine: FirstLine, file: string): void {
  const listed = new Set(classes);
  const unlisted = categories.filter((c) => !listed.has(c)).sort((a, b) => (firstLine(a) ?? 0) - (firstLine(b) ?? 0));
  if (unlisted.length === 0) return;
  const n = unlisted.length;
  throw new DataError(
    `${n} value${n > 1 ? 's' : ''} of the target ${n > 1 ? 'are' : 'is'} not among the classes listed in \`classes:\`: ${listWithLines(unlisted, firstLine)}`,
    {
      file,
      column,
      hint: 'fix those rows, or add the class to `classes:`',
    },
  );
}

/** `"a" (first on line 4), "b" (first on line 9)`, at most MAX_LISTED of them, then a count. */
function listWithLines(categories: readonly string[], firstLine: FirstLine): string {
  const shown = categories.slice(0, MAX_LISTED).map((c) => `${label(c)} (first on line ${firstLine(c) ?? '?'})`);
  const more = categories.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

function label(category: string): string {
  return category.length <= MAX_SHOWN_LABEL ? JSON.stringify(category) : `a value of ${category.length} characters`;
}

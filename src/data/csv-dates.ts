/**
 * Which CSV columns hold dates, and how they are written, decided from the sample rows the loader
 * reads first (csv.ts). A column is a date when every present value is ISO 8601 (`2024-03-05`,
 * `2024-03-05T14:30:00+01:00`) or a day/month order with a 4-digit year (`05/03/2024`,
 * `5.3.2024`). Day-first and month-first are told apart only by a number above 12 in one of the
 * two places: the loader never guesses between them, since a wrong guess silently swaps months
 * and days for most of the year. A column it cannot decide is an error asking for `formats:`.
 */
import { DataError } from '../errors.js';
import { compilePattern, matchDayMonth, matchIso, type DateLayout } from './dates.js';

export interface SampleValue {
  readonly value: string;
  /** 1-based line of the value in the file. */
  readonly line: number;
}

/**
 * The layout of a column whose present sample values are all dates, or undefined when they are not
 * (or none is present). Throws when they are day/month dates whose order the sample cannot decide.
 */
export function inferDateLayout(values: readonly SampleValue[], missing: ReadonlySet<string>, column: string, file: string): DateLayout | undefined {
  const present = values.filter((v) => !missing.has(v.value.trim()));
  if (present.length === 0) return undefined;
  if (present.every((v) => matchIso(v.value.trim()) !== undefined)) return { type: 'iso' };
  let dayFirstLine: number | undefined;
  let monthFirstLine: number | undefined;
  for (const v of present) {
    const dm = matchDayMonth(v.value.trim());
    if (!dm) return undefined;
    // A value with both numbers above 12 is no date at all: the full read names its line.
    if (dm.first > 12 && dm.second <= 12) dayFirstLine ??= v.line;
    if (dm.second > 12 && dm.first <= 12) monthFirstLine ??= v.line;
  }
  if (dayFirstLine !== undefined && monthFirstLine === undefined) return { type: 'dmy' };
  if (monthFirstLine !== undefined && dayFirstLine === undefined) return { type: 'mdy' };
  const hint = `say how the dates are written: \`formats: { ${column}: "%d/%m/%Y" }\` (day first) or \`formats: { ${column}: "%m/%d/%Y" }\` (month first), with the separator the file uses`;
  if (dayFirstLine !== undefined && monthFirstLine !== undefined) {
    return fail(
      `this column mixes day-first dates (line ${dayFirstLine}) and month-first dates (line ${monthFirstLine})`,
      monthFirstLine,
      column,
      file,
      `fix the dates so they follow one order, then ${hint}`,
    );
  }
  return fail(
    `this column holds dates, but none of the ${present.length} values read to infer its type says whether the day or the month comes first (every number is 12 or less)`,
    present[0].line,
    column,
    file,
    hint,
  );
}

function fail(message: string, row: number, column: string, file: string, hint: string): never {
  throw new DataError(message, { file, row, column, hint });
}

/** The layout of a `formats:` entry; a user error naming the column when the pattern is unusable. */
export function layoutOfFormat(column: string, format: string, file: string): DateLayout {
  const pattern = compilePattern(format);
  if (typeof pattern === 'string') {
    throw new DataError(`the date format ${JSON.stringify(format)} cannot be used: ${pattern}`, {
      file,
      column,
      hint: 'write it with %Y %m %d (and %H %M %S for times), e.g. "%d/%m/%Y" or "%Y-%m-%d %H:%M"',
    });
  }
  return { type: 'pattern', pattern };
}

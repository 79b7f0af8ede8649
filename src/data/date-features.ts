/**
 * Numeric features derived from date columns, as preprocess `dates:` asks:
 *   year, month (1-12), day (of the month, 1-31), day_of_week (0 = Monday … 6 = Sunday, as
 *   pandas' dayofweek), day_of_year (1-366), hour (0-23, UTC), and days_since a reference date
 *   (fractional for times; negative before it).
 * Each is a new numeric column named `<date column>.<feature>` (`admitted.days_since_2025-01-01`),
 * appended after the table's columns. Nothing is fitted: the same row gives the same values in
 * train, test and at predict time, and a missing date gives missing features, which the rest of
 * preprocessing then imputes and scales like any numeric feature. The date column itself stays.
 */
import { DataError, StepInputError } from '../errors.js';
import type { Column, Dataset } from './dataset.js';
import { civilFromDays, daysFromCivil, matchIso, MS_PER_DAY, partsToDays } from './dates.js';
import { closestName } from './select-names.js';

export const DATE_FEATURES = ['year', 'month', 'day', 'day_of_week', 'day_of_year', 'hour'] as const;
export type DateFeatureName = (typeof DATE_FEATURES)[number];
export type DateFeature = DateFeatureName | { days_since: string };

/** One date column's derived features, as stored in a fitted transform. */
export interface DateFeatureSpec {
  column: string;
  features: DateFeature[];
  /** Output column names, one per feature, in order. */
  outputs: string[];
}

function featureName(column: string, f: DateFeature): string {
  return typeof f === 'string' ? `${column}.${f}` : `${column}.days_since_${f.days_since}`;
}

/** Checks a `dates:` option against a table: every column named must exist and be a date. */
export function resolveDateFeatures(ds: Dataset, option: Readonly<Record<string, readonly DateFeature[]>> | undefined): DateFeatureSpec[] {
  const specs: DateFeatureSpec[] = [];
  const names = ds.columns.map((c) => c.name);
  for (const [column, features] of Object.entries(option ?? {})) {
    const c = ds.columns.find((x) => x.name === column);
    if (!c) {
      const guess = closestName(column, names);
      throw new StepInputError(`dates: names column "${column}", which is not in the training set${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
    if (c.kind !== 'date' || c.data.type !== 'numeric') {
      throw new StepInputError(
        `dates: names "${column}", which is a ${c.kind} column, not a date: load it as one with load.csv \`columns: { ${column}: date }\` or \`formats: { ${column}: "%d/%m/%Y" }\``,
      );
    }
    for (const f of features) if (typeof f !== 'string') referenceDays(column, f.days_since);
    const outputs = features.map((f) => featureName(column, f));
    for (const name of outputs) {
      if (names.includes(name) || outputs.indexOf(name) !== outputs.lastIndexOf(name))
        throw new StepInputError(`dates: would create a column "${name}" twice (the table has one, or the feature is listed twice)`);
    }
    specs.push({ column, features: [...features], outputs });
  }
  return specs;
}

/** Days since 1970 of a `days_since:` reference (an ISO 8601 date or date-time). */
function referenceDays(column: string, text: string): number {
  const parts = matchIso(text);
  const days = parts ? partsToDays(parts) : NaN;
  if (Number.isNaN(days))
    throw new StepInputError(`dates: ${column}: days_since "${text}" is not an ISO 8601 date (e.g. "2025-01-01" or "2025-01-01T08:00:00Z")`);
  return days;
}

/** `ds` with the derived columns appended; `source` names the table in errors. */
export function withDateFeatures(ds: Dataset, specs: readonly DateFeatureSpec[] | undefined, source?: string): Dataset {
  if (!specs?.length) return ds;
  const added: Column[] = [];
  for (const spec of specs) {
    const c = ds.columns.find((x) => x.name === spec.column);
    if (!c) throw new DataError('date column is missing; features were derived from it in training (preprocess dates:)', { file: source, column: spec.column });
    if (c.kind !== 'date' || c.data.type !== 'numeric')
      throw new DataError(`expected a date column (as in training), found a ${c.kind} column`, {
        file: source,
        column: spec.column,
        hint: 'dates must be read as dates: ISO 8601 (YYYY-MM-DD) is detected; other layouts need load.csv formats:',
      });
    const days = c.data.values;
    spec.features.forEach((f, k) => {
      const v = new Float64Array(ds.rowCount);
      const compute = featureOf(spec.column, f);
      for (let i = 0; i < v.length; i++) v[i] = Number.isNaN(days[i]) ? NaN : compute(days[i]);
      added.push({ name: spec.outputs[k], kind: 'numeric', data: { type: 'numeric', values: v } });
    });
  }
  return { ...ds, columns: [...ds.columns, ...added] };
}

function featureOf(column: string, f: DateFeature): (days: number) => number {
  if (typeof f !== 'string') {
    const ref = referenceDays(column, f.days_since);
    return (d) => d - ref;
  }
  switch (f) {
    case 'year':
      return (d) => civilFromDays(Math.floor(d)).year;
    case 'month':
      return (d) => civilFromDays(Math.floor(d)).month;
    case 'day':
      return (d) => civilFromDays(Math.floor(d)).day;
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    case 'day_of_week':
      return (d) => (((Math.floor(d) + 3) % 7) + 7) % 7;
    case 'day_of_year':
      return (d) => {
        const whole = Math.floor(d);
        return whole - daysFromCivil(civilFromDays(whole).year, 1, 1) + 1;
      };
    case 'hour':
      // Milliseconds into the day, rounded, so 10:00 stored as 0.41666… days is hour 10, not 9.
      return (d) => Math.min(23, Math.floor(Math.round((d - Math.floor(d)) * MS_PER_DAY) / 3_600_000));
  }
}

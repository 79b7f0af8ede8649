/**
 * preprocess `dates:`: each derived feature checked against values worked out by hand from a
 * calendar, the same values on a table the transform was not fitted on, and the errors for a
 * `dates:` entry that names something other than a date.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { fitPreprocess, transformDataset } from '../../src/data/preprocess.js';
import { StepInputError } from '../../src/errors.js';
import { tempFile } from '../data/helpers.js';

async function table(dates: string[]): Promise<Dataset> {
  const rows = dates.map((d, i) => `${i},${40 + i},${d}`);
  return readCsv(tempFile('dates.csv', `id,age,admitted\n${rows.join('\n')}\n`));
}

function values(ds: Dataset, name: string): number[] {
  const c = getColumn(ds, name);
  assert.equal(c?.kind, 'numeric', `${name} is a numeric column`);
  assert.ok(c?.data.type === 'numeric');
  return Array.from(c.data.values);
}

const ALL = ['year', 'month', 'day', 'day_of_week', 'day_of_year', 'hour', { days_since: '2025-01-01' }] as const;

describe('preprocess dates:', () => {
  it('derives year, month, day, day of week (Monday 0), day of year, hour (UTC) and days since a date', async () => {
    // A Tuesday in a leap year at 14:30 UTC (written 15:30+01:00), a Sunday on the last day of a
    // year, the first day, a Saturday at 10:00 (0.41666… of a day), and a missing date.
    const train = await table(['2024-03-05T15:30+01:00', '2023-12-31', '1970-01-01', '2000-02-26 10:00', '']);
    const t = fitPreprocess(train, { dates: { admitted: [...ALL] } });
    const out = transformDataset(t, train).dataset;
    const nan = NaN;
    assert.deepEqual(values(out, 'admitted.year'), [2024, 2023, 1970, 2000, nan]);
    assert.deepEqual(values(out, 'admitted.month'), [3, 12, 1, 2, nan]);
    assert.deepEqual(values(out, 'admitted.day'), [5, 31, 1, 26, nan]);
    assert.deepEqual(values(out, 'admitted.day_of_week'), [1, 6, 3, 5, nan]);
    assert.deepEqual(values(out, 'admitted.day_of_year'), [31 + 29 + 5, 365, 1, 31 + 26, nan]);
    assert.deepEqual(values(out, 'admitted.hour'), [14, 0, 0, 10, nan]);
    // 2025-01-01 is day 20089 (2024-01-01 is 19723, plus 366); 2000-01-01 is 10957 (30 x 365 + 7 leap days).
    const since = values(out, 'admitted.days_since_2025-01-01');
    const expected = [19787 + 14.5 / 24 - 20089, -367, -20089, 10_957 + 31 + 25 + 10 / 24 - 20089];
    expected.forEach((e, i) => assert.ok(Math.abs(since[i] - e) < 1e-9, `row ${i + 1}: ${since[i]} vs ${e}`));
    assert.ok(Number.isNaN(since[4]));
    assert.equal(getColumn(out, 'admitted')?.kind, 'date', 'the date column stays, as a date');
  });

  it('imputes and scales the derived columns like any numeric feature, with training statistics, and replays them on test', async () => {
    const train = await table(['2020-01-01', '2022-01-01', '']);
    const t = fitPreprocess(train, { dates: { admitted: ['year'] }, impute: 'mean', scale: 'standard' });
    assert.deepEqual(t.outputColumns, ['id', 'age', 'admitted', 'admitted.year']);
    const year = t.columns.find((c) => c.name === 'admitted.year');
    assert.equal(year?.type === 'numeric' ? year.impute?.value : undefined, 2021);
    assert.equal(year?.type === 'numeric' ? year.scale?.center : undefined, 2021);
    const test = await table(['2024-06-30', '']);
    const out = transformDataset(t, test).dataset;
    const sd = Math.sqrt(2 / 3); // population std of 2020, 2022, 2021 (imputed)
    const got = values(out, 'admitted.year');
    assert.ok(Math.abs(got[0] - 3 / sd) < 1e-12 && got[1] === 0, String(got));
    assert.deepEqual(JSON.parse(JSON.stringify(t)).dates, [{ column: 'admitted', features: ['year'], outputs: ['admitted.year'] }]);
  });

  it('leaves transforms without dates: as they were (no dates key)', async () => {
    const t = fitPreprocess(await table(['2020-01-01']), {});
    assert.equal('dates' in t, false);
    assert.deepEqual(t.outputColumns, ['id', 'age', 'admitted']);
  });

  it('refuses an entry naming a column that is not a date, or is not there, or a bad reference date', async () => {
    const train = await table(['2020-01-01']);
    assert.throws(
      () => fitPreprocess(train, { dates: { age: ['year'] } }),
      (e: unknown) => e instanceof StepInputError && /"age", which is a numeric column, not a date/.test(e.message),
    );
    assert.throws(() => fitPreprocess(train, { dates: { admited: ['year'] } }), /did you mean "admitted"/);
    assert.throws(() => fitPreprocess(train, { dates: { admitted: [{ days_since: '01/01/2025' }] } }), /not an ISO 8601 date/);
    assert.throws(() => fitPreprocess(train, { dates: { admitted: ['year', 'year'] } }), /twice/);
  });
});

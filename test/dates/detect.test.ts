/**
 * Which CSV columns load as dates, how their values become days since 1970-01-01 UTC, and the
 * errors for dates the loader must not guess about. Expected day counts are worked out by hand
 * (2019-01-01 is day 17897: 49 years of 365 days and 12 leap days; 2024-01-01 is day 19723).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { readCsv } from '../../src/data/csv.js';
import { getColumn, summariseDataset, type Dataset } from '../../src/data/dataset.js';
import { datasetCsv } from '../../src/data/csv-write.js';
import { StepInputError } from '../../src/errors.js';
import { failure, tempFile, tempPath, where } from '../data/helpers.js';

async function load(content: string, options: Parameters<typeof readCsv>[1] = {}): Promise<Dataset> {
  return readCsv(tempFile('dates.csv', content), { displayName: 'patients.csv', ...options });
}

function days(ds: Dataset, name: string): number[] {
  const c = getColumn(ds, name);
  assert.equal(c?.kind, 'date', `${name} is a date`);
  assert.equal(c?.data.type, 'numeric');
  assert.ok(c?.data.type === 'numeric');
  return Array.from(c.data.values);
}

const JAN3_2019 = 17899;
const MAR5_2024 = 19787;

describe('date detection', () => {
  const cases: { name: string; values: string[]; expected: number[] }[] = [
    { name: 'ISO dates', values: ['2019-01-03', '2024-03-05', ''], expected: [JAN3_2019, MAR5_2024, NaN] },
    {
      name: 'ISO date-times, with Z, an offset (converted to UTC), a space, seconds and milliseconds, or none (taken as UTC)',
      values: ['2024-03-05T14:30:00+01:00', '2024-03-05 23:00-02:00', '2024-03-05T06:00Z', '2024-03-05T12:00:00.500', '2024-03-05 18:00:30+0530'],
      expected: [
        MAR5_2024 + 13.5 / 24,
        MAR5_2024 + 1 + 1 / 24,
        MAR5_2024 + 0.25,
        MAR5_2024 + 0.5 + 500 / 86_400_000,
        MAR5_2024 + (12 * 3600 + 30 * 60 + 30) / 86_400,
      ],
    },
    { name: 'day first, decided by a day above 12', values: ['03/01/2019', '25/12/2019', 'NA'], expected: [JAN3_2019, 17897 + 358, NaN] },
    { name: 'month first, decided by a day above 12', values: ['01/03/2019', '12/25/2019'], expected: [JAN3_2019, 17897 + 358] },
    { name: 'day first with dots and one-digit numbers', values: ['5.3.2024', '13.3.2024'], expected: [MAR5_2024, MAR5_2024 + 8] },
    { name: 'day first with dashes', values: ['05-03-2024', '31-12-2019'], expected: [MAR5_2024, 17897 + 364] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const ds = await load(`id,admitted\n${c.values.map((v, i) => `${i},${v}`).join('\n')}\n`);
      const got = days(ds, 'admitted');
      got.forEach((g, i) =>
        Number.isNaN(c.expected[i]) ? assert.ok(Number.isNaN(g), `row ${i + 1}`) : assert.ok(Math.abs(g - c.expected[i]) < 1e-9, `row ${i + 1}: ${g}`),
      );
    });
  }

  it('leaves numbers, mixed columns and other text alone', async () => {
    const ds = await load('a,b,c\n20190103,2019-01-03,x\n20190104,soon,y\n20190105,2019-01-05,x\n');
    assert.deepEqual(
      ds.columns.map((c) => c.kind),
      ['numeric', 'categorical', 'categorical'],
    );
  });

  it('refuses a day/month column whose order no value decides, naming file, line and column and asking for formats:', async () => {
    const e = await failure('id,admitted\n1,03/01/2019\n2,04/02/2019\n3,12/11/2020\n');
    assert.deepEqual(where(e), ['patients.csv', 2, 'admitted']);
    assert.match(e.message, /day or the month comes first/);
    assert.match(e.hint ?? '', /formats: \{ admitted: "%d\/%m\/%Y" \}/);
  });

  it('refuses a column that mixes day-first and month-first dates', async () => {
    const e = await failure('id,admitted\n1,25/01/2019\n2,01/25/2019\n');
    assert.deepEqual(where(e), ['patients.csv', 3, 'admitted']);
    assert.match(e.message, /mixes day-first dates \(line 2\) and month-first dates \(line 3\)/);
  });

  it('reads an undecidable column as the formats: entry says', async () => {
    const csv = 'id,admitted\n1,03/01/2019\n2,04/02/2019\n';
    assert.deepEqual(days(await load(csv, { formats: { admitted: '%d/%m/%Y' } }), 'admitted'), [JAN3_2019, JAN3_2019 + 32]);
    assert.deepEqual(days(await load(csv, { formats: { admitted: '%m/%d/%Y' } }), 'admitted'), [17897 + 59, 17897 + 91]);
    const timed = await load('id,seen\n1,05.03.2024 14:30\n', { formats: { seen: '%d.%m.%Y %H:%M' } });
    assert.deepEqual(days(timed, 'seen'), [MAR5_2024 + 14.5 / 24]);
  });

  it('names the line and column of a date that does not exist (30 February), as for a bad number', async () => {
    const e = await failure('id,admitted\n1,2025-02-27\n2,2025-02-28\n3,2025-02-30\n');
    assert.deepEqual(where(e), ['patients.csv', 4, 'admitted']);
    assert.match(e.message, /not a valid date/);
    const late = await failure('id,admitted\n1,25/01/2019\n2,13/13/2019\n');
    assert.deepEqual(where(late), ['patients.csv', 3, 'admitted']);
    const pattern = await failure('id,admitted\n1,2019/01/03\n', { formats: { admitted: '%d/%m/%Y' } });
    assert.deepEqual(where(pattern), ['patients.csv', 2, 'admitted']);
    assert.match(pattern.message, /in the format "%d\/%m\/%Y"/);
  });

  it('finds an invalid date beyond the sample rows while streaming, by its line', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `${i},2020-01-${String((i % 28) + 1).padStart(2, '0')}`);
    rows.push('6000,2020-04-31');
    const e = await failure(`id,admitted\n${rows.join('\n')}\n`, { chunkSize: 4096 });
    assert.deepEqual(where(e), ['patients.csv', 6002, 'admitted']);
  });

  it('checks declared dates and formats', async () => {
    const declared = await failure('id,admitted\n1,soon\n', { columns: { admitted: 'date' } });
    assert.equal(declared.column, 'admitted');
    assert.match(declared.hint ?? '', /formats:/);
    const badPattern = await failure('id,admitted\n1,2019-01-03\n', { formats: { admitted: '%d/%q/%Y' } });
    assert.match(badPattern.message, /unsupported directive "%q"/);
    const unknown = await failure('id,admitted\n1,2019-01-03\n', { formats: { admited: '%Y-%m-%d' } });
    assert.match(unknown.hint ?? '', /did you mean "admitted"/);
    await assert.rejects(load('id,admitted\n1,2019-01-03\n', { formats: { admitted: '%Y-%m-%d' }, columns: { admitted: 'numeric' } }), StepInputError);
    assert.deepEqual(days(await load('id,admitted\n1,2019-01-03\n', { columns: { admitted: 'date' } }), 'admitted'), [JAN3_2019]);
  });

  it('round-trips through an Arrow file as kind date and counts in the summary', async () => {
    const ds = await load('id,admitted,age\n1,2019-01-03T06:00Z,50\n2,,60\n');
    const path = tempPath('dates.arrow');
    await writeDatasetFile(path, ds);
    const back = await readDatasetFile(path);
    const got = days(back, 'admitted');
    assert.equal(got[0], JAN3_2019 + 0.25);
    assert.ok(Number.isNaN(got[1]));
    assert.deepEqual(summariseDataset(back).kinds, { id: 1, date: 1, numeric: 1 });
  });

  it('writes dates back as ISO 8601 text that loads to the same days', async () => {
    const ds = await load('id,admitted\n1,2019-12-25\n2,\n3,2024-03-05T14:30:15+01:00\n');
    const text = datasetCsv(ds);
    assert.equal(text, 'id,admitted\n1,2019-12-25\n2,\n3,2024-03-05T13:30:15Z\n');
    assert.deepEqual(days(await load(text), 'admitted'), days(ds, 'admitted'));
  });
});

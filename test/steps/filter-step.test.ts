/**
 * The filter step on the shipped compound series: numeric thresholds, categorical membership,
 * missing values never matching, and the errors for a wrong column, a wrong type and no match.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import filter from '../../src/steps/filter.js';
import { runStep } from '../helpers/step-harness.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-filter-'));
const csvPath = join(ROOT, 'data', 'chembl2321810-pic50.csv');

test('pic50 >= 7 keeps exactly the rows a plain reading of the CSV says are active, in order', async () => {
  const ds = await readCsv(csvPath, { id: ['compound_id'] });
  const file = join(dir, 'series.arrow');
  await writeDatasetFile(file, ds);
  const run = await runStep(filter, { data: file }, { where: [{ column: 'pic50', op: '>=', value: 7 }], allow_empty: false });
  const out = await readDatasetFile(run.outputs.data);
  const lines = readFileSync(csvPath, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const expected = lines.filter((l) => Number(l[l.length - 1]) >= 7).map((l) => l[0]);
  const ids = out.columns.find((c) => c.name === 'compound_id')!.data;
  const got =
    ids.type === 'numeric'
      ? Array.from(ids.values, String)
      : ids.type === 'categorical'
        ? Array.from(ids.codes, (k) => ids.categories[k])
        : ids.values.map(String);
  assert.ok(expected.length > 50 && expected.length < lines.length);
  assert.deepEqual(got, expected);
  assert.deepEqual(run.summary, { rows: expected.length, of: lines.length });
});

test('categorical in / != and missing values', async () => {
  const ds = makeDataset([
    { name: 'site', kind: 'categorical', data: { type: 'categorical', codes: Int32Array.from([0, 1, 2, -1, 1]), categories: ['north', 'south', 'west'] } },
    { name: 'age', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([40, Number.NaN, 70, 50, 65]) } },
  ]);
  const file = join(dir, 'small.arrow');
  await writeDatasetFile(file, ds);
  const rows = async (where: unknown[]): Promise<number> =>
    (await readDatasetFile((await runStep(filter, { data: file }, { where, allow_empty: true })).outputs.data)).rowCount;
  assert.equal(await rows([{ column: 'site', op: 'in', value: ['south', 'west'] }]), 3);
  assert.equal(await rows([{ column: 'site', op: '!=', value: 'south' }]), 2, 'a missing site is not "not south"');
  assert.equal(await rows([{ column: 'age', op: '!=', value: 40 }]), 3, 'a missing age is not "not 40"');
  assert.equal(
    await rows([
      { column: 'site', op: '==', value: 'south' },
      { column: 'age', op: '>', value: 60 },
    ]),
    1,
  );

  const fails = (where: unknown[], pattern: RegExp, allowEmpty = false) =>
    assert.rejects(runStep(filter, { data: file }, { where, allow_empty: allowEmpty }), (e: unknown) => e instanceof StepInputError && pattern.test(e.message));
  await fails([{ column: 'sitee', op: '==', value: 'north' }], /no column "sitee".*site/);
  await fails([{ column: 'site', op: '>=', value: 3 }], /categorical.*>=/);
  await fails([{ column: 'age', op: '>=', value: 'old' }], /numeric.*number/);
  await fails([{ column: 'age', op: 'in', value: 40 }], /list/);
  await fails([{ column: 'age', op: '>', value: 100 }], /no row meets age > 100.*allow_empty/);
});

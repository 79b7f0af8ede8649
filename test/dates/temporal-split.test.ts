/**
 * split method: temporal: the earliest rows train, the latest test, rows sharing the boundary
 * date on one side, the same rows on every run; and the parameter combinations it refuses.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { temporalSplit } from '../../src/data/split-temporal.js';
import { StepInputError } from '../../src/errors.js';
import loadCsv from '../../src/steps/load.csv.js';
import split from '../../src/steps/split.js';
import { runStep, withParamDefaults } from '../helpers/step-harness.js';
import { admissionsCsv, tempDir } from './helpers.js';

function column(ds: Dataset, name: string): number[] {
  const d = getColumn(ds, name)?.data;
  if (d?.type === 'numeric') return Array.from(d.values);
  if (d?.type === 'text') return d.values.map((v) => Number(String(v).slice(1)));
  throw new Error(`no column ${name}`);
}

describe('temporalSplit', () => {
  it('puts the latest rows in test, both parts in date order, ties by row order', () => {
    const days = Float64Array.from([5, 1, 9, 3, 7, 2, 8, 4, 6, 0]);
    const { train, test } = temporalSplit(days, 0.3, 'admitted');
    assert.deepEqual(Array.from(train), [9, 1, 5, 3, 7, 0, 8]);
    assert.deepEqual(Array.from(test), [4, 6, 2]);
  });

  it('keeps rows sharing the boundary date together, in test', () => {
    // Sorted: 1 2 3 3 3 4; test_size 2 rows would cut between the 3s: all three go to test.
    const days = Float64Array.from([3, 1, 3, 4, 2, 3]);
    const { train, test } = temporalSplit(days, 2, 'admitted');
    assert.deepEqual(Array.from(train), [1, 4]);
    assert.deepEqual(Array.from(test), [0, 2, 5, 3]);
  });

  it('refuses missing dates and a split that leaves no training rows', () => {
    assert.throws(() => temporalSplit(Float64Array.from([1, NaN, 2, NaN]), 0.5, 'admitted'), /missing on 2 rows \(the first is row 2\)/);
    assert.throws(() => temporalSplit(Float64Array.from([1, 1, 1, 2]), 0.5, 'admitted'), /leaves no training rows/);
  });
});

describe('split step, method: temporal', () => {
  it('tests on the latest admissions, deterministically, and says where the boundary is', async () => {
    const dir = tempDir();
    const loaded = await runStep(loadCsv, {}, { path: admissionsCsv(dir), target: 'outcome', positive: 'yes', id: 'patient_id' });
    const params = { method: 'temporal', column: 'admitted', test_size: 0.25 };
    const a = await runStep(split, { data: loaded.outputs.data }, params);
    const b = await runStep(split, { data: loaded.outputs.data }, { ...params, seed: 99 });
    const train = await readDatasetFile(a.outputs.train);
    const test = await readDatasetFile(a.outputs.test);
    assert.ok(test.rowCount >= 75, `at least a quarter of 300 rows in test, got ${test.rowCount}`);
    assert.equal(train.rowCount + test.rowCount, 300);
    assert.ok(Math.max(...column(train, 'admitted')) < Math.min(...column(test, 'admitted')), 'every test date is after every train date');
    assert.ok(readFileSync(a.outputs.train).equals(readFileSync(b.outputs.train)), 'the seed does not matter: same rows');
    assert.ok(readFileSync(a.outputs.test).equals(readFileSync(b.outputs.test)));
    assert.equal((a.summary as { stratified: boolean }).stratified, false);
    assert.ok(
      a.logs.some((l) => /\(by admitted: test from \d{4}-\d\d-\d\d\)/.test(l)),
      a.logs.join(' | '),
    );
  });

  it('refuses stratify: true and a missing column in the schema, a column without the method, and a non-date column', async () => {
    assert.throws(() => withParamDefaults(split, { method: 'temporal', column: 'admitted', stratify: true }), /stratify/);
    assert.throws(() => withParamDefaults(split, { method: 'temporal' }), /column/);
    assert.deepEqual(withParamDefaults(split, {}), { test_size: 0.2, stratify: 'auto', shuffle: true, seed: 0, folds: 5 }, 'defaults as before');
    const dir = tempDir();
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'age,admitted,outcome\n1,2020-01-01,a\n2,2020-01-02,b\n3,2020-01-03,a\n4,2020-01-04,b\n');
    const loaded = await runStep(loadCsv, {}, { path: csv, target: 'outcome' });
    const run = (p: Record<string, unknown>) => runStep(split, { data: loaded.outputs.data }, { folds: 2, test_size: 0.5, ...p });
    await assert.rejects(run({ column: 'admitted' }), (e: unknown) => e instanceof StepInputError && /add `method: temporal`/.test(e.message));
    await assert.rejects(run({ method: 'temporal', column: 'age' }), /needs a date column, but "age" is numeric/);
    await assert.rejects(run({ method: 'temporal', column: 'admited' }), /did you mean "admitted"/);
  });
});

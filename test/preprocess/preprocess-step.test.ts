/**
 * The `preprocess` step end to end on Arrow files: outputs match scikit-learn, statistics never
 * come from the test set (leakage), and the same inputs give the same bytes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import type { Column, Dataset } from '../../src/data/dataset.js';
import step from '../../src/steps/preprocess.js';
import { runStep } from '../helpers/step-harness.js';
import { assertClose, numericValues, preprocessTables, readFixture, type Design } from './breast-cancer.js';

const fx = readFixture<{ design: Design; scalers: { standard: { center: number[]; scale: number[]; testOutput: number[][] } } }>(
  'breast-cancer-preprocess.json',
);
const { train, test: testSet, features } = preprocessTables(fx.design);
const dir = mkdtempSync(join(tmpdir(), 'medpipe-preprocess-test-'));

const params = {
  impute: 'median',
  drop_columns_missing_above: 1,
  drop_rows_missing_above: 1,
  outliers: 'none',
  iqr_k: 1.5,
  zscore_z: 3,
  encode: 'one-hot',
  scale: 'standard',
  on_unseen: 'ignore',
};

async function write(name: string, ds: Dataset): Promise<string> {
  const path = join(dir, `${name}.arrow`);
  await writeDatasetFile(path, ds);
  return path;
}

/** A test set nothing like the training set: numbers x1000 + 7, and a new category everywhere. */
function wild(ds: Dataset): Dataset {
  const columns = ds.columns.map((c): Column => {
    if (c.data.type === 'numeric') return { ...c, data: { type: 'numeric', values: c.data.values.map((v) => v * 1000 + 7) } };
    if (c.kind === 'categorical' && c.data.type === 'categorical')
      return { ...c, data: { type: 'categorical', codes: new Int32Array(ds.rowCount), categories: ['enormous'] } };
    return c;
  });
  return { ...ds, columns };
}

const bytes = (path: string): Buffer => readFileSync(path);

/**
 * Dataset artifacts are compared by content: src/data/arrow.ts currently numbers Arrow
 * dictionaries from a process-wide counter, so two writes of one table differ in a few header
 * bytes (reported to the lead). JSON artifacts are compared byte for byte.
 */
async function assertSameDataset(a: string, b: string, label: string): Promise<void> {
  assert.deepEqual(await readDatasetFile(a), await readDatasetFile(b), label);
}

test('preprocess step: median + standard scaling on the test set matches sklearn', async () => {
  const r = await runStep(step, { train: await write('train', train), test: await write('test', testSet) }, params);
  const out = await readDatasetFile(r.outputs.test);
  features.forEach((f, j) => numericValues(out, f).forEach((v, i) => assertClose(v, fx.scalers.standard.testOutput[i][j], `${f} row ${i}`)));
  const summary = r.summary as { columnsIn: number; columnsOut: number; test: { imputed: Record<string, number>; rowsDropped: number } };
  assert.equal(summary.columnsIn, train.columns.length);
  // size_band becomes three one-hot columns.
  assert.equal(summary.columnsOut, train.columns.length + 2);
  assert.equal(summary.test.rowsDropped, 0);
  assert.ok(Object.values(summary.test.imputed).reduce((a, b) => a + b, 0) > 0);
  assert.deepEqual((await readDatasetFile(r.outputs.train)).target, train.target);
});

test('leakage: a wildly different test set changes neither the transform nor the training output', async () => {
  const trainPath = await write('train-leak', train);
  const a = await runStep(step, { train: trainPath, test: await write('test-a', testSet) }, params);
  const b = await runStep(step, { train: trainPath, test: await write('test-b', wild(testSet)) }, params);
  assert.ok(bytes(a.outputs.transform).equals(bytes(b.outputs.transform)));
  await assertSameDataset(a.outputs.train, b.outputs.train, 'train output');
  // The wild test rows are scaled with the training mean and std (from sklearn), not their own.
  const out = await readDatasetFile(b.outputs.test);
  const raw = wild(testSet);
  features.forEach((f, j) => {
    const { center, scale } = fx.scalers.standard;
    const before = numericValues(raw, f);
    numericValues(out, f).forEach((v, i) => {
      if (!Number.isNaN(before[i])) assertClose(v, (before[i] - center[j]) / scale[j], `${f} row ${i}`);
    });
  });
  const summary = b.summary as { test: { unseen: Record<string, number> } };
  assert.equal(summary.test.unseen[fx.design.band.column], testSet.rowCount);
});

test('determinism: the same inputs give byte-identical outputs', async () => {
  const inputs = { train: await write('train-det', train), test: await write('test-det', testSet) };
  const p = { ...params, outliers: 'iqr', scale: 'robust', encode: 'ordinal' };
  const a = await runStep(step, inputs, p);
  const b = await runStep(step, inputs, p);
  assert.ok(bytes(a.outputs.transform).equals(bytes(b.outputs.transform)));
  for (const port of ['train', 'test']) await assertSameDataset(a.outputs[port], b.outputs[port], port);
});

test('on_unseen: error fails the step naming the column and the row', async () => {
  const inputs = { train: await write('train-err', train), test: await write('test-err', wild(testSet)) };
  await assert.rejects(
    runStep(step, inputs, { ...params, on_unseen: 'error' }),
    new RegExp(`test, row 1, column "${fx.design.band.column}": category not seen in training`),
  );
});

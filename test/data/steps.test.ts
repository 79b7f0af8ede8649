import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readDatasetFile } from '../../src/data/arrow.js';
import { BUILTIN_NAMES } from '../../src/data/builtin.js';
import { DEFAULT_MISSING } from '../../src/data/csv.js';
import { getColumn } from '../../src/data/dataset.js';
import { DataError, StepInputError } from '../../src/errors.js';
import loadBuiltin, { BUILTIN_DATASET_NAMES } from '../../src/steps/load.builtin.js';
import loadCsv, { LOAD_CSV_DEFAULT_MISSING } from '../../src/steps/load.csv.js';
import split, { type FoldsArtifact } from '../../src/steps/split.js';
import { runStep } from '../helpers/step-harness.js';
import { reference, ROOT } from './helpers.js';

/** The step's schema defaults (the engine applies them; the harness does not). */
async function loadBreastCancer(): Promise<string> {
  const r = await runStep(loadCsv, {}, { path: 'data/breast-cancer-wisconsin.csv', target: 'diagnosis', positive: 'malignant' }, ROOT);
  return r.outputs['data'];
}

function classCounts(codes: Int32Array): number[] {
  const counts = [0, 0];
  for (const c of codes) counts[c]++;
  return counts;
}

describe('load.csv step', () => {
  it('writes the dataset relative to the pipeline directory and summarises it with counts only', async () => {
    const r = await runStep(loadCsv, {}, { path: 'data/breast-cancer-wisconsin.csv', target: 'diagnosis', positive: 'malignant' }, ROOT);
    const ds = await readDatasetFile(r.outputs['data']);
    const ref = reference.csv['breast-cancer-wisconsin.csv'];
    assert.equal(ds.rowCount, ref.rows);
    assert.deepEqual(ds.target, { column: 'diagnosis', positive: 'malignant' });
    assert.deepEqual(r.summary, {
      rows: ref.rows,
      columns: ref.header.length,
      kinds: { numeric: ref.header.length - 1, target: 1 },
      target: 'diagnosis',
      missing: {},
    });
  });

  it('reports a missing file as a DataError with the path as written', async () => {
    await assert.rejects(runStep(loadCsv, {}, { path: 'data/nope.csv' }, ROOT), (e: unknown) => e instanceof DataError && e.file === 'data/nope.csv');
  });

  it('declares path as a file parameter and the same default missing tokens as the loader', () => {
    assert.deepEqual(loadCsv.fileParams, ['path']);
    assert.deepEqual(LOAD_CSV_DEFAULT_MISSING, [...DEFAULT_MISSING]);
  });
});

describe('load.builtin step', () => {
  it('lists the same names as the library, loads a shipped table and a generated one', async () => {
    assert.deepEqual([...BUILTIN_DATASET_NAMES], [...BUILTIN_NAMES]);
    const shipped = await runStep(loadBuiltin, {}, { name: 'diabetes-progression' });
    assert.equal((await readDatasetFile(shipped.outputs['data'])).rowCount, reference.csv['diabetes-progression.csv'].rows);
    const generated = await runStep(loadBuiltin, {}, { name: 'make-classification', n_samples: 120, n_features: 6, seed: 3 });
    const ds = await readDatasetFile(generated.outputs['data']);
    assert.equal(ds.rowCount, 120);
    assert.equal(ds.columns.length, 7);
    assert.deepEqual(ds.target, { column: 'class', positive: '1' });
  });

  it('refuses generator options for a shipped table and options of the other generator', async () => {
    await assert.rejects(runStep(loadBuiltin, {}, { name: 'breast-cancer-wisconsin', n_samples: 10 }), StepInputError);
    await assert.rejects(runStep(loadBuiltin, {}, { name: 'make-regression', n_classes: 3 }), StepInputError);
  });
});

describe('split step', () => {
  it('splits breast cancer 80/20 stratified like scikit-learn, with folds over the train rows', async () => {
    const data = await loadBreastCancer();
    const r = await runStep(split, { data }, { seed: 42 });
    const train = await readDatasetFile(r.outputs['train']);
    const test = await readDatasetFile(r.outputs['test']);
    const ref = reference.splits[0];
    assert.equal(train.rowCount, ref.n_train);
    assert.equal(test.rowCount, ref.n_test);
    const codes = (ds: typeof train): Int32Array => {
      const d = getColumn(ds, 'diagnosis')?.data;
      assert.ok(d?.type === 'categorical');
      return d.codes;
    };
    // Categories are sorted (benign, malignant); the fixture lists classes by size (357 benign, 212 malignant).
    assert.deepEqual(classCounts(codes(train)), ref.stratified_train_per_class);
    assert.deepEqual(classCounts(codes(test)), ref.stratified_test_per_class);
    assert.deepEqual(train.target, { column: 'diagnosis', positive: 'malignant' });

    const folds = JSON.parse(readFileSync(r.outputs['folds'], 'utf8')) as FoldsArtifact;
    assert.equal(folds.k, 5);
    assert.equal(folds.stratified, true);
    assert.equal(folds.fold.length, train.rowCount);
    const trainCodes = codes(train);
    for (let k = 0; k < 2; k++) {
      const perFold = [0, 1, 2, 3, 4].map((f) => folds.fold.filter((g, i) => g === f && trainCodes[i] === k).length);
      assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${k}: ${perFold.join(',')}`);
    }
    assert.deepEqual(r.summary, { rows: ref.n, train: ref.n_train, test: ref.n_test, stratified: true, folds: 5 });
  });

  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const data = await loadBreastCancer();
    const a = await runStep(split, { data }, { seed: 1 });
    const b = await runStep(split, { data }, { seed: 1 });
    const c = await runStep(split, { data }, { seed: 2 });
    for (const port of ['train', 'test', 'folds']) {
      assert.deepEqual(readFileSync(a.outputs[port]), readFileSync(b.outputs[port]), port);
      assert.notDeepEqual(readFileSync(a.outputs[port]), readFileSync(c.outputs[port]), port);
    }
  });

  it('does not stratify a regression target unless asked, and refuses to when asked', async () => {
    const reg = await runStep(loadBuiltin, {}, { name: 'diabetes-progression' });
    const r = await runStep(split, { data: reg.outputs['data'] }, { test_size: 0.25 });
    assert.equal((r.summary as { stratified: boolean }).stratified, false);
    await assert.rejects(runStep(split, { data: reg.outputs['data'] }, { stratify: true }), StepInputError);
  });
});

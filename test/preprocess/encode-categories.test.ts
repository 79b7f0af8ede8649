/**
 * High-cardinality categories in preprocessing (issue 21): the level limit, rare levels grouped
 * as scikit-learn 1.2's OneHotEncoder groups them (parity on a fixture from
 * test/fixtures/encoding_fixtures.py), frequency and target encoding checked by hand, and target
 * encoding's cross-fitting (a row's own label never enters its training value).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column, type Dataset } from '../../src/data/dataset.js';
import { TARGET_SMOOTHING } from '../../src/data/encode-categories.js';
import { fitPreprocess, fitPreprocessWithTraining, transformDataset, type PreprocessOptions } from '../../src/data/preprocess.js';
import step from '../../src/steps/preprocess.js';
import { runStep } from '../helpers/step-harness.js';
import { readFixture } from './breast-cancer.js';

function categorical(name: string, labels: readonly (string | null)[]): Column {
  const categories = [...new Set(labels.filter((l): l is string => l !== null))].sort();
  const index = new Map(categories.map((c, k) => [c, k]));
  return {
    name,
    kind: 'categorical',
    data: { type: 'categorical', codes: Int32Array.from(labels, (l) => (l === null ? -1 : (index.get(l) as number))), categories },
  };
}

function numeric(name: string, values: readonly number[], kind: Column['kind'] = 'numeric'): Column {
  return { name, kind, data: { type: 'numeric', values: Float64Array.from(values) } };
}

function outputOf(ds: Dataset, name: string): number[] {
  const c = ds.columns.find((x) => x.name === name);
  assert.ok(c && c.data.type === 'numeric', `output column ${name}`);
  return Array.from(c.data.values);
}

/** A seeded admissions table whose `admitted` column has 324 distinct dates, read as categories as main read them. */
function admissions(): Dataset {
  const n = 1000;
  const admitted: string[] = [];
  const outcome: number[] = [];
  const age: number[] = [];
  for (let i = 0; i < n; i++) {
    const day = i % 324;
    admitted.push(new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10));
    outcome.push(i % 20 === 0 ? 1 : 0);
    age.push(20 + ((i * 37) % 70));
  }
  return makeDataset([numeric('age', age), categorical('admitted', admitted), numeric('outcome', outcome, 'target')], { column: 'outcome' });
}

test('a 324-level column is never one-hot encoded silently: the step fails naming the column, its level count and the options', async () => {
  const ds = admissions();
  assert.throws(
    () => fitPreprocess(ds),
    (e: Error) => {
      assert.ok(!e.message.includes('\n'), 'one line');
      assert.match(e.message, /column "admitted"/);
      assert.match(e.message, /324 levels/);
      assert.match(e.message, /max_categories \(50\)/);
      assert.match(e.message, /min_frequency: 0\.01/);
      assert.match(e.message, /encode: \{ admitted: frequency \} or target/);
      assert.match(e.message, /declare it an id/);
      return true;
    },
  );
  // Through the step, as a pipeline would meet it.
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-categories-'));
  await writeDatasetFile(join(dir, 'train.arrow'), ds);
  await assert.rejects(runStep(step, { train: join(dir, 'train.arrow'), test: join(dir, 'train.arrow') }, {}), /column "admitted": 324 levels/);
  // Raising the limit, or grouping, or a one-column encoding are the ways out.
  assert.equal(fitPreprocess(ds, { maxCategories: 400 }).outputColumns.length, 1 + 324 + 1, 'age, 324 dummies, outcome');
  assert.deepEqual(fitPreprocess(ds, { encode: { admitted: 'frequency' } }).outputColumns, ['age', 'admitted', 'outcome']);
  assert.equal(fitPreprocess(ds, { minFrequency: 4 }).outputColumns.at(-2), 'admitted=infrequent');
});

test('min_frequency groups rare levels into <col>=infrequent, which also takes unseen levels even with on_unseen: error', () => {
  const train = makeDataset([categorical('ward', ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'd', null])]);
  const t = fitPreprocess(train, { minFrequency: 2, onUnseen: 'error' });
  const ct = t.columns[0];
  assert.ok(ct.type === 'categorical');
  assert.deepEqual(ct.infrequent, ['c', 'd']);
  assert.deepEqual(t.outputColumns, ['ward=a', 'ward=b', 'ward=infrequent']);
  const test_ = makeDataset([categorical('ward', ['a', 'c', 'zzz', null, 'b'])]);
  const { dataset, report } = transformDataset(t, test_);
  assert.deepEqual(outputOf(dataset, 'ward=a'), [1, 0, 0, 0, 0]);
  assert.deepEqual(outputOf(dataset, 'ward=b'), [0, 0, 0, 0, 1]);
  assert.deepEqual(outputOf(dataset, 'ward=infrequent'), [0, 1, 1, 0, 0], 'rare and unseen levels; a missing value stays all zeros');
  assert.deepEqual(report.unseen, { ward: 1 });
  // A fraction of the training rows: 3/11 > 0.25 keeps b; with 0.3 b is rare too.
  assert.deepEqual(fitPreprocess(train, { minFrequency: 0.25 }).outputColumns, ['ward=a', 'ward=b', 'ward=infrequent']);
  assert.deepEqual(fitPreprocess(train, { minFrequency: 0.3 }).outputColumns, ['ward=a', 'ward=infrequent']);
  // Nothing rare: no infrequent column, and the unseen policy applies as before.
  const none = fitPreprocess(train, { minFrequency: 1, onUnseen: 'error' });
  assert.deepEqual(none.outputColumns, ['ward=a', 'ward=b', 'ward=c', 'ward=d']);
  assert.throws(() => transformDataset(none, test_), /category not seen in training/);
});

interface EncodingFixture {
  sklearn: string;
  columns: string[];
  train: string[][];
  test: string[][];
  cases: { min_frequency: number; max_categories: number | null; infrequent: string[][]; names: string[]; train_output: number[][]; test_output: number[][] }[];
}

test("min_frequency and max_categories match scikit-learn 1.2's OneHotEncoder(handle_unknown='infrequent_if_exist')", () => {
  const fx = readFixture<EncodingFixture>('encoding.json');
  assert.match(fx.sklearn, /^1\.2\./);
  const table = (rows: string[][]): Dataset =>
    makeDataset(
      fx.columns.map((name, j) =>
        categorical(
          name,
          rows.map((r) => r[j]),
        ),
      ),
    );
  const train = table(fx.train);
  const testSet = table(fx.test);
  assert.equal(fx.cases.length, 6);
  for (const c of fx.cases) {
    const label = `min_frequency ${c.min_frequency}, max_categories ${c.max_categories}`;
    const options: PreprocessOptions = { minFrequency: c.min_frequency, ...(c.max_categories !== null ? { maxCategories: c.max_categories } : {}) };
    const t = fitPreprocess(train, options);
    t.columns.forEach((ct, j) => {
      assert.ok(ct.type === 'categorical');
      assert.deepEqual(ct.infrequent ?? [], c.infrequent[j], `${label}: infrequent ${ct.name}`);
    });
    // scikit-learn names ward_ICU and ward_infrequent_sklearn; medpipe ward=ICU and ward=infrequent.
    const ours = c.names.map((n) => n.replace(/^([a-z]+)_infrequent_sklearn$/, '$1=infrequent').replace(/^([a-z]+)_/, '$1='));
    assert.deepEqual([...t.outputColumns].sort(), [...ours].sort(), `${label}: output columns`);
    for (const [rows, expected, name] of [
      [train, c.train_output, 'train'],
      [testSet, c.test_output, 'test'],
    ] as const) {
      const out = transformDataset(t, rows).dataset;
      ours.forEach((col, k) => {
        assert.deepEqual(
          outputOf(out, col),
          expected.map((r) => r[k]),
          `${label}: ${name} ${col}`,
        );
      });
    }
  }
});

test('frequency encoding is the share of training rows, 0 for an unseen level, missing when missing', () => {
  const train = makeDataset([categorical('ward', ['a', 'a', 'a', 'b', 'c', 'a', 'b', 'a'])]);
  const t = fitPreprocess(train, { encode: { ward: 'frequency' } });
  assert.deepEqual(t.outputColumns, ['ward']);
  assert.deepEqual(outputOf(transformDataset(t, train).dataset, 'ward'), [5 / 8, 5 / 8, 5 / 8, 2 / 8, 1 / 8, 5 / 8, 2 / 8, 5 / 8]);
  assert.deepEqual(outputOf(transformDataset(t, makeDataset([categorical('ward', ['c', 'new', null])])).dataset, 'ward'), [1 / 8, 0, NaN]);
  // With imputation the filled value is counted as its level.
  const imputed = fitPreprocess(makeDataset([categorical('ward', ['a', 'b', 'b', null])]), { encode: { ward: 'frequency' }, impute: 'most_frequent' });
  assert.deepEqual(outputOf(transformDataset(imputed, makeDataset([categorical('ward', [null, 'a'])])).dataset, 'ward'), [3 / 4, 1 / 4]);
});

test('target encoding: full-training m-estimates for new rows, hand-checked', () => {
  // a: labels 1, 1, 0; b: 0; prior 2/4.
  const train = makeDataset([categorical('ward', ['a', 'a', 'a', 'b']), numeric('y', [1, 1, 0, 0], 'target')], { column: 'y' });
  const t = fitPreprocess(train, { encode: { ward: 'target' } });
  const m = TARGET_SMOOTHING;
  assert.equal(m, 10);
  const out = outputOf(transformDataset(t, makeDataset([categorical('ward', ['a', 'b', 'unseen'])])).dataset, 'ward');
  assert.deepEqual(out, [(2 + m * 0.5) / (3 + m), (0 + m * 0.5) / (1 + m), 0.5]);
  // A binary categorical target encodes the rate of the positive class.
  const classified = makeDataset([categorical('ward', ['a', 'a', 'a', 'b']), { ...categorical('outcome', ['yes', 'yes', 'no', 'no']), kind: 'target' }], {
    column: 'outcome',
    positive: 'yes',
  });
  const tc = fitPreprocess(classified, { encode: { ward: 'target' } });
  assert.deepEqual(outputOf(transformDataset(tc, makeDataset([categorical('ward', ['a'])])).dataset, 'ward'), [(2 + m * 0.5) / (3 + m)]);
});

test('target encoding is cross-fitted on the training rows: a level seen once never gets its own label as its encoding', () => {
  // 60 rows, 40 singleton levels and one common level; labels alternate.
  const wards = Array.from({ length: 60 }, (_, i) => (i < 40 ? `single-${String(i).padStart(2, '0')}` : 'common'));
  const labels: number[] = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const build = (y: number[]): Dataset => makeDataset([categorical('ward', wards), numeric('y', y, 'target')], { column: 'y' });
  const train = build(labels);
  const { transform, outOfFold } = fitPreprocessWithTraining(train, { encode: { ward: 'target' }, seed: 3 });
  const encoded = outputOf(transformDataset(transform, train, { outOfFold }).dataset, 'ward');
  for (let i = 0; i < 40; i++) {
    // Flip the row's own label: its training encoding must not move.
    const flipped = [...labels];
    flipped[i] = 1 - flipped[i];
    const again = fitPreprocessWithTraining(build(flipped), { encode: { ward: 'target' }, seed: 3 });
    assert.equal(outputOf(transformDataset(again.transform, build(flipped), { outOfFold: again.outOfFold }).dataset, 'ward')[i], encoded[i], `row ${i}`);
    // Full-training statistics would have used it.
    assert.notEqual(encoded[i], outputOf(transformDataset(transform, train).dataset, 'ward')[i], `row ${i} differs from the in-sample value`);
  }
  // The seed decides the folds; the same seed gives the same values.
  const same = fitPreprocessWithTraining(train, { encode: { ward: 'target' }, seed: 3 });
  assert.deepEqual(Array.from(same.outOfFold.get('ward') as Float64Array), encoded);
  const other = fitPreprocessWithTraining(train, { encode: { ward: 'target' }, seed: 4 });
  assert.notDeepEqual(Array.from(other.outOfFold.get('ward') as Float64Array), encoded);
});

test('the preprocess step writes out-of-fold target encodings for train and full-training ones for test', async () => {
  const wards = Array.from({ length: 50 }, (_, i) => ['a', 'b', 'c', 'd', 'e'][i % 5]);
  const y = Array.from({ length: 50 }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0));
  const train = makeDataset([categorical('ward', wards), numeric('y', y, 'target')], { column: 'y' });
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-target-enc-'));
  await writeDatasetFile(join(dir, 'train.arrow'), train);
  const r = await runStep(step, { train: join(dir, 'train.arrow'), test: join(dir, 'train.arrow') }, { encode: { ward: 'target' }, seed: 1 });
  const trainOut = outputOf(await readDatasetFile(r.outputs.train), 'ward');
  const testOut = outputOf(await readDatasetFile(r.outputs.test), 'ward');
  const expected = fitPreprocessWithTraining(train, { encode: { ward: 'target' }, seed: 1 });
  assert.deepEqual(trainOut, Array.from(expected.outOfFold.get('ward') as Float64Array));
  assert.deepEqual(testOut, outputOf(transformDataset(expected.transform, train).dataset, 'ward'));
  assert.notDeepEqual(trainOut, testOut);
});

test('target encoding refuses a multi-class target and encode names only categorical features', () => {
  const ds = makeDataset([categorical('ward', ['a', 'b', 'c']), numeric('age', [1, 2, 3]), { ...categorical('stage', ['I', 'II', 'III']), kind: 'target' }], {
    column: 'stage',
  });
  assert.throws(
    () => fitPreprocess(ds, { encode: { ward: 'target' } }),
    /needs a binary or numeric target; "stage" has 3 classes: use frequency or one-hot for ward/,
  );
  assert.throws(() => fitPreprocess(ds, { encode: { wrad: 'frequency' } }), /unknown categorical feature column "wrad" \(did you mean "ward"\?\)/);
  assert.throws(() => fitPreprocess(ds, { encode: { age: 'frequency' } }), /"age", which is numeric/);
  const noTarget = makeDataset([categorical('ward', ['a', 'b'])]);
  assert.throws(() => fitPreprocess(noTarget, { encode: { ward: 'target' } }), /needs a target column/);
});

/**
 * The predict step: a regression forest trained by its step on the diabetes data predicts held-out
 * rows exactly as the model does directly, ranks them and writes the CSV table; a classifier gets
 * labels and scores; a dataset without the model's features gets an error naming them. With
 * uncertainty, the forest's trees give each row a spread and an interval, and the rows can be
 * ranked by the interval's low end; models without trees are told so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, takeRows, type Dataset } from '../../src/data/dataset.js';
import { featureMatrix } from '../../src/data/matrix.js';
import { StepInputError } from '../../src/errors.js';
import { loadModelFile } from '../../src/ml/model.js';
import predict from '../../src/steps/predict.js';
import trainForest from '../../src/steps/train.random-forest.js';
import trainSvm from '../../src/steps/train.svm.js';
import { forestFromJSON, predictTrees } from '../../src/ml/forest/index.js';
import { ensembleSpread } from '../../src/ml/ensemble-spread.js';
import { runStep } from '../helpers/step-harness.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-predict-'));
const forestParams = {
  task: 'auto',
  trees: 30,
  max_depth: null,
  min_samples_split: 2,
  min_samples_leaf: 1,
  max_features: null,
  bootstrap: true,
  class_weight: null,
  seed: 3,
  threads: 1,
};
const predictParams = { column: 'predicted', sort: 'none', top: null, table_columns: [] as string[], table_file: null, table_digits: 6 };

async function file(name: string, ds: Dataset): Promise<string> {
  const path = join(dir, `${name}.arrow`);
  await writeDatasetFile(path, ds);
  return path;
}

async function halves(csv: string, target: string, positive?: string): Promise<{ train: string; test: string; testRows: Dataset }> {
  const ds = await readCsv(join(ROOT, 'data', csv), { target, ...(positive ? { positive } : {}) });
  const rows = Array.from({ length: ds.rowCount }, (_, i) => i);
  const testRows = takeRows(
    ds,
    rows.filter((i) => i % 4 === 0),
  );
  return {
    train: await file(
      `${csv}-train`,
      takeRows(
        ds,
        rows.filter((i) => i % 4 !== 0),
      ),
    ),
    test: await file(`${csv}-test`, testRows),
    testRows,
  };
}

test('regression: predictions equal the model applied directly; sorting ranks them and top cuts; the CSV has the chosen columns', async () => {
  const { train, test: testFile, testRows } = await halves('diabetes-progression.csv', 'progression');
  const modelFile = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  const model = await loadModelFile(modelFile);
  const { X, nRows } = featureMatrix(testRows, model.features);
  const direct = model.predict(X, nRows) as Float64Array;

  const plain = await runStep(predict, { model: modelFile, data: testFile }, predictParams);
  const out = await readDatasetFile(plain.outputs.data);
  assert.equal(out.rowCount, testRows.rowCount);
  const col = out.columns.find((c) => c.name === 'predicted');
  assert.ok(col && col.data.type === 'numeric');
  assert.deepEqual(Array.from(col.data.values), Array.from(direct));
  assert.equal(out.target?.column, 'progression', 'the target is carried through');

  const ranked = await runStep(
    predict,
    { model: modelFile, data: testFile },
    { ...predictParams, sort: 'descending', top: 10, table_columns: ['rank', 'predicted', 'bmi'] },
  );
  const top = await readDatasetFile(ranked.outputs.data);
  assert.equal(top.rowCount, 10);
  const values = top.columns.find((c) => c.name === 'predicted')!.data as { values: Float64Array };
  const expected = Array.from(direct)
    .sort((a, b) => b - a)
    .slice(0, 10);
  assert.deepEqual(Array.from(values.values), expected);
  const csv = readFileSync(ranked.outputs.table, 'utf8').trim().split('\n');
  assert.equal(csv[0], 'rank,predicted,bmi');
  assert.equal(csv.length, 11);
  assert.equal(csv[1].split(',')[0], '1');
  // The table is for reading: 6 significant digits (the data output keeps every digit, above).
  assert.equal(csv[1].split(',')[1], String(Number(expected[0].toPrecision(6))));
  assert.ok(
    csv.slice(1).every((line) => line.split(',').every((cell) => cell.replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length <= 6)),
    csv.join('\n'),
  );
  const full = await runStep(
    predict,
    { model: modelFile, data: testFile },
    { ...predictParams, sort: 'descending', top: 10, table_columns: ['predicted'], table_digits: 17 },
  );
  assert.equal(Number(readFileSync(full.outputs.table, 'utf8').split('\n')[1]), expected[0]);
});

test('classification: labels and P(positive) scores, sorted by the score', async () => {
  const { train, test: testFile } = await halves('breast-cancer-wisconsin.csv', 'diagnosis', 'malignant');
  const modelFile = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  const run = await runStep(predict, { model: modelFile, data: testFile }, { ...predictParams, column: 'dx', sort: 'descending' });
  const out = await readDatasetFile(run.outputs.data);
  const label = out.columns.find((c) => c.name === 'dx')!.data;
  const score = out.columns.find((c) => c.name === 'dx_score')!.data;
  assert.equal(label.type, 'categorical');
  assert.equal(score.type, 'numeric');
  if (label.type !== 'categorical' || score.type !== 'numeric') return;
  for (let r = 1; r < out.rowCount; r++) assert.ok(score.values[r - 1] >= score.values[r]);
  // The most confident rows are malignant, the least confident benign.
  assert.equal(label.categories[label.codes[0]], 'malignant');
  assert.equal(label.categories[label.codes[out.rowCount - 1]], 'benign');
});

test("a dataset without the model's features is refused with the missing column named", async () => {
  const { train, testRows } = await halves('diabetes-progression.csv', 'progression');
  const modelFile = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  const withoutBmi = await file(
    'no-bmi',
    makeDataset(
      testRows.columns.filter((c) => c.name !== 'bmi'),
      testRows.target,
    ),
  );
  await assert.rejects(
    runStep(predict, { model: modelFile, data: withoutBmi }, predictParams),
    (e: unknown) => e instanceof StepInputError && /"bmi"/.test(e.message),
  );
  const test2 = await file('t2', testRows);
  await assert.rejects(
    runStep(predict, { model: modelFile, data: test2 }, { ...predictParams, table_columns: ['bmii'] }),
    (e: unknown) => e instanceof StepInputError && /bmii/.test(e.message) && /bmi/.test(e.message),
  );
});

const numbers = (ds: Dataset, name: string): Float64Array => {
  const c = ds.columns.find((x) => x.name === name);
  assert.ok(c && c.data.type === 'numeric', name);
  return c.data.values;
};

test("uncertainty: the trees' sd and 90% interval per row, as the trees themselves give them; sort_by lower ranks by the low end", async () => {
  const { train, test: testFile, testRows } = await halves('diabetes-progression.csv', 'progression');
  const modelFile = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  const forest = forestFromJSON(JSON.parse(readFileSync(modelFile, 'utf8')));
  const model = await loadModelFile(modelFile);
  const { X, nRows } = featureMatrix(testRows, model.features);
  const expected = ensembleSpread(predictTrees(forest, X, nRows), nRows, forest.trees.length, 0.9);

  const run = await runStep(predict, { model: modelFile, data: testFile }, { ...predictParams, column: 'y', uncertainty: true });
  const out = await readDatasetFile(run.outputs.data);
  assert.deepEqual(Array.from(numbers(out, 'y_sd')), Array.from(expected.sd));
  assert.deepEqual(Array.from(numbers(out, 'y_low')), Array.from(expected.low!));
  assert.deepEqual(Array.from(numbers(out, 'y_high')), Array.from(expected.high!));
  assert.deepEqual(Array.from(numbers(out, 'y')), Array.from(model.predict(X, nRows)), 'the prediction is unchanged');
  const low = numbers(out, 'y_low');
  const high = numbers(out, 'y_high');
  for (let r = 0; r < nRows; r++) assert.ok(low[r] <= high[r]);
  assert.equal((run.summary as { uncertainty: { trees: number } }).uncertainty.trees, 30);

  const sdOnly = await readDatasetFile(
    (await runStep(predict, { model: modelFile, data: testFile }, { ...predictParams, uncertainty: true, interval: null })).outputs.data,
  );
  assert.ok(sdOnly.columns.some((c) => c.name === 'predicted_sd'));
  assert.ok(!sdOnly.columns.some((c) => c.name === 'predicted_low' || c.name === 'predicted_high'));

  const cautious = await runStep(
    predict,
    { model: modelFile, data: testFile },
    { ...predictParams, uncertainty: true, sort: 'descending', sort_by: 'lower', top: 15 },
  );
  const ranked = await readDatasetFile(cautious.outputs.data);
  const byLow = Array.from(expected.low!)
    .sort((a, b) => b - a)
    .slice(0, 15);
  assert.deepEqual(Array.from(numbers(ranked, 'predicted_low')), byLow);
  // Ranking by the low end is a different order from ranking by the mean on this data (else the option would do nothing).
  const byMean = await readDatasetFile(
    (await runStep(predict, { model: modelFile, data: testFile }, { ...predictParams, uncertainty: true, sort: 'descending', top: 15 })).outputs.data,
  );
  assert.notDeepEqual(Array.from(numbers(byMean, 'predicted')), Array.from(numbers(ranked, 'predicted')));
});

test('uncertainty needs a regression forest; sort_by lower needs the interval', async () => {
  const { train, test: testFile } = await halves('diabetes-progression.csv', 'progression');
  const svm = (await runStep(trainSvm, { train }, {})).outputs.model;
  await assert.rejects(
    runStep(predict, { model: svm, data: testFile }, { ...predictParams, uncertainty: true }),
    (e: unknown) => e instanceof StepInputError && /uncertainty/.test(e.message) && /uncertainty: false/.test(e.message),
  );
  const forest = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  await assert.rejects(
    runStep(predict, { model: forest, data: testFile }, { ...predictParams, sort: 'descending', sort_by: 'lower' }),
    (e: unknown) => e instanceof StepInputError && /uncertainty: true/.test(e.message),
  );
  await assert.rejects(
    runStep(predict, { model: forest, data: testFile }, { ...predictParams, uncertainty: true, interval: null, sort: 'descending', sort_by: 'lower' }),
    (e: unknown) => e instanceof StepInputError && /interval/.test(e.message),
  );
  await assert.rejects(
    runStep(predict, { model: forest, data: testFile }, { ...predictParams, uncertainty: true, sort: 'none', sort_by: 'lower' }),
    (e: unknown) => e instanceof StepInputError && /sort is none: set sort: descending/.test(e.message),
  );
  const bc = await halves('breast-cancer-wisconsin.csv', 'diagnosis', 'malignant');
  const classifier = (await runStep(trainForest, { train: bc.train }, forestParams)).outputs.model;
  await assert.rejects(
    runStep(predict, { model: classifier, data: bc.test }, { ...predictParams, uncertainty: true }),
    (e: unknown) => e instanceof StepInputError && /classifier/.test(e.message),
  );
});

/**
 * The train.random-forest step on Arrow dataset files built from the forest fixtures: the model
 * artifact's shape, that it predicts like the library, task inference and parameter errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset } from '../../src/data/dataset.js';
import type { Column } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import { fitForest, forestFromJSON, predictClasses, predictForest } from '../../src/ml/forest/index.js';
import type { ForestJSON } from '../../src/ml/forest/index.js';
import step from '../../src/steps/train.random-forest.js';
import { runStep } from '../helpers/step-harness.js';
import { readSplit } from './forest-fixtures.js';
import type { NumericTable } from './forest-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-forest-step-'));

/** Writes a fixture table as a dataset artifact; classification labels become a categorical column. */
async function datasetFile(name: string, t: NumericTable, classes?: string[], positive?: string): Promise<string> {
  const columns: Column[] = t.features.map((f, j) => ({
    name: f,
    kind: 'numeric',
    data: { type: 'numeric', values: Float64Array.from({ length: t.nRows }, (_, i) => t.X[i * t.nCols + j]) },
  }));
  columns.push(
    classes
      ? { name: 'label', kind: 'target', data: { type: 'categorical', codes: Int32Array.from(t.y), categories: classes } }
      : { name: 'label', kind: 'target', data: { type: 'numeric', values: t.y } },
  );
  const path = join(dir, `${name}.arrow`);
  await writeDatasetFile(path, makeDataset(columns, { column: 'label', ...(positive ? { positive } : {}) }));
  return path;
}

// Fewer trees than the default 100, and one thread: fast; the harness fills in the other parameters' schema defaults.
const small = { trees: 30, threads: 1 };

test('classification: the artifact names features and classes and predicts like the library', async () => {
  const { train, test: held } = readSplit('breast-cancer');
  const file = await datasetFile('bc', train, ['benign', 'malignant'], 'malignant');
  const { outputs, summary, logs } = await runStep(step, { train: file }, small);
  const artifact = JSON.parse(readFileSync(outputs.model, 'utf8')) as ForestJSON & {
    format: string;
    task: string;
    features: string[];
    classes: string[];
    positiveIndex: number;
  };
  assert.equal(artifact.format, 'medpipe.forest/1');
  assert.equal(artifact.task, 'classification');
  assert.deepEqual(artifact.features, train.features);
  assert.deepEqual(artifact.classes, ['benign', 'malignant']);
  assert.equal(artifact.positiveIndex, 1);
  const model = forestFromJSON(artifact);
  const p = predictClasses(model, held.X, held.nRows);
  let correct = 0;
  for (let i = 0; i < held.nRows; i++) if (p[i] === held.y[i]) correct++;
  assert.ok(correct / held.nRows > 0.9, `accuracy ${correct / held.nRows}`);
  const s = summary as { trees: number; oob_score: number; top_importances: { feature: string; importance: number }[] };
  assert.equal(s.trees, 30);
  assert.equal(s.oob_score, model.oobScore);
  assert.equal(s.top_importances.length, 5);
  assert.ok(train.features.includes(s.top_importances[0].feature));
  assert.ok(logs.some((l) => l === 'progress: 30/30 trees'));
});

test('regression is chosen for a numeric target; class_weight by label and task mismatches are refused', async () => {
  const d = readSplit('diabetes');
  const file = await datasetFile('diabetes', d.train);
  const { outputs } = await runStep(step, { train: file }, { ...small, max_depth: 5 });
  const artifact = JSON.parse(readFileSync(outputs.model, 'utf8')) as ForestJSON & { task: string; classes?: string[] };
  assert.equal(artifact.task, 'regression');
  assert.equal(artifact.classes, undefined);
  assert.equal(predictForest(forestFromJSON(artifact), d.test.X, d.test.nRows).length, d.test.nRows);
  await assert.rejects(runStep(step, { train: file }, { ...small, task: 'classification' }), StepInputError);

  const bc = readSplit('breast-cancer');
  const bcFile = await datasetFile('bc2', bc.train, ['benign', 'malignant']);
  const weighted = await runStep(step, { train: bcFile }, { ...small, class_weight: { malignant: 3 } });
  const plain = await runStep(step, { train: bcFile }, small);
  assert.notEqual(readFileSync(weighted.outputs.model, 'utf8'), readFileSync(plain.outputs.model, 'utf8'));
  await assert.rejects(runStep(step, { train: bcFile }, { ...small, class_weight: { cancer: 3 } }), /not a class of the target/);
});

test('regression with folds: each fold is scored by a forest fitted on the other folds (R², RMSE)', async () => {
  const d = readSplit('diabetes');
  const file = await datasetFile('diabetes-cv', d.train);
  const k = 3;
  const fold = Array.from({ length: d.train.nRows }, (_, i) => i % k);
  const foldsFile = join(dir, 'folds.json');
  writeFileSync(foldsFile, JSON.stringify({ k, stratified: false, seed: 0, fold }));
  const params = { ...small, max_depth: 4 };
  const { outputs, summary } = await runStep(step, { train: file, folds: foldsFile }, params);
  const artifact = JSON.parse(readFileSync(outputs.model, 'utf8')) as { cv: { metrics: Record<string, { folds: number[] }> } };
  const r2 = artifact.cv.metrics.r2.folds;
  assert.equal(r2.length, k);
  // Fold 0 by hand: the same forest settings fitted on folds 1 and 2, scored on fold 0.
  const trainRows = fold.flatMap((f, i) => (f === 0 ? [] : [i]));
  const testRows = fold.flatMap((f, i) => (f === 0 ? [i] : []));
  const pick = (rows: number[]): Float64Array =>
    Float64Array.from(rows.flatMap((r) => Array.from(d.train.X.subarray(r * d.train.nCols, (r + 1) * d.train.nCols))));
  const y = d.train.y as Float64Array;
  const m = await fitForest(
    pick(trainRows),
    trainRows.length,
    d.train.nCols,
    Float64Array.from(trainRows, (r) => y[r]),
    { task: 'regression', trees: 30, maxDepth: 4, minSamplesSplit: 2, minSamplesLeaf: 1, bootstrap: true, seed: 0, threads: 1, featureNames: d.train.features },
  );
  const p = predictForest(m, pick(testRows), testRows.length);
  const truth = testRows.map((r) => y[r]);
  const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
  const ssRes = truth.reduce((a, t, i) => a + (t - p[i]) ** 2, 0);
  const ssTot = truth.reduce((a, t) => a + (t - mean) ** 2, 0);
  assert.ok(Math.abs(r2[0] - (1 - ssRes / ssTot)) < 1e-9, `fold 0 R² ${r2[0]} vs ${1 - ssRes / ssTot}`);
  assert.ok(
    r2.every((v) => v > 0.2 && v < 0.8),
    `diabetes R² per fold ${r2.join(', ')}`,
  );
  assert.ok(summary && 'cv' in summary);
});

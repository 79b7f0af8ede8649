/**
 * The train.svm step on Arrow dataset files built from the SVM fixtures: the model artifact's
 * shape, that it predicts like the library (and like scikit-learn), type inference and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import { DataError, StepInputError } from '../../src/errors.js';
import { predictProba, predictSvm, svmFromJSON, type SvmModelJSON } from '../../src/ml/svm/index.js';
import step from '../../src/steps/train.svm.js';
import { runStep } from '../helpers/step-harness.js';
import { accuracy, loadConfigs, loadSplit, rmse, type FixtureConfig, type Split } from './svm-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-svm-step-'));

/** Writes the training part of a fixture split as a dataset artifact; class labels become a categorical column. */
async function datasetFile(name: string, s: Split, classes?: string[], positive?: string, mutate?: (X: Float64Array) => void): Promise<string> {
  const X = Float64Array.from(s.Xtr);
  mutate?.(X);
  const columns: Column[] = Array.from({ length: s.nCols }, (_, j) => ({
    name: `f${j}`,
    kind: 'numeric',
    data: { type: 'numeric', values: Float64Array.from({ length: s.nTrain }, (_, i) => X[i * s.nCols + j]) },
  }));
  columns.push(
    classes
      ? { name: 'label', kind: 'target', data: { type: 'categorical', codes: Int32Array.from(s.ytr), categories: classes } }
      : { name: 'label', kind: 'target', data: { type: 'numeric', values: s.ytr } },
  );
  const path = join(dir, `${name}.arrow`);
  await writeDatasetFile(path, makeDataset(columns, { column: 'label', ...(positive ? { positive } : {}) }));
  return path;
}

type Artifact = SvmModelJSON & { format: string; features: string[]; classes?: string[]; positiveIndex?: number; target: string };

function config(name: string): FixtureConfig {
  return loadConfigs().find((c) => c.name === name) as FixtureConfig;
}

test('train.svm on breast cancer: artifact predicts as scikit-learn, summary counts support vectors', async () => {
  const c = config('bc-rbf-proba');
  const s = loadSplit(c.data);
  const train = await datasetFile('bc', s, ['benign', 'malignant'], 'malignant');
  const { outputs, summary, logs } = await runStep(step, { train }, { probability: true });
  const art = JSON.parse(readFileSync(outputs.model, 'utf8')) as Artifact;
  assert.equal(art.format, 'medpipe.svm/1');
  assert.deepEqual(art.classes, ['benign', 'malignant']);
  assert.equal(art.positiveIndex, 1);
  assert.deepEqual(
    art.features,
    Array.from({ length: s.nCols }, (_, j) => `f${j}`),
  );
  const model = svmFromJSON(art);
  assert.equal(accuracy(predictSvm(model, s.Xte, s.nTest), s.yte), c.accuracy);
  assert.equal(predictProba(model, s.Xte, s.nTest).length, 2 * s.nTest);
  const sum = summary as { support_vectors: number; support_vectors_per_class: Record<string, number>; iterations: number };
  assert.equal(sum.support_vectors, c.nSupport[0] + c.nSupport[1]);
  assert.deepEqual(sum.support_vectors_per_class, { benign: c.nSupport[0], malignant: c.nSupport[1] });
  assert.ok(sum.iterations > 0);
  assert.ok(logs.some((l) => /support vectors/.test(l)));
});

test('train.svm on a numeric target fits epsilon-SVR', async () => {
  const c = config('diabetes-svr-rbf-C1');
  const s = loadSplit(c.data);
  const { outputs, summary } = await runStep(step, { train: await datasetFile('diabetes', s) }, {});
  const model = svmFromJSON(JSON.parse(readFileSync(outputs.model, 'utf8')) as Artifact);
  assert.equal((summary as { type: string }).type, 'epsilon-svr');
  const ours = rmse(predictSvm(model, s.Xte, s.nTest), s.yte);
  assert.ok(Math.abs(ours - (c.rmse as number)) <= 0.05 * (c.rmse as number));
});

test('train.svm maps class_weight labels and rejects impossible parameters', async () => {
  const s = loadSplit('wine.csv');
  const train = await datasetFile('wine', s, ['a', 'b', 'c']);
  const { summary } = await runStep(step, { train }, { class_weight: { b: 2 } });
  assert.equal(Object.keys((summary as { support_vectors_per_class: object }).support_vectors_per_class).length, 3);
  await assert.rejects(runStep(step, { train }, { class_weight: { z: 2 } }), (e: unknown) => e instanceof StepInputError && /"z"/.test(e.message));
  await assert.rejects(runStep(step, { train }, { type: 'epsilon-svr' }), StepInputError);
  const withNaN = await datasetFile('wine-nan', s, ['a', 'b', 'c'], undefined, (X) => {
    X[2 * s.nCols + 4] = NaN;
  });
  await assert.rejects(runStep(step, { train: withNaN }, {}), (e: unknown) => e instanceof DataError && /row 4/.test(e.message) && /"f4"/.test(e.message));
});

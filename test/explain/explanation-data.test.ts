/**
 * What register keeps for explanations, built from raw training rows: a seeded sample of the rows
 * with every feature present (its size and seed as asked, in training order), and for a forest
 * the training rows per node; and a regression forest bundle explained from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataset } from '../../src/data/dataset.js';
import type { Column, Dataset } from '../../src/data/dataset.js';
import { buildBundle } from '../../src/bundle/bundle.js';
import { fitForest, forestToJSON } from '../../src/ml/forest/index.js';
import { FOREST_MODEL_FORMAT } from '../../src/ml/model-formats.js';
import { buildExplanationData } from '../../src/explain/explanation-data.js';
import { coversFromBase64 } from '../../src/explain/covers.js';
import { explainBundle } from '../../src/explain/index.js';
import { readSplit } from '../ml/forest-fixtures.js';
import type { NumericTable } from '../ml/forest-fixtures.js';

function dataset(t: NumericTable, missingRows: readonly number[] = []): Dataset {
  const columns: Column[] = t.features.map((name, c) => {
    const values = Float64Array.from({ length: t.nRows }, (_, r) => (c === 0 && missingRows.includes(r) ? NaN : t.X[r * t.nCols + c]));
    return { name, kind: 'numeric', data: { type: 'numeric', values } };
  });
  columns.push({ name: 'progression', kind: 'target', data: { type: 'numeric', values: t.y } });
  return makeDataset(columns, { column: 'progression', task: 'regression' } as Dataset['target']);
}

async function regressionBundle() {
  const { train, test: held } = readSplit('diabetes');
  const model = await fitForest(train.X, train.nRows, train.nCols, train.y, { task: 'regression', trees: 20, seed: 4, threads: 1 });
  const artifact = { format: FOREST_MODEL_FORMAT, ...forestToJSON(model), target: 'progression', features: train.features };
  return { bundle: buildBundle(artifact as unknown as Record<string, unknown>, null, null), train, held };
}

test('the background is a seeded sample of the complete training rows, in training order, with covers of all of them', async () => {
  const { bundle, train } = await regressionBundle();
  const missing = [0, 5, 17];
  const data = await buildExplanationData(bundle, dataset(train, missing), { size: 30, seed: 9 });
  assert.ok(data);
  assert.equal(data.background.trainingRows, train.nRows - missing.length);
  assert.equal(data.background.rows.length, 30);
  assert.deepEqual(data.background.features, train.features);
  // Each sampled row is a complete training row, and they come in training order.
  const index = data.background.rows.map((row) => {
    const r = Array.from({ length: train.nRows }, (_, i) => i).find((i) => row.every((v, c) => v === train.X[i * train.nCols + c]));
    assert.ok(r !== undefined && !missing.includes(r));
    return r;
  });
  assert.deepEqual(
    [...index].sort((a, b) => a - b),
    index,
  );
  const again = await buildExplanationData(bundle, dataset(train, missing), { size: 30, seed: 9 });
  assert.deepEqual(again, data);
  const other = await buildExplanationData(bundle, dataset(train, missing), { size: 30, seed: 10 });
  assert.notDeepEqual(other?.background.rows, data.background.rows);
  const { forestFromJSON } = await import('../../src/ml/forest/index.js');
  const covers = coversFromBase64(data.covers as string, forestFromJSON(bundle.model as never));
  assert.ok(covers?.every((c) => c[0] === train.nRows - missing.length));
  const defaults = await buildExplanationData(bundle, dataset(train));
  assert.equal(defaults?.background.rows.length, 100);
  assert.equal(defaults?.background.seed, 0);
});

test('a regression forest bundle explains its one output, and adds up to the prediction', async () => {
  const { bundle, train, held } = await regressionBundle();
  const explain = await buildExplanationData(bundle, dataset(train));
  const e = await explainBundle({ ...bundle, explain: explain ?? undefined }, dataset(held));
  assert.equal(e.method, 'tree-shap');
  assert.deepEqual(e.outputs, ['value']);
  assert.deepEqual(e.features, train.features);
  assert.equal(e.preprocessing, `Contributions are to the model's ${train.nCols} input features, in the model's units.`);
  assert.equal(e.rows.length, held.nRows);
  for (const row of e.rows) assert.ok(Math.abs(row.contributions[0].reduce((s, v) => s + v, e.base[0]) - row.prediction[0]) < 1e-9);
  await assert.rejects(explainBundle(bundle, dataset(held)), /registered without its training rows.*in: \{ train: split\.train \}/);
});

test('an SVM on 14 features is explained by sampled KernelSHAP: reported error, same bytes for a seed, other bytes for another', async () => {
  const { fitSvm, svmToJSON } = await import('../../src/ml/svm/index.js');
  const { SVM_MODEL_FORMAT } = await import('../../src/ml/model-formats.js');
  const { explanationJson } = await import('../../src/explain/format.js');
  const { train, test: held } = readSplit('breast-cancer');
  const m = 14;
  // Scaled by hand (the fixture's raw areas are in the thousands): the model takes these columns as they are.
  const scale = (t: NumericTable): NumericTable => {
    const X = new Float64Array(t.nRows * m);
    for (let r = 0; r < t.nRows; r++) for (let c = 0; c < m; c++) X[r * m + c] = t.X[r * t.nCols + c] / (1 + Math.abs(train.X[c]));
    return { ...t, X, nCols: m, features: t.features.slice(0, m) };
  };
  const tr = scale(train);
  const te = scale({ ...held, nRows: 4 });
  const model = await fitSvm(tr.X, tr.nRows, m, Int32Array.from(tr.y), { kernel: 'rbf', C: 1, probability: true, seed: 0 });
  const artifact = { format: SVM_MODEL_FORMAT, ...svmToJSON(model), target: 'label', features: tr.features, classes: ['0', '1'], positiveIndex: 1 };
  const labelled = (t: NumericTable): Dataset => {
    const columns: Column[] = t.features.map((name, c) => ({
      name,
      kind: 'numeric',
      data: { type: 'numeric', values: Float64Array.from({ length: t.nRows }, (_, r) => t.X[r * m + c]) },
    }));
    return makeDataset(columns);
  };
  const plain = buildBundle(artifact as unknown as Record<string, unknown>, null, null);
  const explain = await buildExplanationData(plain, labelled(tr), { size: 10, seed: 1 });
  assert.equal(explain?.covers, undefined, 'covers are for forests');
  const bundle = { ...plain, explain: explain ?? undefined };
  const a = await explainBundle(bundle, labelled(te), { seed: 5, samples: 300 });
  const b = await explainBundle(bundle, labelled(te), { seed: 5, samples: 300 });
  const c = await explainBundle(bundle, labelled(te), { seed: 6, samples: 300 });
  assert.equal(a.method, 'kernel-shap-sampled');
  assert.ok(a.error !== undefined && a.error > 0 && a.error < 0.1, `error ${a.error}`);
  assert.equal(explanationJson(a), explanationJson(b));
  assert.notEqual(explanationJson(a), explanationJson(c));
  for (const row of a.rows) for (let o = 0; o < 2; o++) assert.ok(Math.abs(row.contributions[o].reduce((s, v) => s + v, a.base[o]) - row.prediction[o]) < 1e-9);
});

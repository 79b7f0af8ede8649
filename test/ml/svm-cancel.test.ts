/**
 * Cancelling train.svm on the shipped breast-cancer table (standardised; linear kernel, C = 10,
 * with Platt scaling: six binary problems of thousands of solver iterations each). The compiled
 * solver runs one problem to its end, so the step stops at the next problem, with the signal's
 * reason, having done fewer solver iterations than the whole fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import { featureMatrix, targetVector } from '../../src/data/matrix.js';
import { fitSvm } from '../../src/ml/svm/index.js';
import loadCsv from '../../src/steps/load.csv.js';
import trainSvm from '../../src/steps/train.svm.js';
import { runStep } from '../helpers/step-harness.js';
import { tempDir } from '../chem/helpers.js';
import { cancelOnProgress } from './cancel-probe.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const loaded = await readDatasetFile(
  (await runStep(loadCsv, {}, { path: `${ROOT}data/breast-cancer-wisconsin.csv`, target: 'diagnosis', positive: 'malignant' })).outputs.data,
);
const { X, nRows, nCols, names } = featureMatrix(loaded);
for (let j = 0; j < nCols; j++) {
  let mean = 0,
    sq = 0;
  for (let i = 0; i < nRows; i++) mean += X[i * nCols + j] / nRows;
  for (let i = 0; i < nRows; i++) sq += (X[i * nCols + j] - mean) ** 2 / nRows;
  for (let i = 0; i < nRows; i++) X[i * nCols + j] = (X[i * nCols + j] - mean) / Math.sqrt(sq);
}
const target = targetVector(loaded);
const options = { kernel: 'linear', C: 10, probability: true, seed: 42 } as const;

/** Solver iterations of the last progress line ("12000 solver iterations"). */
function lastIterations(lines: readonly string[]): number {
  const m = /^(\d+) solver iterations$/.exec(lines.at(-1) ?? '');
  assert.ok(m, `progress lines count solver iterations: ${lines.at(-1)}`);
  return Number(m[1]);
}

test('train.svm cancelled at its first progress line: rejects with the reason before solving every binary problem', async (t) => {
  const whole = await fitSvm(X, nRows, nCols, target.y, options);
  const columns: Column[] = names.map((name, j) => ({
    name,
    kind: 'numeric',
    data: { type: 'numeric', values: Float64Array.from({ length: nRows }, (_, i) => X[i * nCols + j]) },
  }));
  columns.push(loaded.columns.find((c) => c.name === 'diagnosis')!);
  const train = join(tempDir(), 'train.arrow');
  await writeDatasetFile(train, makeDataset(columns, loaded.target));

  const probe = cancelOnProgress();
  await assert.rejects(runStep(trainSvm, { train }, { ...options }, ROOT, { signal: probe.signal, onProgress: probe.onProgress }), (e) => e === probe.reason);
  t.diagnostic(
    `rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent; ${lastIterations(probe.lines)} of ${whole.iterations} solver iterations`,
  );
  assert.ok(lastIterations(probe.lines) < whole.iterations, `stopped early: ${probe.lines.at(-1)} of ${whole.iterations}`);
});

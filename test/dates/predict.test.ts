/**
 * A registered model whose preprocessing derives features from a date predicts from raw rows
 * that hold the date as written in the CSV: the bundle asks for the date column (not the derived
 * ones) and replays the derivation, giving exactly the pipeline's own test-set scores.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDatasetFile } from '../../src/data/arrow.js';
import { buildBundle } from '../../src/bundle/bundle.js';
import { predictBundle, readRowsForBundle } from '../../src/bundle/predict.js';
import { featureMatrix } from '../../src/data/matrix.js';
import type { PreprocessTransform } from '../../src/data/preprocess.js';
import { modelFromJson } from '../../src/ml/model.js';
import { DataError } from '../../src/errors.js';
import loadCsv from '../../src/steps/load.csv.js';
import preprocess from '../../src/steps/preprocess.js';
import split from '../../src/steps/split.js';
import trainForest from '../../src/steps/train.random-forest.js';
import { runStep } from '../helpers/step-harness.js';
import { admissionsCsv, tempDir } from './helpers.js';

describe('predicting raw rows with a date column', () => {
  it('reads the date, derives its features as in training and matches the pipeline test scores', async () => {
    const dir = tempDir();
    const csv = admissionsCsv(dir);
    const loaded = await runStep(loadCsv, {}, { path: csv, target: 'outcome', positive: 'yes', id: 'patient_id' });
    const parts = await runStep(split, { data: loaded.outputs.data }, { method: 'temporal', column: 'admitted', test_size: 0.25 });
    const dates = { admitted: ['year', 'month', 'day_of_week', { days_since: '2025-01-01' }] };
    const pre = await runStep(preprocess, { train: parts.outputs.train, test: parts.outputs.test }, { impute: 'median', scale: 'standard', dates });
    const fit = await runStep(trainForest, { train: pre.outputs.train }, { trees: 7, seed: 3, threads: 1 });
    const modelJson = JSON.parse(readFileSync(fit.outputs.model, 'utf8')) as Record<string, unknown>;
    const transform = JSON.parse(readFileSync(pre.outputs.transform, 'utf8')) as PreprocessTransform;
    const bundle = buildBundle(modelJson, transform, null);
    assert.deepEqual(
      bundle.signature.columns.map((c) => `${c.name}:${c.kind}`),
      ['age:numeric', 'sex:categorical', 'admitted:date'],
    );

    // The raw CSV lines of the test patients, dates as the hospital wrote them.
    const test = await readDatasetFile(pre.outputs.test);
    const ids = test.columns.find((c) => c.name === 'patient_id')?.data as { values: readonly string[] };
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    const byId = new Map(lines.slice(1).map((l) => [l.split(',')[0], l]));
    const raw = join(dir, 'new-patients.csv');
    writeFileSync(raw, `${lines[0]}\n${ids.values.map((id) => byId.get(id)).join('\n')}\n`);

    const rows = await readRowsForBundle(raw, bundle);
    const p = await predictBundle(bundle, rows, raw);
    const model = await modelFromJson(modelJson, 'model');
    const { X, nRows } = featureMatrix(test, model.features);
    const expected = model.scores?.(X, nRows) as Float64Array;
    assert.equal(p.rowCount, test.rowCount);
    const pos = model.positiveIndex ?? 1;
    for (let r = 0; r < nRows; r++) assert.equal(p.probabilities?.values[r * 2 + pos], expected[r], `row ${r + 1}`);
  });

  it('names the date column when the input lacks it or holds no dates', async () => {
    const dir = tempDir();
    const csv = admissionsCsv(dir, 60, 30);
    const loaded = await runStep(loadCsv, {}, { path: csv, target: 'outcome', positive: 'yes', id: 'patient_id' });
    const parts = await runStep(split, { data: loaded.outputs.data }, { test_size: 0.25, seed: 1 });
    const pre = await runStep(preprocess, { train: parts.outputs.train, test: parts.outputs.test }, { dates: { admitted: ['year'] } });
    const fit = await runStep(trainForest, { train: pre.outputs.train }, { trees: 3, seed: 1, threads: 1 });
    const bundle = buildBundle(JSON.parse(readFileSync(fit.outputs.model, 'utf8')), JSON.parse(readFileSync(pre.outputs.transform, 'utf8')), null);
    const noDate = join(dir, 'no-date.csv');
    writeFileSync(noDate, 'patient_id,age,sex\nQ1,50,male\n');
    await assert.rejects(readRowsForBundle(noDate, bundle), (e: unknown) => e instanceof DataError && /"admitted"/.test(e.message));
    const notDates = join(dir, 'not-dates.csv');
    writeFileSync(notDates, 'patient_id,age,sex,admitted\nQ1,50,male,yesterday\n');
    await assert.rejects(
      readRowsForBundle(notDates, bundle),
      (e: unknown) => e instanceof DataError && e.column === 'admitted' && /declared a date/.test(e.message),
    );
  });
});

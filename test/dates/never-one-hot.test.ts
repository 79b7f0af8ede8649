/**
 * Observation 1 of issue 21: an ISO admission date was one-hot encoded into hundreds of columns
 * and a forest trained on them without a word. A date is kind `date`: never a feature, never
 * encoded; features come from it only when preprocess `dates:` asks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readDatasetFile } from '../../src/data/arrow.js';
import loadCsv from '../../src/steps/load.csv.js';
import preprocess from '../../src/steps/preprocess.js';
import split from '../../src/steps/split.js';
import trainForest from '../../src/steps/train.random-forest.js';
import { runStep } from '../helpers/step-harness.js';
import { admissionsCsv, tempDir } from './helpers.js';

async function trainedFeatures(preprocessParams: Record<string, unknown>): Promise<{ features: string[]; loadLogs: string[]; kinds: unknown }> {
  const csv = admissionsCsv(tempDir());
  const loaded = await runStep(loadCsv, {}, { path: csv, target: 'outcome', positive: 'yes', id: 'patient_id' });
  const parts = await runStep(split, { data: loaded.outputs.data }, { test_size: 0.25, seed: 1 });
  const pre = await runStep(preprocess, { train: parts.outputs.train, test: parts.outputs.test }, preprocessParams);
  const fit = await runStep(trainForest, { train: pre.outputs.train }, { trees: 5, seed: 1, threads: 1 });
  const model = JSON.parse(readFileSync(fit.outputs.model, 'utf8')) as { features: string[] };
  return { features: model.features, loadLogs: loaded.logs, kinds: (loaded.summary as { kinds: unknown }).kinds };
}

describe('a date column through load, split, preprocess and a forest', () => {
  it('is never one-hot encoded: the model sees neither the date nor dummies of it', async () => {
    const { features, loadLogs, kinds } = await trainedFeatures({ impute: 'median' });
    assert.deepEqual(features, ['age', 'sex=female', 'sex=male']);
    assert.deepEqual(kinds, { id: 1, numeric: 1, categorical: 1, date: 1, target: 1 });
    assert.ok(
      loadLogs.some((l) => /^admitted: date \(2019-01-\d\d to 20\d\d-\d\d-\d\d\), not a feature; derive features with preprocess dates:/.test(l)),
      `the load step says the date is not a feature: ${loadLogs.join(' | ')}`,
    );
  });

  it('becomes numeric features only through preprocess dates:, imputed and scaled like any number', async () => {
    const { features } = await trainedFeatures({ impute: 'median', scale: 'standard', dates: { admitted: ['year', 'month', 'day_of_week'] } });
    assert.deepEqual(features, ['age', 'sex=female', 'sex=male', 'admitted.year', 'admitted.month', 'admitted.day_of_week']);
  });

  it('keeps the date column in the preprocessed table as kind date (for a temporal split or a report)', async () => {
    const csv = admissionsCsv(tempDir());
    const loaded = await runStep(loadCsv, {}, { path: csv, target: 'outcome', positive: 'yes', id: 'patient_id' });
    const parts = await runStep(split, { data: loaded.outputs.data }, { test_size: 0.25, seed: 1 });
    const pre = await runStep(preprocess, { train: parts.outputs.train, test: parts.outputs.test }, {});
    const ds = await readDatasetFile(pre.outputs.test);
    assert.equal(ds.columns.find((c) => c.name === 'admitted')?.kind, 'date');
  });
});

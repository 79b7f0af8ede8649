/**
 * The category encodings of issue 21 survive registration: a pipeline that target-encodes one
 * column, frequency-encodes another and groups a third's rare levels registers a model whose
 * `medpipe predict` on the raw test rows gives exactly the pipeline's own test-set predictions,
 * and new rows with levels never seen in training are predicted (not refused).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDatasetFile } from '../../src/data/arrow.js';
import { featureMatrix } from '../../src/data/matrix.js';
import type { PreprocessTransform } from '../../src/data/preprocess.js';
import type { RunRecord } from '../../src/engine/record.js';
import { modelFromJson } from '../../src/ml/model.js';
import { runCli } from '../helpers/cli.js';
import { datasetCsv } from '../../src/data/csv-write.js';

/** 600 patients: ward (60 levels, a few common), unit (30 levels), site (8, two rare), age; outcome depends on ward and age. */
function wardsCsv(): string {
  const lines = ['patient_id,age,ward,unit,site,outcome'];
  for (let i = 0; i < 600; i++) {
    const w = i % 3 === 0 ? i % 4 : (i * 7) % 60;
    const age = 20 + ((i * 31) % 70);
    const site = i % 50 === 0 ? 'ferry' : i % 45 === 1 ? 'airport' : ['north', 'south', 'east', 'west', 'centre', 'harbour'][i % 6];
    const risk = (w % 5 === 0 ? 0.5 : 0) + (age > 60 ? 0.4 : 0) + ((i * 13) % 10) / 20;
    lines.push(`P${1000 + i},${age},ward-${String(w).padStart(2, '0')},unit-${(i * 11) % 30},${site},${risk > 0.75 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

const PIPELINE = `medpipe: 1
name: wards
steps:
  load:
    uses: load.csv
    with: { path: wards.csv, target: outcome, positive: "yes", id: patient_id }
  split:
    uses: split
    in: { data: load }
    with: { test_size: 0.25, seed: 1 }
  prep:
    uses: preprocess
    in: { train: split.train, test: split.test }
    with: { min_frequency: 0.03, encode: { ward: target, unit: frequency }, seed: 2 }
  forest:
    uses: train.random-forest
    in: { train: prep.train }
    with: { trees: 25, seed: 1 }
  eval:
    uses: evaluate
    in: { model: forest, test: prep.test }
  register:
    uses: register
    in: { model: forest, evaluation: eval, transform: prep.transform }
    with: { name: wards-forest, alias: staging, description: Forest on encoded wards., intended_use: A test of category encodings. }
`;

test('a model registered after target, frequency and grouped one-hot encoding predicts new rows as the pipeline did', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-encodings-'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'wards.csv'), wardsCsv());
  writeFileSync(join(dir, 'wards.yaml'), PIPELINE);
  const run = await runCli(dir, 'run', 'wards.yaml');
  assert.equal(run.code, 0, run.err + run.out);
  const runId = /run (\S+)\)/.exec(run.out)?.[1] as string;
  const record = JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord;
  const objectPath = (digest: string): string => join(dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2));

  // The fitted transform uses each encoding.
  const transform = JSON.parse(readFileSync(objectPath(record.steps.prep.outputs?.transform as string), 'utf8')) as PreprocessTransform;
  const encodings = Object.fromEntries(transform.columns.map((c) => [c.name, c.type === 'categorical' ? c.encode : c.type]));
  assert.deepEqual(encodings, { patient_id: 'pass-through', age: 'numeric', ward: 'target', unit: 'frequency', site: 'one-hot', outcome: 'pass-through' });
  const site = transform.columns.find((c) => c.name === 'site');
  assert.ok(site?.type === 'categorical');
  assert.deepEqual(site.infrequent, ['airport', 'ferry']);

  // What the pipeline computed on its test set.
  const model = await modelFromJson(JSON.parse(readFileSync(objectPath(record.steps.forest.outputs?.model as string), 'utf8')), 'forest');
  const prepared = await readDatasetFile(objectPath(record.steps.prep.outputs?.test as string));
  const { X, nRows } = featureMatrix(prepared, model.features);
  const pYes = model.scores?.(X, nRows) as Float64Array;

  // The raw test rows, as a user would have them.
  const raw = await readDatasetFile(objectPath(record.steps.split.outputs?.test as string));
  writeFileSync(join(dir, 'new.csv'), datasetCsv(raw));
  const r = await runCli(dir, 'predict', 'wards-forest@staging', '--input', 'new.csv', '--output', 'predictions.csv');
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
  assert.equal(rows[0], 'patient_id,prediction,p_no,p_yes');
  assert.equal(rows.length - 1, nRows);
  rows.slice(1).forEach((line, i) => assert.equal(Number(line.split(',')[3]), pYes[i], `row ${i}`));

  // Levels never seen in training: the target encoding's prior, frequency 0, site's infrequent column.
  writeFileSync(join(dir, 'unseen.csv'), 'patient_id,age,ward,unit,site\nQ1,70,ward-new,unit-new,moon\nQ2,30,ward-00,unit-1,north\n');
  const u = await runCli(dir, 'predict', 'wards-forest@staging', '--input', 'unseen.csv', '--output', 'unseen-predictions.csv');
  assert.equal(u.code, 0, u.err);
  assert.equal(readFileSync(join(dir, 'unseen-predictions.csv'), 'utf8').trim().split('\n').length, 3);
});

/**
 * The flagship pipeline end to end: it registers its models with a card and lineage, a re-run
 * registers nothing new, and `medpipe predict` on the raw test rows gives exactly the pipeline's
 * own test-set predictions; bad input gets a column-level error; a failed gate stops registration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { readDatasetFile } from '../../src/data/arrow.js';
import { featureMatrix } from '../../src/data/matrix.js';
import { modelFromJson } from '../../src/ml/model.js';
import type { RunRecord } from '../../src/engine/record.js';
import { datasetCsv } from '../../src/data/csv-write.js';

const cli = runCli;
const project = (): string => shippedProjectCopy('flagship');

const dir = project();
const objectPath = (digest: string): string => join(dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2));
let record: RunRecord;

test('the flagship pipeline runs and registers both models with an alias, a card and lineage', async () => {
  const r = await cli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err + r.out);
  const runId = /run (\S+)\)/.exec(r.out)?.[1] as string;
  record = JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8'));
  const list = await cli(dir, 'models', 'list');
  assert.match(list.out, /breast-cancer-svm\s+1\s+1\s+staging=1/);
  const show = await cli(dir, 'models', 'show', 'breast-cancer-svm@staging', '--json');
  const v = JSON.parse(show.out) as {
    card: string;
    lineage: { pipeline: { digest: string }; step_key: string; upstream: Record<string, { key: string }>; data: { path: string; digest: string }[] };
    metrics: Record<string, { value: number }>;
  };
  for (const section of ['## Intended use', '## Data', '## Evaluation', '| roc_auc |', '## Limitations', 'Trained on 455 patients'])
    assert.ok(v.card.includes(section), section);
  assert.equal(v.lineage.step_key, record.steps['register-svm'].key);
  assert.equal(v.lineage.upstream.load.key, record.steps.load.key);
  assert.deepEqual(
    v.lineage.data.map((d) => d.path),
    ['../data/breast-cancer-wisconsin.csv'],
  );
  assert.ok(v.metrics.roc_auc.value > 0.9);
});

test('re-running the pipeline, cached or forced, registers no duplicate version', async () => {
  assert.equal((await cli(dir, 'run', 'pipelines/breast-cancer.yaml')).code, 0);
  const forced = await cli(dir, 'run', 'pipelines/breast-cancer.yaml', '--force=register-svm');
  assert.match(forced.out, /already registered as breast-cancer-svm@1/);
  const list = await cli(dir, 'models', 'list', '--json');
  assert.equal((JSON.parse(list.out) as { name: string; versions: number }[]).find((m) => m.name === 'breast-cancer-svm')?.versions, 1);
});

test("predict on the raw test rows reproduces the pipeline's own test-set predictions exactly", async () => {
  // What the pipeline itself computed: the model on the preprocessed, selected test set.
  const model = await modelFromJson(JSON.parse(readFileSync(objectPath(record.steps.svm.outputs?.model as string), 'utf8')), 'svm');
  const selected = await readDatasetFile(objectPath(record.steps.select.outputs?.test as string));
  const { X, nRows } = featureMatrix(selected, model.features);
  const labels = Array.from(model.predict(X, nRows) as Int32Array, (k) => model.classes?.[k]);
  const pMalignant = model.scores?.(X, nRows) as Float64Array;

  // The same rows as a user would have them: raw, from the split, written out as CSV.
  const raw = await readDatasetFile(objectPath(record.steps.split.outputs?.test as string));
  writeFileSync(join(dir, 'new-patients.csv'), datasetCsv(raw));
  const r = await cli(dir, 'predict', 'breast-cancer-svm@staging', '--input', 'new-patients.csv', '--output', 'predictions.csv');
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
  assert.equal(rows[0], 'prediction,p_benign,p_malignant');
  assert.equal(rows.length - 1, nRows);
  rows.slice(1).forEach((line, i) => {
    const [label, , pm] = line.split(',');
    assert.equal(label, labels[i], `row ${i}`);
    assert.equal(Number(pm), pMalignant[i], `row ${i}`);
  });
});

test('predict names a missing column, a mistyped value and an infinite one', async () => {
  const csv = readFileSync(join(dir, 'data/breast-cancer-wisconsin.csv'), 'utf8').split('\n');
  const header = csv[0].split(',');
  const drop = header.indexOf('mean_radius');
  writeFileSync(
    join(dir, 'no-radius.csv'),
    csv
      .map((l) =>
        l
          .split(',')
          .filter((_, j) => j !== drop)
          .join(','),
      )
      .join('\n'),
  );
  const missing = await cli(dir, 'predict', 'breast-cancer-svm@staging', '--input', 'no-radius.csv');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no-radius\.csv: the input has no column "mean_radius", which the model needs/);

  const lines = [...csv];
  const cells = lines[3].split(',');
  cells[header.indexOf('worst_area')] = 'high';
  lines[3] = cells.join(',');
  writeFileSync(join(dir, 'typo.csv'), lines.join('\n'));
  const typo = await cli(dir, 'predict', 'breast-cancer-svm@staging', '--input', 'typo.csv');
  assert.equal(typo.code, 1);
  assert.match(typo.err, /typo\.csv, row 4, column "worst_area"/);
  assert.doesNotMatch(typo.err, /\d+\.\d+,\d+\.\d+/, 'no data row is echoed');

  // An infinite value would give an infinite score: refused like a typo, by line and column.
  const infinite = [...csv];
  const infCells = infinite[5].split(',');
  infCells[header.indexOf('worst_area')] = 'inf';
  infinite[5] = infCells.join(',');
  writeFileSync(join(dir, 'infinite.csv'), infinite.join('\n'));
  const inf = await cli(dir, 'predict', 'breast-cancer-svm@staging', '--input', 'infinite.csv');
  assert.equal(inf.code, 1, inf.out);
  assert.match(inf.err, /infinite\.csv, row 6, column "worst_area": a value in this numeric column is not finite/);

  const unknown = await cli(dir, 'predict', 'breast-cancer-svn@staging', '--input', 'typo.csv');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /breast-cancer-svm/);
});

test('a failed quality gate fails the run with the metric and the gate, and nothing is registered', async () => {
  const r = await cli(dir, 'run', 'pipelines/breast-cancer.yaml', '--set', 'eval-svm.gates.roc_auc=>= 0.999', '--set', 'register-svm.name=never-registered');
  assert.equal(r.code, 1);
  assert.match(r.out, /eval-svm: FAILED .*gate failed: roc_auc = 0\.98\d+ \(95% CI [\d.]+–[\d.]+\), required >= 0\.999/);
  assert.match(r.out, /register-svm: skipped, upstream failed \(eval-svm\)/);
  const list = await cli(dir, 'models', 'list');
  assert.doesNotMatch(list.out, /never-registered/);
});

test('a failed gate in the committed pipeline still publishes its metrics file (one writer: the engine), and no lock file', async () => {
  const gated = shippedProjectCopy('gated');
  const file = join(gated, 'pipelines/breast-cancer.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('gates: { roc_auc: ">= 0.97", sensitivity: ">= 0.85" }', 'gates: { roc_auc: ">= 0.999" }'));
  const lockBefore = readFileSync(join(gated, 'pipelines/breast-cancer.lock.yaml'), 'utf8');
  const r = await cli(gated, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 1, r.out);
  const published = JSON.parse(readFileSync(join(gated, 'metrics/breast-cancer-svm.json'), 'utf8')) as {
    gates: { gate: string; passed: boolean }[];
    metrics: { roc_auc: { value: number } };
  };
  assert.deepEqual(
    published.gates.map((g) => [g.gate, g.passed]),
    [['roc_auc', false]],
  );
  assert.ok(published.metrics.roc_auc.value < 0.999);
  assert.equal(readFileSync(join(gated, 'pipelines/breast-cancer.lock.yaml'), 'utf8'), lockBefore, 'a failed run writes no lock file');
});

test('register refuses a bundle without the preprocessing or selection the model was trained after', async () => {
  const yaml = readFileSync(join(dir, 'pipelines/breast-cancer.yaml'), 'utf8').replace(
    'in: { model: svm, evaluation: eval-svm, transform: prep.transform, selection: select.selection, train: split.train }',
    'in: { model: svm, evaluation: eval-svm, transform: prep.transform, train: split.train }',
  );
  writeFileSync(join(dir, 'pipelines/no-selection.yaml'), yaml);
  const bad = await cli(dir, 'run', 'pipelines/no-selection.yaml');
  assert.equal(bad.code, 1);
  assert.match(
    bad.out,
    /register-svm: FAILED .*model "svm" was trained after select-features step "select", but in\.selection is not wired: add in: \{ selection: select\.selection \}/,
  );
});

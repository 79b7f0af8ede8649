/**
 * Predict never gives a confident answer on input it should not: rows far outside the training
 * range are named (refused with --strict), and a prediction that is not a finite number is an
 * error naming its row, never an output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { readCsv } from '../../src/data/csv.js';
import { predictBundle } from '../../src/bundle/predict.js';
import type { ModelBundle } from '../../src/bundle/bundle.js';
import { DataError } from '../../src/errors.js';

const dir = shippedProjectCopy('predict-input');
const source = readFileSync(join(dir, 'data', 'breast-cancer-wisconsin.csv'), 'utf8').split('\n');
const header = source[0].split(',');
const areaAt = header.indexOf('worst_area');

/** The first `n` data rows of the shipped CSV, with worst_area of row `row` (0-based) replaced. */
let files = 0;
function rowsWith(n: number, row: number, worstArea: string): string {
  const file = join(dir, `rows-${++files}.csv`);
  const lines = source.slice(1, n + 1).map((l, i) => {
    if (i !== row) return l;
    const cells = l.split(',');
    cells[areaAt] = worstArea;
    return cells.join(',');
  });
  writeFileSync(file, [source[0], ...lines].join('\n') + '\n');
  return file;
}

test('the flagship registers its models', async () => {
  assert.ok(areaAt > 0);
  const r = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err + r.out);
});

test('rows inside the training range are predicted without a warning', async () => {
  const r = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', rowsWith(5, 0, source[1].split(',')[areaAt]));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.equal(r.out.trim().split('\n').length, 6);
});

test('a value far above the training range is named by row, line and column; --strict refuses the file', async () => {
  const input = rowsWith(5, 2, '100000');
  const warned = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', input);
  assert.equal(warned.code, 0, warned.err);
  assert.match(warned.err, /warning: .*1 row has values far outside what breast-cancer-svm@1 was trained on/);
  assert.match(warned.err, /row 3 \(line 4\): worst_area is far above the training range \([\d.]+ to [\d.]+\)/);
  assert.doesNotMatch(warned.err, /100000/, 'the patient value itself is not echoed');
  const output = join(dir, 'strict-out.csv');
  const refused = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', input, '--output', output, '--strict');
  assert.equal(refused.code, 1);
  assert.match(refused.err, /refused \(--strict\): 1 row has values far outside/);
  assert.match(refused.err, /row 3 \(line 4\): worst_area/);
  assert.equal(existsSync(output), false, 'nothing is written');
});

test('a bundle whose preprocessing cannot fill a missing value gives an error naming the row, never NaN', async () => {
  const show = JSON.parse((await runCli(dir, 'models', 'show', 'breast-cancer-svm@staging', '--json')).out) as { bundleDigest: string };
  const bundle = JSON.parse(readFileSync(join(dir, '.medpipe', 'objects', show.bundleDigest.slice(0, 2), show.bundleDigest.slice(2)), 'utf8')) as ModelBundle;
  assert.ok(bundle.transform);
  // The same model without imputation: a missing worst_area reaches it as NaN.
  const unimputed: ModelBundle = {
    ...bundle,
    transform: { ...bundle.transform, columns: bundle.transform.columns.map((c) => (c.type === 'numeric' ? { ...c, impute: undefined } : c)) },
  };
  const rows = await readCsv(rowsWith(4, 1, ''), { columns: Object.fromEntries(bundle.signature.columns.map((c) => [c.name, c.kind])) });
  await assert.rejects(predictBundle(unimputed, rows, 'rows.csv'), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /no finite prediction for row 2 \(line 3\), whose worst_area is missing/);
    return true;
  });
  // With the registered (imputing) preprocessing the same rows are all predicted, all finite.
  const p = await predictBundle(bundle, rows, 'rows.csv');
  assert.ok(p.probabilities && Array.from(p.probabilities.values).every(Number.isFinite));
});

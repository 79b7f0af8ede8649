/**
 * JSON rows read against a bundle with a numeric, a categorical and a date column (the admissions
 * fixture, fitted by the real steps): the same predictions as the CSV path of `medpipe predict`,
 * and every refusal (unimputed missing value, unseen category, bad date) by row and column. The
 * input digest equals canonicalJson's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildBundle, type ModelBundle } from '../../src/bundle/bundle.js';
import { predictBundle, readRowsForBundle } from '../../src/bundle/predict.js';
import type { PreprocessTransform } from '../../src/data/preprocess.js';
import { canonicalJson } from '../../src/registry/canonical.js';
import { canonicalRow } from '../../src/serve/input-digest.js';
import { rowsForBundle } from '../../src/serve/json-rows.js';
import loadCsv from '../../src/steps/load.csv.js';
import preprocess from '../../src/steps/preprocess.js';
import split from '../../src/steps/split.js';
import trainForest from '../../src/steps/train.random-forest.js';
import { admissionsCsv, tempDir } from '../dates/helpers.js';
import { runStep } from '../helpers/step-harness.js';

async function admissionsBundle(preprocessing: Record<string, unknown>): Promise<{ bundle: ModelBundle; csv: string }> {
  const csv = admissionsCsv(tempDir());
  const loaded = await runStep(loadCsv, {}, { path: csv, target: 'outcome', positive: 'yes', id: 'patient_id' });
  const parts = await runStep(split, { data: loaded.outputs.data }, { test_size: 0.25, seed: 1 });
  const pre = await runStep(preprocess, { train: parts.outputs.train, test: parts.outputs.test }, { dates: { admitted: ['year', 'month'] }, ...preprocessing });
  const fit = await runStep(trainForest, { train: pre.outputs.train }, { trees: 5, seed: 2, threads: 1 });
  const model = JSON.parse(readFileSync(fit.outputs.model, 'utf8')) as Record<string, unknown>;
  const bundle = buildBundle(model, JSON.parse(readFileSync(pre.outputs.transform, 'utf8')) as PreprocessTransform, null);
  assert.deepEqual(
    bundle.signature.columns.map((c) => `${c.name}:${c.kind}`),
    ['age:numeric', 'sex:categorical', 'admitted:date'],
  );
  return { bundle, csv };
}

function jsonRows(csv: string): Record<string, unknown>[] {
  const [, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
  return lines.map((l) => {
    const [patient_id, age, sex, admitted] = l.split(',');
    return { patient_id, age: Number(age), sex, admitted };
  });
}

describe('JSON rows against a bundle with numeric, categorical and date columns', () => {
  it('give the same predictions as the CSV rows of medpipe predict', async () => {
    const { bundle, csv } = await admissionsBundle({ impute: 'median' });
    const fromCsv = await predictBundle(bundle, await readRowsForBundle(csv, bundle));
    const read = rowsForBundle(bundle, { rows: jsonRows(csv) }, { maxRows: 1000 });
    assert.equal(read.problems, undefined, JSON.stringify(read.problems));
    const fromJson = await predictBundle(bundle, read.dataset as NonNullable<typeof read.dataset>);
    assert.deepEqual(fromJson.labels, fromCsv.labels);
    assert.deepEqual(fromJson.probabilities, fromCsv.probabilities);
  });

  it("take null as a missing value where the preprocessing imputes it, with the CSV reader's missing tokens for categories", async () => {
    const { bundle } = await admissionsBundle({ impute: 'median' });
    const read = rowsForBundle(
      bundle,
      {
        rows: [
          { age: null, sex: 'NA', admitted: null },
          { age: 40, sex: null, admitted: '2019-02-01T10:00:00Z' },
        ],
      },
      { maxRows: 10 },
    );
    assert.equal(read.problems, undefined, JSON.stringify(read.problems));
    const p = await predictBundle(bundle, read.dataset as NonNullable<typeof read.dataset>);
    assert.equal(p.rowCount, 2);
  });

  it('refuse what the model cannot read, each by row and column', async () => {
    const { bundle } = await admissionsBundle({ impute: 'none', encode: 'ordinal', on_unseen: 'error' });
    const read = rowsForBundle(
      bundle,
      {
        rows: [
          { age: null, sex: 'female', admitted: '2019-01-03' },
          { age: 30, sex: 'other', admitted: '03/01/2019' },
          { age: 30, sex: null, admitted: 20190103 },
          { age: '30', sex: 'male', admitted: '2019-01-03' },
          [1, 2, 3],
        ],
      },
      { maxRows: 10 },
    );
    assert.deepEqual(read.problems, [
      { row: 4, problem: 'expected an object of column values, got an array' },
      { row: 0, column: 'age', problem: "missing (null), and the model's preprocessing does not impute this column: send a value" },
      { row: 3, column: 'age', problem: 'expected a number, got a string' },
      { row: 1, column: 'sex', problem: 'a category not seen in training (the model knows 2); its preprocessing refuses unseen categories' },
      { row: 2, column: 'sex', problem: "missing (null), and the model's preprocessing does not impute this column: send a value" },
      { row: 1, column: 'admitted', problem: 'expected an ISO 8601 date text (2024-03-05 or 2024-03-05T14:30:00Z), got a string' },
      { row: 2, column: 'admitted', problem: 'expected an ISO 8601 date text (2024-03-05 or 2024-03-05T14:30:00Z), got a number' },
    ]);
  });

  it('refuse a body without rows, empty rows and too many rows', async () => {
    const { bundle } = await admissionsBundle({ impute: 'median' });
    assert.match(String(rowsForBundle(bundle, [], { maxRows: 2 }).problems?.[0].problem), /must be a JSON object with "rows"/);
    assert.match(String(rowsForBundle(bundle, { rows: [] }, { maxRows: 2 }).problems?.[0].problem), /"rows" is empty/);
    const many = rowsForBundle(bundle, { rows: [{}, {}, {}] }, { maxRows: 2 });
    assert.equal('tooMany' in many && many.tooMany, true);
  });
});

describe('the input digest', () => {
  it("is canonicalJson's text of the model columns, whatever the key order, extra keys or absent columns", () => {
    const bundle = {
      signature: { columns: ['é', 'B', 'a', '_x', 'Z9', 'q"uote'].map((name) => ({ name, kind: 'numeric' })) },
    } as unknown as ModelBundle;
    const rows = [
      { a: 1.5, B: -0, é: 1e-300, _x: 'text "with" quotes\n', Z9: true, 'q"uote': null, extra: 'ignored' },
      { B: 3, a: 12345678901234567890 },
    ];
    for (const row of rows) {
      const model = Object.fromEntries(
        bundle.signature.columns.map((c) => [c.name, Object.hasOwn(row, c.name) ? (row as Record<string, unknown>)[c.name] : null]),
      );
      assert.equal(canonicalRow(bundle, row), canonicalJson(model));
    }
  });
});

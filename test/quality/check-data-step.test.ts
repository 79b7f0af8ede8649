/**
 * The check.data step on the hospital-readmission builtin: it names the leaky column and the
 * duplicate ids by row number, reports missing tokens per column, fails on a violated expectation
 * with column and row numbers and no values, passes when expectations hold, and flags train/test
 * shift that was built in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { loadBuiltin } from '../../src/data/builtin.js';
import { takeRows, type Dataset } from '../../src/data/dataset.js';
import { GateError, StepInputError } from '../../src/errors.js';
import checkData from '../../src/steps/check.data.js';
import { runStep } from '../helpers/step-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-check-data-'));

async function saved(ds: Dataset, name: string): Promise<string> {
  const file = join(dir, name);
  await writeDatasetFile(file, ds);
  return file;
}

const readmission = loadBuiltin('hospital-readmission', { seed: 0 });
const dataFile = readmission.then((ds) => saved(ds, 'readmission.arrow'));

interface Report {
  columns: {
    name: string;
    kind: string;
    missing: number;
    missing_tokens?: Record<string, number>;
    numeric?: { min: number; max: number; outliers: number };
    levels?: { top: { level: string; count: number }[]; others: number };
  }[];
  duplicate_rows: { rows: number; examples: number[] };
  duplicate_ids: { column: string; rows: number; ids: number; examples: number[] }[];
  class_balance: { counts: { class: string; count: number }[] };
  leakage: { flagged: string[]; columns: { column: string; auc: number }[] };
  shift?: { columns: { column: string; psi: number; flagged: boolean }[] };
  expectations: { column: string; rule: string; passed: boolean; rows: number; examples: number[] }[];
}
const readReport = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

/** Row numbers (1-based) whose patient_id occurs on another row too, from the dataset itself. */
function duplicatedIdRows(ds: Dataset): number[] {
  const ids = ds.columns.find((c) => c.name === 'patient_id')!.data;
  assert.equal(ids.type, 'text');
  const counts = new Map<string | null, number>();
  for (const v of ids.values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return ids.values.flatMap((v, i) => ((counts.get(v) ?? 0) > 1 ? [i + 1] : []));
}

test('names discharge_code as possible leakage, the duplicate ids by row number, and the missing tokens per column', async () => {
  const ds = await readmission;
  const run = await runStep(checkData, { data: await dataFile }, {});
  const r = readReport(run.outputs.report);
  assert.deepEqual(r.leakage.flagged, ['discharge_code']);
  assert.ok(r.leakage.columns[0].auc >= 0.98);
  assert.ok(
    r.leakage.columns.slice(1).every((c) => c.auc < 0.8),
    'no other column looks like a leak',
  );
  const expected = duplicatedIdRows(ds);
  assert.deepEqual(r.duplicate_ids, [{ column: 'patient_id', rows: expected.length, ids: r.duplicate_ids[0].ids, examples: expected.slice(0, 5) }]);
  assert.ok(r.duplicate_ids[0].ids >= 25);
  assert.equal(r.duplicate_rows.rows, 2);
  const by = Object.fromEntries(r.columns.map((c) => [c.name, c]));
  assert.deepEqual(by.bmi.missing_tokens, ds.columns.find((c) => c.name === 'bmi')!.missingTokens);
  assert.deepEqual(Object.keys(by.bmi.missing_tokens ?? {}).sort(), ['', 'NA']);
  assert.deepEqual(Object.keys(by.systolic_bp.missing_tokens ?? {}).sort(), ['?', 'NA']);
  assert.equal(
    by.bmi.missing,
    Object.values(by.bmi.missing_tokens ?? {}).reduce((a, b) => a + b, 0),
  );
  assert.ok(by.age.numeric && by.age.numeric.min >= 18 && by.age.numeric.max <= 95);
  // Levels of fewer than 5 patients are counted among the others, never named.
  assert.ok(
    by.ward.levels &&
      by.ward.levels.top.length >= 12 &&
      by.ward.levels.top.length < 42 &&
      by.ward.levels.top.every((t) => t.count >= 5) &&
      by.ward.levels.others > 30,
  );
  assert.equal(r.class_balance.counts.find((c) => c.class === 'yes')!.count > 100, true);
  assert.ok(run.logs.some((l) => l.includes('possible leakage') && l.includes('discharge_code')));
  // No value of a row is in the report: not an id, not a note.
  const text = readFileSync(run.outputs.report, 'utf8');
  assert.ok(!/P0\d{5}/.test(text) && !text.includes('bed '));
});

test('a violated expectation fails the step with column, rule and row numbers, never values; the report is still written', async () => {
  const ds = await readmission;
  const out = mkdtempSync(join(dir, 'fail-'));
  const failure = await runStep(
    checkData,
    { data: await dataFile },
    { expect: { age: { min: 0, max: 90 }, patient_id: 'unique', bmi: { missing: '<= 0.1' } } },
    dir,
    out,
  ).then(
    () => assert.fail('expected the step to fail'),
    (e: unknown) => e,
  );
  assert.ok(failure instanceof GateError);
  const lines = failure.message.split('\n');
  assert.equal(lines.length, 2);
  const age = ds.columns.find((c) => c.name === 'age')!.data;
  assert.equal(age.type, 'numeric');
  const old = Array.from(age.values).flatMap((v, i) => (v > 90 ? [i + 1] : []));
  assert.equal(lines[0], `expectation failed: column "age" max 90: ${old.length} rows (rows ${old.slice(0, 5).join(', ')}, …)`);
  const dup = duplicatedIdRows(ds);
  assert.equal(lines[1], `expectation failed: column "patient_id" unique: ${dup.length} rows (rows ${dup.slice(0, 5).join(', ')}, …)`);
  assert.ok(!/P0\d{5}/.test(failure.message));
  const r = readReport(join(out, 'report'));
  assert.deepEqual(
    r.expectations.map((e) => [e.column, e.rule, e.passed]),
    [
      ['age', 'min 0', true],
      ['age', 'max 90', false],
      ['patient_id', 'unique', false],
      ['bmi', 'missing <= 0.1', true],
    ],
  );
});

test('expectations that hold pass, and a missing-rate expectation fails when too much is missing', async () => {
  const run = await runStep(
    checkData,
    { data: await dataFile },
    { expect: { age: { min: 18, max: 95 }, sex: { levels: ['female', 'male'] }, bmi: { missing: '<= 0.1' } } },
  );
  assert.ok(readReport(run.outputs.report).expectations.every((e) => e.passed));
  await assert.rejects(runStep(checkData, { data: await dataFile }, { expect: { bmi: { missing: '<= 0.01' } } }), (e: unknown) => {
    assert.ok(e instanceof GateError);
    assert.match(e.message, /^expectation failed: column "bmi" missing <= 0\.01: \d+ rows \(rows [\d, ]+, …\)$/);
    return true;
  });
});

test('an expectation on a column that is not there names the nearest column', async () => {
  await assert.rejects(runStep(checkData, { data: await dataFile }, { expect: { agee: { max: 120 } } }), (e: unknown) => {
    assert.ok(e instanceof StepInputError);
    assert.match(e.message, /"agee" is not in the data: did you mean "age"\?/);
    return true;
  });
});

test('fail_on: [leakage] fails on the leaky column', async () => {
  await assert.rejects(runStep(checkData, { data: await dataFile }, { fail_on: ['leakage'] }), (e: unknown) => {
    assert.ok(e instanceof GateError);
    assert.match(e.message, /^possible leakage: column "discharge_code" alone predicts the target with AUC 0\.9\d+/);
    return true;
  });
});

test('shift flags the column that differs between train and test by construction, and only it', async () => {
  const ds = await readmission;
  const age = ds.columns.find((c) => c.name === 'age')!.data;
  assert.equal(age.type, 'numeric');
  // Train: the younger patients, test: the older: age (and what depends on it) shifts; a random split does not.
  const order = Array.from({ length: ds.rowCount }, (_, i) => i).sort((a, b) => age.values[a] - age.values[b]);
  const cut = Math.floor(ds.rowCount * 0.7);
  const shifted = await runStep(
    checkData,
    {
      data: await dataFile,
      train: await saved(takeRows(ds, order.slice(0, cut)), 'young.arrow'),
      test: await saved(takeRows(ds, order.slice(cut)), 'old.arrow'),
    },
    {},
  );
  const s = readReport(shifted.outputs.report).shift!;
  assert.ok(s.columns.find((c) => c.column === 'age')!.flagged);
  assert.ok(!s.columns.find((c) => c.column === 'sex')!.flagged);
  const even = Array.from({ length: ds.rowCount }, (_, i) => i);
  const random = await runStep(
    checkData,
    {
      data: await dataFile,
      train: await saved(
        takeRows(
          ds,
          even.filter((i) => i % 3),
        ),
        'a.arrow',
      ),
      test: await saved(
        takeRows(
          ds,
          even.filter((i) => !(i % 3)),
        ),
        'b.arrow',
      ),
    },
    {},
  );
  assert.ok(readReport(random.outputs.report).shift!.columns.every((c) => !c.flagged));
});

test('fail_on: [duplicates] fails naming duplicate rows and ids by row number; train without test is an error', async () => {
  await assert.rejects(runStep(checkData, { data: await dataFile }, { fail_on: ['duplicates'] }), (e: unknown) => {
    assert.ok(e instanceof GateError);
    const [rows, ids] = e.message.split('\n');
    assert.match(rows, /^2 duplicate row\(s\) \(rows \d+, \d+\)$/);
    assert.match(ids, /^\d+ id\(s\) of "patient_id" on more than one row: \d+ rows \(rows [\d, ]+, …\)$/);
    return true;
  });
  await assert.rejects(runStep(checkData, { data: await dataFile, train: await dataFile }, {}), /shift needs both `train` and `test` wired/);
});

test('the summary counts the expectations that held, not all of them, when a violated one does not fail the step', async () => {
  const run = await runStep(checkData, { data: await dataFile }, { expect: { age: { max: 60 }, sex: { levels: ['female', 'male'] } }, fail_on: [] });
  assert.equal((run.summary as { expectations_passed: number }).expectations_passed, 1);
});

test('a numeric column filled in only for positive rows is flagged as leakage by its missingness', async () => {
  const { leakageScores } = await import('../../src/data/quality-signals.js');
  const { makeDataset } = await import('../../src/data/dataset.js');
  const labels = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const ds = makeDataset(
    [
      { name: 'days_to_readmit', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(labels, (y, i) => (y ? 3 + (i % 7) : Number.NaN)) } },
      { name: 'noise', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(labels, (_, i) => (i * 37) % 101) } },
      { name: 'outcome', kind: 'target', data: { type: 'categorical', codes: Int32Array.from(labels), categories: ['no', 'yes'] } },
    ],
    { column: 'outcome', positive: 'yes' },
  );
  const scores = leakageScores(ds);
  assert.equal(scores[0].column, 'days_to_readmit');
  assert.equal(scores[0].auc, 1);
});

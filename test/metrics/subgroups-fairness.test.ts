/**
 * Issue 21, observations 2 and 3: subgroups by any column of the source table (a one-hot encoded
 * feature, an id, a column preprocessing dropped) carried through preprocess as context columns,
 * the fairness gaps with their intervals and gates, the metrics file and the report; and the
 * messages when a subgroup column is missing (short, with the nearest names and the fix).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelCard, type CardInput } from '../../src/bundle/card.js';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type CategoricalData, type Column, type Dataset } from '../../src/data/dataset.js';
import { GateError, StepInputError } from '../../src/errors.js';
import { evaluateOutcomes, subgroupRows, type Evaluation, type Outcomes } from '../../src/ml/metrics/index.js';
import { evaluationBody } from '../../src/report/evaluation-section.js';
import type { MetricsReport } from '../../src/report/report-data.js';
import { loadModelFile } from '../../src/ml/model.js';
import { createRng } from '../../src/rng.js';
import evaluate, { missingSubgroupMessage } from '../../src/steps/evaluate.js';
import preprocess from '../../src/steps/preprocess.js';
import selectFeatures from '../../src/steps/select-features.js';
import trainForest from '../../src/steps/train.random-forest.js';
import { makeProject } from '../engine/project.js';
import { runStep } from '../helpers/step-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-subgroups-'));

// ---- numbers by hand --------------------------------------------------------------------------
// 12 women: positives scored 0.9 0.8 0.7 0.2 (3 of 4 found at 0.5: sensitivity 0.75), negatives
// 0.6 0.55 and six 0.1 (6 of 8 below: specificity 0.75); mean score 4.35/12 = 0.3625, observed 4/12.
// 12 men: positives 0.9 0.8 0.6 0.3 0.2 0.1 (sensitivity 3/6 = 0.5), negatives 0.4 0.3 0.2 0.1 0.1 0
// (specificity 1); mean score 4/12, observed 6/12. 3 rows of sex "other": too few to compare.
const HAND = {
  sex: [...Array(12).fill('female'), ...Array(12).fill('male'), 'other', 'other', 'other'],
  y: [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
  score: [0.9, 0.8, 0.7, 0.2, 0.6, 0.55, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.8, 0.6, 0.3, 0.2, 0.1, 0.4, 0.3, 0.2, 0.1, 0.1, 0, 0.9, 0.2, 0.1],
};

function handEvaluation(gates: Record<string, string> = {}, seed = 7): Evaluation {
  const categories = ['female', 'male', 'other'];
  const outcomes: Outcomes = { kind: 'binary', y: Uint8Array.from(HAND.y), score: Float64Array.from(HAND.score), scoreKind: 'probability' };
  return evaluateOutcomes(outcomes, {
    metrics: ['sensitivity', 'specificity'],
    classes: ['no', 'yes'],
    threshold: { method: 'fixed', value: 0.5 },
    bootstrap: { resamples: 300, seed, confidence: 0.95 },
    calibrationBins: 5,
    subgroups: [
      {
        column: 'sex',
        groups: subgroupRows('sex', { type: 'categorical', codes: Int32Array.from(HAND.sex, (s) => categories.indexOf(s)), categories }),
      },
    ],
    gates,
  });
}

test('per group n, prevalence, sensitivity and specificity, and the fairness gaps, as computed by hand', () => {
  const e = handEvaluation();
  const [sex] = e.subgroups!;
  assert.deepEqual(
    sex.groups.map((g) => [g.value, g.n, g.positives, g.prevalence, g.metrics.sensitivity.value, g.metrics.specificity.value]),
    [
      ['female', 12, 4, 4 / 12, 0.75, 0.75],
      ['male', 12, 6, 0.5, 0.5, 1],
      ['other', 3, 1, 1 / 3, 1, 1],
    ],
  );
  const f = e.fairness!;
  assert.deepEqual(f.metrics, ['sensitivity', 'specificity', 'calibration_in_the_large']);
  const col = f.columns[0];
  assert.deepEqual(col.compared, ['female', 'male']);
  assert.deepEqual(col.left_out, [{ value: 'other', n: 3, why: 'fewer than 10 rows' }]);
  assert.equal(col.max_gap.sensitivity!.value, 0.25);
  assert.deepEqual(col.max_gap.sensitivity!.between, ['female', 'male']);
  assert.equal(col.max_gap.specificity!.value, 0.25);
  assert.deepEqual(col.max_gap.specificity!.between, ['male', 'female']);
  // (0.3625 - 1/3) - (1/3 - 1/2)
  assert.ok(Math.abs(col.max_gap.calibration_in_the_large!.value! - (0.3625 - 4 / 12 - (4 / 12 - 0.5))) < 1e-12);
  assert.deepEqual(col.max_gap.calibration_in_the_large!.between, ['female', 'male']);
  // Over all columns: the one column's gap, named.
  assert.equal(f.max_gap.sensitivity!.value, 0.25);
  assert.equal(f.max_gap.sensitivity!.column, 'sex');
  const s = col.max_gap.sensitivity!;
  assert.ok(s.ci_low !== null && s.ci_high !== null && s.ci_low >= 0 && s.ci_low <= s.ci_high, JSON.stringify(s));
  assert.ok(f.notes.some((n) => n.includes('left out of the fairness gaps: sex = other (fewer than 10 rows)')));
});

test('fairness limits: a group with fewer positives than min_per_class is left out, saying so', () => {
  const categories = ['female', 'male', 'other'];
  const e = evaluateOutcomes(
    { kind: 'binary', y: Uint8Array.from(HAND.y), score: Float64Array.from(HAND.score), scoreKind: 'probability' },
    {
      threshold: { method: 'fixed', value: 0.5 },
      bootstrap: { resamples: 20, seed: 0, confidence: 0.95 },
      calibrationBins: 5,
      subgroups: [
        { column: 'sex', groups: subgroupRows('sex', { type: 'categorical', codes: Int32Array.from(HAND.sex, (x) => categories.indexOf(x)), categories }) },
      ],
      fairness: { minRows: 3, minPerClass: 5 },
    },
  );
  assert.deepEqual(e.fairness!.columns[0].left_out, [
    { value: 'female', n: 12, why: 'fewer than 5 positive rows' },
    { value: 'other', n: 3, why: 'fewer than 5 positive rows' },
  ]);
  assert.deepEqual(e.fairness!.columns[0].compared, ['male']);
  assert.equal(e.fairness!.max_gap.sensitivity!.value, null);
});

test('the gap intervals are the same for the same seed and differ for another', () => {
  const a = handEvaluation().fairness!;
  const b = handEvaluation().fairness!;
  const c = handEvaluation({}, 8).fairness!;
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.max_gap.sensitivity, c.max_gap.sensitivity);
  assert.deepEqual(a.max_gap.sensitivity!.value, c.max_gap.sensitivity!.value);
});

test('gates on the largest gap: failing, passing, per column, on the interval; a misspelt path fails before any work', () => {
  const e = handEvaluation({
    'subgroups.max_gap.sensitivity': '<= 0.1',
    'subgroups.max_gap.specificity': '<= 0.3',
    'subgroups.sex.max_gap.sensitivity': '<= 0.3',
    'subgroups.max_gap.sensitivity.ci_low': '>= 0',
  });
  assert.deepEqual(
    e.gates!.map((g) => [g.gate, g.passed]),
    [
      ['subgroups.max_gap.sensitivity', false],
      ['subgroups.max_gap.specificity', true],
      ['subgroups.sex.max_gap.sensitivity', true],
      ['subgroups.max_gap.sensitivity.ci_low', true],
    ],
  );
  assert.match(e.gates![0].message!, /^gate failed: subgroups\.max_gap\.sensitivity = 0\.25 \(95% CI [\d.]+–[\d.]+\), required <= 0\.1$/);
  assert.throws(
    () => handEvaluation({ 'subgroups.max_gap.sensitivty': '<= 0.1' }),
    (err: Error) =>
      err instanceof StepInputError &&
      /^gate "subgroups\.max_gap\.sensitivty": unknown fairness metric "sensitivty" \(did you mean "sensitivity"\?\)/.test(err.message),
  );
  assert.throws(
    () => handEvaluation({ 'subgroups.ward.max_gap.sensitivity': '<= 0.1' }),
    /gate "subgroups\.ward\.max_gap\.sensitivity": "ward" is not one of the subgroup columns \(sex\)/,
  );
  assert.throws(
    () =>
      evaluateOutcomes(
        { kind: 'binary', y: Uint8Array.from(HAND.y), score: Float64Array.from(HAND.score), scoreKind: 'probability' },
        {
          threshold: { method: 'fixed', value: 0.5 },
          bootstrap: { resamples: 0, seed: 0, confidence: 0.95 },
          calibrationBins: 5,
          gates: { 'subgroups.max_gap.sensitivity': '<= 0.1' },
        },
      ),
    /fairness gaps need subgroups \(e\.g\. subgroups: \[\{ column: sex \}\]\)/,
  );
});

test('a gap no two groups can give: the gate fails saying why', () => {
  // Only the first 15 rows (women and three men): the men are too few, so no gap.
  const rows = Int32Array.from({ length: 15 }, (_, i) => i);
  const e = evaluateOutcomes(
    { kind: 'binary', y: Uint8Array.from(HAND.y.slice(0, 15)), score: Float64Array.from(HAND.score.slice(0, 15)), scoreKind: 'probability' },
    {
      threshold: { method: 'fixed', value: 0.5 },
      bootstrap: { resamples: 50, seed: 0, confidence: 0.95 },
      calibrationBins: 5,
      subgroups: [
        {
          column: 'sex',
          groups: [
            { label: 'female', rows: rows.subarray(0, 12) },
            { label: 'male', rows: rows.subarray(12) },
          ],
        },
      ],
      gates: { 'subgroups.max_gap.sensitivity': '<= 0.1' },
    },
  );
  assert.deepEqual(e.fairness!.columns[0].left_out, [{ value: 'male', n: 3, why: 'fewer than 10 rows' }]);
  assert.equal(
    e.gates![0].message,
    'gate failed: subgroups.max_gap.sensitivity is not available (fewer than two subgroups could be compared; each needs 10 rows and 1 of each class), required <= 0.1',
  );
});

// ---- through the steps ------------------------------------------------------------------------
/** A seeded table: sex (categorical feature), ward (mostly missing: preprocessing drops it), age, x (informative), site (id). */
function clinicalTable(n: number, seed: number, wardMissing: number): Dataset {
  const rng = createRng(seed);
  const sex: number[] = [];
  const ward: number[] = [];
  const age: number[] = [];
  const x: number[] = [];
  const site: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = rng.int(2);
    const a = 20 + rng.int(80);
    const xi = rng.normal();
    sex.push(s);
    ward.push(rng.next() < wardMissing ? -1 : rng.int(3));
    age.push(a);
    x.push(xi);
    site.push(i % 4);
    y.push(xi + 0.8 * s + (a - 60) / 30 + rng.normal() * 0.8 > 0.6 ? 1 : 0);
  }
  const cat = (name: string, kind: Column['kind'], codes: number[], categories: string[]): Column => ({
    name,
    kind,
    data: { type: 'categorical', codes: Int32Array.from(codes), categories },
  });
  return makeDataset(
    [
      cat('site', 'id', site, ['north', 'south', 'east', 'west']),
      cat('sex', 'categorical', sex, ['female', 'male']),
      cat('ward', 'categorical', ward, ['A', 'B', 'C']),
      { name: 'age', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(age) } },
      { name: 'x', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(x) } },
      cat('outcome', 'target', y, ['no', 'yes']),
    ],
    { column: 'outcome', positive: 'yes' },
  );
}

const prepParams = { impute: 'median', drop_columns_missing_above: 0.3 };
const forestParams = { trees: 30, seed: 0, threads: 1 };
const evalParams = { bootstrap: { resamples: 200, confidence: 0.95 }, seed: 3 };
const SUBGROUPS = [{ column: 'sex' }, { column: 'site' }, { column: 'ward' }, { column: 'age', bins: [0, 40, 65, 120] }];

const built = (async () => {
  const train = join(dir, 'train.arrow');
  const testFile = join(dir, 'test.arrow');
  const testSet = clinicalTable(240, 2, 0.2);
  await writeDatasetFile(train, clinicalTable(400, 1, 0.5));
  await writeDatasetFile(testFile, testSet);
  const plain = await runStep(preprocess, { train, test: testFile }, prepParams);
  const kept = await runStep(preprocess, { train, test: testFile }, { ...prepParams, keep_for_evaluation: ['sex', 'ward', 'site'] });
  const selected = await runStep(selectFeatures, { train: kept.outputs.train, test: kept.outputs.test }, { method: 'anova-f', k: 3 });
  const model = (await runStep(trainForest, { train: selected.outputs.train }, forestParams)).outputs.model;
  const plainModel = (await runStep(trainForest, { train: plain.outputs.train }, forestParams)).outputs.model;
  return { testSet, plain, kept, selected, model, plainModel };
})();

test('preprocess keep_for_evaluation carries encoded and dropped source columns as context, and leaves the model alone', async () => {
  const { plain, kept, testSet, model, plainModel } = await built;
  const out = await readDatasetFile(kept.outputs.test);
  const plainOut = await readDatasetFile(plain.outputs.test);
  // sex is one-hot encoded, ward dropped (missing in half the training rows): both come back raw, as context.
  assert.deepEqual(
    out.columns.map((c) => `${c.name}:${c.kind}`),
    [...plainOut.columns.map((c) => `${c.name}:${c.kind}`), 'sex:context', 'ward:context'],
  );
  assert.ok(plainOut.columns.some((c) => c.name === 'sex=female') && !plainOut.columns.some((c) => c.name === 'ward' || c.name.startsWith('ward=')));
  assert.deepEqual(out.columns.find((c) => c.name === 'sex')!.data, testSet.columns.find((c) => c.name === 'sex')!.data);
  assert.deepEqual(out.columns.find((c) => c.name === 'ward')!.data, testSet.columns.find((c) => c.name === 'ward')!.data);
  // The fitted transform and the training table's features are unchanged, so is the model trained on them.
  assert.ok(readFileSync(kept.outputs.transform).equals(readFileSync(plain.outputs.transform)));
  const direct = (await runStep(trainForest, { train: kept.outputs.train }, forestParams)).outputs.model;
  assert.ok(readFileSync(direct).equals(readFileSync(plainModel)));
  // select-features passed the context columns through; the model's features include none of them.
  const selected = await readDatasetFile((await built).selected.outputs.test);
  assert.ok(['sex', 'ward', 'site'].every((n) => selected.columns.some((c) => c.name === n && c.kind !== 'numeric' && c.kind !== 'categorical')));
  const { features } = await loadModelFile(model);
  assert.equal(features.length, 3);
  assert.ok(!features.some((f) => ['sex', 'ward', 'site'].includes(f)), features.join());
});

test('keep_for_evaluation: a misspelt column is named with the nearest ones; a feature transformed in place is carried beside itself', async () => {
  const { testSet } = await built;
  const inputs = { train: join(dir, 'train.arrow'), test: join(dir, 'test.arrow') };
  await assert.rejects(
    runStep(preprocess, inputs, { ...prepParams, keep_for_evaluation: ['sx'] }),
    (e: Error) => e instanceof StepInputError && /^keep_for_evaluation: "sx" is not a column of the training table \(nearest: sex[,;]/.test(e.message),
  );
  // sex frequency-encoded and age scaled keep their names as features: the raw values go beside them.
  const r = await runStep(preprocess, inputs, { ...prepParams, scale: 'standard', encode: { sex: 'frequency' }, keep_for_evaluation: ['sex', 'age', 'x'] });
  const out = await readDatasetFile(r.outputs.test);
  assert.deepEqual(
    out.columns.filter((c) => c.kind === 'context').map((c) => c.name),
    ['sex (source)', 'age (source)', 'x (source)'],
  );
  assert.deepEqual(out.columns.find((c) => c.name === 'sex (source)')!.data, testSet.columns.find((c) => c.name === 'sex')!.data);
  assert.deepEqual(out.columns.find((c) => c.name === 'age (source)')!.data, testSet.columns.find((c) => c.name === 'age')!.data);
  assert.equal(out.columns.find((c) => c.name === 'sex')!.data.type, 'numeric');
  assert.ok(
    r.logs.includes(
      'note: age stays a feature under its own name, transformed; its raw values are carried as "age (source)" (subgroups: [{ column: age }] uses them)',
    ),
    r.logs.join('\n'),
  );
  // evaluate finds them under the source names: groups by raw sex and raw age bands, not by frequencies or z-scores.
  const model = (await runStep(trainForest, { train: r.outputs.train }, forestParams)).outputs.model;
  const e = await runStep(
    evaluate,
    { model, test: r.outputs.test },
    { ...evalParams, subgroups: [{ column: 'sex' }, { column: 'age', bins: [0, 40, 65, 120] }] },
  );
  const report = JSON.parse(readFileSync(e.outputs.metrics, 'utf8')) as Evaluation;
  assert.deepEqual(
    report.subgroups!.map((s) => s.groups.map((g) => g.value)),
    [
      ['female', 'male'],
      ['[0, 40)', '[40, 65)', '[65, 120)'],
    ],
  );
  const ages = (testSet.columns.find((c) => c.name === 'age')!.data as { values: Float64Array }).values;
  assert.equal(report.subgroups![1].groups[0].n, ages.filter((a) => a < 40).length);
  // A feature left as it is (no imputation needed in a numeric column without scaling) is its own context.
  const plain = await runStep(preprocess, inputs, { drop_columns_missing_above: 0.3, keep_for_evaluation: ['age'] });
  assert.ok(plain.logs.includes('note: age stays a feature under its own name, with its raw values'), plain.logs.join('\n'));
});

test('evaluate: subgroups by an encoded feature, an id, a dropped column and age bands, with counts and prevalence from the table', async () => {
  const { selected, model, testSet } = await built;
  const r = await runStep(
    evaluate,
    { model, test: selected.outputs.test },
    { ...evalParams, subgroups: SUBGROUPS, gates: { 'subgroups.max_gap.sensitivity': '<= 1' } },
  );
  const text = readFileSync(r.outputs.metrics, 'utf8');
  const report = JSON.parse(text) as Evaluation & MetricsReport;
  assert.deepEqual(
    report.subgroups!.map((s) => s.column),
    ['sex', 'site', 'ward', 'age'],
  );
  // Counts and positives straight from the source table.
  const y = testSet.columns.find((c) => c.name === 'outcome')!.data as { codes: Int32Array };
  const count = (label: (i: number) => string): [string, number, number][] => {
    const m = new Map<string, [number, number]>();
    for (let i = 0; i < testSet.rowCount; i++) {
      const l = label(i);
      const e = m.get(l) ?? [0, 0];
      m.set(l, [e[0] + 1, e[1] + y.codes[i]]);
    }
    return [...m].map(([l, [n, p]]) => [l, n, p] as [string, number, number]).sort();
  };
  const cat = (name: string) => (i: number) => {
    const d = testSet.columns.find((c) => c.name === name)!.data as CategoricalData;
    return d.codes[i] < 0 ? '(missing)' : d.categories[d.codes[i]];
  };
  const ages = (testSet.columns.find((c) => c.name === 'age')!.data as { values: Float64Array }).values;
  const expected: Record<string, [string, number, number][]> = {
    sex: count(cat('sex')),
    site: count(cat('site')),
    ward: count(cat('ward')),
    age: count((i) => (ages[i] < 40 ? '[0, 40)' : ages[i] < 65 ? '[40, 65)' : '[65, 120)')),
  };
  for (const s of report.subgroups!) {
    assert.deepEqual(s.groups.map((g) => [g.value, g.n, g.positives] as [string, number, number]).sort(), expected[s.column], s.column);
    for (const g of s.groups) {
      assert.equal(g.prevalence, g.positives! / g.n);
      assert.ok(g.metrics.sensitivity.ci_low !== null || g.metrics.sensitivity.value === null, `${s.column} ${g.value}`);
    }
  }
  assert.ok(expected.ward.some(([l]) => l === '(missing)'));
  assert.deepEqual(
    report.fairness!.columns.map((c) => c.column),
    ['sex', 'site', 'ward', 'age'],
  );
  assert.deepEqual(
    report.gates!.map((g) => g.passed),
    [true],
  );
  const overall = report.fairness!.max_gap.sensitivity!;
  assert.ok(
    r.logs.some(
      (l) =>
        l.startsWith(`fairness: largest sensitivity gap ${overall.value!.toPrecision(3)} (`) &&
        l.endsWith(`by ${overall.column} (${overall.between!.join(' vs ')})`),
    ),
    r.logs.join('\n'),
  );
  // Key order: what a diff of the metrics file relies on.
  assert.deepEqual(Object.keys(report).slice(-3), ['subgroups', 'fairness', 'gates']);
  assert.deepEqual(Object.keys(report.fairness!), ['metrics', 'min_group_rows', 'min_per_class', 'max_gap', 'columns', 'skipped', 'notes']);
  assert.deepEqual(Object.keys(report.subgroups![0].groups[0]), ['value', 'n', 'positives', 'prevalence', 'metrics']);
  // The same run writes the same bytes.
  const again = await runStep(
    evaluate,
    { model, test: selected.outputs.test },
    { ...evalParams, subgroups: SUBGROUPS, gates: { 'subgroups.max_gap.sensitivity': '<= 1' } },
  );
  assert.equal(readFileSync(again.outputs.metrics, 'utf8'), text);

  // The report: a table per subgroup column with prevalence and intervals, and the fairness gaps.
  const html = evaluationBody({ step: 'evaluate', report });
  assert.match(html, /<h3>Subgroups by sex<\/h3>/);
  assert.match(html, /<table class="subgroups" data-column="ward"><thead><tr><th>ward<\/th><th>n<\/th><th>prevalence<\/th>/);
  assert.match(html, /<h3>Fairness<\/h3>/);
  const gap = report.fairness!.columns[0].max_gap.sensitivity!;
  assert.ok(html.includes(`data-gap="sex.sensitivity"`));
  assert.ok(html.includes(`${gap.between![0]} vs ${gap.between![1]}`));

  // The model card a reviewer reads: prevalence per group and the fairness gaps.
  const card = modelCard({
    name: 'm',
    description: '',
    intendedUse: '',
    limitations: '',
    signature: { columns: [], target: { column: 'outcome', task: 'classification', classes: ['no', 'yes'], positive: 'yes' } },
    model: {},
    evaluation: report as unknown as CardInput['evaluation'],
    data: [],
  });
  assert.match(card, /\| sex \| n \| prevalence \| /);
  assert.match(card, /### Fairness/);
  assert.ok(
    card.includes(`| sensitivity | sex | ${gap.value!.toFixed(3)} | ${gap.ci_low!.toFixed(3)} – ${gap.ci_high!.toFixed(3)} | ${gap.between!.join(' vs ')} |`),
    card,
  );
});

test('a failing fairness gate fails the step after writing the metrics', async () => {
  const { selected, model } = await built;
  await assert.rejects(
    runStep(evaluate, { model, test: selected.outputs.test }, { ...evalParams, subgroups: SUBGROUPS, gates: { 'subgroups.max_gap.sensitivity': '<= 0' } }),
    (e: Error) => e instanceof GateError && /^gate failed: subgroups\.max_gap\.sensitivity = [\d.]+ \(95% CI/.test(e.message),
  );
});

// ---- observation 3: the messages ----------------------------------------------------------------
test('a subgroup column preprocessing encoded: the message names its encoded columns and the fix', async () => {
  const { plain, plainModel } = await built;
  await assert.rejects(
    runStep(evaluate, { model: plainModel, test: plain.outputs.test }, { ...evalParams, subgroups: [{ column: 'sex' }] }),
    (e: Error) =>
      e instanceof StepInputError &&
      e.message ===
        'subgroup column "sex" is not in the test dataset: preprocessing encoded it into sex=female, sex=male; carry it with keep_for_evaluation: [sex] on the preprocess step',
  );
});

test('a missing subgroup column among 337: one short line with the count and the nearest names', () => {
  const names = [
    'patient_id',
    'age',
    'sex=female',
    'sex=male',
    'ward=A',
    'ward=B',
    ...Array.from({ length: 324 }, (_, i) => `admitted=2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`),
    'bmi',
    'hba1c',
    'smoking=never',
    'smoking=current',
    'systolic_bp',
    'x1',
    'outcome',
  ];
  assert.equal(names.length, 337);
  const m = missingSubgroupMessage('wrad', names);
  assert.ok(!m.includes('\n'));
  assert.ok(m.length < 500, m);
  assert.ok(m.includes('(nearest: ward=A, ward=B'), m);
  assert.ok(
    m.includes(
      '337 columns: patient_id, age, sex=female, sex=male, ward=A, ward=B, admitted=2025-01-01, admitted=2025-02-01, admitted=2025-03-01, admitted=2025-04-01, … and 327 more)',
    ),
    m,
  );
  assert.ok(
    m.endsWith('carry it with keep_for_evaluation: [wrad] on the preprocess step; if it is not a feature, declare it on the load step (columns: { wrad: id })'),
    m,
  );
});

test('subgroups written as plain names: the schema error shows the shape expected, once per entry', async () => {
  const yaml = [
    'medpipe: 1',
    'name: t',
    'steps:',
    '  load: { uses: load.csv, with: { path: d.csv, target: y } }',
    '  split: { uses: split, in: { data: load } }',
    '  forest: { uses: train.random-forest, in: { train: split.train } }',
    '  eval:',
    '    uses: evaluate',
    '    in: { model: forest, test: split.test }',
    '    with: { subgroups: [sex, ward] }',
    '',
  ].join('\n');
  const p = makeProject({ 'p.yaml': yaml, 'd.csv': 'x,y\n1,a\n2,b\n' });
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  // (Both point at the list: the locator does not descend into a flow sequence's items.)
  const errors = r.err.split('\n').filter((l) => l.startsWith('error: '));
  assert.deepEqual(errors, [
    'error: p.yaml:10:24: step "eval": with.subgroups.0 must be a mapping like { column: sex } (or { column: age, bins: [0, 40, 65, 120] })',
    'error: p.yaml:10:24: step "eval": with.subgroups.1 must be a mapping like { column: sex } (or { column: age, bins: [0, 40, 65, 120] })',
  ]);
});

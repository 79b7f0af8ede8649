/**
 * The evaluate step end to end through the harness: a random forest (and an SVM without
 * probabilities) trained by their steps on the breast cancer data, evaluated on held-out rows
 * with subgroups, gates, importance and a metrics file; a regression forest on the diabetes data;
 * and the errors a user meets with bad inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, takeRows, type Column, type Dataset } from '../../src/data/dataset.js';
import { GateError, StepInputError } from '../../src/errors.js';
import { formatAgainst } from '../../src/ml/metrics/index.js';
import type { Evaluation, FeatureImportance } from '../../src/ml/metrics/index.js';
import evaluate from '../../src/steps/evaluate.js';
import trainForest from '../../src/steps/train.random-forest.js';
import trainSvm from '../../src/steps/train.svm.js';
import { runStep } from '../helpers/step-harness.js';
import { ROOT } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-evaluate-'));

/** A shipped CSV as a dataset (all numeric except the target), plus a `site` id column, split by index % 5. */
function csvSplit(file: string, target: string, positive?: string): { train: Dataset; test: Dataset; features: string[] } {
  const lines = readFileSync(join(ROOT, 'data', file), 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0].split(',');
  const body = lines.slice(1).map((l) => l.split(','));
  const t = header.indexOf(target);
  const columns: Column[] = header.map((name, j): Column => {
    if (j !== t) return { name, kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(body, (r) => Number(r[j])) } };
    if (!positive) return { name, kind: 'target', data: { type: 'numeric', values: Float64Array.from(body, (r) => Number(r[j])) } };
    const categories = [...new Set(body.map((r) => r[j]))];
    return { name, kind: 'target', data: { type: 'categorical', codes: Int32Array.from(body, (r) => categories.indexOf(r[j])), categories } };
  });
  columns.push({
    name: 'site',
    kind: 'id',
    data: { type: 'categorical', codes: Int32Array.from(body, (_, i) => i % 3), categories: ['north', 'south', 'west'] },
  });
  const ds = makeDataset(columns, { column: target, ...(positive ? { positive } : {}) });
  const rows = Array.from({ length: ds.rowCount }, (_, i) => i);
  return {
    train: takeRows(
      ds,
      rows.filter((i) => i % 5 !== 0),
    ),
    test: takeRows(
      ds,
      rows.filter((i) => i % 5 === 0),
    ),
    features: header.filter((_, j) => j !== t),
  };
}

async function file(name: string, ds: Dataset): Promise<string> {
  const path = join(dir, `${name}.arrow`);
  await writeDatasetFile(path, ds);
  return path;
}

const forestParams = {
  task: 'auto',
  trees: 40,
  max_depth: null,
  min_samples_split: 2,
  min_samples_leaf: 1,
  max_features: null,
  bootstrap: true,
  class_weight: null,
  seed: 0,
  threads: 1,
};
const svmParams = {
  type: 'auto',
  kernel: 'rbf',
  C: 1,
  gamma: 'scale',
  degree: 3,
  coef0: 0,
  epsilon: 0.1,
  class_weight: null,
  probability: false,
  seed: 0,
  tol: 0.001,
  cache_mb: 50,
  max_iter: null,
};
const evalParams = {
  metrics: [] as string[],
  threshold: { method: 'fixed' },
  bootstrap: { resamples: 200, seed: null, confidence: 0.95 },
  subgroups: [] as { column: string; bins?: number[] }[],
  gates: {} as Record<string, string>,
  permutation_importance: null as null | { repeats: number; metric: string | null; seed: number | null },
  calibration_bins: 10,
  metrics_file: null as string | null,
  seed: 0,
};

type Report = Evaluation & { format: string; model: Record<string, unknown>; importance?: { metric: string; features: FeatureImportance[] } };

const bc = csvSplit('breast-cancer-wisconsin.csv', 'diagnosis', 'malignant');
const files = (async () => {
  const train = await file('bc-train', bc.train);
  const test = await file('bc-test', bc.test);
  const forest = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  return { train, test, forest };
})();

test('a forest on breast cancer: metrics with intervals, threshold, curves, subgroups, importance and a metrics file', async () => {
  const { test: testFile, forest } = await files;
  const params = {
    ...evalParams,
    subgroups: [{ column: 'site' }, { column: 'mean_radius', bins: [12, 16] }],
    gates: { roc_auc: '>= 0.9', 'sensitivity.ci_high': '> 0.5' },
    permutation_importance: { repeats: 3, metric: null, seed: null },
    metrics_file: 'metrics/bc.json',
  };
  const run = await runStep(evaluate, { model: forest, test: testFile }, params, dir);
  const text = readFileSync(run.outputs.metrics, 'utf8');
  const report = JSON.parse(text) as Report;
  assert.equal(report.format, 'medpipe.metrics/1');
  assert.equal(report.task, 'binary');
  assert.equal(report.n, bc.test.rowCount);
  assert.deepEqual(report.classes, ['benign', 'malignant']);
  assert.equal(report.model.algorithm, 'random forest');
  assert.deepEqual(report.threshold && [report.threshold.method, report.threshold.value], ['fixed', 0.5]);
  assert.deepEqual(Object.keys(report.metrics), [
    'roc_auc',
    'pr_auc',
    'sensitivity',
    'specificity',
    'precision',
    'f1',
    'accuracy',
    'balanced_accuracy',
    'log_loss',
    'brier',
  ]);
  for (const [name, e] of Object.entries(report.metrics)) {
    assert.ok(e.value !== null && e.ci_low !== null && e.ci_high !== null, name);
    assert.ok(e.ci_low <= e.value && e.value <= e.ci_high, name);
  }
  assert.ok(report.metrics.roc_auc.value! > 0.95);
  const cm = report.confusion_matrix!;
  assert.deepEqual(cm.labels, ['benign', 'malignant']);
  assert.equal(
    cm.counts.flat().reduce((a, b) => a + b, 0),
    report.n,
  );
  assert.equal(cm.counts[1][1] / (cm.counts[1][0] + cm.counts[1][1]), report.metrics.sensitivity.value);
  assert.equal(report.roc_curve!.fpr[0], 0);
  assert.equal(
    report.calibration!.curve.reduce((a, b) => a + b.n, 0),
    report.n,
  );
  assert.deepEqual(
    report.gates!.map((g) => g.passed),
    [true, true],
  );
  const [site, radius] = report.subgroups!;
  assert.deepEqual(
    site.groups.map((g) => g.value),
    ['north', 'south', 'west'],
  );
  assert.deepEqual(
    radius.groups.map((g) => g.value),
    ['< 12', '[12, 16)', '>= 16'],
  );
  for (const s of [site, radius])
    assert.equal(
      s.groups.reduce((a, g) => a + g.n, 0),
      report.n,
    );
  const imp = report.importance!;
  assert.equal(imp.metric, 'roc_auc');
  assert.equal(imp.features.length, bc.features.length);
  assert.ok(imp.features[0].mean > 0);
  // the report (which the engine publishes to metrics_file for git) has one metric per line
  assert.ok(
    text.split('\n').some((l) => /^ {4}"roc_auc": \{"value":[^\n]+"ci_high":[^\n]+\},?$/.test(l)),
    'roc_auc on one line',
  );
  const summary = run.summary as { metrics: Record<string, { value: number }>; gates_passed: number };
  assert.equal(summary.metrics.roc_auc.value, report.metrics.roc_auc.value);
  assert.equal(summary.gates_passed, 2);
  // same inputs and seed: byte-identical report
  const again = await runStep(evaluate, { model: forest, test: testFile }, params, dir);
  assert.equal(readFileSync(again.outputs.metrics, 'utf8'), text);
});

test('a failing gate fails the step with every failed gate in the message, after writing its report (which the engine publishes)', async () => {
  const { test: testFile, forest } = await files;
  const params = {
    ...evalParams,
    metrics: ['roc_auc', 'specificity'],
    gates: { roc_auc: '>= 0.9', specificity: '== 2', 'roc_auc.ci_high': '> 1' },
    metrics_file: 'metrics/failed.json',
  };
  const out = mkdtempSync(join(tmpdir(), 'medpipe-gate-'));
  const error = await runStep(evaluate, { model: forest, test: testFile }, params, dir, out).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof GateError, String(error));
  const report = JSON.parse(readFileSync(join(out, 'metrics'), 'utf8')) as Report;
  const spec = report.metrics.specificity,
    auc = report.metrics.roc_auc;
  const short = (x: number): string => String(Number(x.toPrecision(3)));
  assert.equal(
    error.message,
    [
      `gate failed: specificity = ${formatAgainst(spec.value!, '==', 2)} (95% CI ${short(spec.ci_low!)}–${short(spec.ci_high!)}), required == 2`,
      `gate failed: roc_auc.ci_high = ${formatAgainst(auc.ci_high!, '>', 1)} (roc_auc ${short(auc.value!)}, 95% CI ${short(auc.ci_low!)}–${short(auc.ci_high!)}), required > 1`,
    ].join('\n'),
  );
  assert.deepEqual(
    report.gates!.map((g) => g.passed),
    [true, false, false],
  );
});

test("Youden's threshold is reported with a note that it is optimistic", async () => {
  const { test: testFile, forest } = await files;
  const { outputs, logs } = await runStep(
    evaluate,
    { model: forest, test: testFile },
    { ...evalParams, metrics: ['sensitivity', 'specificity'], threshold: { method: 'youden' }, bootstrap: { resamples: 50, seed: 1, confidence: 0.9 } },
  );
  const report = JSON.parse(readFileSync(outputs.metrics, 'utf8')) as Report;
  assert.equal(report.threshold!.method, 'youden');
  assert.equal(report.threshold!.sensitivity, report.metrics.sensitivity.value);
  assert.ok(report.notes.some((n) => /optimistic/.test(n)));
  assert.ok(logs.some((l) => /^note: .*optimistic/.test(l)));
});

test('an SVM without probabilities: ranking metrics on decision values, probability metrics not available', async () => {
  const { train, test: testFile } = await files;
  const svm = (await runStep(trainSvm, { train }, svmParams)).outputs.model;
  const { outputs } = await runStep(
    evaluate,
    { model: svm, test: testFile },
    { ...evalParams, metrics: ['roc_auc', 'sensitivity', 'log_loss'], bootstrap: { resamples: 50, seed: 0, confidence: 0.95 } },
  );
  const report = JSON.parse(readFileSync(outputs.metrics, 'utf8')) as Report;
  assert.equal(report.model.algorithm, 'support vector machine');
  assert.equal(report.threshold!.value, 0);
  assert.ok(report.metrics.roc_auc.value! > 0.8);
  assert.deepEqual(report.metrics.log_loss, { value: null, ci_low: null, ci_high: null });
  assert.match(report.unavailable.log_loss, /decision values, not probabilities/);
  assert.match(report.unavailable.calibration, /decision values/);
  assert.equal(report.calibration, undefined);
});

test('a regression forest on the diabetes data, with subgroups by a coded column and by age bands', async () => {
  const d = csvSplit('diabetes-progression.csv', 'progression');
  const train = await file('dia-train', d.train);
  const testFile = await file('dia-test', d.test);
  const model = (await runStep(trainForest, { train }, { ...forestParams, max_depth: 6 })).outputs.model;
  const { outputs } = await runStep(
    evaluate,
    { model, test: testFile },
    {
      ...evalParams,
      subgroups: [{ column: 'sex' }, { column: 'age', bins: [50] }],
      permutation_importance: { repeats: 2, metric: 'rmse', seed: 3 },
    },
  );
  const report = JSON.parse(readFileSync(outputs.metrics, 'utf8')) as Report;
  assert.equal(report.task, 'regression');
  assert.deepEqual(Object.keys(report.metrics), ['rmse', 'mae', 'r2']);
  assert.ok(report.metrics.r2.value! > 0.2 && report.metrics.rmse.value! > 0);
  assert.deepEqual(
    report.subgroups![0].groups.map((g) => g.value),
    ['1', '2'],
  );
  assert.deepEqual(
    report.subgroups![1].groups.map((g) => g.value),
    ['< 50', '>= 50'],
  );
  assert.equal(report.importance!.metric, 'rmse');
  assert.equal(report.confusion_matrix, undefined);
});

test('bad inputs: missing feature columns, an unknown metric, a missing subgroup column', async () => {
  const { test: testFile, forest } = await files;
  const cut = makeDataset(
    bc.test.columns.filter((c) => c.name !== 'mean_area' && c.name !== 'worst_area'),
    bc.test.target,
  );
  const cutFile = await file('bc-cut', cut);
  await assert.rejects(
    runStep(evaluate, { model: forest, test: cutFile }, evalParams),
    (e: unknown) =>
      e instanceof StepInputError && e.message.startsWith('the test dataset lacks feature columns "mean_area", "worst_area" that the model was trained on'),
  );
  await assert.rejects(
    runStep(evaluate, { model: forest, test: testFile }, { ...evalParams, metrics: ['roc_auc', 'auroc'] }),
    (e: unknown) => e instanceof StepInputError && e.message.startsWith('unknown metric "auroc" for binary classification (available: roc_auc, pr_auc,'),
  );
  await assert.rejects(
    runStep(evaluate, { model: forest, test: testFile }, { ...evalParams, subgroups: [{ column: 'sex' }] }),
    (e: unknown) =>
      e instanceof StepInputError &&
      e.message.startsWith('subgroup column "sex" is not in the test dataset (') &&
      /32 columns: mean_radius, [^…]*, … and 22 more\)/.test(e.message) &&
      /keep_for_evaluation: \[sex\] on the preprocess step; if it is not a feature, declare it on the load step \(columns: \{ sex: id \}\)$/.test(e.message),
  );
  await assert.rejects(
    runStep(evaluate, { model: forest, test: testFile }, { ...evalParams, threshold: { method: 'sensitivity' } }),
    /threshold method sensitivity needs a target/,
  );
  assert.equal(existsSync(join(dir, 'metrics/never.json')), false);
});

test('permutation importance through the step: a dominant feature ranks first, pure noise has no effect within noise', async () => {
  const n = 300;
  const rng = (await import('../../src/rng.js')).createRng(11);
  const signal = Float64Array.from({ length: n }, () => rng.normal());
  const noise1 = Float64Array.from({ length: n }, () => rng.normal());
  const noise2 = Float64Array.from({ length: n }, () => rng.normal());
  const label = Int32Array.from(signal, (s) => (s > 0 ? 1 : 0));
  const ds = makeDataset(
    [
      { name: 'noise1', kind: 'numeric', data: { type: 'numeric', values: noise1 } },
      { name: 'signal', kind: 'numeric', data: { type: 'numeric', values: signal } },
      { name: 'noise2', kind: 'numeric', data: { type: 'numeric', values: noise2 } },
      { name: 'outcome', kind: 'target', data: { type: 'categorical', codes: label, categories: ['no', 'yes'] } },
    ],
    { column: 'outcome', positive: 'yes' },
  );
  const rows = Array.from({ length: n }, (_, i) => i);
  const train = await file(
    'syn-train',
    takeRows(
      ds,
      rows.filter((i) => i % 3 !== 0),
    ),
  );
  const testFile = await file(
    'syn-test',
    takeRows(
      ds,
      rows.filter((i) => i % 3 === 0),
    ),
  );
  const model = (await runStep(trainForest, { train }, { ...forestParams, min_samples_leaf: 3 })).outputs.model;
  const { outputs } = await runStep(
    evaluate,
    { model, test: testFile },
    {
      ...evalParams,
      metrics: ['roc_auc'],
      bootstrap: { resamples: 0, seed: 0, confidence: 0.95 },
      permutation_importance: { repeats: 5, metric: 'accuracy', seed: 2 },
    },
  );
  const imp = (JSON.parse(readFileSync(outputs.metrics, 'utf8')) as Report).importance!;
  assert.equal(imp.metric, 'accuracy');
  assert.equal(imp.features[0].feature, 'signal');
  assert.ok(imp.features[0].mean > 0.3, `signal ${imp.features[0].mean}`);
  for (const e of imp.features.slice(1)) assert.ok(Math.abs(e.mean) <= 3 * e.std + 0.02, `${e.feature}: ${e.mean} ± ${e.std}`);
});

test('a three-class forest: multi-class metrics, confusion matrix by label, one-vs-rest AUC', async () => {
  const { readSplit } = await import('../ml/forest-fixtures.js');
  const split = readSplit('three-class');
  const toDs = (t: typeof split.train): Dataset =>
    makeDataset(
      [
        ...t.features.map(
          (f, j): Column => ({
            name: f,
            kind: 'numeric',
            data: { type: 'numeric', values: Float64Array.from({ length: t.nRows }, (_, i) => t.X[i * t.nCols + j]) },
          }),
        ),
        { name: 'grade', kind: 'target', data: { type: 'categorical', codes: Int32Array.from(t.y), categories: ['low', 'mid', 'high'] } },
      ],
      { column: 'grade' },
    );
  const train = await file('three-train', toDs(split.train));
  const testFile = await file('three-test', toDs(split.test));
  const model = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  const { outputs } = await runStep(evaluate, { model, test: testFile }, { ...evalParams, bootstrap: { resamples: 100, seed: 0, confidence: 0.95 } });
  const report = JSON.parse(readFileSync(outputs.metrics, 'utf8')) as Report;
  assert.equal(report.task, 'multiclass');
  assert.deepEqual(report.classes, ['high', 'low', 'mid']);
  assert.deepEqual(Object.keys(report.metrics), [
    'accuracy',
    'balanced_accuracy',
    'roc_auc',
    'precision_macro',
    'recall_macro',
    'f1_macro',
    'precision_weighted',
    'recall_weighted',
    'f1_weighted',
    'log_loss',
  ]);
  const cm = report.confusion_matrix!;
  const diag = cm.counts.reduce((a, row, k) => a + row[k], 0);
  assert.equal(diag / report.n, report.metrics.accuracy.value);
  assert.ok(report.metrics.roc_auc.value! > 0.5 && report.metrics.roc_auc.value! <= 1);
  assert.equal(report.threshold, undefined);
});

test("observed_vs_predicted: a regression writes each test row's observed and predicted value; off by default; a classifier refuses it", async () => {
  const d = csvSplit('diabetes-progression.csv', 'progression');
  const train = await file('ovp-train', d.train);
  const testFile = await file('ovp-test', d.test);
  const model = (await runStep(trainForest, { train }, forestParams)).outputs.model;
  const params = { ...evalParams, bootstrap: { resamples: 0, seed: 0, confidence: 0.95 } };
  const on = await runStep(evaluate, { model, test: testFile }, { ...params, observed_vs_predicted: true });
  const points = JSON.parse(readFileSync(on.outputs.predictions, 'utf8')) as { format: string; target: string; observed: number[]; predicted: number[] };
  assert.equal(points.format, 'medpipe.predictions/1');
  assert.equal(points.target, 'progression');
  const truth = d.test.columns.find((c) => c.name === 'progression')!.data;
  assert.ok(truth.type === 'numeric');
  assert.deepEqual(points.observed, Array.from(truth.values), "the test rows' outcomes, in row order");
  assert.equal(points.predicted.length, points.observed.length);
  // The points reproduce the reported RMSE, so they are the predictions the metrics were computed from.
  const rmse = Math.sqrt(points.observed.reduce((a, y, i) => a + (y - points.predicted[i]) ** 2, 0) / points.observed.length);
  const report = JSON.parse(readFileSync(on.outputs.metrics, 'utf8')) as Report;
  assert.ok(Math.abs(rmse - report.metrics.rmse.value!) < 1e-9, `${rmse} vs ${report.metrics.rmse.value}`);

  // Off (the default): no per-row values are written, and the metrics are byte for byte the same.
  const off = await runStep(evaluate, { model, test: testFile }, { ...params, observed_vs_predicted: false });
  const none = JSON.parse(readFileSync(off.outputs.predictions, 'utf8')) as { observed: unknown; predicted: unknown };
  assert.equal(none.observed, null);
  assert.equal(none.predicted, null);
  assert.equal(readFileSync(off.outputs.metrics, 'utf8'), readFileSync(on.outputs.metrics, 'utf8'));

  const { test: bcTest, forest } = await files;
  await assert.rejects(
    runStep(evaluate, { model: forest, test: bcTest }, { ...params, observed_vs_predicted: true }),
    (e: Error) => e instanceof StepInputError && /observed_vs_predicted is for regression models; this one is a binary classifier/.test(e.message),
  );
});

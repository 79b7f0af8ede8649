/**
 * The report builders on their own (escaping, layers, PR points) and on real runs that are not the
 * happy path: a failed gate (a failed and a skipped step), and a regression pipeline, which gets
 * RMSE/MAE/R² and no classifier curves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/report.js';
import { esc } from '../../src/report/escape.js';
import { longestPathLayers } from '../../src/report/layers.js';
import { precisionRecall } from '../../src/report/curves-svg.js';
import { renderReport } from '../../src/report/render.js';
import { fmtNumber } from '../../src/report/format.js';
import type { MetricsReport, ReportData, ReportStep } from '../../src/report/report-data.js';
import { ROOT, runPipeline, tempProject } from './project.js';

const EVIL = '<script>alert("x")</script>';

function step(id: string, dependsOn: string[], extra: Partial<ReportStep> = {}): ReportStep {
  return {
    id,
    status: 'done',
    cacheHit: false,
    durationMs: 10,
    startMs: 0,
    startEstimated: true,
    dependsOn,
    inputs: dependsOn.map((d) => ({ port: 'data', step: d, from: 'data' })),
    ...extra,
  };
}

test('esc escapes the five HTML specials and nothing else', () => {
  assert.equal(esc(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&#39;');
  assert.equal(esc('worst_radius 1.5'), 'worst_radius 1.5');
});

test('layers follow the longest path, so every edge points rightwards', () => {
  const layers = longestPathLayers([step('a', []), step('b', ['a']), step('c', ['a', 'b']), step('d', ['missing'])]);
  assert.deepEqual(Object.fromEntries(layers), { a: 0, b: 1, c: 2, d: 0 });
});

test('strings from the pipeline, the record and the metrics are escaped everywhere', () => {
  const metrics = JSON.parse(readFileSync(join(ROOT, 'metrics', 'breast-cancer-forest.json'), 'utf8')) as MetricsReport;
  metrics.classes = [EVIL, 'malignant'];
  metrics.confusion_matrix = { labels: [EVIL, 'malignant'], counts: metrics.confusion_matrix?.counts ?? [] };
  metrics.importance = { metric: 'roc_auc', repeats: 1, features: [{ feature: EVIL, mean: 0.1, std: 0.01 }] };
  const data: ReportData = {
    runId: 'r1',
    pipeline: { name: EVIL, file: `p/${EVIL}.yaml`, digest: 'ab'.repeat(32) },
    warnings: [EVIL],
    git: { commit: 'c'.repeat(40), dirty: true },
    status: 'failed',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 20,
    steps: [
      step(EVIL, []),
      step('eval', [EVIL], { status: 'failed', error: `gate ${EVIL} failed` }),
      step('register', ['eval'], { status: 'skipped', durationMs: undefined }),
    ],
    evaluations: [{ step: EVIL, report: metrics }],
    modelImportances: [{ step: EVIL, features: [{ feature: EVIL, importance: 0.2 }] }],
  };
  const html = renderReport(data);
  assert.doesNotMatch(html, /<script/i);
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.match(html, /<g class="node status-failed" data-step="eval"/);
  assert.match(html, /<g class="node status-skipped" data-step="register"/);
  assert.match(html, /<td class="error">gate &lt;script&gt;/);
});

test('PR points at the ROC thresholds: recall is the TPR, precision TP / (TP + FP)', () => {
  const metrics = JSON.parse(readFileSync(join(ROOT, 'metrics', 'breast-cancer-svm.json'), 'utf8')) as MetricsReport;
  const pr = precisionRecall(metrics);
  assert.ok(pr && metrics.roc_curve && metrics.class_counts && metrics.classes);
  const [neg, pos] = metrics.classes.map((c) => metrics.class_counts?.[c] ?? 0);
  assert.equal(pr.prevalence, pos / (pos + neg));
  // The ROC point at the decision threshold gives the confusion matrix's precision and recall.
  const [[, fp], [fn, tp]] = metrics.confusion_matrix?.counts ?? [];
  const onCurve = pr.recall.some((r, i) => Math.abs(r - tp / (tp + fn)) < 1e-9 && Math.abs(pr.precision[i] - tp / (tp + fp)) < 1e-9);
  assert.ok(onCurve, "the threshold's precision and recall are on the PR curve");
});

test('a failed gate: the failed step shows its error, the skipped one is marked, the graph is whole', async () => {
  const dir = tempProject();
  // The gate is in the file: with --set the run would be an experiment, which registers nothing.
  const pipelineFile = join(dir, 'pipelines/breast-cancer.yaml');
  writeFileSync(
    pipelineFile,
    readFileSync(pipelineFile, 'utf8').replace('gates: { roc_auc: ">= 0.97", sensitivity: ">= 0.85" }', 'gates: { roc_auc: ">= 0.99999" }'),
  );
  const run = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(run.code, 1, run.output);
  assert.equal(run.record.steps['eval-svm'].status, 'failed');
  const file = join(dir, 'failed.html');
  assert.equal(
    await reportCommand([run.record.runId], { cwd: dir, store: join(dir, '.medpipe'), output: file }, { out: () => {}, err: (t) => assert.fail(t) }),
    0,
  );
  const html = readFileSync(file, 'utf8');
  assert.match(html, /<h1>breast-cancer-diagnosis <span class="badge failed">failed<\/span>/);
  assert.match(html, /<g class="node status-failed" data-step="eval-svm"/);
  assert.match(html, /<g class="node status-skipped" data-step="register-svm"/);
  assert.match(html, /<tr data-step="eval-svm">.*<td class="error">[^<]*roc_auc/);
  assert.match(html, /id="eval-eval-svm"[^>]*><h2>.*No metrics: the step failed/);
  assert.equal(html.match(/<g class="node /g)?.length, Object.keys(run.record.steps).length);
  // The first thing a reader sees: this model was not registered, and why; the other one was.
  assert.match(
    html,
    /<section id="models"><h2>Registered models<\/h2><article class="model-card" id="model-register-svm" data-step="register-svm"><h3>breast-cancer-svm <span class="badge failed">not registered<\/span><\/h3>/,
  );
  assert.match(
    html,
    /data-step="register-svm">.*<p class="missing">not registered: a step it depends on failed, so it did not run\.<\/p>.*No metrics from <code>eval-svm<\/code>: the step failed\./,
  );
  assert.match(
    html,
    /<article class="model-card" id="model-register-forest" data-step="register-forest"><h3>breast-cancer-forest <span class="muted">version 1, alias staging<\/span> <span class="badge passed">registered<\/span>/,
  );
});

test('a model card whose artifact does not match its digest is not shown, and the report says why', async () => {
  const dir = tempProject();
  const run = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(run.code, 0, run.output);
  const digest = run.record.steps['register-forest'].outputs?.card as string;
  const object = join(dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2));
  const text = readFileSync(object, 'utf8');
  chmodSync(object, 0o644);
  writeFileSync(object, text.replace('Single-institution data', 'Multi-institution data'));
  const file = join(dir, 'damaged.html');
  assert.equal(
    await reportCommand([run.record.runId], { cwd: dir, store: join(dir, '.medpipe'), output: file }, { out: () => {}, err: (t) => assert.fail(t) }),
    0,
  );
  const html = readFileSync(file, 'utf8');
  assert.match(
    html,
    /data-step="register-forest">.*<p class="missing">its model card does not match its digest, so its text is not shown: run medpipe cache verify, then re-run the pipeline\.<\/p>/,
  );
  assert.doesNotMatch(html, /Multi-institution/);
  // The other card is intact and shown.
  assert.match(html, /data-step="register-svm">.*<div class="intended-use"><p>Decision support for clinicians/);
});

test('a regression pipeline gets its error metrics with intervals and no classifier curves', async () => {
  const dir = tempProject();
  const run = await runPipeline(dir, 'pipelines/diabetes-progression.yaml');
  assert.equal(run.code, 0, run.output);
  const file = join(dir, 'regression.html');
  assert.equal(await reportCommand([], { cwd: dir, store: join(dir, '.medpipe'), output: file }, { out: () => {}, err: (t) => assert.fail(t) }), 0);
  const html = readFileSync(file, 'utf8');
  for (const metric of ['rmse', 'mae', 'r2']) assert.equal(html.match(new RegExp(`<tr data-metric="${metric}">`, 'g'))?.length, 2, metric);
  assert.doesNotMatch(html, /chart-roc|chart-pr|chart-calibration|chart-confusion/);
  assert.ok((html.match(/<svg class="chart chart-ci"/g)?.length ?? 0) >= 2);
});

test('the report shows the metrics against the baseline, with regressions marked', async () => {
  const dir = tempProject();
  const run = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(run.code, 0, run.output);
  // A baseline where the SVM's ROC AUC was higher than now, beyond every tolerance.
  mkdirSync(join(dir, 'baseline'));
  for (const name of ['breast-cancer-svm.json', 'breast-cancer-forest.json']) {
    const m = JSON.parse(readFileSync(join(dir, 'metrics', name), 'utf8')) as { metrics: Record<string, { value: number; ci_low: number; ci_high: number }> };
    if (name.includes('svm')) m.metrics.roc_auc = { value: 0.9999, ci_low: 0.9998, ci_high: 1 };
    writeFileSync(join(dir, 'baseline', name), JSON.stringify(m));
  }
  const file = join(dir, 'diff.html');
  assert.equal(
    await reportCommand(
      [],
      { cwd: dir, store: join(dir, '.medpipe'), output: file, baseline: join(dir, 'baseline') },
      { out: () => {}, err: (t) => assert.fail(t) },
    ),
    0,
  );
  const html = readFileSync(file, 'utf8');
  assert.match(html, /id="baseline"><h2>Against the baseline <span class="badge failed">1 regressed<\/span>/);
  assert.match(html, /<tr class="regressed"><td>roc_auc<\/td><td>0\.9999<\/td>/);
});

test("a recommender evaluation shows model, popularity baseline and lift per metric, judged by the lift's interval", () => {
  const metrics = JSON.parse(readFileSync(join(ROOT, 'metrics', 'treatment-recommendation.json'), 'utf8')) as MetricsReport & {
    baseline: { method: string; metrics: Record<string, { value: number; ci_low: number; ci_high: number }> };
    lift: Record<string, { value: number; ci_low: number; ci_high: number }>;
  };
  // The shipped file: NDCG@10's lift interval is above 0, precision@10's spans 0.
  assert.ok(metrics.lift['ndcg@10'].ci_low > 0 && metrics.lift['precision@10'].ci_low < 0 && metrics.lift['precision@10'].ci_high > 0);
  // Two made-up lifts for RMSE, where lower is better: an interval above 0 is worse, below 0 beats.
  const worse = {
    ...metrics,
    lift: { ...metrics.lift, rmse: { value: 0.1, ci_low: 0.05, ci_high: 0.15 }, [EVIL]: { value: 1, ci_low: 1, ci_high: 1 } },
    metrics: { ...metrics.metrics, [EVIL]: { value: 1, ci_low: null, ci_high: null } },
  };
  const beats = { ...metrics, lift: { ...metrics.lift, rmse: { value: -0.1, ci_low: -0.15, ci_high: -0.05 } } };
  const render = (report: MetricsReport): string =>
    renderReport({
      runId: 'r1',
      pipeline: { name: 'rec', file: 'rec.yaml', digest: 'ab'.repeat(32) },
      warnings: [],
      git: null,
      status: 'done',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 20,
      steps: [step('eval-best', [])],
      evaluations: [{ step: 'eval-best', report }],
      modelImportances: [],
    });
  // The row in the baseline table (the metrics table above it has rows with the same names).
  const row = (html: string, metric: string): string => {
    const table = html.slice(html.indexOf('<table class="metrics recommender-baseline">'));
    const m = new RegExp(`<tr data-metric="${metric.replace(/[@.]/g, (c) => `\\${c}`)}">(.*?)</tr>`).exec(table);
    assert.ok(m, `a row for ${metric}`);
    return m[1];
  };
  const html = render(worse);
  assert.match(html, /<h3>Against the baseline<\/h3><p class="muted">Against a popularity recommender/);
  assert.match(html, /2000 patients, top 10 per patient/);
  const ndcg = row(html, 'ndcg@10');
  for (const v of [
    metrics.metrics['ndcg@10'].value,
    metrics.baseline.metrics['ndcg@10'].value,
    metrics.lift['ndcg@10'].value,
    metrics.lift['ndcg@10'].ci_low,
  ]) {
    assert.ok(ndcg.includes(fmtNumber(v)), `ndcg@10 row shows ${fmtNumber(v)}`);
  }
  assert.match(ndcg, /badge passed">beats/);
  assert.match(row(html, 'precision@10'), /no clear difference/);
  assert.match(row(html, 'rmse'), /badge failed">worse/);
  assert.match(row(render(beats), 'rmse'), /badge passed">beats/);
  // A metric with no known direction gets no verdict, and its name is escaped.
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /<code>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/code>/);
});

test('a step cancelled while running is counted, styled and in the legend as cancelled, not as another status', () => {
  const data: ReportData = {
    runId: 'r2',
    pipeline: { name: 'p', file: 'p.yaml', digest: 'ab'.repeat(32) },
    warnings: [],
    git: null,
    status: 'interrupted',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 20,
    steps: [
      step('load', []),
      step('forest', ['load'], { status: 'cancelled', durationMs: 410 }),
      step('eval', ['forest'], { status: 'skipped', durationMs: undefined }),
    ],
    evaluations: [],
    modelImportances: [],
  };
  const html = renderReport(data);
  assert.match(html, /1 done, 0 cached, 0 failed, 1 cancelled, 1 skipped/);
  assert.match(html, /<g class="node status-cancelled" data-step="forest"/);
  assert.match(html, /<span class="swatch" style="background:var\(--cancelled\)"><\/span>cancelled/);
  assert.match(html, /--cancelled:#/, 'the status has a colour of its own');
});

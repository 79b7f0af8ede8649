/**
 * evaluate.generative in a real pipeline run through the CLI: the two halves of a split stand in
 * for real and synthetic rows. The metrics file is published, `metrics diff` compares it with
 * directions known, and the HTML report draws the generative section.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/report.js';
import { renderReport } from '../../src/report/render.js';
import type { MetricsReport, ReportData } from '../../src/report/report-data.js';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

const PIPELINE = `medpipe: 1
name: fidelity-check
# diversity_ratio's ideal is 1; this pipeline watches for a collapsing generator.
regression:
  metrics:
    diversity_ratio: { direction: higher }
steps:
  load:
    uses: load.csv
    with: { path: ../data/breast-cancer-wisconsin.csv, target: diagnosis, positive: malignant }
  split:
    uses: split
    in: { data: load }
    with: { test_size: 0.5, stratify: true, seed: 3 }
  fidelity:
    uses: evaluate.generative
    in: { real: split.train, synthetic: split.test }
    with: { sample: 200, detector_trees: 20, must_beat_baseline: [correlation_distance, detection_auc], metrics_file: ../metrics/fidelity.json }
`;

test('a pipeline with evaluate.generative runs, publishes its metrics, diffs cleanly and renders in the report', async () => {
  const dir = shippedProjectCopy('generative');
  writeFileSync(join(dir, 'pipelines', 'fidelity.yaml'), PIPELINE);
  const run = await runCli(dir, 'run', 'pipelines/fidelity.yaml');
  assert.equal(run.code, 0, run.out + run.err);
  const metricsFile = join(dir, 'metrics', 'fidelity.json');
  const report = JSON.parse(readFileSync(metricsFile, 'utf8')) as MetricsReport & { metrics: Record<string, { beats_baseline: boolean | null }> };
  assert.equal(report.task, 'generative');
  assert.equal(report.metrics.detection_auc.beats_baseline, true);
  assert.ok(existsSync(join(dir, 'pipelines', 'fidelity.lock.yaml')));
  assert.match(run.out, /fidelity.*correlation distance/s);

  // Against a copy of itself: nothing regressed, and no metric of unknown direction.
  mkdirSync(join(dir, 'baseline'));
  writeFileSync(join(dir, 'baseline', 'fidelity.json'), readFileSync(metricsFile));
  const diff = await runCli(dir, 'metrics', 'diff', 'pipelines/fidelity.yaml', '--baseline', 'baseline');
  assert.equal(diff.code, 0, diff.out + diff.err);
  assert.doesNotMatch(diff.out + diff.err, /direction unknown|REGRESSED/);

  const html = join(dir, 'report.html');
  assert.equal(await reportCommand([], { cwd: dir, store: join(dir, '.medpipe'), output: html }, { out: () => {}, err: (t) => assert.fail(t) }), 0);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<section class="evaluation" id="eval-fidelity"/);
  assert.match(
    page,
    /<tr data-metric="correlation_distance"><td><code>correlation_distance<\/code><\/td><td class="num">[\d.]+<\/td><td class="num">[\d.]+<\/td><td>lower<\/td><td><span class="badge passed">beats<\/span>/,
  );
  assert.match(page, /Kolmogorov–Smirnov statistic per column, largest 15 of 30/);
  assert.match(page, /<td><code>detection_auc.beats_baseline<\/code><\/td>/);
});

test('the generative section escapes column names and survives a sparse hand-made file', () => {
  const EVIL = '<script>x</script>';
  const sparse = { format: 'medpipe.metrics/1', task: 'generative', n: 10, metrics: { ks_mean: { value: 0.1 } } } as unknown as MetricsReport;
  const full = {
    ...sparse,
    columns: [{ column: EVIL, ks: 0.2 }],
    metrics: { ks_mean: { value: 0.1, baseline: 0.05, better: 'lower', beats_baseline: false } },
  } as unknown as MetricsReport;
  const data: ReportData = {
    runId: 'r',
    pipeline: { name: 'p', file: 'p.yaml', digest: 'ab'.repeat(32) },
    warnings: [],
    git: null,
    status: 'done',
    startedAt: '2026-01-01T00:00:00.000Z',
    steps: [],
    evaluations: [
      { step: 'a', report: sparse },
      { step: 'b', report: full },
    ],
    modelImportances: [],
  };
  const html = renderReport(data);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /does not beat/);
  assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt;'));
});

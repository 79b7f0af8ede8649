/**
 * The evaluate.generative step through the harness: the breast-cancer table split in halves (one
 * half "real", the other "synthetic"), its metrics file read by the metrics-diff machinery, gates
 * and must_beat_baseline, byte-identical re-runs, and the errors a user meets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, takeRows, type Column, type Dataset } from '../../src/data/dataset.js';
import { GateError, StepInputError } from '../../src/errors.js';
import { parseMetricsFile } from '../../src/metrics/metrics-file.js';
import { directionOf } from '../../src/metrics/regression-config.js';
import step from '../../src/steps/evaluate.generative.js';
import { runStep } from '../helpers/step-harness.js';
import { breastCancer } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-generative-'));

function table(): Dataset {
  const { names, columns, diagnosis } = breastCancer();
  const cols: Column[] = names.map((name, j) => ({ name, kind: 'numeric', data: { type: 'numeric', values: columns[j] } }));
  const categories = ['benign', 'malignant'];
  cols.push({ name: 'diagnosis', kind: 'target', data: { type: 'categorical', codes: Int32Array.from(diagnosis, (d) => categories.indexOf(d)), categories } });
  return makeDataset(cols, { column: 'diagnosis', positive: 'malignant' });
}

async function file(name: string, ds: Dataset): Promise<string> {
  const path = join(dir, `${name}.arrow`);
  await writeDatasetFile(path, ds);
  return path;
}

const all = table();
const rows = Array.from({ length: all.rowCount }, (_, i) => i);
const realPath = file(
  'real',
  takeRows(
    all,
    rows.filter((i) => i % 2 === 0),
  ),
);
const synPath = file(
  'synthetic',
  takeRows(
    all,
    rows.filter((i) => i % 2 === 1),
  ),
);

test('breast-cancer halves: a report the metrics machinery reads, a second real half beats the baseline on dependence', async () => {
  const r = await runStep(
    step,
    { real: await realPath, synthetic: await synPath },
    { metrics_file: join(dir, 'metrics', 'fidelity.json'), must_beat_baseline: ['correlation_distance', 'detection_auc'] },
  );
  const text = readFileSync(r.outputs.metrics, 'utf8');
  const report = JSON.parse(text);
  assert.equal(report.format, 'medpipe.metrics/1');
  assert.equal(report.task, 'generative');
  assert.equal(report.n, 284);
  assert.equal(report.n_real, 285);
  // The categorical target is not compared: 30 numeric features.
  assert.equal(report.columns_compared, 30);
  assert.equal(report.columns.length, 30);
  const m = report.metrics;
  for (const name of [
    'ks_mean',
    'ks_max',
    'wasserstein_mean',
    'correlation_distance',
    'detection_auc',
    'diversity_ratio',
    'novelty_mean',
    'novelty_median',
    'exact_copy_share',
  ]) {
    assert.equal(typeof m[name].value, 'number', name);
    assert.equal(typeof m[name].baseline, 'number', name);
    assert.ok('beats_baseline' in m[name], name);
  }
  // Two random halves of one table: similar marginals, the same correlations, hard to tell apart.
  assert.ok(m.ks_mean.value < 0.1, `KS mean ${m.ks_mean.value}`);
  assert.ok(
    m.correlation_distance.value < 0.1 && m.correlation_distance.baseline > 0.3,
    `correlation distance ${m.correlation_distance.value} vs baseline ${m.correlation_distance.baseline}`,
  );
  assert.ok(m.detection_auc.value < 0.65 && m.detection_auc.baseline > 0.75, `detection AUC ${m.detection_auc.value} vs baseline ${m.detection_auc.baseline}`);
  assert.equal(m.exact_copy_share.value, 0);
  assert.deepEqual(
    report.gates.map((g: { gate: string; passed: boolean }) => [g.gate, g.passed]),
    [
      ['correlation_distance.beats_baseline', true],
      ['detection_auc.beats_baseline', true],
    ],
  );
  // What `medpipe metrics diff` reads: every headline value, with a known direction.
  const parsed = parseMetricsFile(text, 'fidelity.json');
  assert.equal(parsed.metrics.get('detection_auc')?.value, m.detection_auc.value);
  assert.equal(parsed.metrics.size, Object.keys(m).length);
  // diversity_ratio's ideal is 1 (neither direction is always better), so a pipeline must choose one.
  for (const name of parsed.metrics.keys()) {
    if (name === 'diversity_ratio') assert.match(directionOf(name, {}).note ?? '', /direction unknown/);
    else assert.equal(directionOf(name, {}).note, undefined, `${name} has a default direction`);
  }
  assert.equal(directionOf('correlation_distance', {}).direction, 'lower');
  // The log's summary line: the headline numbers with the baseline, no row values.
  const line = r.logs.find((l) => l.startsWith('284 synthetic vs 285 real rows on 30 columns'));
  assert.ok(line && /correlation distance [\d.]+ \(baseline [\d.]+, beats it\)/.test(line), r.logs.join('\n'));
  assert.equal((r.summary as { beats_baseline: Record<string, boolean> }).beats_baseline.detection_auc, true);
});

test('the same inputs and seed give byte-identical reports; another seed changes the seeded metrics', async () => {
  const inputs = { real: await realPath, synthetic: await synPath };
  const params = { sample: 150, detector_trees: 20, seed: 4 };
  const a = readFileSync((await runStep(step, inputs, params)).outputs.metrics);
  const b = readFileSync((await runStep(step, inputs, params)).outputs.metrics);
  assert.ok(a.equals(b));
  const c = JSON.parse(readFileSync((await runStep(step, inputs, { ...params, seed: 5 })).outputs.metrics, 'utf8'));
  assert.notEqual(c.metrics.detection_auc.value, JSON.parse(a.toString()).metrics.detection_auc.value);
  assert.equal(c.metrics.ks_mean.value, JSON.parse(a.toString()).metrics.ks_mean.value);
});

test('gates and must_beat_baseline fail the step with the numbers, after writing the report (which the engine publishes)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'medpipe-gated-'));
  const metricsFile = join(out, 'metrics');
  const inputs = { real: await realPath, synthetic: await synPath };
  // Against itself the baseline's marginals are near-perfect resamples: ks_max may not beat it; a gate that cannot hold.
  await assert.rejects(
    runStep(
      step,
      inputs,
      { columns: ['mean_radius', 'mean_texture', 'mean_area'], sample: 100, detector_trees: 10, gates: { detection_auc: '<= 0.01' } },
      process.cwd(),
      out,
    ),
    (e: Error) => e instanceof GateError && /gate failed: detection_auc = [\d.]+, required <= 0.01/.test(e.message),
  );
  const written = JSON.parse(readFileSync(metricsFile, 'utf8'));
  assert.equal(written.columns_compared, 3);
  assert.equal(written.gates[0].passed, false);
  await assert.rejects(
    runStep(step, inputs, { gates: { detection_acu: '<= 0.7' } }),
    (e: Error) => e instanceof StepInputError && e.message.includes('did you mean "detection_auc"'),
  );
  await assert.rejects(
    runStep(step, inputs, { gates: { 'detection_auc.ci_low': '<= 0.7' } }),
    (e: Error) => e instanceof StepInputError && e.message.includes('no confidence interval'),
  );
  await assert.rejects(
    runStep(step, inputs, { must_beat_baseline: ['bit_frequency_mad'] }),
    (e: Error) => e instanceof GateError && e.message.includes('bit_frequency_mad is not available'),
  );
});

test('columns: default, exclude, missing and misspelt columns, missing values', async () => {
  const real = await realPath;
  const half = takeRows(
    all,
    rows.filter((i) => i % 2 === 1),
  );
  // A synthetic table without two columns: they are skipped (and said so) by default, an error when asked for.
  const fewer = await file('fewer', { ...half, columns: half.columns.filter((c) => c.name !== 'mean_area' && c.name !== 'worst_area') });
  const r = await runStep(step, { real, synthetic: fewer }, { exclude: ['mean_radius'], sample: 100, detector_trees: 10 });
  const report = JSON.parse(readFileSync(r.outputs.metrics, 'utf8'));
  assert.equal(report.columns_compared, 27);
  assert.ok(!report.columns.some((c: { column: string }) => c.column === 'mean_radius'));
  assert.ok(
    r.logs.some((l) => l === 'not compared: mean_area (not in the synthetic dataset), worst_area (not in the synthetic dataset)'),
    r.logs.join('\n'),
  );
  await assert.rejects(
    runStep(step, { real, synthetic: fewer }, { columns: ['mean_area'] }),
    (e: Error) => e instanceof StepInputError && /"mean_area", which the synthetic dataset does not have/.test(e.message),
  );
  await assert.rejects(
    runStep(step, { real, synthetic: fewer }, { exclude: ['mean_radus'] }),
    (e: Error) => e instanceof StepInputError && e.message.includes('did you mean "mean_radius"'),
  );
  await assert.rejects(
    runStep(step, { real, synthetic: fewer }, { columns: ['diagnosis'] }),
    (e: Error) => e instanceof StepInputError && e.message.includes('not a numeric feature column'),
  );

  const values = Float64Array.from((half.columns[0].data as { values: Float64Array }).values);
  values[6] = Number.NaN;
  const holed = await file('holed', { ...half, columns: [{ ...half.columns[0], data: { type: 'numeric', values } }, ...half.columns.slice(1)] });
  await assert.rejects(
    runStep(step, { real, synthetic: holed }, {}),
    (e: Error) => e instanceof StepInputError && e.message.includes('synthetic dataset\'s column "mean_radius" has a missing value (first at row 7)'),
  );
  const tiny = await file('tiny', takeRows(half, [0, 1, 2]));
  await assert.rejects(runStep(step, { real, synthetic: tiny }, {}), (e: Error) => e instanceof StepInputError && e.message.includes('has 3 rows'));
});

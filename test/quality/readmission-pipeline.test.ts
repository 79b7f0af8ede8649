/**
 * Issue 21's acceptance on the shipped pipelines/readmission.yaml, run from an empty store in a
 * copy of the project: the model's features hold no date, id, free-text or leaky column (the date
 * only through its derived month and weekday); check.data names the leaky column and the duplicate
 * ids; the metrics file has subgroup metrics with intervals by sex, ward and age band and the
 * fairness gaps; the report shows the data check and the subgroups; and the committed files are
 * reproduced byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';
import { LocalStore } from '../../src/engine/local-store.js';
import { latestCompleteRun } from '../../src/engine/record.js';

const PIPELINE = 'pipelines/readmission.yaml';

interface Interval {
  value: number;
  ci_low: number;
  ci_high: number;
}

test('the shipped readmission pipeline: a clean feature set, the data check, subgroup metrics with intervals, reproduced byte for byte', async () => {
  const dir = shippedProjectCopy('readmission');
  try {
    const r = await runCli(dir, 'run', PIPELINE, '--plain');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /prep: left out of the model, as drop_columns asks: discharge_code/);

    const store = new LocalStore(join(dir, '.medpipe'));
    const record = latestCompleteRun(store);
    assert.ok(record);
    const modelDigest = record.steps.forest.outputs?.model as string;
    const model = JSON.parse(readFileSync(store.objectPath(modelDigest), 'utf8')) as { features: string[] };
    for (const f of model.features) assert.doesNotMatch(f, /^(patient_id|note|discharge_code|admitted)(=|$)/, `feature ${f}`);
    assert.ok(model.features.includes('admitted.month') && model.features.includes('ward=infrequent'));
    assert.ok(!model.features.some((f) => /^admitted=/.test(f)), 'the date is never one-hot encoded');

    const check = JSON.parse(readFileSync(join(dir, 'results/readmission-data-check.json'), 'utf8')) as {
      leakage: { flagged: string[] };
      duplicate_ids: { column: string; ids: number; examples: number[] }[];
    };
    assert.deepEqual(check.leakage.flagged, ['discharge_code']);
    assert.equal(check.duplicate_ids[0].column, 'patient_id');
    assert.ok(check.duplicate_ids[0].ids > 0 && check.duplicate_ids[0].examples.length > 0);

    const metrics = JSON.parse(readFileSync(join(dir, 'metrics/readmission-forest.json'), 'utf8')) as {
      subgroups: { column: string; groups: { value: string; n: number; prevalence: number; metrics: Record<string, Interval> }[] }[];
      fairness: { max_gap: Record<string, Interval & { column: string }> };
    };
    assert.deepEqual(
      metrics.subgroups.map((s) => s.column),
      ['sex', 'ward', 'age'],
    );
    const age = metrics.subgroups[2].groups;
    assert.equal(age.length, 3, 'three age bands');
    for (const s of metrics.subgroups)
      for (const g of s.groups) {
        const auc = g.metrics.roc_auc;
        if (auc) assert.ok(auc.ci_low <= auc.value && auc.value <= auc.ci_high, `${s.column}=${g.value}`);
      }
    const gap = metrics.fairness.max_gap.sensitivity;
    assert.ok(gap.ci_low <= gap.value && gap.value <= gap.ci_high);

    const report = await runCli(dir, 'report', '--output', 'report.html');
    assert.equal(report.code, 0, report.err);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /discharge_code/);
    assert.match(html, /Fairness/);

    // What the repository commits is what a run from an empty store writes.
    for (const file of ['metrics/readmission-forest.json', 'results/readmission-data-check.json', 'pipelines/readmission.lock.yaml'])
      assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(ROOT, file)), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

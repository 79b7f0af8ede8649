/**
 * Drift of a table against a training summary, on small tables worked out by hand: a categorical
 * column's PSI over its levels with an unseen level pooled, the missing-rate change, and the
 * numeric summary's bins and quantiles; and the KS statistic against 100 quantiles within the
 * documented ±0.01 of the exact one on the Wisconsin columns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { makeDataset } from '../../src/data/dataset.js';
import { featureDrift } from '../../src/monitor/feature-drift.js';
import { ksStatistic, psi } from '../../src/monitor/drift.js';
import { numericSummary, summariseTraining } from '../../src/monitor/training-summary.js';
import { ROOT } from '../helpers/cli.js';

const signature = (columns: { name: string; kind: 'numeric' | 'categorical' }[]) => ({
  signature: { columns, target: { column: null, task: 'classification' as const } },
});

test('a categorical column: PSI over the training levels, a new level pooled, and the missing-rate change', () => {
  // training: a a a b (one missing) -> a 3/4, b 1/4, missing 1/5
  const train = makeDataset([
    { name: 'ward', kind: 'categorical', data: { type: 'categorical', codes: Int32Array.from([0, 0, 0, 1, -1]), categories: ['a', 'b'] } },
  ]);
  const summary = summariseTraining(signature([{ name: 'ward', kind: 'categorical' }]), train);
  assert.deepEqual(summary.columns[0], { name: 'ward', kind: 'categorical', n: 4, missing_rate: 0.2, levels: { a: 0.75, b: 0.25 } });
  // new: b a c c (no missing): a 1/4, b 1/4, unseen 2/4
  const now = makeDataset([
    { name: 'ward', kind: 'categorical', data: { type: 'categorical', codes: Int32Array.from([0, 1, 2, 2]), categories: ['b', 'a', 'c'] } },
  ]);
  const d = featureDrift(summary, now, undefined, 0.05).columns[0];
  assert.equal(d.kind, 'categorical');
  const expected = Number(psi([0.75, 0.25, 0], [0.25, 0.25, 0.5]).toPrecision(6));
  assert.equal(d.psi, expected);
  assert.deepEqual(d.missing, { training: 0.2, current: 0, change: -0.2 });
  assert.equal(d.ks, undefined, 'no KS on categories');
});

test('a numeric summary: decile edges, their proportions, and at most 100 quantiles; missing values counted apart', () => {
  const values = Float64Array.from({ length: 20 }, (_, i) => (i === 19 ? NaN : i + 1)); // 1..19 and one missing
  const s = numericSummary('x', values);
  assert.equal(s.n, 19);
  assert.equal(s.missing_rate, 0.05);
  assert.equal(s.edges.length, 9);
  assert.equal(s.edges[0], 2.8, 'numpy.quantile(1..19, 0.1) = 1 + 18 * 0.1');
  assert.equal(s.quantiles.length, 19, 'fewer values than 100: one quantile per value');
  assert.ok(s.proportions.every((p) => p > 0) && Math.abs(s.proportions.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const many = numericSummary(
    'y',
    Float64Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.equal(many.quantiles.length, 100);
  assert.equal(many.quantiles[0], 4.995, '(0.5/100) * 999');
});

test('KS against the 100 training quantiles is within 0.01 of the exact two-sample statistic (Wisconsin vs its drifted copy)', async () => {
  const train = await readCsv(join(ROOT, 'data/breast-cancer-wisconsin.csv'), { displayName: 'wisconsin' });
  const now = await readCsv(join(ROOT, 'data/breast-cancer-wisconsin-drifted.csv'), { displayName: 'drifted' });
  const numeric = train.columns.filter((c) => c.data.type === 'numeric');
  let worst = 0;
  for (const c of numeric) {
    const a = Float64Array.from((c.data as { values: Float64Array }).values).sort();
    const nowCol = now.columns.find((x) => x.name === c.name);
    assert.ok(nowCol?.data.type === 'numeric', c.name);
    const b = Float64Array.from(Array.from(nowCol.data.values).filter((v) => !Number.isNaN(v))).sort();
    const approx = ksStatistic(Float64Array.from(numericSummary(c.name, a).quantiles), b);
    worst = Math.max(worst, Math.abs(approx - ksStatistic(a, b)));
  }
  assert.equal(numeric.length, 30);
  assert.ok(worst <= 0.01, `largest difference ${worst}`);
});

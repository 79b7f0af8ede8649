/**
 * Bootstrap intervals (deterministic per seed, equal to resampling rows by hand, containing the
 * point estimate, skipping and counting undefined resamples) and threshold choice against a
 * brute-force search over every candidate threshold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMetrics, chooseThreshold, makeScorer, percentile } from '../../src/ml/metrics/index.js';
import type { Outcomes } from '../../src/ml/metrics/index.js';
import { createRng } from '../../src/rng.js';
import { assertClose, readMetricsFixture, type BinaryFixture } from './fixtures.js';

function outcomes(name: string): Outcomes & { kind: 'binary' } {
  const f = readMetricsFixture<BinaryFixture>(name);
  return { kind: 'binary', y: Uint8Array.from(f.y_true), score: Float64Array.from(f.scores), scoreKind: f.probabilities ? 'probability' : 'decision' };
}

const NAMES = ['roc_auc', 'pr_auc', 'sensitivity', 'specificity', 'f1', 'log_loss', 'brier'];

test('bootstrap intervals are the same for the same seed, differ for another, and contain the point estimate', () => {
  const o = outcomes('breast-cancer');
  const scorer = makeScorer(o, NAMES, 0.5);
  const a = bootstrapMetrics(scorer, o.y.length, { resamples: 300, seed: 7, confidence: 0.95 });
  const b = bootstrapMetrics(scorer, o.y.length, { resamples: 300, seed: 7, confidence: 0.95 });
  const c = bootstrapMetrics(scorer, o.y.length, { resamples: 300, seed: 8, confidence: 0.95 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.metrics, c.metrics);
  for (const n of NAMES) {
    const e = a.metrics[n];
    assert.ok(e.value !== null && e.ci_low !== null && e.ci_high !== null, n);
    assert.ok(e.ci_low <= e.value && e.value <= e.ci_high, `${n}: ${e.ci_low} <= ${e.value} <= ${e.ci_high}`);
    assert.equal(a.skipped[n], 0);
  }
  const narrow = bootstrapMetrics(scorer, o.y.length, { resamples: 300, seed: 7, confidence: 0.5 });
  assert.ok(narrow.metrics.roc_auc.ci_high! - narrow.metrics.roc_auc.ci_low! < a.metrics.roc_auc.ci_high! - a.metrics.roc_auc.ci_low!);
});

test('the bootstrap equals resampling the rows by hand with the same generator', () => {
  const o = outcomes('imbalanced');
  const n = o.y.length;
  const resamples = 120;
  const got = bootstrapMetrics(makeScorer(o, NAMES, 0.3), n, { resamples, seed: 3, confidence: 0.9 });
  const rng = createRng(3);
  const draws: Record<string, number[]> = Object.fromEntries(NAMES.map((k) => [k, []]));
  for (let b = 0; b < resamples; b++) {
    const rows = Array.from({ length: n }, () => rng.int(n));
    const sub: Outcomes = {
      kind: 'binary',
      y: Uint8Array.from(rows, (i) => o.y[i]),
      score: Float64Array.from(rows, (i) => o.score[i]),
      scoreKind: 'probability',
    };
    const v = makeScorer(sub, NAMES, 0.3).compute();
    for (const k of NAMES) if (Number.isFinite(v[k])) draws[k].push(v[k]);
  }
  for (const k of NAMES) {
    const sorted = draws[k].sort((x, y) => x - y);
    assert.equal(got.skipped[k], resamples - sorted.length, `${k} skipped`);
    assertClose(got.metrics[k].ci_low, percentile(sorted, 0.05), `${k} ci_low`);
    assertClose(got.metrics[k].ci_high, percentile(sorted, 0.95), `${k} ci_high`);
  }
});

test('resamples where a metric is undefined are skipped and counted', () => {
  // 12 rows, one positive: about a third of resamples miss it, so AUC and sensitivity are undefined there.
  const y = Uint8Array.from({ length: 12 }, (_, i) => (i === 0 ? 1 : 0));
  const score = Float64Array.from({ length: 12 }, (_, i) => 1 - i / 12);
  const o: Outcomes = { kind: 'binary', y, score, scoreKind: 'probability' };
  const r = bootstrapMetrics(makeScorer(o, ['roc_auc', 'sensitivity', 'specificity', 'brier'], 0.5), 12, { resamples: 200, seed: 1, confidence: 0.95 });
  assert.ok(r.skipped.roc_auc > 30 && r.skipped.roc_auc < 140, `skipped ${r.skipped.roc_auc}`);
  assert.equal(r.skipped.sensitivity, r.skipped.roc_auc);
  assert.equal(r.skipped.specificity, 0);
  assert.equal(r.skipped.brier, 0);
});

test('numpy-style percentile', () => {
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(percentile([1, 2, 3, 4], 0), 1);
  assert.equal(percentile([1, 2, 3, 4], 1), 4);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

/** Every candidate threshold (distinct scores, and one above them all) with its sensitivity and specificity, highest first. */
function bruteForce(y: Uint8Array, score: Float64Array): { t: number; sens: number; spec: number }[] {
  const distinct = [...new Set(score)].sort((a, b) => b - a);
  const P = y.reduce((a, b) => a + b, 0),
    N = y.length - P;
  return [distinct[0] + 1, ...distinct].map((t) => {
    let tp = 0,
      tn = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] && score[i] >= t) tp++;
      if (!y[i] && score[i] < t) tn++;
    }
    return { t, sens: tp / P, spec: tn / N };
  });
}

test("Youden's J and target-sensitivity thresholds agree with a brute-force search", () => {
  for (const name of ['breast-cancer', 'ties', 'imbalanced', 'decision']) {
    const o = outcomes(name);
    const all = bruteForce(o.y, o.score);
    const bestJ = Math.max(...all.map((c) => c.sens + c.spec - 1));
    const youden = chooseThreshold(o.y, o.score, { method: 'youden' });
    // the highest threshold reaching the best J (to rounding of the two ways of computing J)
    const expected = all.find((c) => c.sens + c.spec - 1 >= bestJ - 1e-12)!;
    assert.equal(youden.value, expected.t, name);
    assert.equal(youden.sensitivity, expected.sens);
    assert.equal(youden.specificity, expected.spec);
    assert.match(youden.note!, /optimistic/);
    for (const target of [0.5, 0.8, 0.93, 1]) {
      const chosen = chooseThreshold(o.y, o.score, { method: 'sensitivity', target });
      const first = all.find((c) => c.sens >= target)!;
      assert.equal(chosen.value, first.t, `${name} target ${target}`);
      assert.ok(chosen.sensitivity >= target);
      // one step higher would miss the target
      const k = all.indexOf(first);
      if (k > 0) assert.ok(all[k - 1].sens < target);
    }
  }
});

test('choosing a threshold needs both classes; fixed thresholds report their sensitivity and specificity', () => {
  const y = new Uint8Array(5);
  const score = Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.throws(() => chooseThreshold(y, score, { method: 'youden' }), /needs both classes.*no positives/);
  const o = outcomes('breast-cancer');
  const fixed = chooseThreshold(o.y, o.score, { method: 'fixed', value: 0.5 });
  const f = readMetricsFixture<BinaryFixture>('breast-cancer');
  assertClose(fixed.sensitivity, f.metrics.recall, 'sensitivity');
  assertClose(fixed.specificity, f.metrics.specificity, 'specificity');
});

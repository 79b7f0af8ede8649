/**
 * Quality gates (parsing, exact failure messages, CI-bound gates), subgroups (per-group metrics
 * equal the metrics on that group's rows) and permutation importance on a known model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkGates,
  evaluateOutcomes,
  failedGateMessages,
  formatAgainst,
  makeScorer,
  parseGates,
  permutationImportance,
  subgroupRows,
  takeOutcomes,
} from '../../src/ml/metrics/index.js';
import type { MetricEstimate, Outcomes } from '../../src/ml/metrics/index.js';
import { StepInputError } from '../../src/errors.js';
import { createRng } from '../../src/rng.js';
import { assertClose, readMetricsFixture, type BinaryFixture } from './fixtures.js';

const estimates: Record<string, MetricEstimate> = {
  roc_auc: { value: 0.912, ci_low: 0.87, ci_high: 0.95 },
  sensitivity: { value: 0.96, ci_low: 0.9, ci_high: 1 },
  brier: { value: 0.05, ci_low: 0.03, ci_high: 0.08 },
  log_loss: { value: null, ci_low: null, ci_high: null },
};

test('a failing gate names the metric, its value, its interval and the gate', () => {
  const r = checkGates(parseGates({ roc_auc: '>= 0.97' }), estimates, {}, 0.95);
  assert.equal(r[0].passed, false);
  assert.equal(r[0].message, 'gate failed: roc_auc = 0.912 (95% CI 0.87–0.95), required >= 0.97');
});

test('passing gates, every operator, CI-bound gates, and all failures listed together', () => {
  const gates = parseGates({
    roc_auc: '> 0.9',
    sensitivity: '>=0.95',
    brier: '<= 0.1',
    'roc_auc.ci_low': '>= 0.9',
    'brier.ci_high': '< 0.08',
    'sensitivity.value': '== 0.96',
  });
  const r = checkGates(gates, estimates, {}, 0.95);
  assert.deepEqual(
    r.map((g) => g.passed),
    [true, true, true, false, false, true],
  );
  assert.equal(r[1].required, '>= 0.95');
  assert.equal(r[3].message, 'gate failed: roc_auc.ci_low = 0.87 (roc_auc 0.912, 95% CI 0.87–0.95), required >= 0.9');
  assert.equal(r[4].message, 'gate failed: brier.ci_high = 0.08 (brier 0.05, 95% CI 0.03–0.08), required < 0.08');
});

test('a gate on an unavailable metric fails with the reason; unreadable conditions are refused', () => {
  const r = checkGates(parseGates({ log_loss: '<= 0.3' }), estimates, { log_loss: 'the model gives decision values, not probabilities' }, 0.95);
  assert.equal(r[0].message, 'gate failed: log_loss is not available (the model gives decision values, not probabilities), required <= 0.3');
  assert.throws(
    () => parseGates({ roc_auc: 'at least 0.9' }),
    (e: unknown) => e instanceof StepInputError && /gate "roc_auc": cannot read condition "at least 0.9"/.test(e.message),
  );
  assert.throws(() => parseGates({ roc_auc: '=> 0.9' }), StepInputError);
});

test('a value is printed with enough digits to show why it fails', () => {
  assert.equal(formatAgainst(0.96996, '>=', 0.97), '0.96996');
  assert.equal(formatAgainst(0.912345, '>=', 0.97), '0.912');
});

test('gates through evaluateOutcomes: metrics named only in gates are computed too', () => {
  const f = readMetricsFixture<BinaryFixture>('breast-cancer');
  const o: Outcomes = { kind: 'binary', y: Uint8Array.from(f.y_true), score: Float64Array.from(f.scores), scoreKind: 'probability' };
  const e = evaluateOutcomes(o, {
    metrics: ['roc_auc'],
    threshold: { method: 'fixed', value: 0.5 },
    bootstrap: { resamples: 100, seed: 0, confidence: 0.95 },
    calibrationBins: 10,
    gates: { roc_auc: '>= 0.9', sensitivity: '>= 0.95' },
  });
  assert.deepEqual(Object.keys(e.metrics), ['roc_auc', 'sensitivity']);
  assertClose(e.metrics.sensitivity.value, f.metrics.recall, 'sensitivity');
  const failed = failedGateMessages(e);
  assert.equal(failed.length, 1);
  assert.match(failed[0], /^gate failed: sensitivity = 0\.9 \(95% CI [0-9.]+–[0-9.]+\), required >= 0\.95$/);
  assert.throws(
    () =>
      evaluateOutcomes(o, {
        threshold: { method: 'fixed', value: 0.5 },
        bootstrap: { resamples: 0, seed: 0, confidence: 0.95 },
        calibrationBins: 10,
        gates: { auroc: '>= 0.9' },
      }),
    /unknown metric "auroc" for binary classification \(available: roc_auc, /,
  );
});

test('subgroups: categorical values, numeric bins, coded numbers, missing values', () => {
  const cat = subgroupRows('site', { type: 'categorical', codes: Int32Array.from([0, 1, -1, 1, 0]), categories: ['A', 'B', 'C'] });
  assert.deepEqual(
    cat.map((g) => [g.label, Array.from(g.rows)]),
    [
      ['A', [0, 4]],
      ['B', [1, 3]],
      ['(missing)', [2]],
    ],
  );
  const age = subgroupRows('age', { type: 'numeric', values: Float64Array.from([30, 40, 64.9, 65, NaN, 80]) }, [40, 65]);
  assert.deepEqual(
    age.map((g) => [g.label, Array.from(g.rows)]),
    [
      ['< 40', [0]],
      ['[40, 65)', [1, 2]],
      ['>= 65', [3, 5]],
      ['(missing)', [4]],
    ],
  );
  const sex = subgroupRows('sex', { type: 'numeric', values: Float64Array.from([2, 1, 1, 2]) });
  assert.deepEqual(
    sex.map((g) => g.label),
    ['1', '2'],
  );
  assert.throws(
    () => subgroupRows('bmi', { type: 'numeric', values: Float64Array.from({ length: 50 }, (_, i) => i) }),
    /numeric with 50 distinct values: give bins/,
  );
  assert.throws(() => subgroupRows('age', { type: 'numeric', values: Float64Array.from([1]) }, [65, 40]), /bins must be increasing/);
});

test('per-subgroup metrics equal the metrics computed on that group alone', () => {
  const f = readMetricsFixture<BinaryFixture>('breast-cancer');
  const o: Outcomes = { kind: 'binary', y: Uint8Array.from(f.y_true), score: Float64Array.from(f.scores), scoreKind: 'probability' };
  const codes = Int32Array.from(f.y_true, (_, i) => i % 3);
  const groups = subgroupRows('site', { type: 'categorical', codes, categories: ['A', 'B', 'C'] });
  const e = evaluateOutcomes(o, {
    metrics: ['roc_auc', 'sensitivity', 'brier'],
    threshold: { method: 'fixed', value: 0.5 },
    bootstrap: { resamples: 50, seed: 0, confidence: 0.95 },
    calibrationBins: 10,
    subgroups: [{ column: 'site', groups }],
  });
  const report = e.subgroups![0];
  assert.equal(report.column, 'site');
  assert.deepEqual(
    report.groups.map((g) => g.value),
    ['A', 'B', 'C'],
  );
  assert.equal(
    report.groups.reduce((a, g) => a + g.n, 0),
    o.y.length,
  );
  for (const [k, g] of report.groups.entries()) {
    const alone: Record<string, number> = makeScorer(takeOutcomes(o, groups[k].rows), ['roc_auc', 'sensitivity', 'brier'], 0.5).compute();
    for (const m of ['roc_auc', 'sensitivity', 'brier']) assert.equal(g.metrics[m].value, alone[m], `${g.value} ${m}`);
    assert.equal(g.positives, Array.from(groups[k].rows).filter((r) => o.y[r] === 1).length);
  }
});

test('permutation importance: a feature the score ignores has exactly zero importance, the used one dominates', () => {
  const n = 200,
    rng = createRng(5);
  const X = new Float64Array(n * 3);
  for (let i = 0; i < n * 3; i++) X[i] = rng.normal();
  const y = Float64Array.from({ length: n }, (_, i) => 3 * X[i * 3] + 0.5 * X[i * 3 + 2]);
  // a "model" using features 0 and 2: score = -MSE
  const score = (M: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (y[i] - (3 * M[i * 3] + 0.5 * M[i * 3 + 2])) ** 2;
    return -s / n;
  };
  const imp = permutationImportance(X, n, 3, ['strong', 'unused', 'weak'], score, { repeats: 5, seed: 0 });
  assert.deepEqual(
    imp.map((e) => e.feature),
    ['strong', 'weak', 'unused'],
  );
  assert.equal(imp[2].mean, 0);
  assert.equal(imp[2].std, 0);
  assert.ok(imp[0].mean > 10 * imp[1].mean && imp[1].mean > 0);
  assert.deepEqual(permutationImportance(X, n, 3, ['strong', 'unused', 'weak'], score, { repeats: 5, seed: 0 }), imp);
});

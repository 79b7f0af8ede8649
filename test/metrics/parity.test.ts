/**
 * Every metric against scikit-learn 1.2 on the fixture cases (a logistic regression on the breast
 * cancer data, tied scores, unbounded decision values, a 5%-positive case, three classes, a
 * regression), to 1e-9.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, makeScorer, METRICS, multiclass, ranking, regressionMetrics, chooseThreshold } from '../../src/ml/metrics/index.js';
import type { Outcomes } from '../../src/ml/metrics/index.js';
import {
  assertAllClose,
  assertClose,
  BINARY_CASES,
  readMetricsFixture,
  type BinaryFixture,
  type MulticlassFixture,
  type RegressionFixture,
} from './fixtures.js';

function binaryOutcomes(f: BinaryFixture): Outcomes & { kind: 'binary' } {
  return { kind: 'binary', y: Uint8Array.from(f.y_true), score: Float64Array.from(f.scores), scoreKind: f.probabilities ? 'probability' : 'decision' };
}

for (const name of BINARY_CASES) {
  test(`binary metrics match scikit-learn: ${name}`, () => {
    const f = readMetricsFixture<BinaryFixture>(name);
    const o = binaryOutcomes(f);
    const names = Object.keys(METRICS.binary);
    const scorer = makeScorer(o, names, f.threshold);
    const values = scorer.compute();
    const expected = { ...f.metrics, sensitivity: f.metrics.recall };
    for (const [metric, v] of Object.entries(expected)) assertClose(values[metric], v, metric);
    if (!f.probabilities) {
      assert.deepEqual(Object.keys(scorer.unavailable).sort(), ['brier', 'log_loss']);
      assert.ok(Number.isNaN(values.log_loss));
    }
    // every metric sklearn computed was checked, and nothing we report is unchecked
    assert.deepEqual(names.filter((n) => !(n in scorer.unavailable)).sort(), Object.keys(expected).sort());

    const c = binary.binaryCounts(o.y, o.score, f.threshold);
    assert.deepEqual(
      [
        [c.tn, c.fp],
        [c.fn, c.tp],
      ],
      f.confusion_matrix,
    );
  });

  test(`ROC curve points and chosen thresholds match scikit-learn: ${name}`, () => {
    const f = readMetricsFixture<BinaryFixture>(name);
    const o = binaryOutcomes(f);
    const roc = ranking.rocCurve(ranking.binaryCurve(ranking.rankScores(o.score), o.y));
    assertAllClose(roc.fpr, f.roc_curve.fpr, 'fpr');
    assertAllClose(roc.tpr, f.roc_curve.tpr, 'tpr');
    assertAllClose(roc.thresholds, f.roc_curve.thresholds, 'thresholds');
    assert.equal(chooseThreshold(o.y, o.score, { method: 'youden' }).value, f.youden_threshold);
    for (const [target, t] of Object.entries(f.sensitivity_thresholds)) {
      assert.equal(chooseThreshold(o.y, o.score, { method: 'sensitivity', target: Number(target) }).value, t, `target ${target}`);
    }
  });
}

test('calibration curve matches scikit-learn (uniform bins, 5 and 10)', () => {
  for (const name of BINARY_CASES) {
    const f = readMetricsFixture<BinaryFixture>(name);
    if (!f.calibration) continue;
    for (const [bins, ref] of Object.entries(f.calibration)) {
      const curve = binary.calibrationCurve(Uint8Array.from(f.y_true), Float64Array.from(f.scores), Number(bins));
      assertAllClose(
        curve.map((b) => b.fraction_positive),
        ref.prob_true,
        `${name} ${bins} prob_true`,
      );
      assertAllClose(
        curve.map((b) => b.mean_predicted),
        ref.prob_pred,
        `${name} ${bins} prob_pred`,
      );
      assert.equal(
        curve.reduce((a, b) => a + b.n, 0),
        f.y_true.length,
      );
    }
  }
});

test('multi-class metrics match scikit-learn', () => {
  const f = readMetricsFixture<MulticlassFixture>('multiclass');
  const o: Outcomes = {
    kind: 'multiclass',
    y: Int32Array.from(f.y_true),
    k: f.n_classes,
    pred: Int32Array.from(f.y_pred),
    scores: Float64Array.from(f.scores),
    scoreKind: 'probability',
  };
  const values = makeScorer(o, Object.keys(METRICS.multiclass)).compute();
  assert.deepEqual(Object.keys(values).sort(), Object.keys(f.metrics).sort());
  for (const [metric, v] of Object.entries(f.metrics)) assertClose(values[metric], v, metric);
  const m = multiclass.confusionMatrix(o.y, o.pred, 3);
  assert.deepEqual(
    [0, 1, 2].map((a) => Array.from(m.subarray(a * 3, a * 3 + 3))),
    f.confusion_matrix,
  );
});

test('regression metrics match scikit-learn', () => {
  const f = readMetricsFixture<RegressionFixture>('regression');
  const r = regressionMetrics(Float64Array.from(f.y_true), Float64Array.from(f.y_pred));
  for (const [metric, v] of Object.entries(f.metrics)) assertClose(r[metric as keyof typeof r], v, metric);
});

test('row weights equal repeating rows (what the bootstrap relies on)', () => {
  const f = readMetricsFixture<BinaryFixture>('ties');
  const o = binaryOutcomes(f);
  const n = o.y.length;
  const w = Float64Array.from({ length: n }, (_, i) => (i * 7) % 4); // 0..3 copies of each row
  const rows: number[] = [];
  for (let i = 0; i < n; i++) for (let c = 0; c < w[i]; c++) rows.push(i);
  const repeated: Outcomes = {
    kind: 'binary',
    y: Uint8Array.from(rows, (i) => o.y[i]),
    score: Float64Array.from(rows, (i) => o.score[i]),
    scoreKind: 'probability',
  };
  const names = Object.keys(METRICS.binary);
  const weighted = makeScorer(o, names, f.threshold).compute(w);
  const expanded = makeScorer(repeated, names, f.threshold).compute();
  for (const metric of names) assertClose(weighted[metric], expanded[metric], metric);
});

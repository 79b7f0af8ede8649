/**
 * The virtual-screening metrics: enrichment factors, BEDROC and ROC AUC against hand-computed
 * values on a small ranked list, against RDKit's formulas (test/fixtures/screening_fixtures.py),
 * the expectation over tie orders, bootstrap weights as duplicated rows, and the stratified
 * bootstrap that keeps actives and decoys in every resample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMetrics } from '../../src/ml/metrics/bootstrap.js';
import { efName, lexicographicScore, makeScreeningScorer, screeningMetrics, topCount } from '../../src/ml/metrics/screening.js';
import { readFileSync } from 'node:fs';
import { assertClose, ROOT } from './fixtures.js';

interface ScreeningFixture {
  scores: number[];
  actives: number[];
  fractions: number[];
  alphas: number[];
  ef: number[];
  bedroc: Record<string, number>;
  roc_auc: number;
}

const fixture = (name: string): ScreeningFixture => JSON.parse(readFileSync(`${ROOT}test/fixtures/screening/${name}.json`, 'utf8')) as ScreeningFixture;

// Ten rows ranked by score 10..1; actives at ranks 1, 3 and 6 (A = 3, N = 10).
const y10 = Uint8Array.from([1, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
const s10 = Float64Array.from([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);

test('EF on a small ranked list, by hand', () => {
  const m = screeningMetrics(y10, s10, { fractions: [0.1, 0.2, 0.5], alpha: 20 });
  // 10%: ceil(1) = 1 row, 1 active: (1/1) / (3/10) = 10/3.
  assertClose(m.ef[0], 10 / 3, 'ef@10%');
  // 20%: 2 rows, 1 active: (1/2) / (3/10) = 5/3.
  assertClose(m.ef[1], 5 / 3, 'ef@20%');
  // 50%: 5 rows, 2 actives (ranks 1 and 3): (2/5) / (3/10) = 4/3.
  assertClose(m.ef[2], 4 / 3, 'ef@50%');
});

test('BEDROC(20) on a small ranked list, by hand (RDKit CalcBEDROC)', () => {
  const m = screeningMetrics(y10, s10, { fractions: [0.1], alpha: 20 });
  // sum over actives of e^(-20 r / 10) = e^-2 + e^-6 + e^-12 = 0.1378202
  // random expectation: (1/10) (1 - e^-20) / (e^2 - 1) = 0.0156518; RIE = 0.1378202 / (3 x 0.0156518) = 2.935136
  // R = 0.3: RIEmax = (1 - e^-6) / (0.3 (1 - e^-20)) = 3.325071; RIEmin = (1 - e^6) / (0.3 (1 - e^20)) = 2.76489e-6
  // BEDROC = (2.935136 - 2.76489e-6) / (3.325071 - 2.76489e-6) = 0.8827288
  const sumExp = Math.exp(-2) + Math.exp(-6) + Math.exp(-12);
  const rie = sumExp / (3 * ((1 / 10) * ((1 - Math.exp(-20)) / (Math.exp(2) - 1))));
  const rieMax = (1 - Math.exp(-6)) / (0.3 * (1 - Math.exp(-20)));
  const rieMin = (1 - Math.exp(6)) / (0.3 * (1 - Math.exp(20)));
  assertClose(m.bedroc, (rie - rieMin) / (rieMax - rieMin), 'bedroc');
  assert.ok(Math.abs(m.bedroc - 0.8827288) < 1e-7);
});

test('ROC AUC on a small ranked list, by hand', () => {
  // Decoys ranked below each active: 7 (rank 1), 6 (rank 3), 4 (rank 6) of 3 x 7 pairs = 17/21.
  assertClose(screeningMetrics(y10, s10, { fractions: [0.1], alpha: 20 }).roc_auc, 17 / 21, 'roc_auc');
});

test('a perfect list has BEDROC 1 and EF at its maximum N/A; the reversed list BEDROC 0', () => {
  const y = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const best = screeningMetrics(y, s10, { fractions: [0.2], alpha: 20 });
  assertClose(best.ef[0], 5, 'ef@20% = 10/2');
  assertClose(best.roc_auc, 1, 'auc');
  // RDKit's RIEmax is the continuous approximation, so the discrete best list is a hair off 1.
  assert.ok(best.bedroc > 0.99 && best.bedroc <= 1.0001, `bedroc ${best.bedroc}`);
  const worst = screeningMetrics(y, Float64Array.from(s10).reverse(), { fractions: [0.2], alpha: 20 });
  assert.equal(worst.ef[0], 0);
  assert.ok(Math.abs(worst.bedroc) < 1e-3, `bedroc ${worst.bedroc}`);
});

test('n_x is ceil(x N), as RDKit, without float noise', () => {
  assert.equal(topCount(0.01, 5200), 52);
  assert.equal(topCount(0.01, 5201), 53);
  // 0.07 * 100 = 7.000000000000001 in floating point: still 7 rows.
  assert.equal(topCount(0.07, 100), 7);
  assert.equal(topCount(0.001, 10), 1);
  assert.equal(efName(0.01), 'ef@1%');
  assert.equal(efName(0.005), 'ef@0.5%');
  assert.equal(efName(0.07), 'ef@7%');
});

test('RDKit formulas and sklearn AUC on 300 scored rows (fixture)', () => {
  const f = fixture('random');
  const y = Uint8Array.from(f.actives);
  const s = Float64Array.from(f.scores);
  for (const alpha of f.alphas) {
    const m = screeningMetrics(y, s, { fractions: f.fractions, alpha });
    f.ef.forEach((e, k) => assertClose(m.ef[k], e, `ef@${f.fractions[k]}`));
    assertClose(m.bedroc, f.bedroc[alpha.toFixed(1)], `bedroc(${alpha})`);
    assertClose(m.roc_auc, f.roc_auc, 'roc_auc');
  }
});

test('ties: each metric is its mean over every order of the tied rows (fixture enumerates them)', () => {
  const f = fixture('ties');
  const y = Uint8Array.from(f.actives);
  const s = Float64Array.from(f.scores);
  for (const alpha of f.alphas) {
    const m = screeningMetrics(y, s, { fractions: f.fractions, alpha });
    f.ef.forEach((e, k) => assertClose(m.ef[k], e, `ef@${f.fractions[k]}`));
    assertClose(m.bedroc, f.bedroc[alpha.toFixed(1)], `bedroc(${alpha})`);
    assertClose(m.roc_auc, f.roc_auc, 'roc_auc');
  }
  // By hand, EF@25%: 3 rows = the 9 (active) and 2 of the four 8s (2 actives): 1 + 2 x 2/4 = 2 expected
  // hits; (2/3) / (5/12) = 1.6. A method listing the tied actives first would have claimed 2.4.
  assertClose(screeningMetrics(y, s, { fractions: [0.25], alpha: 20 }).ef[0], 1.6, 'ef@25% by hand');
});

test('a constant score ranks nothing: EF 1, AUC 0.5, whatever the row order', () => {
  const y = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const m = screeningMetrics(y, new Float64Array(10).fill(3), { fractions: [0.1, 0.3], alpha: 20 });
  assertClose(m.ef[0], 1, 'ef@10%');
  assertClose(m.ef[1], 1, 'ef@30%');
  assertClose(m.roc_auc, 0.5, 'auc');
  // Every active at the mean weight of all ranks: RIE = 1, BEDROC = (1 - RIEmin) / (RIEmax - RIEmin).
  const rMax = (1 - Math.exp(-4)) / (0.2 * (1 - Math.exp(-20)));
  const rMin = (1 - Math.exp(4)) / (0.2 * (1 - Math.exp(20)));
  assertClose(m.bedroc, (1 - rMin) / (rMax - rMin), 'bedroc');
});

test('row weights equal duplicated rows', () => {
  const f = fixture('random');
  const y = Uint8Array.from(f.actives);
  const s = Float64Array.from(f.scores);
  const w = Float64Array.from({ length: y.length }, (_, i) => (i * 7) % 4);
  const yy: number[] = [],
    ss: number[] = [];
  w.forEach((k, i) => {
    for (let j = 0; j < k; j++) yy.push(y[i]), ss.push(s[i]);
  });
  const opts = { fractions: [0.01, 0.05, 0.2], alpha: 20 };
  const weighted = screeningMetrics(y, s, opts, w);
  const copied = screeningMetrics(Uint8Array.from(yy), Float64Array.from(ss), opts);
  weighted.ef.forEach((e, k) => assertClose(e, copied.ef[k], `ef ${k}`));
  assertClose(weighted.bedroc, copied.bedroc, 'bedroc');
  assertClose(weighted.roc_auc, copied.roc_auc, 'auc');
});

test('non-finite scores are refused, and metrics without actives or decoys are NaN', () => {
  assert.throws(() => screeningMetrics(y10, Float64Array.from([1, 2, NaN, 4, 5, 6, 7, 8, 9, 10]), { fractions: [0.1], alpha: 20 }), /row 2 is NaN/);
  const none = screeningMetrics(new Uint8Array(10), s10, { fractions: [0.1], alpha: 20 });
  assert.ok(Number.isNaN(none.ef[0]) && Number.isNaN(none.bedroc) && Number.isNaN(none.roc_auc));
});

test('lexicographic keys: the first key decides, the next breaks its ties, full ties stay tied', () => {
  const retrieved = Float64Array.from([0, 1, 1, 0, 1]);
  const pic50 = Float64Array.from([9, 6, 8, 7, 8]);
  const score = lexicographicScore(
    [
      { values: retrieved, order: 'descending' },
      { values: pic50, order: 'descending' },
    ],
    5,
  );
  // Order: rows 2 and 4 (retrieved, 8; tied), row 1 (retrieved, 6), row 0 (9), row 3 (7).
  assert.equal(score[2], score[4]);
  assert.ok(score[2] > score[1] && score[1] > score[0] && score[0] > score[3]);
  const asc = lexicographicScore([{ values: pic50, order: 'ascending' }], 5);
  assert.ok(asc[1] > asc[3] && asc[3] > asc[2] && asc[2] === asc[4] && asc[4] > asc[0]);
});

test('stratified bootstrap: every resample keeps the actives and decoys counts; same seed, same intervals', () => {
  const f = fixture('random');
  const y = Uint8Array.from(f.actives);
  const scorer = makeScreeningScorer(
    y,
    [
      { name: 'model', score: Float64Array.from(f.scores) },
      { name: 'flat', score: new Float64Array(y.length) },
    ],
    { fractions: [0.05], alpha: 20 },
  );
  assert.deepEqual(scorer.names, ['model.ef@5%', 'model.bedroc', 'model.roc_auc', 'flat.ef@5%', 'flat.bedroc', 'flat.roc_auc']);
  const a = bootstrapMetrics(scorer, y.length, { resamples: 200, seed: 5, confidence: 0.95 }, y);
  assert.deepEqual(a.skipped['model.bedroc'], 0);
  const m = a.metrics['model.bedroc'];
  assert.ok(m.ci_low! < m.value! && m.value! < m.ci_high!, JSON.stringify(m));
  assert.deepEqual(bootstrapMetrics(scorer, y.length, { resamples: 200, seed: 5, confidence: 0.95 }, y), a);
  assert.notDeepEqual(bootstrapMetrics(scorer, y.length, { resamples: 200, seed: 6, confidence: 0.95 }, y).metrics, a.metrics);

  // The resampled actives, counted: always all 24 with strata; any number without.
  const counter = { names: ['actives'], unavailable: {}, compute: (w?: Float64Array) => ({ actives: y.reduce((n, v, i) => n + v * (w ? w[i] : 1), 0) }) };
  const stratified = bootstrapMetrics(counter, y.length, { resamples: 200, seed: 5, confidence: 0.99 }, y).metrics.actives;
  assert.deepEqual([stratified.ci_low, stratified.ci_high], [24, 24]);
  const plain = bootstrapMetrics(counter, y.length, { resamples: 200, seed: 5, confidence: 0.99 }).metrics.actives;
  assert.ok(plain.ci_low! < 24 && plain.ci_high! > 24, JSON.stringify(plain));
});

/**
 * The drift statistics against scipy (test/fixtures/monitor_fixtures.py) and against values
 * worked out by hand: PSI over training deciles, the two-sample KS statistic and its asymptotic
 * p-value, the Kolmogorov survival function, and the Benjamini–Hochberg adjustment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { benjaminiHochberg, binProportions, kolmogorovSf, ksPValue, ksStatistic, psi, PSI_FLOOR, quantileEdges } from '../../src/monitor/drift.js';

interface Case {
  name: string;
  a: number[];
  b: number[];
  ks_statistic: number;
  ks_p_asymptotic: number;
  psi_edges: number[];
  psi: number;
}
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/monitor/drift.json'), 'utf8')) as {
  cases: Case[];
  kolmogorov: { lambda: number; sf: number }[];
};

const close = (a: number, b: number, tol = 1e-9, what = ''): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
const sorted = (x: number[]): Float64Array => Float64Array.from(x).sort();

test('PSI by hand: equal distributions give 0, and each bin adds (new − train)·ln(new/train)', () => {
  assert.equal(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5]), 0);
  const expected = (0.4 - 0.2) * Math.log(0.4 / 0.2) + (0.6 - 0.8) * Math.log(0.6 / 0.8);
  close(psi([0.2, 0.8], [0.4, 0.6]), expected, 1e-15, 'two bins');
  // An empty bin is floored, so the index stays finite: 0.5 ln(0.5/1e-4) from the bin that appeared.
  close(psi([1, 0], [0.5, 0.5]), (0.5 - 1) * Math.log(0.5 / 1) + (0.5 - PSI_FLOOR) * Math.log(0.5 / PSI_FLOOR), 1e-15, 'empty bin');
});

test('bins are right-closed at the edges and NaN is left out of the proportions', () => {
  assert.deepEqual(binProportions([1, 2, 2, 3, 4, NaN], [2, 3]), [3 / 5, 1 / 5, 1 / 5]);
  // quartiles of 1,1,1,1,2 are 1, 1, 1: one edge, two bins
  assert.deepEqual(quantileEdges(Float64Array.from([1, 1, 1, 1, 2]), 4), [1], 'duplicate edges are dropped');
  assert.deepEqual(quantileEdges(Float64Array.from([1, 2, 3, 4, 5]), 4), [2, 3, 4]);
});

test('KS statistic, its asymptotic p-value and PSI agree with scipy and numpy', () => {
  for (const c of fixture.cases) {
    const a = sorted(c.a),
      b = sorted(c.b);
    const d = ksStatistic(a, b);
    close(d, c.ks_statistic, 1e-12, `${c.name} statistic`);
    close(ksPValue(d, a.length, b.length), c.ks_p_asymptotic, 1e-9, `${c.name} p`);
    const edges = quantileEdges(a, 10);
    assert.equal(edges.length, c.psi_edges.length, c.name);
    edges.forEach((e, i) => close(e, c.psi_edges[i], 1e-12, `${c.name} edge ${i}`));
    close(psi(binProportions(a, edges), binProportions(b, edges)), c.psi, 1e-9, `${c.name} psi`);
  }
});

test('the Kolmogorov survival function matches scipy.stats.kstwobign.sf on both of its series', () => {
  for (const { lambda, sf } of fixture.kolmogorov) close(kolmogorovSf(lambda), sf, 1e-12, `λ=${lambda}`);
});

test('Benjamini–Hochberg: p·n/rank, monotone from the largest down, in input order', () => {
  // sorted: 0.005 (×4/1 = 0.02), 0.01 (×4/2 = 0.02), 0.03 (×4/3 = 0.04), 0.04 (×4/4 = 0.04)
  const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
  [0.02, 0.04, 0.04, 0.02].forEach((e, i) => close(adj[i], e, 1e-15, `p${i}`));
  // Monotonicity: a larger p never gets a smaller adjusted value; capped at 1.
  const m = benjaminiHochberg([0.9, 0.02, 0.021, 0.8]);
  close(m[1], 0.042, 1e-15, 'takes the running minimum from above');
  close(m[2], 0.042, 1e-15, 'rank 2 × 4 / 2');
  assert.ok(m[0] <= 1 && m[3] <= m[0]);
  // NaN (a column that could not be tested) is not a test: three tests, not four.
  const withNan = benjaminiHochberg([0.01, NaN, 0.02, 0.03]);
  assert.ok(Number.isNaN(withNan[1]));
  close(withNan[0], 0.03, 1e-15, 'n counts the tests only');
});

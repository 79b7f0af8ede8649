/**
 * The per-column statistics and the correlation distance against scipy / numpy
 * (test/fixtures/generative_fixtures.py) and against cases worked out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlationDistance, correlationMatrix, kolmogorovSf, ksTwoSample, wasserstein1 } from '../../src/ml/generative/index.js';
import { breastCancer, closeTo, fixture, half } from './helpers.js';

interface PairFixture {
  ks: number;
  ks_pvalue_kolmogorov: number;
  ks_pvalue_scipy_asymp: number;
  wasserstein: number;
}

test('the Kolmogorov survival function equals scipy.stats.kstwobign.sf on both series', () => {
  const f = fixture<{ x: number[]; sf: number[] }>('kolmogorov.json');
  f.x.forEach((x, i) => {
    const got = kolmogorovSf(x);
    // Relative where the tail is tiny (3.9e-22 at x = 5), absolute near 1.
    assert.ok(Math.abs(got - f.sf[i]) <= 1e-12 + 1e-9 * f.sf[i], `sf(${x}) = ${got}, scipy ${f.sf[i]}`);
  });
  assert.equal(kolmogorovSf(0), 1);
});

test('KS statistic, asymptotic p-value and Wasserstein-1 equal scipy on hand-made and random samples', () => {
  const { cases } = fixture<{ cases: (PairFixture & { name: string; a: number[]; b: number[] })[] }>('samples.json');
  assert.ok(cases.length >= 7);
  for (const c of cases) {
    const ks = ksTwoSample(c.a, c.b);
    closeTo(ks.statistic, c.ks, 1e-12, `${c.name} KS`);
    closeTo(ks.pvalue, c.ks_pvalue_kolmogorov, 1e-9, `${c.name} p-value`);
    closeTo(wasserstein1(c.a, c.b), c.wasserstein, 1e-12, `${c.name} Wasserstein`);
    // Symmetric in its arguments.
    assert.equal(ksTwoSample(c.b, c.a).statistic, ks.statistic);
    closeTo(wasserstein1(c.b, c.a), c.wasserstein, 1e-12, `${c.name} Wasserstein swapped`);
  }
  // scipy 1.10's asymp mode uses the finite-n distribution kstwo: on samples of hundreds the two agree to a few hundredths.
  for (const c of cases.filter((x) => x.a.length >= 100)) closeTo(ksTwoSample(c.a, c.b).pvalue, c.ks_pvalue_scipy_asymp, 0.03, `${c.name} vs ks_2samp asymp`);
});

test('hand-computed cases: ties, disjoint samples, a shift, missing values ignored', () => {
  // CDFs at 1,2,3,4,5: a 1/7,3/7,6/7,1,1; b 0,1/5,3/5,3/5,1 -> largest gap 0.4 (at 4).
  assert.equal(ksTwoSample([1, 2, 2, 3, 3, 3, 4], [2, 3, 3, 5, 5]).statistic.toFixed(12), (0.4).toFixed(12));
  assert.equal(ksTwoSample([0, 1, 2], [10, 11, 12, 13]).statistic, 1);
  // A sample moved by 3 is 3 away in W1.
  closeTo(wasserstein1([1, 4, 9, 16], [4, 7, 12, 19]), 3, 1e-15, 'shift');
  assert.equal(wasserstein1([0, 0, 1], [0, 1, 1]), 1 / 3);
  assert.equal(ksTwoSample([1, Number.NaN, 2], [1, 2]).statistic, 0);
  assert.ok(Number.isNaN(ksTwoSample([], [1]).statistic));
});

test("breast-cancer halves: every column's KS, p-value and W1, and the correlation distance, equal scipy/numpy", () => {
  const f = fixture<{ columns: (PairFixture & { name: string })[]; correlation_distance: number }>('breast-cancer.json');
  const { names, columns } = breastCancer();
  assert.deepEqual(
    f.columns.map((c) => c.name),
    names,
  );
  f.columns.forEach((c, j) => {
    const a = half(columns[j], 0),
      b = half(columns[j], 1);
    const ks = ksTwoSample(a, b);
    closeTo(ks.statistic, c.ks, 1e-12, `${c.name} KS`);
    closeTo(ks.pvalue, c.ks_pvalue_kolmogorov, 1e-9, `${c.name} p`);
    closeTo(ks.pvalue, c.ks_pvalue_scipy_asymp, 0.03, `${c.name} p vs ks_2samp asymp`);
    closeTo(wasserstein1(a, b), c.wasserstein, 1e-9, `${c.name} W1`);
  });
  const real = columns.map((c) => half(c, 0)),
    syn = columns.map((c) => half(c, 1));
  closeTo(correlationDistance(correlationMatrix(real), correlationMatrix(syn), names.length), f.correlation_distance, 1e-10, 'correlation distance');
});

test('correlation distance: 0 for identical data, 2 for perfectly opposite pairs, constant columns handled', () => {
  const x = Float64Array.from([1, 2, 3, 4, 5]);
  const up = [x, Float64Array.from(x, (v) => 2 * v + 1)];
  const down = [x, Float64Array.from(x, (v) => -v)];
  assert.equal(correlationDistance(correlationMatrix(up), correlationMatrix(up), 2), 0);
  // Off-diagonals +1 vs -1: sqrt((2^2 + 2^2) / (2 * 1)) = 2.
  closeTo(correlationDistance(correlationMatrix(up), correlationMatrix(down), 2), 2, 1e-15, 'opposite');
  // Three columns, only the pair (0, 1) differs (+1 vs -1): sqrt(8 / 6).
  const z = Float64Array.from([1, -1, 0, -1, 1]); // uncorrelated with x
  closeTo(correlationDistance(correlationMatrix([...up, z]), correlationMatrix([...down, z]), 3), Math.sqrt(8 / 6), 1e-12, 'one pair of three');
  // A constant column correlates 0 with everything (not NaN), 1 with itself.
  const c = correlationMatrix([x, Float64Array.from(x, () => 0.1)]);
  assert.deepEqual([...c], [1, 0, 0, 1]);
  // Constant in one table, correlated in the other: the difference counts.
  closeTo(correlationDistance(c, correlationMatrix(up), 2), 1, 1e-15, 'constant vs correlated');
  assert.equal(correlationDistance(correlationMatrix([x]), correlationMatrix([z]), 1), 0);
});

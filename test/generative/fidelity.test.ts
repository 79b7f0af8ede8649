/**
 * The fidelity report's behaviour on tables whose answer is known: a second sample of the real
 * distribution, a shifted one, the independent-marginals baseline of a correlated Gaussian,
 * copied rows, a collapsed generator; and the same numbers for the same seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  detectionAuc,
  evaluateFidelity,
  HEADLINE,
  independentMarginals,
  meanPairwiseDistance,
  nearestDistances,
  sampleRows,
  type FidelityOptions,
} from '../../src/ml/generative/index.js';
import { COMPARED_METRICS } from '../../src/steps/evaluate.generative.js';
import { gaussian2 } from './helpers.js';

const options: FidelityOptions = { seed: 1, folds: 5, trees: 50, sample: 1000, copyEpsilon: 1e-8 };
const rowMajor = (cols: Float64Array[]): Float64Array => {
  const n = cols[0].length,
    p = cols.length;
  return Float64Array.from({ length: n * p }, (_, k) => cols[k % p][Math.floor(k / p)]);
};

test('detection AUC is about 0.5 for two samples of one distribution and about 1 for well separated ones', async () => {
  const a = gaussian2(300, 0.5, 11),
    b = gaussian2(300, 0.5, 12),
    far = gaussian2(300, 0.5, 13, 4);
  const o = { folds: 5, trees: 50, seed: 3 };
  const same = await detectionAuc(rowMajor(a), 300, rowMajor(b), 300, 2, o);
  const apart = await detectionAuc(rowMajor(a), 300, rowMajor(far), 300, 2, o);
  assert.ok(Math.abs(same - 0.5) < 0.08, `same distribution: AUC ${same}`);
  assert.ok(apart > 0.98, `shifted by 4 sd: AUC ${apart}`);
  // Unequal table sizes are fine: AUC does not depend on the class balance.
  const unequal = await detectionAuc(rowMajor(a), 300, rowMajor(far).subarray(0, 2 * 120), 120, 2, o);
  assert.ok(unequal > 0.98, `unequal sizes: AUC ${unequal}`);
});

test('the independent-marginals baseline of a correlated Gaussian loses the correlation; a second real sample keeps it', async () => {
  const real = gaussian2(400, 0.9, 1),
    second = gaussian2(400, 0.9, 2);
  const r = await evaluateFidelity(['x', 'y'], real, second, options);
  const m = r.metrics;
  // The baseline's correlation is about 0 where the real one is 0.9: off-diagonal difference about 0.9.
  assert.ok(m.correlation_distance.baseline! > 0.75, `baseline correlation distance ${m.correlation_distance.baseline}`);
  assert.ok(m.correlation_distance.value! < 0.05, `second sample correlation distance ${m.correlation_distance.value}`);
  assert.equal(m.correlation_distance.beats_baseline, true);
  // Detection sees the lost dependence (the mass off the diagonal), not the second sample.
  assert.ok(m.detection_auc.baseline! > 0.62, `baseline detection AUC ${m.detection_auc.baseline}`);
  assert.ok(Math.abs(m.detection_auc.value! - 0.5) < 0.08, `second sample detection AUC ${m.detection_auc.value}`);
  assert.equal(m.detection_auc.beats_baseline, true);
  // The baseline resamples the real columns, so its marginals are as good as a real sample's.
  assert.ok(m.ks_mean.baseline! < 0.1 && m.ks_mean.value! < 0.1);
  assert.ok(Math.abs(m.diversity_ratio.value! - 1) < 0.1, `diversity ratio ${m.diversity_ratio.value}`);
  assert.equal(m.exact_copy_share.value, 0);
  assert.equal(m.bit_frequency_mad, undefined, 'no 0/1 columns, no bit metric');
  assert.equal(r.columns.length, 2);
  assert.equal(r.n_synthetic, 400);
});

test('a shifted generator loses to the baseline on the marginals and on detection', async () => {
  const real = gaussian2(400, 0.9, 1),
    shifted = gaussian2(400, 0.9, 3, 1.5);
  const m = (await evaluateFidelity(['x', 'y'], real, shifted, options)).metrics;
  assert.ok(m.ks_mean.value! > 0.5, `KS ${m.ks_mean.value}`);
  // W1 of a shift by 1.5 sd is about 1.5 sd.
  assert.ok(Math.abs(m.wasserstein_mean.value! - 1.5) < 0.25, `W1 ${m.wasserstein_mean.value}`);
  assert.equal(m.ks_mean.beats_baseline, false);
  assert.equal(m.wasserstein_mean.beats_baseline, false);
  assert.equal(m.detection_auc.beats_baseline, false);
  assert.ok(m.detection_auc.value! > 0.8);
});

test('novelty flags copies of real rows; diversity flags a collapsed generator', async () => {
  const real = gaussian2(300, 0.5, 21);
  // 60 of 200 synthetic rows are copies of real rows, the others fresh draws.
  const fresh = gaussian2(200, 0.5, 22);
  const copyRows = sampleRows(300, 60, 5);
  const syn = fresh.map((col, j) => {
    const out = Float64Array.from(col);
    copyRows.forEach((r, k) => (out[k * 3] = real[j][r]));
    return out;
  });
  const r = await evaluateFidelity(['x', 'y'], real, syn, options);
  assert.equal(r.metrics.exact_copy_share.value, 60 / 200);
  assert.equal(r.novelty.synthetic.exact_copy_share, 60 / 200);
  assert.ok(r.metrics.novelty_median.value! > 0 && r.novelty.real_reference_median! > 0);

  // Every synthetic row one of 3 points near the centre: diversity far below the real data's.
  const collapsed = [Float64Array.from({ length: 200 }, (_, i) => (i % 3) * 0.1), Float64Array.from({ length: 200 }, (_, i) => (i % 3) * 0.1)];
  const c = await evaluateFidelity(['x', 'y'], real, collapsed, options);
  assert.ok(c.metrics.diversity_ratio.value! < 0.2, `diversity ratio ${c.metrics.diversity_ratio.value}`);
  assert.equal(c.metrics.diversity_ratio.beats_baseline, false);
});

test('nearest distances and mean pairwise distance on a hand-made case', () => {
  // Points on a line: 0, 1, 3 (one column).
  const R = Float64Array.from([0, 1, 3]);
  assert.deepEqual([...nearestDistances(Float64Array.from([0.5, 3, 10]), 3, R, 3, 1)], [0.5, 0, 7]);
  // Leave-one-out: each point's nearest other point.
  assert.deepEqual([...nearestDistances(R, 3, R, 3, 1, Int32Array.from([0, 1, 2]))], [1, 1, 2]);
  // Pairs: 1, 3, 2 -> mean 2.
  assert.equal(meanPairwiseDistance(R, 3, 1), 2);
});

test('0/1 columns get the bit-frequency metric; the baseline keeps the bit frequencies', async () => {
  const n = 400;
  const real = gaussian2(n, 0.8, 31).map((c) => Float64Array.from(c, (v) => (v > 0.3 ? 1 : 0)));
  // Synthetic bits with frequencies shifted by about 0.2.
  const syn = gaussian2(n, 0.8, 32).map((c) => Float64Array.from(c, (v) => (v > -0.3 ? 1 : 0)));
  const r = await evaluateFidelity(['b1', 'b2'], real, syn, options);
  assert.equal(r.binary_columns, 2);
  const mad = r.metrics.bit_frequency_mad;
  assert.ok(mad && mad.value! > 0.15 && mad.value! < 0.3, `bit MAD ${mad?.value}`);
  assert.ok(mad.baseline! < 0.05);
  assert.equal(mad.beats_baseline, false);
  // For 0/1 columns W1 is the difference of the frequencies of 1s.
  const freq = (c: Float64Array): number => c.reduce((a, b) => a + b, 0) / c.length;
  assert.ok(Math.abs(r.columns[0].wasserstein - Math.abs(freq(real[0]) - freq(syn[0]))) < 1e-12);
});

test('the same seed gives the same report; another seed moves only the seeded parts', async () => {
  const real = gaussian2(300, 0.7, 41),
    syn = gaussian2(250, 0.7, 42);
  const small = { ...options, sample: 120 };
  const a = await evaluateFidelity(['x', 'y'], real, syn, small);
  const b = await evaluateFidelity(['x', 'y'], real, syn, small);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const c = await evaluateFidelity(['x', 'y'], real, syn, { ...small, seed: 2 });
  assert.notEqual(JSON.stringify(c), JSON.stringify(a));
  // KS uses every row and no randomness.
  assert.equal(c.metrics.ks_mean.value, a.metrics.ks_mean.value);
  assert.equal(a.detection.rows_real, 120);
  assert.deepEqual([...independentMarginals(real, 5, 9)[0]], [...independentMarginals(real, 5, 9)[0]]);
});

test("the step's must_beat_baseline list is exactly the headline metrics compared with the baseline", () => {
  assert.deepEqual(
    [...COMPARED_METRICS].sort(),
    Object.keys(HEADLINE)
      .filter((k) => HEADLINE[k].compare)
      .sort(),
  );
});

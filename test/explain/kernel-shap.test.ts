/**
 * KernelSHAP against the definition: with every coalition, the constrained weighted least-squares
 * fit must equal the Shapley values of v(S) = mean over the background of f(x_S, b_notS), computed
 * here by enumerating subsets; the sampled mode must land within its reported error; a seed gives
 * the same bits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSvm, predictProba, decisionFunction } from '../../src/ml/svm/index.js';
import { kernelShap } from '../../src/explain/kernel-shap.js';
import { StepInputError } from '../../src/errors.js';
import type { BatchModel } from '../../src/explain/kernel-shap.js';
import { readSplit } from '../ml/forest-fixtures.js';
import type { NumericTable } from '../ml/forest-fixtures.js';

function firstColumns(t: NumericTable, m: number, rows = t.nRows): Float64Array {
  const X = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) for (let c = 0; c < m; c++) X[r * m + c] = t.X[r * t.nCols + c];
  return X;
}

/** Columns standardised with the training mean and sd, as a preprocess step would. */
function standardise(X: Float64Array, m: number, ref: Float64Array): Float64Array {
  const n = ref.length / m;
  const out = new Float64Array(X.length);
  for (let c = 0; c < m; c++) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += ref[r * m + c] / n;
    let v = 0;
    for (let r = 0; r < n; r++) v += (ref[r * m + c] - mean) ** 2 / n;
    const sd = Math.sqrt(v) || 1;
    for (let r = 0; r < X.length / m; r++) out[r * m + c] = (X[r * m + c] - mean) / sd;
  }
  return out;
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Shapley values of the interventional value function, by enumeration: nOut x m. */
function enumerate(f: BatchModel, nOut: number, bg: Float64Array, nBg: number, x: Float64Array, m: number): number[][] {
  const v = (mask: number): number[] => {
    const X = new Float64Array(nBg * m);
    for (let b = 0; b < nBg; b++) for (let i = 0; i < m; i++) X[b * m + i] = mask & (1 << i) ? x[i] : bg[b * m + i];
    const out = f(X, nBg);
    return Array.from({ length: nOut }, (_, o) => {
      let s = 0;
      for (let b = 0; b < nBg; b++) s += out[b * nOut + o];
      return s / nBg;
    });
  };
  const values = Array.from({ length: 1 << m }, (_, mask) => v(mask));
  const phi = Array.from({ length: nOut }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < m; i++)
    for (let mask = 0; mask < 1 << m; mask++) {
      if (mask & (1 << i)) continue;
      let s = 0;
      for (let b = mask; b; b &= b - 1) s++;
      const w = (factorial(s) * factorial(m - s - 1)) / factorial(m);
      for (let o = 0; o < nOut; o++) phi[o][i] += w * (values[mask | (1 << i)][o] - values[mask][o]);
    }
  return phi;
}

async function smallSvm(m: number) {
  const { train, test: held } = readSplit('breast-cancer');
  const raw = firstColumns(train, m);
  const Xtr = standardise(raw, m, raw);
  const Xte = standardise(firstColumns(held, m, 6), m, raw);
  const y = Int32Array.from(train.y);
  const model = await fitSvm(Xtr, train.nRows, m, y, { kernel: 'rbf', C: 1, probability: true, seed: 0 });
  return { model, Xtr, Xte };
}

test('KernelSHAP with every coalition equals the enumerated Shapley values of an RBF SVM (probabilities, 6 features)', async () => {
  const m = 6;
  const { model, Xtr, Xte } = await smallSvm(m);
  const f: BatchModel = (X, n) => predictProba(model, X, n);
  const nBg = 20;
  const bg = Xtr.subarray(0, nBg * m);
  const result = kernelShap(f, 2, bg, nBg, Xte, 6, m);
  assert.equal(result.method, 'exact');
  assert.equal(result.error, undefined);
  for (let r = 0; r < 6; r++) {
    const truth = enumerate(f, 2, bg, nBg, Xte.subarray(r * m, (r + 1) * m), m);
    for (let o = 0; o < 2; o++)
      for (let i = 0; i < m; i++) {
        const got = result.contributions[(r * 2 + o) * m + i];
        assert.ok(Math.abs(got - truth[o][i]) < 1e-9, `row ${r} output ${o} feature ${i}: ${got} vs ${truth[o][i]}`);
      }
  }
});

test('KernelSHAP exact mode explains a decision function; contributions sum to f(x) - base', async () => {
  const m = 5;
  const { model, Xtr, Xte } = await smallSvm(m);
  const f: BatchModel = (X, n) => decisionFunction(model, X, n);
  const nBg = 15;
  const bg = Xtr.subarray(0, nBg * m);
  const result = kernelShap(f, 1, bg, nBg, Xte, 6, m);
  for (let r = 0; r < 6; r++) {
    const truth = enumerate(f, 1, bg, nBg, Xte.subarray(r * m, (r + 1) * m), m);
    let sum = result.base[0];
    for (let i = 0; i < m; i++) {
      assert.ok(Math.abs(result.contributions[r * m + i] - truth[0][i]) < 1e-9);
      sum += result.contributions[r * m + i];
    }
    assert.ok(Math.abs(sum - result.predictions[r]) < 1e-9);
  }
});

test('sampled KernelSHAP lands within a few reported errors of the exact values, and a seed gives the same bits', async () => {
  const m = 8;
  const { model, Xtr, Xte } = await smallSvm(m);
  const f: BatchModel = (X, n) => predictProba(model, X, n);
  const nBg = 10;
  const bg = Xtr.subarray(0, nBg * m);
  const three = Xte.subarray(0, 3 * m);
  const exact = kernelShap(f, 2, bg, nBg, three, 3, m);
  const sampled = kernelShap(f, 2, bg, nBg, three, 3, m, { exactUpTo: 4, samples: 200, seed: 7 });
  assert.equal(sampled.method, 'sampled');
  const error = sampled.error ?? NaN;
  assert.ok(error > 0 && error < 0.05, `reported error ${error}`);
  let worst = 0;
  for (let i = 0; i < exact.contributions.length; i++) worst = Math.max(worst, Math.abs(exact.contributions[i] - sampled.contributions[i]));
  assert.ok(worst > 0, 'sampling differs from the exact answer');
  assert.ok(worst <= 4 * error, `largest deviation ${worst} vs reported error ${error}`);
  // Efficiency holds exactly in sampled mode too.
  for (let r = 0; r < 3; r++)
    for (let o = 0; o < 2; o++) {
      let sum = sampled.base[o];
      for (let i = 0; i < m; i++) sum += sampled.contributions[(r * 2 + o) * m + i];
      assert.ok(Math.abs(sum - sampled.predictions[r * 2 + o]) < 1e-12);
    }
  const again = kernelShap(f, 2, bg, nBg, three, 3, m, { exactUpTo: 4, samples: 200, seed: 7 });
  assert.deepEqual(Buffer.from(again.contributions.buffer), Buffer.from(sampled.contributions.buffer));
  assert.equal(again.error, sampled.error);
  const other = kernelShap(f, 2, bg, nBg, three, 3, m, { exactUpTo: 4, samples: 200, seed: 8 });
  assert.notDeepEqual(Buffer.from(other.contributions.buffer), Buffer.from(sampled.contributions.buffer));
  // Row 2 alone gets the bits it got in the batch: coalitions are drawn per row.
  const alone = kernelShap(f, 2, bg, nBg, Xte.subarray(2 * m, 3 * m), 1, m, { exactUpTo: 4, samples: 200, seed: 7 });
  assert.equal(alone.contributions[0], sampled.contributions[2 * 2 * m]);
});

test('too few sampled coalitions is a clear error, not a wrong answer', async () => {
  const m = 8;
  const { model, Xtr, Xte } = await smallSvm(m);
  const f: BatchModel = (X, n) => predictProba(model, X, n);
  assert.throws(
    () => kernelShap(f, 2, Xtr.subarray(0, 5 * m), 5, Xte.subarray(0, m), 1, m, { exactUpTo: 4, samples: 4 }),
    (e: Error) => e instanceof StepInputError && /too few sampled coalitions .*raise the number of samples \(--samples\)/.test(e.message),
  );
});

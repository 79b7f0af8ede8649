/** crossValidate on cases small enough to check by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossValidate, parseFolds } from '../../src/ml/cross-validate.js';

// One feature; the "model" predicts the majority class of its training rows, and scores rows by x.
const X = Float64Array.from([1, 2, 3, 4, 5, 6]);
const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
const fold = [0, 1, 2, 0, 1, 2];

test('each fold is scored by a model fitted on the other folds only', async () => {
  const seen: number[][] = [];
  const cv = await crossValidate({
    X,
    nRows: 6,
    nCols: 1,
    y,
    task: 'classification',
    fold,
    positiveIndex: 1,
    fit: async (Xf, n, yf) => {
      seen.push(Array.from(Xf));
      const ones = Array.from(yf).filter((v) => v === 1).length;
      const majority = ones * 2 > n ? 1 : 0;
      return { predict: (_Xt, nt) => new Int32Array(nt).fill(majority), positiveScore: (Xt) => Float64Array.from(Xt) };
    },
  });
  // Fold 0 holds out x = 1 and 4: trained on 2,3,5,6 (tie -> 0), predicts 0: one of two right.
  assert.deepEqual(seen, [
    [2, 3, 5, 6],
    [1, 3, 4, 6],
    [1, 2, 4, 5],
  ]);
  assert.deepEqual(cv.metrics.accuracy.folds, [0.5, 0.5, 0.5]);
  // Scoring by x ranks every held-out positive above its negative.
  assert.deepEqual(cv.metrics.roc_auc.folds, [1, 1, 1]);
  assert.equal(cv.k, 3);
});

test('folds that do not cover the training rows are refused with the reason', async () => {
  await assert.rejects(
    crossValidate({ X, nRows: 6, nCols: 1, y, task: 'classification', fold: [0, 1, 0, 1], fit: async () => ({ predict: (_X, n) => new Int32Array(n) }) }),
    /the folds cover 4 rows but the training table has 6/,
  );
  assert.throws(() => parseFolds({ fold: [0, -1] }), /not a split's folds output/);
});

test('regression folds report RMSE, MAE and R²', async () => {
  const cv = await crossValidate({
    X,
    nRows: 6,
    nCols: 1,
    y: Float64Array.from([1, 2, 3, 4, 5, 6]),
    task: 'regression',
    fold,
    fit: async () => ({ predict: (Xt) => Float64Array.from(Xt) }),
  });
  assert.deepEqual(cv.metrics.rmse.folds, [0, 0, 0]);
  assert.deepEqual(cv.metrics.r2.folds, [1, 1, 1]);
});

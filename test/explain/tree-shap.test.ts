/**
 * TreeSHAP against the definition: on small forests (<= 8 features) fitted to the forest fixtures,
 * each contribution equals the Shapley value computed by enumerating every subset S of the
 * features with the path-dependent value function (a split on a feature in S follows the row, any
 * other split averages its children by cover), to 1e-9. Classification (every class) and regression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitForest, predictForest } from '../../src/ml/forest/index.js';
import type { ForestModel, Tree } from '../../src/ml/forest/index.js';
import { countCovers, coversFromBase64, coversToBase64 } from '../../src/explain/covers.js';
import { forestShap, leftFractions } from '../../src/explain/tree-shap.js';
import type { LeftFractions } from '../../src/explain/tree-shap.js';
import { readSplit } from '../ml/forest-fixtures.js';
import type { NumericTable } from '../ml/forest-fixtures.js';

/** The first `m` columns of a fixture table. */
function firstColumns(t: NumericTable, m: number): { X: Float64Array; nRows: number } {
  const X = new Float64Array(t.nRows * m);
  for (let r = 0; r < t.nRows; r++) for (let c = 0; c < m; c++) X[r * m + c] = t.X[r * t.nCols + c];
  return { X, nRows: t.nRows };
}

/** The tree's expected output given the features in `mask`, by the cover-weighted recursion. */
function expectedGiven(tree: Tree, frac: Float64Array, x: Float64Array, xAt: number, mask: number, nOut: number, node = 0): number[] {
  const f = tree.feature[node];
  if (f < 0) return Array.from(tree.value.subarray(node * nOut, (node + 1) * nOut));
  const l = tree.left[node];
  if (mask & (1 << f)) return expectedGiven(tree, frac, x, xAt, mask, nOut, x[xAt + f] <= tree.threshold[node] ? l : l + 1);
  const a = expectedGiven(tree, frac, x, xAt, mask, nOut, l);
  const b = expectedGiven(tree, frac, x, xAt, mask, nOut, l + 1);
  return a.map((v, c) => frac[node] * v + (1 - frac[node]) * b[c]);
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Brute-force Shapley values of one row: nOut x M, plus v({}) and v(all features). */
function bruteForce(model: ForestModel, fractions: LeftFractions, x: Float64Array, xAt: number): { phi: number[][]; empty: number[]; full: number[] } {
  const M = model.nFeatures;
  const nOut = model.task === 'classification' ? model.nClasses : 1;
  const v = (mask: number): number[] => {
    const sum = new Array<number>(nOut).fill(0);
    model.trees.forEach((t, i) => expectedGiven(t, fractions[i], x, xAt, mask, nOut).forEach((e, c) => (sum[c] += e / model.trees.length)));
    return sum;
  };
  const values = Array.from({ length: 1 << M }, (_, mask) => v(mask));
  const phi = Array.from({ length: nOut }, () => new Array<number>(M).fill(0));
  for (let i = 0; i < M; i++)
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let b = mask; b; b &= b - 1) size++;
      const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
      for (let c = 0; c < nOut; c++) phi[c][i] += weight * (values[mask | (1 << i)][c] - values[mask][c]);
    }
  return { phi, empty: values[0], full: values[(1 << M) - 1] };
}

async function checkAgainstBruteForce(model: ForestModel, fractions: LeftFractions, X: Float64Array, rows: number[]): Promise<number> {
  const M = model.nFeatures;
  const shap = forestShap(model, fractions, X, X.length / M);
  let checked = 0;
  for (const r of rows) {
    const truth = bruteForce(model, fractions, X, r * M);
    for (let c = 0; c < shap.nOut; c++) {
      assert.ok(Math.abs(shap.base[c] - truth.empty[c]) < 1e-9, `base of output ${c}`);
      for (let i = 0; i < M; i++) {
        const got = shap.contributions[(r * shap.nOut + c) * M + i];
        assert.ok(Math.abs(got - truth.phi[c][i]) < 1e-9, `row ${r} output ${c} feature ${i}: TreeSHAP ${got}, enumeration ${truth.phi[c][i]}`);
        checked++;
      }
    }
  }
  return checked;
}

test('TreeSHAP equals brute-force Shapley values on a 3-class forest with 6 features', async () => {
  const { train, test: held } = readSplit('three-class');
  const tr = firstColumns(train, 6);
  const model = await fitForest(tr.X, tr.nRows, 6, Int32Array.from(train.y), { task: 'classification', trees: 4, seed: 3, threads: 1, maxFeatures: 3 });
  const fractions = leftFractions(model, countCovers(model, tr.X, tr.nRows));
  const te = firstColumns(held, 6);
  const checked = await checkAgainstBruteForce(model, fractions, te.X, [0, 1, 2, 17, 40]);
  assert.equal(checked, 5 * 3 * 6);
});

test('TreeSHAP equals brute-force Shapley values on a regression forest with 8 features', async () => {
  const { train, test: held } = readSplit('diabetes');
  const tr = firstColumns(train, 8);
  const model = await fitForest(tr.X, tr.nRows, 8, train.y, { task: 'regression', trees: 3, seed: 1, threads: 1, maxDepth: 7 });
  const fractions = leftFractions(model, countCovers(model, tr.X, tr.nRows));
  const te = firstColumns(held, 8);
  await checkAgainstBruteForce(model, fractions, te.X, [0, 5, 9]);
});

test('TreeSHAP stays exact when some nodes have no cover (covers counted on other rows)', async () => {
  const { train, test: held } = readSplit('breast-cancer');
  const tr = firstColumns(train, 5);
  const model = await fitForest(tr.X, tr.nRows, 5, Int32Array.from(train.y), { task: 'classification', trees: 3, seed: 2, threads: 1 });
  // Ten rows leave most deep nodes uncovered: their splits fall back to even shares.
  const few = tr.X.subarray(0, 10 * 5);
  const covers = countCovers(model, few, 10);
  assert.ok(
    covers.some((c) => c.some((v) => v === 0)),
    'some node has no cover',
  );
  const fractions = leftFractions(model, covers);
  const te = firstColumns(held, 5);
  await checkAgainstBruteForce(model, fractions, te.X, [0, 3, 7]);
});

test('contributions sum to the prediction minus the base value on a 300-tree, 30-feature forest', async () => {
  const { train, test: held } = readSplit('breast-cancer');
  const model = await fitForest(train.X, train.nRows, train.nCols, Int32Array.from(train.y), { task: 'classification', trees: 300, seed: 42, threads: 1 });
  const fractions = leftFractions(model, countCovers(model, train.X, train.nRows));
  const shap = forestShap(model, fractions, held.X, held.nRows);
  const predicted = predictForest(model, held.X, held.nRows);
  const M = train.nCols;
  for (let r = 0; r < held.nRows; r++)
    for (let c = 0; c < 2; c++) {
      let sum = shap.base[c];
      for (let i = 0; i < M; i++) sum += shap.contributions[(r * 2 + c) * M + i];
      assert.ok(Math.abs(sum - predicted[r * 2 + c]) < 1e-9, `row ${r} class ${c}: ${sum} vs ${predicted[r * 2 + c]}`);
    }
});

test('covers round-trip through base64 and are refused for another forest', async () => {
  const { train } = readSplit('breast-cancer');
  const tr = firstColumns(train, 4);
  const y = Int32Array.from(train.y);
  const model = await fitForest(tr.X, tr.nRows, 4, y, { task: 'classification', trees: 2, seed: 5, threads: 1 });
  const covers = countCovers(model, tr.X, tr.nRows);
  assert.equal(covers[0][0], tr.nRows);
  assert.deepEqual(coversFromBase64(coversToBase64(covers), model), covers);
  const other = await fitForest(tr.X, tr.nRows, 4, y, { task: 'classification', trees: 3, seed: 6, threads: 1 });
  assert.equal(coversFromBase64(coversToBase64(covers), other), undefined);
});

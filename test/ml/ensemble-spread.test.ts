/**
 * A regression forest's per-tree predictions and their spread: each tree's column is that tree
 * alone predicting, their mean is the forest's prediction to the bit, and the standard deviation
 * and interval are numpy's std and linear percentiles of the members.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepInputError } from '../../src/errors.js';
import { ensembleSpread } from '../../src/ml/ensemble-spread.js';
import { fitForest, predictForest, predictTrees } from '../../src/ml/forest/index.js';
import { readSplit } from './forest-fixtures.js';

test('per-tree predictions: tree j alone gives column j, and their mean is the forest prediction bit for bit', async () => {
  const { train, test: held } = readSplit('diabetes');
  const forest = await fitForest(train.X, train.nRows, train.nCols, train.y, { task: 'regression', trees: 12, maxDepth: 8, seed: 4, threads: 1 });
  const k = forest.trees.length;
  const members = predictTrees(forest, held.X, held.nRows);
  assert.equal(members.length, held.nRows * k);
  forest.trees.forEach((tree, j) => {
    const alone = predictForest({ ...forest, trees: [tree] }, held.X, held.nRows);
    for (let r = 0; r < held.nRows; r++) assert.equal(members[r * k + j], alone[r], `row ${r}, tree ${j}`);
  });
  const mean = predictForest(forest, held.X, held.nRows);
  for (let r = 0; r < held.nRows; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += members[r * k + j];
    assert.equal(s / k, mean[r]);
  }
  // The trees disagree on held-out rows: a forest whose spread is always 0 would be no uncertainty at all.
  const { sd } = ensembleSpread(members, held.nRows, k);
  assert.ok(sd.every((v) => v >= 0) && sd.some((v) => v > 0));
});

test('a classification forest has no per-tree values to spread', async () => {
  const { train, test: held } = readSplit('breast-cancer');
  const forest = await fitForest(train.X, train.nRows, train.nCols, Int32Array.from(train.y), { task: 'classification', trees: 3, seed: 1, threads: 1 });
  assert.throws(() => predictTrees(forest, held.X, held.nRows), StepInputError);
});

test('spread: population sd and linear-interpolated percentiles, per row, worked by hand', () => {
  // Row 0: members 1..5 (unsorted); row 1: all 7.
  const members = Float64Array.from([5, 1, 4, 2, 3, 7, 7, 7, 7, 7]);
  const s = ensembleSpread(members, 2, 5, 0.5);
  // mean 3, squared deviations 4+1+0+1+4 = 10, /5 = 2.
  assert.equal(s.sd[0], Math.sqrt(2));
  assert.equal(s.sd[1], 0);
  // 25th and 75th percentiles of 1..5: positions 1 and 3 of 0..4, exactly 2 and 4.
  assert.deepEqual([s.low![0], s.high![0]], [2, 4]);
  assert.deepEqual([s.low![1], s.high![1]], [7, 7]);
  // level 0.9 on 1..5: positions 0.2 and 3.8, interpolated: 1.2 and 4.8.
  const wide = ensembleSpread(members, 2, 5, 0.9);
  assert.ok(Math.abs(wide.low![0] - 1.2) < 1e-12 && Math.abs(wide.high![0] - 4.8) < 1e-12, `${wide.low![0]} ${wide.high![0]}`);
  assert.equal(ensembleSpread(members, 2, 5).low, undefined, 'no level, no interval');
  // The input is left as it was (the spread sorts a copy of each row).
  assert.deepEqual(Array.from(members.subarray(0, 5)), [5, 1, 4, 2, 3]);
});

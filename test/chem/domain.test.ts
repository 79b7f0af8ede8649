/**
 * The applicability-domain searches on a hand-made reference whose similarities are worked out
 * by hand (domain-fixture.ts): nearest reference row, nearest other row (leave-one-out), nearest row in the
 * other folds, and the percentile threshold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainThreshold, nearestInOtherFolds, nearestOther, nearestReference, type Points } from '../../src/chem/domain.js';
import { FOLDS, QUERIES, REFERENCE, bits } from './domain-fixture.js';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

test('leave-one-out: each row against the others', () => {
  const n = nearestOther(bits(REFERENCE), 5);
  assert.deepEqual(Array.from(n.index), [1, 0, 3, 2, 1], 'r4 ties at 2/5 between r1 and r3: the lower row');
  assert.deepEqual(Array.from(n.similarity), [3 / 4, 3 / 4, 3 / 4, 3 / 4, 2 / 5]);
  // A duplicate is another molecule as similar as can be, whichever of the two comes first.
  const dup = nearestOther(bits([[1, 2], [5], [1, 2]]), 3);
  assert.deepEqual(Array.from(dup.index), [2, -1, 0]);
  assert.deepEqual(Array.from(dup.similarity), [1, 0, 1]);
});

test('other folds: each row against the folds its cross-validation model was trained on', () => {
  const n = nearestInOtherFolds(bits(REFERENCE), FOLDS);
  // r0, r1 (fold 0) see r2, r3, r4; r2, r3 (fold 1) see r0, r1, r4; r4 (fold 2) sees all others.
  assert.deepEqual(Array.from(n.index), [4, 4, 4, 4, 1]);
  assert.deepEqual(Array.from(n.similarity), [2 / 6, 2 / 5, 2 / 6, 2 / 5, 2 / 5]);
  // Sorted 1/3, 1/3, 2/5, 2/5, 2/5: the 30th percentile sits 0.2 of the way from the 2nd to the 3rd.
  assert.ok(close(domainThreshold(n.similarity, 30), 1 / 3 + 0.2 * (2 / 5 - 1 / 3)));
  assert.ok(close(domainThreshold(n.similarity, 5), 1 / 3));
  assert.equal(domainThreshold(n.similarity, 100), 2 / 5);
});

test('nearest reference row; a query sharing no bit with any has none (similarity 0)', () => {
  const queries = bits(QUERIES);
  const n = nearestReference(queries, 4, bits(REFERENCE), 5);
  assert.deepEqual(Array.from(n.index), [0, 1, 2, -1]);
  assert.deepEqual(Array.from(n.similarity), [1, 2 / 3, 1 / 4, 0]);
});

test('euclidean: similarity 1 / (1 + distance)', () => {
  const ref: Points = { kind: 'dense', rows: Float64Array.from([0, 0, 3, 4, 10, 10]), d: 2 };
  const n = nearestReference({ kind: 'dense', rows: Float64Array.from([3, 0]), d: 2 }, 1, ref, 3);
  assert.deepEqual([n.index[0], n.similarity[0]], [0, 1 / 4]);
  const loo = nearestOther(ref, 3);
  assert.deepEqual(Array.from(loo.index), [1, 0, 1]);
  assert.ok(close(loo.similarity[0], 1 / 6) && close(loo.similarity[2], 1 / (1 + Math.hypot(7, 6))));
});

/**
 * MaxMin selection on hand-made fingerprints: the picks and their distances worked out by hand,
 * one pick per cluster of near-identical fingerprints, ties broken by rank, and the early stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packColumns, wordsFor } from '../../src/chem/bits.js';
import { maxMinPick } from '../../src/chem/maxmin.js';

function pack(sets: readonly (readonly number[])[], bits: number): Uint32Array {
  return packColumns(
    Array.from({ length: bits }, (_, b) => Float64Array.from(sets, (s) => (s.includes(b) ? 1 : 0))),
    sets.length,
  );
}

const A = [0, 1, 2, 3];
const B = [2, 3, 4, 5]; // Tanimoto to A 2/6: distance 2/3
const C = [8, 9, 10, 11]; // distance 1 to A and B
// Rows 0..5 are A, A, B, C, B, C; ranked by a score 5, 9, 7, 6, 8, 4 (descending): 1, 4, 2, 3, 0, 5.
const PACKED = pack([A, A, B, C, B, C], 16);
const RANKED = Int32Array.from([1, 4, 2, 3, 0, 5]);

test('by hand: the best, then the farthest; equal distances go to the better-ranked candidate', () => {
  const p = maxMinPick(PACKED, 1, RANKED, { count: 4 });
  // 1 (A, best); then C at distance 1 (row 3 outranks row 5); then B at 2/3 (row 4 outranks row 2);
  // then everything left is a duplicate of a pick (distance 0): the best-ranked, row 2.
  assert.deepEqual(Array.from(p.rows), [1, 3, 4, 2]);
  assert.ok(Number.isNaN(p.distance[0]), 'the first pick has no earlier pick');
  assert.deepEqual(Array.from(p.distance.subarray(1)), [1, 1 - 2 / 6, 0]);
  assert.equal(p.stopped, 'count');
  // Ascending ranking (row 5 first): C, then A at distance 1 (row 0 outranks rows 2, 4, 1), then B at 2/3 (row 2).
  assert.deepEqual(Array.from(maxMinPick(PACKED, 1, Int32Array.from([5, 0, 3, 2, 4, 1]), { count: 3 }).rows), [5, 0, 2]);
});

test('min_distance stops before a pick too close to the others; running out of candidates stops too', () => {
  const p = maxMinPick(PACKED, 1, RANKED, { count: 10, minDistance: 0.5 });
  assert.deepEqual(Array.from(p.rows), [1, 3, 4]);
  assert.equal(p.stopped, 'min_distance');
  const all = maxMinPick(PACKED, 1, RANKED.subarray(0, 3), { count: 10 });
  assert.deepEqual(Array.from(all.rows), [1, 4, 2], 'only the top 3 are candidates');
  assert.equal(all.stopped, 'candidates');
});

test('clusters of near-identical fingerprints: one pick per cluster, whatever the scores', () => {
  // 4 clusters x 6 members over 128 bits: a cluster shares 12 bits, each member adds one bit of its own.
  const sets: number[][] = [];
  for (let c = 0; c < 4; c++) for (let m = 0; m < 6; m++) sets.push([...Array.from({ length: 12 }, (_, b) => c * 24 + b), c * 24 + 12 + m]);
  const packed = pack(sets, 128);
  // Scores in a scrambled order (rows 7x mod 24), so the ranking interleaves the clusters.
  const ranked = Int32Array.from({ length: 24 }, (_, i) => (i * 7) % 24);
  const p = maxMinPick(packed, wordsFor(128), ranked, { count: 4 });
  assert.equal(p.rows[0], ranked[0]);
  assert.deepEqual(Array.from(p.rows, (r) => Math.floor(r / 6)).sort(), [0, 1, 2, 3]);
  assert.ok(
    Array.from(p.distance.subarray(1)).every((d) => d === 1),
    'clusters share no bit',
  );
  // A fifth pick must come from a cluster already picked: near-identical, distance 2/14.
  const five = maxMinPick(packed, wordsFor(128), ranked, { count: 5 });
  assert.equal(five.distance[4], 1 - 12 / 14);
});

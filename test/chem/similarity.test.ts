/**
 * Packed fingerprints, Tanimoto, top-k and the nearest-neighbour searches, each against a
 * brute-force computation: every pair compared, sorted by score then library row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packColumns, popcount32, rowCounts, tanimoto, unpackColumns, wordsFor } from '../../src/chem/bits.js';
import { morganDetails, writeMorgan } from '../../src/chem/morgan.js';
import { mergeNeighbours, nearestEuclidean, nearestTanimoto, type Neighbours } from '../../src/chem/nearest.js';
import { loadRDKit, withMolecule } from '../../src/chem/rdkit.js';
import { TopK } from '../../src/ml/top-k-heap.js';
import { createRng, type Rng } from '../../src/rng.js';

/** Random 0/1 rows as plain arrays (the reference) and packed (the code under test). */
function randomBits(rng: Rng, rows: number, bits: number, density: number): { plain: number[][]; packed: Uint32Array } {
  const plain = Array.from({ length: rows }, () => Array.from({ length: bits }, () => (rng.next() < density ? 1 : 0)));
  const columns = Array.from({ length: bits }, (_, b) => plain.map((r) => r[b]));
  return { plain, packed: packColumns(columns, rows) };
}

function bruteTanimoto(a: readonly number[], b: readonly number[]): number {
  let and = 0;
  let or = 0;
  for (let i = 0; i < a.length; i++) {
    and += a[i] & b[i];
    or += a[i] | b[i];
  }
  return or === 0 ? 0 : and / or;
}

/** The k best library rows of every query by `score` (higher better), ties to the lower row. */
/** Every query's k best rows by trying every pair; rows `keep` rejects are no neighbours (slot -1, score NaN). */
function bruteNearest(
  nq: number,
  nl: number,
  k: number,
  score: (q: number, l: number) => number,
  keep: (s: number) => boolean = () => true,
): { index: number[]; score: number[] } {
  const index: number[] = [];
  const scores: number[] = [];
  const kk = Math.min(k, nl);
  for (let q = 0; q < nq; q++) {
    const all = Array.from({ length: nl }, (_, l) => ({ l, s: score(q, l) })).filter(({ s }) => keep(s));
    all.sort((x, y) => y.s - x.s || x.l - y.l);
    const top = all.slice(0, kk);
    for (const { l, s } of top) {
      index.push(l);
      scores.push(s);
    }
    for (let r = top.length; r < kk; r++) {
      index.push(-1);
      scores.push(Number.NaN);
    }
  }
  return { index, score: scores };
}

function assertSameNeighbours(actual: Neighbours, expected: { index: number[]; score: number[] }, what: string): void {
  assert.deepEqual(Array.from(actual.index), expected.index, `${what}: neighbour rows`);
  assert.deepEqual(Array.from(actual.score), expected.score, `${what}: scores`);
}

test('popcount32 counts set bits of any 32-bit word', () => {
  const rng = createRng(1);
  const words = [0, 1, 0xffffffff, 0x80000000, 0x55555555, ...Array.from({ length: 1000 }, () => Math.floor(rng.next() * 2 ** 32))];
  for (const w of words) {
    let naive = 0;
    for (let b = 0; b < 32; b++) naive += (w >>> b) & 1;
    assert.equal(popcount32(w), naive, `word ${w}`);
  }
});

test('packing and unpacking bit columns round-trips; values >= 0.5 count as set', () => {
  const rng = createRng(2);
  for (const bits of [1, 31, 32, 33, 100, 256]) {
    const { plain, packed } = randomBits(rng, 20, bits, 0.3);
    assert.equal(packed.length, 20 * wordsFor(bits));
    const back = unpackColumns(packed, 20, bits);
    for (let b = 0; b < bits; b++)
      assert.deepEqual(
        Array.from(back[b]),
        plain.map((r) => r[b]),
        `bits=${bits} column ${b}`,
      );
    assert.deepEqual(
      Array.from(rowCounts(packed, 20, wordsFor(bits))),
      plain.map((r) => r.reduce((s, v) => s + v, 0)),
    );
  }
  const probabilities = packColumns([[0.49, 0.5, 0.93, 0]], 4);
  assert.deepEqual(Array.from(probabilities), [0, 1, 1, 0]);
});

test('Tanimoto on packed random bit vectors equals the brute-force set computation', () => {
  const rng = createRng(3);
  for (const [bits, density] of [
    [37, 0.5],
    [64, 0.1],
    [256, 0.05],
    [2048, 0.02],
    [96, 0],
  ] as const) {
    const { plain, packed } = randomBits(rng, 30, bits, density);
    const words = wordsFor(bits);
    for (let i = 0; i < 30; i++)
      for (let j = 0; j < 30; j++) assert.equal(tanimoto(packed, i, packed, j, words), bruteTanimoto(plain[i], plain[j]), `bits=${bits} ${i},${j}`);
  }
});

test('Morgan fingerprints from RDKit land bit for bit in the packed layout, and their Tanimoto matches the brute force', async () => {
  const rdkit = await loadRDKit();
  const molecules = ['CC(=O)Oc1ccccc1C(=O)O', 'OC(=O)c1ccccc1O', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C', 'CCO', 'c1ccccc1', 'CC(C)Cc1ccc(cc1)C(C)C(=O)O'];
  for (const bits of [64, 100, 2048]) {
    const words = wordsFor(bits);
    const details = morganDetails({ radius: 2, bits });
    const packed = new Uint32Array(molecules.length * words);
    const plain = molecules.map(
      (s, i) =>
        withMolecule(rdkit, s, (mol) => {
          writeMorgan(mol, details, bits, packed, i);
          return Array.from(mol.get_morgan_fp(details), Number);
        })!,
    );
    const unpacked = unpackColumns(packed, molecules.length, bits);
    for (let i = 0; i < molecules.length; i++) {
      assert.deepEqual(
        unpacked.map((c) => c[i]),
        plain[i],
        `${molecules[i]} at ${bits} bits`,
      );
      for (let j = 0; j < molecules.length; j++) assert.equal(tanimoto(packed, i, packed, j, words), bruteTanimoto(plain[i], plain[j]));
    }
    // Aspirin and salicylic acid share most of their environments; aspirin and ethanol few.
    assert.ok(tanimoto(packed, 0, packed, 1, words) > tanimoto(packed, 0, packed, 3, words));
  }
});

test('TopK keeps the k best, ties to the lower index, best first', () => {
  const rng = createRng(4);
  for (const k of [1, 3, 10, 50]) {
    const scores = Array.from({ length: 40 }, () => Math.floor(rng.next() * 8)); // many ties
    const heap = new TopK(k);
    scores.forEach((s, i) => heap.offer(s, i));
    const index = new Int32Array(k);
    const score = new Float64Array(k);
    const n = heap.drain(index, score, 0);
    const expected = scores
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, k);
    assert.equal(n, Math.min(k, 40));
    assert.deepEqual(
      Array.from(index.slice(0, n)),
      expected.map((e) => e.i),
    );
    assert.deepEqual(
      Array.from(score.slice(0, n)),
      expected.map((e) => e.s),
    );
    if (k > 40) assert.ok(Array.from(index.slice(n)).every((i) => i === -1));
  }
});

test('nearestTanimoto equals the brute force, with duplicate rows, an empty fingerprint, k above the library size, and no zero-similarity neighbours', () => {
  const rng = createRng(5);
  for (const [bits, density] of [
    [96, 0.15],
    [256, 0.05],
    [512, 0.6],
  ] as const) {
    const lib = randomBits(rng, 200, bits, density);
    // Exact duplicates and an all-zero row make ties and the 0/0 case.
    lib.plain[17] = [...lib.plain[3]];
    lib.plain[150] = [...lib.plain[3]];
    lib.plain[42] = new Array<number>(bits).fill(0);
    const libPacked = packColumns(
      Array.from({ length: bits }, (_, b) => lib.plain.map((r) => r[b])),
      200,
    );
    const qry = randomBits(rng, 25, bits, density);
    qry.plain[0] = [...lib.plain[3]];
    qry.plain[1] = new Array<number>(bits).fill(0);
    const qPacked = packColumns(
      Array.from({ length: bits }, (_, b) => qry.plain.map((r) => r[b])),
      25,
    );
    for (const k of [1, 5, 250]) {
      const got = nearestTanimoto(qPacked, 25, libPacked, 200, wordsFor(bits), k);
      // A row sharing no bit with the query (similarity 0) is no neighbour.
      assertSameNeighbours(
        got,
        bruteNearest(
          25,
          200,
          k,
          (q, l) => bruteTanimoto(qry.plain[q], lib.plain[l]),
          (s) => s > 0,
        ),
        `bits=${bits} k=${k}`,
      );
    }
  }
});

test('nearestEuclidean equals the brute force, on continuous data, on integer data full of ties, and in one dimension', () => {
  const rng = createRng(6);
  const cases: { d: number; value: () => number }[] = [
    { d: 17, value: () => rng.normal() },
    { d: 3, value: () => Math.floor(rng.next() * 3) }, // a 27-point grid: many exact ties
    { d: 1, value: () => rng.normal() * 100 },
  ];
  for (const { d, value } of cases) {
    const nl = 300;
    const nq = 40;
    const lib = Float64Array.from({ length: nl * d }, value);
    lib.copyWithin(10 * d, 5 * d, 6 * d); // row 10 = row 5
    const qry = Float64Array.from({ length: nq * d }, value);
    qry.set(lib.subarray(5 * d, 6 * d), 0);
    const dist2 = (q: number, l: number): number => {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = qry[q * d + j] - lib[l * d + j];
        s += t * t;
      }
      return -s;
    };
    for (const k of [1, 7, 400]) assertSameNeighbours(nearestEuclidean(qry, nq, lib, nl, d, k), bruteNearest(nq, nl, k, dist2), `d=${d} k=${k}`);
  }
});

test('merging neighbours keeps each library row once with its best score, best query and hit count, best first', () => {
  // 3 queries, k = 2, library of 5 rows.
  const n: Neighbours = {
    k: 2,
    index: Int32Array.from([4, 1, 1, 2, 2, 4]),
    score: Float64Array.from([0.9, 0.5, 0.8, 0.5, 0.7, 0.6]),
  };
  const m = mergeNeighbours(n, 3, 5);
  assert.deepEqual(Array.from(m.library), [4, 1, 2]);
  assert.deepEqual(Array.from(m.score), [0.9, 0.8, 0.7]);
  assert.deepEqual(Array.from(m.query), [0, 1, 2]);
  assert.deepEqual(Array.from(m.hits), [2, 2, 2]);
  // Equal scores: the lower library row first, and the lower query keeps the row.
  const tie: Neighbours = { k: 1, index: Int32Array.from([3, 1, 3]), score: Float64Array.from([0.5, 0.5, 0.5]) };
  const t = mergeNeighbours(tie, 3, 4);
  assert.deepEqual(Array.from(t.library), [1, 3]);
  assert.deepEqual(Array.from(t.query), [1, 0]);
  assert.deepEqual(Array.from(t.hits), [1, 2]);
});

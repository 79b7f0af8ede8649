import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/rng.js';
import { mae, rankingMetrics, rmse } from '../../src/ml/recommender/metrics.js';

/** Brute-force, definition-by-definition reference for one patient's list (binary relevance). */
function reference(rec: number[], rel: number[], k: number) {
  const top = rec.slice(0, k);
  const isRel = top.map((i) => (rel.includes(i) ? 1 : 0));
  const hits = isRel.reduce((a: number, b) => a + b, 0);
  let dcg = 0;
  isRel.forEach((g, r) => (dcg += g / Math.log2(r + 2)));
  const ideal = [...Array(k)].map((_, r) => (r < rel.length ? 1 : 0));
  let idcg = 0;
  ideal.forEach((g, r) => (idcg += g / Math.log2(r + 2)));
  let ap = 0;
  for (let r = 0; r < top.length; r++) {
    if (!isRel[r]) continue;
    const precisionAtR = isRel.slice(0, r + 1).reduce((a: number, b) => a + b, 0) / (r + 1);
    ap += precisionAtR;
  }
  return { precision: hits / k, recall: hits / rel.length, ndcg: dcg / idcg, map: ap / Math.min(k, rel.length), hit: hits > 0 ? 1 : 0 };
}

test('ranking metrics equal their definitions on small random cases', () => {
  const rng = createRng(4);
  const nItems = 12;
  for (let trial = 0; trial < 20; trial++) {
    const k = 1 + rng.int(6);
    const recs: Int32Array[] = [],
      rels: Int32Array[] = [];
    for (let u = 0; u < 7; u++) {
      const order = rng.shuffle(Int32Array.from({ length: nItems }, (_, i) => i));
      recs.push(order.slice(0, k + rng.int(3)));
      const relOrder = rng.shuffle(Int32Array.from({ length: nItems }, (_, i) => i));
      rels.push(relOrder.slice(0, rng.int(5))); // some patients have nothing relevant
    }
    const got = rankingMetrics(recs, rels, k, nItems);
    const users = rels.map((_r, u) => u).filter((u) => rels[u].length > 0);
    const refs = users.map((u) => reference([...recs[u]], [...rels[u]], k));
    const mean = (f: (x: ReturnType<typeof reference>) => number) => (refs.length ? refs.reduce((a, x) => a + f(x), 0) / refs.length : 0);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    close(
      got.precision,
      mean((x) => x.precision),
    );
    close(
      got.recall,
      mean((x) => x.recall),
    );
    close(
      got.ndcg,
      mean((x) => x.ndcg),
    );
    close(
      got.map,
      mean((x) => x.map),
    );
    close(
      got.hitRate,
      mean((x) => x.hit),
    );
    assert.equal(got.patients, users.length);
    const shown = new Set(recs.flatMap((r) => [...r.slice(0, k)]));
    close(got.coverage, shown.size / nItems);
  }
});

test('a perfect ranking scores 1 on every ranking metric', () => {
  const rel = [Int32Array.of(3, 1), Int32Array.of(0)];
  const rec = [Int32Array.of(1, 3, 2), Int32Array.of(0, 4)];
  const m = rankingMetrics(rec, rel, 2, 5);
  assert.equal(m.recall, 1);
  assert.equal(m.ndcg, 1);
  assert.equal(m.map, 1);
  assert.equal(m.hitRate, 1);
});

test('RMSE and MAE equal their definitions', () => {
  const rng = createRng(8);
  const p = Float64Array.from({ length: 50 }, () => rng.normal());
  const a = Float64Array.from({ length: 50 }, () => rng.normal());
  let se = 0,
    ae = 0;
  p.forEach((x, j) => {
    se += (x - a[j]) ** 2;
    ae += Math.abs(x - a[j]);
  });
  assert.ok(Math.abs(rmse(p, a) - Math.sqrt(se / 50)) < 1e-12);
  assert.ok(Math.abs(mae(p, a) - ae / 50) < 1e-12);
  assert.throws(() => rmse(p, a.subarray(1)), /differ in length/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePatientTreatmentOutcomes } from '../../src/data/generators/patient-treatment-outcomes.js';
import { fitItemKnn, fitPopularity } from '../../src/ml/recommender/index.js';
import { toInteractions } from './helpers.js';

const P = 150,
  T = 40;

/** Dense patients x treatments matrix (0 = not observed), centred per patient for adjusted cosine. */
function dense(adjusted: boolean): Float64Array[] {
  const g = generatePatientTreatmentOutcomes({ patients: P, treatments: T, observations: 1500, rank: 3, noise: 0.3, seed: 21 });
  const o = g.observations;
  const rows = Array.from({ length: P }, () => new Float64Array(T));
  const seen = Array.from({ length: P }, () => new Uint8Array(T));
  for (let j = 0; j < o.patient.length; j++) {
    rows[o.patient[j]][o.treatment[j]] = o.outcome[j];
    seen[o.patient[j]][o.treatment[j]] = 1;
  }
  if (adjusted) {
    for (let u = 0; u < P; u++) {
      let s = 0,
        n = 0;
      for (let i = 0; i < T; i++)
        if (seen[u][i]) {
          s += rows[u][i];
          n++;
        }
      for (let i = 0; i < T; i++) if (seen[u][i]) rows[u][i] -= s / n;
    }
  }
  return rows;
}

function bruteCosine(rows: Float64Array[], i: number, j: number): number {
  let dot = 0,
    ni = 0,
    nj = 0;
  for (const r of rows) {
    dot += r[i] * r[j];
    ni += r[i] * r[i];
    nj += r[j] * r[j];
  }
  return dot / Math.sqrt(ni * nj);
}

for (const similarity of ['cosine', 'adjusted-cosine'] as const) {
  test(`item-kNN ${similarity} neighbours equal a brute-force dense computation`, () => {
    const g = generatePatientTreatmentOutcomes({ patients: P, treatments: T, observations: 1500, rank: 3, noise: 0.3, seed: 21 });
    const k = 7;
    const model = fitItemKnn(toInteractions(g), P, T, { neighbours: k, similarity });
    const rows = dense(similarity === 'adjusted-cosine');
    for (let i = 0; i < T; i++) {
      const all = [...Array(T).keys()]
        .filter((j) => j !== i)
        .map((j) => ({ j, s: bruteCosine(rows, i, j) }))
        .filter((x) => x.s !== 0)
        .sort((a, b) => b.s - a.s || a.j - b.j)
        .slice(0, k);
      const s = model.neighbours.ptr[i],
        e = model.neighbours.ptr[i + 1];
      assert.equal(e - s, all.length);
      for (let r = 0; r < all.length; r++) {
        assert.ok(Math.abs(model.neighbours.value[s + r] - all[r].s) < 1e-9, `sim(${i}, rank ${r})`);
        // Ties in similarity could swap order only when equal to 1e-9; check the similarity of the returned item too.
        assert.ok(Math.abs(bruteCosine(rows, i, model.neighbours.index[s + r]) - all[r].s) < 1e-9);
      }
    }
  });
}

test('item-kNN topK is deterministic and excludes treatments already had; popularity ranks by count', () => {
  const g = generatePatientTreatmentOutcomes({ patients: P, treatments: T, observations: 1500, rank: 3, noise: 0.3, seed: 21 });
  const obs = toInteractions(g);
  const a = fitItemKnn(obs, P, T, { neighbours: 10, similarity: 'cosine' });
  const b = fitItemKnn(obs, P, T, { neighbours: 10, similarity: 'cosine' });
  assert.deepEqual(a.topK(3, 5), b.topK(3, 5));
  const had = new Set<number>();
  for (let j = 0; j < obs.user.length; j++) if (obs.user[j] === 3) had.add(obs.item[j]);
  for (const i of a.topK(3, 10).items) assert.ok(!had.has(i));
  assert.ok(Number.isFinite(a.predict(3, 0)));
  const pop = fitPopularity(obs, P, T);
  const top = pop.topK(3, 5, { excludeSeen: false });
  for (let r = 1; r < 5; r++) assert.ok(pop.counts[top.items[r - 1]] >= pop.counts[top.items[r]]);
  assert.equal(top.items[0], pop.counts.indexOf(Math.max(...pop.counts)));
});

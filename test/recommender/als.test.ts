import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePatientTreatmentOutcomes } from '../../src/data/generators/patient-treatment-outcomes.js';
import { fitAls, fitAlsParallel, fitImplicitAls, fitPopularity, rmse, type Recommender, type Interactions } from '../../src/ml/recommender/index.js';
import { randomHoldOut, toInteractions } from './helpers.js';

const SIZE = { patients: 1000, treatments: 300, observations: 60_000, rank: 5, noise: 0.5, seed: 11 };

function heldOutRmse(model: Recommender, test: Interactions): number {
  const pred = Float64Array.from(test.user, (u, j) => model.predict(u, test.item[j]));
  return rmse(pred, test.value);
}

test('ALS recovers the low-rank structure: held-out RMSE within 10% of the noise level', () => {
  const g = generatePatientTreatmentOutcomes(SIZE);
  const { train, test: held } = randomHoldOut(toInteractions(g), 0.1, 3);
  const model = fitAls(train, SIZE.patients, SIZE.treatments, { factors: 5, iterations: 20, lambda: 0.03, seed: 1 });
  const als = heldOutRmse(model, held);
  const pop = heldOutRmse(fitPopularity(train, SIZE.patients, SIZE.treatments), held);
  assert.ok(als <= 1.1 * g.noise, `ALS held-out RMSE ${als} vs noise ${g.noise}`);
  assert.ok(als < pop, `ALS ${als} must beat the popularity baseline ${pop}`);
});

test('ALS is deterministic per seed and depends on it', () => {
  const g = generatePatientTreatmentOutcomes({ ...SIZE, patients: 200, treatments: 50, observations: 3000 });
  const obs = toInteractions(g);
  const fit = (seed: number) => fitAls(obs, 200, 50, { factors: 4, iterations: 3, lambda: 0.1, seed });
  const a = fit(5),
    b = fit(5),
    c = fit(6);
  assert.deepEqual(a.userFactors, b.userFactors);
  assert.deepEqual(a.itemBias, b.itemBias);
  assert.notDeepEqual(a.itemFactors, c.itemFactors);
  assert.deepEqual(a.topK(0, 5), b.topK(0, 5));
});

test('ALS topK excludes treatments already had unless asked not to, and is sorted by predicted outcome', () => {
  const g = generatePatientTreatmentOutcomes({ ...SIZE, patients: 200, treatments: 50, observations: 3000 });
  const obs = toInteractions(g);
  const model = fitAls(obs, 200, 50, { factors: 4, iterations: 3, lambda: 0.1, seed: 1 });
  const had = new Set<number>();
  for (let j = 0; j < obs.user.length; j++) if (obs.user[j] === 0) had.add(obs.item[j]);
  const top = model.topK(0, 50);
  assert.equal(top.items.length, 50 - had.size);
  for (const i of top.items) assert.ok(!had.has(i));
  for (let r = 1; r < top.scores.length; r++) assert.ok(top.scores[r - 1] >= top.scores[r]);
  for (let r = 0; r < top.items.length; r++) assert.equal(top.scores[r], model.predict(0, top.items[r]));
  const all = model.topK(0, 50, { excludeSeen: false });
  assert.equal(all.items.length, 50);
});

test('implicit ALS scores treatments a patient had above those they did not, deterministically', () => {
  const g = generatePatientTreatmentOutcomes({ ...SIZE, patients: 400, treatments: 80, observations: 6000 });
  const obs = { ...toInteractions(g), value: new Float64Array(g.observations.outcome.length).fill(1) };
  const fit = () => fitImplicitAls(obs, 400, 80, { factors: 8, iterations: 5, lambda: 0.1, alpha: 10, seed: 2 });
  const m = fit();
  assert.deepEqual(m.userFactors, fit().userFactors);
  const seen = new Uint8Array(400 * 80);
  for (let j = 0; j < obs.user.length; j++) seen[obs.user[j] * 80 + obs.item[j]] = 1;
  let sIn = 0,
    nIn = 0,
    sOut = 0,
    nOut = 0;
  for (let u = 0; u < 400; u++)
    for (let i = 0; i < 80; i++) {
      const s = m.predict(u, i);
      if (seen[u * 80 + i]) {
        sIn += s;
        nIn++;
      } else {
        sOut += s;
        nOut++;
      }
    }
  assert.ok(sIn / nIn > sOut / nOut, `mean score had ${sIn / nIn} vs not had ${sOut / nOut}`);
});

test('ALS on 2 worker threads gives byte-identical factors to the single-threaded solver', async () => {
  const g = generatePatientTreatmentOutcomes({ ...SIZE, patients: 300, treatments: 60, observations: 5000 });
  const obs = toInteractions(g);
  const options = { factors: 6, iterations: 3, lambda: 0.05, seed: 9 };
  const serial = fitAls(obs, 300, 60, options);
  const parallel = await fitAlsParallel(obs, 300, 60, { ...options, threads: 2 });
  assert.deepEqual(parallel.userFactors, serial.userFactors);
  assert.deepEqual(parallel.itemFactors, serial.itemFactors);
  assert.deepEqual(parallel.userBias, serial.userBias);
  assert.deepEqual(parallel.itemBias, serial.itemBias);
});

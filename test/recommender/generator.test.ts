import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMORBIDITIES, generatePatientTreatmentOutcomes } from '../../src/data/generators/patient-treatment-outcomes.js';
import { buildInteractionMatrix } from '../../src/ml/recommender/index.js';
import { toInteractions } from './helpers.js';

const OPTS = { patients: 3000, treatments: 200, observations: 40_000, rank: 4, noise: 0.7, seed: 5 };

test('the generator is deterministic per seed and close to the requested size', () => {
  const a = generatePatientTreatmentOutcomes(OPTS),
    b = generatePatientTreatmentOutcomes(OPTS),
    c = generatePatientTreatmentOutcomes({ ...OPTS, seed: 6 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.observations.outcome, c.observations.outcome);
  const n = a.observations.patient.length;
  assert.ok(Math.abs(n - OPTS.observations) < 0.02 * OPTS.observations, `${n} observations`);
  assert.equal(a.noise, OPTS.noise);
  assert.equal(a.truth.patientFactors.length, OPTS.patients * OPTS.rank);
  // No duplicate pairs: building the matrix would throw.
  buildInteractionMatrix(toInteractions(a), OPTS.patients, OPTS.treatments);
});

test('outcomes follow the hidden model: residuals have the configured noise level', () => {
  const g = generatePatientTreatmentOutcomes(OPTS);
  const { patient, treatment, outcome } = g.observations;
  const t = g.truth;
  let se = 0;
  for (let j = 0; j < outcome.length; j++) {
    let s = t.mean + t.patientBias[patient[j]] + t.treatmentBias[treatment[j]];
    for (let a = 0; a < t.rank; a++) s += t.patientFactors[patient[j] * t.rank + a] * t.treatmentFactors[treatment[j] * t.rank + a];
    se += (outcome[j] - s) ** 2;
  }
  const sd = Math.sqrt(se / outcome.length);
  assert.ok(Math.abs(sd - OPTS.noise) < 0.05 * OPTS.noise, `residual sd ${sd}`);
});

test('missing not at random: patients with more comorbidities receive more treatments', () => {
  const g = generatePatientTreatmentOutcomes(OPTS);
  const count = new Int32Array(OPTS.patients);
  for (const p of g.observations.patient) count[p]++;
  const sum = [0, 0],
    n = [0, 0];
  for (let p = 0; p < OPTS.patients; p++) {
    let c = 0;
    for (let f = 0; f < COMORBIDITIES; f++) c += g.patients.comorbidities[p * COMORBIDITIES + f];
    const sick = c >= 2 ? 1 : 0;
    sum[sick] += count[p];
    n[sick]++;
  }
  assert.ok(n[0] > 0 && n[1] > 0);
  assert.ok(sum[1] / n[1] > 1.5 * (sum[0] / n[0]), `sick ${sum[1] / n[1]} vs healthier ${sum[0] / n[0]}`);
});

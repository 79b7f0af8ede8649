/** Shared test helpers: a seeded random hold-out split of a generated outcome table. */
import { createRng } from '../../src/rng.js';
import type { Interactions } from '../../src/ml/recommender/index.js';
import type { PatientTreatmentOutcomes } from '../../src/data/generators/patient-treatment-outcomes.js';

export function toInteractions(g: PatientTreatmentOutcomes): Interactions {
  return { user: g.observations.patient, item: g.observations.treatment, value: g.observations.outcome };
}

/** A random `fraction` of observations held out (seeded). */
export function randomHoldOut(obs: Interactions, fraction: number, seed: number): { train: Interactions; test: Interactions } {
  const n = obs.user.length;
  const order = createRng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const nTest = Math.floor(n * fraction);
  const pick = (ix: Int32Array): Interactions => ({
    user: Int32Array.from(ix, (i) => obs.user[i]),
    item: Int32Array.from(ix, (i) => obs.item[i]),
    value: Float64Array.from(ix, (i) => obs.value[i]),
  });
  return { test: pick(order.subarray(0, nTest)), train: pick(order.subarray(nTest)) };
}

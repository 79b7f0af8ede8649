/**
 * Seeded generator of a sparse patient x treatment outcome table, for recommender tests, demos and
 * benchmarks. Outcomes come from a hidden low-rank model
 *   outcome = mean + patientBias + treatmentBias + P[patient] · Q[treatment] + noise,
 * with P, Q entries of variance about 1/sqrt(rank) (so the interaction term has variance about 1
 * whatever the rank); half of a patient's factor variance is a fixed linear map of their features.
 * Observation is missing-not-at-random: a patient's number of treatments grows with their
 * comorbidity count (sicker patients receive more treatments), some treatments are prescribed far
 * more than others, and a treatment is more likely given to a patient it suits (high expected
 * interaction plus treatment effect: confounding by indication). Everything is typed arrays (no
 * per-observation objects), so 100,000 x 2,000 x 5,000,000 fits in a few seconds and about 100 MB.
 */
import { createRng } from '../../rng.js';
import { StepInputError } from '../../errors.js';

export interface PatientTreatmentOptions {
  patients: number;
  treatments: number;
  /** Target number of observed (patient, treatment) pairs; the result is close to it. */
  observations: number;
  rank: number;
  /** Standard deviation of the Gaussian outcome noise. */
  noise: number;
  seed: number;
}

/** Number of comorbidity flags per patient (e.g. diabetes, hypertension, CKD, COPD, heart failure). */
export const COMORBIDITIES = 5;

export interface PatientTreatmentOutcomes {
  patients: {
    age: Float64Array;
    /** 0 = female, 1 = male. */
    sex: Uint8Array;
    /** Row-major patients x COMORBIDITIES, 0/1. */
    comorbidities: Uint8Array;
    /** A standardised lab value (e.g. eGFR z-score). */
    lab: Float64Array;
  };
  treatments: {
    /** Drug class 0..7. */
    class: Int32Array;
    /** Dose band 0 (low), 1 (medium), 2 (high). */
    doseBand: Int32Array;
  };
  observations: { patient: Int32Array; treatment: Int32Array; outcome: Float64Array };
  noise: number;
  /** The hidden model, for tests: row-major factors and the biases. */
  truth: { rank: number; mean: number; patientFactors: Float64Array; treatmentFactors: Float64Array; patientBias: Float64Array; treatmentBias: Float64Array };
}

function checkOptions(o: PatientTreatmentOptions): void {
  for (const key of ['patients', 'treatments', 'observations', 'rank'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new StepInputError(`${key} must be a positive integer, got ${o[key]}`);
  }
  if (!(o.noise >= 0)) throw new StepInputError(`noise must be >= 0, got ${o.noise}`);
  if (o.observations > o.patients * o.treatments) {
    throw new StepInputError(`observations (${o.observations}) cannot exceed patients x treatments (${o.patients * o.treatments})`);
  }
}

export function generatePatientTreatmentOutcomes(o: PatientTreatmentOptions): PatientTreatmentOutcomes {
  checkOptions(o);
  const { patients: nP, treatments: nT, rank: r } = o;
  const root = createRng(o.seed);
  const featRng = root.fork(1),
    factorRng = root.fork(2),
    obsRng = root.fork(3),
    noiseRng = root.fork(4);

  const age = new Float64Array(nP),
    sex = new Uint8Array(nP),
    comorbidities = new Uint8Array(nP * COMORBIDITIES),
    lab = new Float64Array(nP);
  const sickness = new Float64Array(nP);
  for (let p = 0; p < nP; p++) {
    age[p] = Math.min(95, Math.max(18, 58 + 15 * featRng.normal()));
    sex[p] = featRng.next() < 0.5 ? 1 : 0;
    // Comorbidities become likelier with age.
    const risk = 0.05 + (0.25 * (age[p] - 18)) / 77;
    let c = 0;
    for (let f = 0; f < COMORBIDITIES; f++) {
      const has = featRng.next() < risk ? 1 : 0;
      comorbidities[p * COMORBIDITIES + f] = has;
      c += has;
    }
    sickness[p] = c;
    lab[p] = -0.3 * c + featRng.normal();
  }
  const tClass = new Int32Array(nT),
    dose = new Int32Array(nT);
  for (let t = 0; t < nT; t++) {
    tClass[t] = featRng.int(8);
    dose[t] = featRng.int(3);
  }

  // biome-ignore lint/style/useExponentiationOperator: the committed tables were generated with Math.pow; keep the expression they came from
  const sd = Math.pow(r, -0.25); // variance 1/sqrt(r)
  const P = new Float64Array(nP * r),
    Q = new Float64Array(nT * r);
  for (let j = 0; j < P.length; j++) P[j] = sd * factorRng.normal();
  // Half of each patient factor's variance comes from their (standardised) features, so features
  // say which treatments suit a patient never seen before, as age and comorbidities do in practice.
  // A separate stream: the other draws stay what they were.
  const mixRng = root.fork(5);
  const nF = 3 + COMORBIDITIES;
  const mix = new Float64Array(nF * r);
  for (let j = 0; j < mix.length; j++) mix[j] = mixRng.normal() / Math.sqrt(nF);
  const x = new Float64Array(nF);
  for (let p = 0; p < nP; p++) {
    x[0] = (age[p] - 58) / 15;
    x[1] = 2 * sex[p] - 1;
    x[2] = lab[p];
    for (let f = 0; f < COMORBIDITIES; f++) x[3 + f] = (comorbidities[p * COMORBIDITIES + f] - 0.2) / 0.4;
    for (let a = 0; a < r; a++) {
      let s = 0;
      for (let f = 0; f < nF; f++) s += x[f] * mix[f * r + a];
      P[p * r + a] = Math.SQRT1_2 * (P[p * r + a] + sd * s);
    }
  }
  for (let j = 0; j < Q.length; j++) Q[j] = sd * factorRng.normal();
  const classEffect = new Float64Array(8);
  for (let c = 0; c < 8; c++) classEffect[c] = 0.3 * factorRng.normal();
  const bP = new Float64Array(nP),
    bT = new Float64Array(nT);
  for (let p = 0; p < nP; p++) bP[p] = -0.15 * sickness[p] + 0.1 * lab[p] + 0.3 * factorRng.normal();
  for (let t = 0; t < nT; t++) bT[t] = classEffect[tClass[t]] + 0.1 * dose[t] + 0.2 * factorRng.normal();
  const mean = 5;

  // Missing-not-at-random counts: weight 1 + 1.5 x comorbidities, scaled to the target total,
  // randomly rounded, at least 1 and at most all treatments.
  let wSum = 0;
  for (let p = 0; p < nP; p++) wSum += 1 + 1.5 * sickness[p];
  const counts = new Int32Array(nP);
  let total = 0;
  for (let p = 0; p < nP; p++) {
    const x = (o.observations * (1 + 1.5 * sickness[p])) / wSum;
    let c = Math.floor(x) + (obsRng.next() < x - Math.floor(x) ? 1 : 0);
    c = Math.min(nT, Math.max(1, c));
    counts[p] = c;
    total += c;
  }
  // Skewed treatment popularity: treatment perm[floor(nT * u^2)] — a few treatments are common.
  const perm = new Int32Array(nT);
  for (let t = 0; t < nT; t++) perm[t] = t;
  obsRng.shuffle(perm);
  const patient = new Int32Array(total),
    treatment = new Int32Array(total),
    outcome = new Float64Array(total);
  const stamp = new Int32Array(nT).fill(-1);
  const pool = new Int32Array(nT);
  let n = 0;
  for (let p = 0; p < nP; p++) {
    const c = counts[p];
    if (c * 2 > nT) {
      // Dense patient: partial Fisher–Yates over all treatments (rejection would stall).
      for (let t = 0; t < nT; t++) pool[t] = t;
      for (let j = 0; j < c; j++) {
        const s = j + obsRng.int(nT - j);
        const tmp = pool[j];
        pool[j] = pool[s];
        pool[s] = tmp;
        patient[n] = p;
        treatment[n++] = pool[j];
      }
    } else {
      for (let j = 0; j < c; ) {
        const u = obsRng.next();
        const t = obsRng.next() < 0.7 ? perm[Math.floor(nT * u * u)] : obsRng.int(nT);
        if (stamp[t] === p) continue;
        // Confounding by indication: a treatment expected to work for this patient is given more often.
        let affinity = bT[t];
        for (let a = 0; a < r; a++) affinity += P[p * r + a] * Q[t * r + a];
        if (obsRng.next() >= 1 / (1 + Math.exp(-2 * affinity))) continue;
        stamp[t] = p;
        patient[n] = p;
        treatment[n++] = t;
        j++;
      }
    }
  }
  for (let j = 0; j < total; j++) {
    const p = patient[j],
      t = treatment[j];
    let s = mean + bP[p] + bT[t];
    for (let a = 0; a < r; a++) s += P[p * r + a] * Q[t * r + a];
    outcome[j] = s + o.noise * noiseRng.normal();
  }
  return {
    patients: { age, sex, comorbidities, lab },
    treatments: { class: tClass, doseBand: dose },
    observations: { patient, treatment, outcome },
    noise: o.noise,
    truth: { rank: r, mean, patientFactors: P, treatmentFactors: Q, patientBias: bP, treatmentBias: bT },
  };
}

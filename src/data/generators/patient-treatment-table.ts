/**
 * The `patient-treatment-outcomes` builtin as one long table, so that it and a long CSV loaded with
 * `load.csv` feed the same steps: one row per observed (patient, treatment) pair with the outcome,
 * the visit number (the order of the patient's treatments, for leave-last-k splits), the patient's
 * features and the treatment's features repeated on every row.
 */
import { createRng } from '../../rng.js';
import type { Column, Dataset } from '../dataset.js';
import { makeDataset } from '../dataset.js';
import { COMORBIDITIES, generatePatientTreatmentOutcomes, type PatientTreatmentOptions } from './patient-treatment-outcomes.js';

/** Column names of the comorbidity flags, in the generator's order. */
export const COMORBIDITY_NAMES = ['diabetes', 'hypertension', 'ckd', 'copd', 'heart_failure'] as const;
export const TREATMENT_CLASSES = [
  'ace_inhibitor',
  'beta_blocker',
  'statin',
  'metformin',
  'sglt2_inhibitor',
  'diuretic',
  'calcium_channel_blocker',
  'anticoagulant',
] as const;
export const DOSE_BANDS = ['low', 'medium', 'high'] as const;

export const PATIENT_TREATMENT_DEFAULTS: PatientTreatmentOptions = { patients: 1000, treatments: 100, observations: 20000, rank: 8, noise: 0.5, seed: 0 };

function ids(prefix: string, n: number, minWidth: number): string[] {
  const width = Math.max(minWidth, String(n - 1).length);
  return Array.from({ length: n }, (_, i) => prefix + String(i).padStart(width, '0'));
}

export function patientTreatmentTable(o: PatientTreatmentOptions): Dataset {
  if (COMORBIDITY_NAMES.length !== COMORBIDITIES) throw new Error('comorbidity names out of step with the generator');
  const g = generatePatientTreatmentOutcomes(o);
  const { patient, treatment, outcome } = g.observations;
  const n = patient.length;
  const nP = g.patients.age.length;
  const nT = g.treatments.class.length;

  // Visits: each patient's rows get 1..count in a seeded random order (rows are grouped by patient).
  const visit = new Float64Array(n);
  const rng = createRng(o.seed).fork(11);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && patient[end] === patient[start]) end++;
    const order = Int32Array.from({ length: end - start }, (_, j) => j + 1);
    rng.shuffle(order);
    for (let j = start; j < end; j++) visit[j] = order[j - start];
    start = end;
  }

  const perRow = (values: ArrayLike<number>, of: Int32Array): Float64Array => {
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = values[of[j]];
    return out;
  };
  const codesOf = (values: ArrayLike<number>, of: Int32Array): Int32Array => {
    const out = new Int32Array(n);
    for (let j = 0; j < n; j++) out[j] = values[of[j]];
    return out;
  };
  const numeric = (name: string, values: Float64Array, kind: 'numeric' | 'target' = 'numeric'): Column => ({ name, kind, data: { type: 'numeric', values } });
  const categorical = (name: string, codes: Int32Array, categories: readonly string[], kind: 'categorical' | 'id' = 'categorical'): Column => ({
    name,
    kind,
    data: { type: 'categorical', codes, categories },
  });

  const comorbidityColumns = COMORBIDITY_NAMES.map((name, f) => {
    const flag = new Float64Array(n);
    for (let j = 0; j < n; j++) flag[j] = g.patients.comorbidities[patient[j] * COMORBIDITIES + f];
    return numeric(name, flag);
  });
  const age = perRow(g.patients.age, patient);
  for (let j = 0; j < n; j++) age[j] = Math.round(age[j]);
  const lab = perRow(g.patients.lab, patient);
  for (let j = 0; j < n; j++) lab[j] = Math.round(lab[j] * 1000) / 1000;
  return makeDataset(
    [
      categorical('patient', Int32Array.from(patient), ids('P', nP, 6), 'id'),
      categorical('treatment', Int32Array.from(treatment), ids('T', nT, 4), 'id'),
      numeric('visit', visit),
      numeric('outcome', Float64Array.from(outcome), 'target'),
      numeric('age', age),
      categorical('sex', codesOf(g.patients.sex, patient), ['female', 'male']),
      ...comorbidityColumns,
      numeric('egfr_z', lab),
      categorical('treatment_class', codesOf(g.treatments.class, treatment), TREATMENT_CLASSES),
      categorical('dose_band', codesOf(g.treatments.doseBand, treatment), DOSE_BANDS),
    ],
    { column: 'outcome' },
  );
}

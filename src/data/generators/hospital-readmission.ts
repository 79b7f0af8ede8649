/**
 * The `hospital-readmission` builtin: a seeded, synthetic hospital extract with the mess of a real
 * one, for the check.data step and for pipelines that must cope with it (data/README.md lists the
 * mess and why each kind is there).
 *
 * The generator writes CSV text and reads it with the project's CSV reader, so column types,
 * missing values and the tokens that marked them are exactly what `load.csv` gives for the same
 * file: the mess is real text, not typed values pretending to have been messy.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type Rng } from '../../rng.js';
import { readCsv } from '../csv.js';
import type { Dataset } from '../dataset.js';

export interface HospitalReadmissionOptions {
  /** Patients before duplicates are added (default 3000). */
  nSamples: number;
  seed: number;
}

export const HOSPITAL_READMISSION_DEFAULTS: HospitalReadmissionOptions = { nSamples: 3000, seed: 0 };

/** How load.builtin declares the table, as a user would on load.csv. */
export const HOSPITAL_READMISSION_LOAD = { id: 'patient_id', target: 'outcome', positive: 'yes' } as const;

export const COMMON_WARDS = [
  'cardiology',
  'endocrinology',
  'gastroenterology',
  'general_medicine',
  'general_surgery',
  'geriatrics',
  'infectious_disease',
  'nephrology',
  'neurology',
  'oncology',
  'orthopaedics',
  'respiratory',
] as const;
/** Relative sizes of the common wards, in COMMON_WARDS order. */
const WARD_WEIGHTS = [14, 5, 7, 20, 10, 12, 4, 5, 6, 7, 6, 4];
/** Readmission log-odds added per common ward (older, sicker wards readmit more). */
const WARD_EFFECT: Readonly<Record<string, number>> = {
  geriatrics: 0.6,
  oncology: 0.5,
  nephrology: 0.4,
  cardiology: 0.3,
  orthopaedics: -0.4,
  general_surgery: -0.2,
};
/** Satellite and specialist units with 1 to 5 patients each. */
export const RARE_WARDS = 30;

const SMOKING = ['never', 'former', 'current'] as const;
const SMOKING_EFFECT = [0, 0.3, 0.6];
const NOTE_OPENINGS = [
  'reviewed on ward round',
  'seen by registrar',
  'family updated',
  'pain controlled',
  'mobilising with frame',
  'awaiting bloods',
  'tolerating diet',
];
const NOTE_DETAILS = [
  'no concerns',
  'plan to continue',
  'physio to review',
  'social work referral',
  'repeat obs at 4h',
  'for discussion at MDT',
  'OT assessment booked',
];
/** Discharge codes: the first two are recorded, in this extract, mostly after the readmission itself (the leak). */
const LEAKY_CODES = ['DC-30', 'DC-31'];
const ROUTINE_CODES = ['DC-01', 'DC-02', 'DC-03', 'DC-04'];

const HEADER = ['patient_id', 'age', 'sex', 'smoking', 'bmi', 'systolic_bp', 'hba1c', 'ward', 'admitted', 'note', 'discharge_code', 'outcome'];

interface Patient {
  age: number;
  sex: string;
  smoking: number;
  bmi: number;
  systolic: number;
  hba1c: number;
  ward: string;
  admitted: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function weighted(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let k = 0; k < weights.length; k++) if ((u -= weights[k]) < 0) return k;
  return weights.length - 1;
}

/** Ward of each patient: every rare ward gets 1 to 5 patients, the rest go to the common wards. */
function assignWards(rng: Rng, n: number): string[] {
  const wards: string[] = [];
  for (let r = 1; r <= RARE_WARDS && wards.length < n; r++) {
    const size = 1 + rng.int(5);
    for (let k = 0; k < size && wards.length < n; k++) wards.push(`satellite_unit_${String(r).padStart(2, '0')}`);
  }
  while (wards.length < n) wards.push(COMMON_WARDS[weighted(rng, WARD_WEIGHTS)]);
  return rng.shuffle(wards);
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2019, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2024, 11, 31) / DAY_MS;

function patient(rng: Rng, ward: string): Patient {
  return {
    age: Math.round(clamp(62 + 16 * rng.normal(), 18, 95)),
    sex: rng.next() < 0.5 ? 'female' : 'male',
    smoking: weighted(rng, [50, 30, 20]),
    bmi: Math.round(clamp(28 + 5 * rng.normal(), 15, 55) * 10) / 10,
    systolic: Math.round(clamp(135 + 18 * rng.normal(), 80, 220)),
    hba1c: Math.round(clamp(6.2 + 1.1 * rng.normal(), 4, 14) * 10) / 10,
    ward,
    admitted: FIRST_DAY + rng.int(LAST_DAY - FIRST_DAY + 1),
  };
}

/** Readmission log-odds without the intercept: older, higher HbA1c and BMI, smokers and some wards readmit more. */
function risk(p: Patient): number {
  return 0.03 * (p.age - 62) + 0.45 * (p.hba1c - 6.2) + 0.04 * (p.bmi - 28) + SMOKING_EFFECT[p.smoking] + (WARD_EFFECT[p.ward] ?? 0);
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The intercept that makes the mean readmission probability `rate` (bisection: the mean is increasing in it). */
function interceptFor(risks: readonly number[], rate: number): number {
  let lo = -20,
    hi = 20;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    const mean = risks.reduce((s, r) => s + sigmoid(mid + r), 0) / risks.length;
    if (mean < rate) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** A missing token with the given probabilities (blank, "NA", "?"), else the value. */
function messy(rng: Rng, value: string, blank: number, na: number, question = 0): string {
  const u = rng.next();
  if (u < blank) return '';
  if (u < blank + na) return 'NA';
  if (u < blank + na + question) return '?';
  return value;
}

/** The table as CSV text (header, then one line per row, LF line ends). */
export function hospitalReadmissionCsv(o: HospitalReadmissionOptions): string {
  const rng = createRng(o.seed);
  const n = o.nSamples;
  const wards = assignWards(rng.fork(1), n);
  const people = wards.map((w) => patient(rng, w));
  const risks = people.map(risk);
  const b0 = interceptFor(risks, 0.05);
  const lines: string[][] = people.map((p, i) => {
    const readmitted = rng.next() < sigmoid(b0 + risks[i]);
    const leaky = readmitted ? rng.next() < 0.99 : rng.next() < 0.003;
    const note = `${pick(rng, NOTE_OPENINGS)}, ${pick(rng, NOTE_DETAILS)}; bed ${1 + rng.int(40)} at ${String(rng.int(24)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}`;
    return [
      `P${String(i + 1).padStart(6, '0')}`,
      String(p.age),
      messy(rng, p.sex, 0.01, 0),
      messy(rng, SMOKING[p.smoking], 0.08, 0),
      messy(rng, p.bmi.toFixed(1), 0.05, 0.03),
      messy(rng, String(p.systolic), 0, 0.03, 0.01),
      p.hba1c.toFixed(1),
      p.ward,
      new Date(p.admitted * DAY_MS).toISOString().slice(0, 10),
      quote(note),
      pick(rng, leaky ? LEAKY_CODES : ROUTINE_CODES),
      readmitted ? 'yes' : 'no',
    ];
  });
  // About 1% of rows carry another patient's id (a re-used or mistyped id on a different record),
  // and two rows are exact copies of another row (an extract joined twice).
  const reused = Math.max(1, Math.round(n / 100));
  for (let k = 0; k < reused; k++) {
    const row = rng.int(n);
    let other = rng.int(n);
    if (other === row) other = (row + 1) % n;
    lines[row][0] = lines[other][0];
  }
  for (let k = 0; k < 2; k++) {
    const copy = [...lines[rng.int(lines.length)]];
    lines.splice(rng.int(lines.length + 1), 0, copy);
  }
  return `${HEADER.join(',')}\n${lines.map((l) => l.join(',')).join('\n')}\n`;
}

/** The table as load.csv reads it with `id: patient_id, target: outcome, positive: yes`. */
export async function hospitalReadmission(o: HospitalReadmissionOptions): Promise<Dataset> {
  const dir = await mkdtemp(join(tmpdir(), 'medpipe-readmission-'));
  try {
    const file = join(dir, 'hospital-readmission.csv');
    await writeFile(file, hospitalReadmissionCsv(o));
    return await readCsv(file, { ...HOSPITAL_READMISSION_LOAD, displayName: 'hospital-readmission (generated)' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

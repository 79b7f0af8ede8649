/**
 * Datasets available by name, without a file in the user's project: the real tables shipped in
 * the package's `data/` directory (see data/README.md for sources and licenses) and seeded
 * synthetic generators.
 *
 * patient-treatment-outcomes is a long (patient, treatment, outcome) table for recommenders;
 * hospital-readmission is a messy patient table read through the CSV reader (missing tokens, duplicate ids, a leaky column).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StepInputError } from '../errors.js';
import { readCsv, type CsvOptions } from './csv.js';
import type { Dataset } from './dataset.js';
import { makeClassification, MAKE_CLASSIFICATION_DEFAULTS, type MakeClassificationOptions } from './generators/make-classification.js';
import { makeRegression, MAKE_REGRESSION_DEFAULTS, type MakeRegressionOptions } from './generators/make-regression.js';
import { patientTreatmentTable, PATIENT_TREATMENT_DEFAULTS } from './generators/patient-treatment-table.js';
import type { PatientTreatmentOptions } from './generators/patient-treatment-outcomes.js';
import { hospitalReadmission, HOSPITAL_READMISSION_DEFAULTS } from './generators/hospital-readmission.js';

interface ShippedDataset {
  file: string;
  description: string;
  options: CsvOptions;
}

/** The real tables in data/, with how to load them (target, positive class, id columns). */
export const SHIPPED_DATASETS: Readonly<Record<string, ShippedDataset>> = {
  'breast-cancer-wisconsin': {
    file: 'breast-cancer-wisconsin.csv',
    description: 'Wisconsin Diagnostic Breast Cancer, 569 x 30 features; diagnosis malignant (212) / benign (357)',
    options: { target: 'diagnosis', positive: 'malignant' },
  },
  'diabetes-progression': {
    file: 'diabetes-progression.csv',
    description: '442 diabetes patients, 10 baseline variables; progression one year later (regression)',
    options: { target: 'progression' },
  },
  'chembl2321810-pic50': {
    file: 'chembl2321810-pic50.csv',
    description: '1,017 molecules (smiles) of one ChEMBL series with measured potency pic50 (regression)',
    options: { target: 'pic50', id: 'compound_id', columns: { smiles: 'text' } },
  },
  'nci-screening-5k': {
    file: 'nci-screening-5k.csv',
    description: '4,999 structures (smiles) of the NCI open database, a screening library without labels',
    options: { id: 'nci_id', columns: { smiles: 'text' } },
  },
};

export const GENERATORS = ['make-classification', 'make-regression', 'patient-treatment-outcomes', 'hospital-readmission'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

export const BUILTIN_NAMES: readonly string[] = [...Object.keys(SHIPPED_DATASETS), ...GENERATORS];

/** Generator options; each generator reads the ones it knows and defaults the rest. */
export type GeneratorOptions = Partial<MakeClassificationOptions & MakeRegressionOptions & PatientTreatmentOptions>;

/**
 * The package's data/ directory: three levels up from the compiled module
 * (dist/src/data/builtin.js), two from the source (src/data/builtin.ts).
 */
export function dataDirectory(): string {
  for (const up of ['../../../data/', '../../data/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}breast-cancer-wisconsin.csv`)) return dir;
  }
  throw new StepInputError("the shipped datasets were not found: the package's data/ directory is missing (reinstall medpipe)");
}

export async function loadBuiltin(name: string, options: GeneratorOptions = {}): Promise<Dataset> {
  const shipped = SHIPPED_DATASETS[name];
  if (shipped) return readCsv(`${dataDirectory()}${shipped.file}`, { ...shipped.options, displayName: `data/${shipped.file}` });
  const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  if (name === 'make-classification') return makeClassification({ ...MAKE_CLASSIFICATION_DEFAULTS, ...defined(options) });
  if (name === 'make-regression') return makeRegression({ ...MAKE_REGRESSION_DEFAULTS, ...defined(options) });
  if (name === 'patient-treatment-outcomes') {
    const o = { ...PATIENT_TREATMENT_DEFAULTS, ...defined(options) };
    return patientTreatmentTable({ patients: o.patients, treatments: o.treatments, observations: o.observations, rank: o.rank, noise: o.noise, seed: o.seed });
  }
  if (name === 'hospital-readmission') {
    const o = { ...HOSPITAL_READMISSION_DEFAULTS, ...defined({ nSamples: options.nSamples, seed: options.seed }) };
    return hospitalReadmission(o);
  }
  throw new StepInputError(`no builtin dataset named "${name}"; available: ${BUILTIN_NAMES.join(', ')}`);
}

/**
 * Step `load.builtin`: a dataset by name, either a real table shipped with medpipe (data/) or a
 * seeded synthetic one (make-classification, make-regression). Adapter over src/data/builtin.ts.
 */
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { MAX_COLUMNS, MAX_ITERATIONS, MAX_ROWS } from '../engine/param-limits.js';

/** Kept equal to BUILTIN_NAMES in src/data/builtin.ts (tested); listed here so the CLI starts without loading it. */
export const BUILTIN_DATASET_NAMES = [
  'breast-cancer-wisconsin',
  'diabetes-progression',
  'chembl2321810-pic50',
  'nci-screening-5k',
  'make-classification',
  'make-regression',
  'patient-treatment-outcomes',
  'hospital-readmission',
] as const;

interface Params {
  name: (typeof BUILTIN_DATASET_NAMES)[number];
  n_samples: number | null;
  n_features: number | null;
  n_informative: number | null;
  n_redundant: number | null;
  n_classes: number | null;
  n_clusters_per_class: number | null;
  weights: number[] | null;
  flip_y: number | null;
  class_sep: number | null;
  bias: number | null;
  noise: number | null;
  patients: number | null;
  treatments: number | null;
  observations: number | null;
  rank: number | null;
  shuffle: boolean;
  seed: number;
}

const GENERATOR_OPTIONS = [
  'n_samples',
  'n_features',
  'n_informative',
  'n_redundant',
  'n_classes',
  'n_clusters_per_class',
  'weights',
  'flip_y',
  'class_sep',
  'bias',
  'noise',
  'patients',
  'treatments',
  'observations',
  'rank',
] as const;
const CLASSIFICATION_ONLY = ['n_redundant', 'n_classes', 'n_clusters_per_class', 'weights', 'flip_y', 'class_sep'] as const;
const REGRESSION_ONLY = ['bias', 'noise'] as const;
const OUTCOMES_ONLY = ['patients', 'treatments', 'observations', 'rank'] as const;
const TABLE_OPTIONS = ['n_samples', 'n_features', 'n_informative'] as const;
/** Which generator options each generator does not take. */
const FOREIGN: Readonly<Record<string, readonly (typeof GENERATOR_OPTIONS)[number][]>> = {
  'make-classification': [...REGRESSION_ONLY, ...OUTCOMES_ONLY],
  'make-regression': [...CLASSIFICATION_ONLY, ...OUTCOMES_ONLY],
  'patient-treatment-outcomes': [...TABLE_OPTIONS, ...CLASSIFICATION_ONLY, 'bias'],
  'hospital-readmission': GENERATOR_OPTIONS.filter((k) => k !== 'n_samples'),
};

const optionalInt = (description: string, maximum: number, minimum = 1): object => ({
  type: ['integer', 'null'],
  minimum,
  maximum,
  default: null,
  description,
});
const optionalNumber = (description: string, minimum = 0): object => ({ type: ['number', 'null'], minimum, default: null, description });

export default defineStep<Params>({
  id: 'load.builtin',
  version: '1',
  description:
    'A builtin dataset: a shipped real table (breast cancer, diabetes, ChEMBL, NCI) or a seeded synthetic classification/regression table, a seeded long patient x treatment outcome table for recommenders, or a seeded messy hospital readmission table (hospital-readmission).',
  inputs: {},
  outputs: { data: { kind: 'dataset', description: 'The table, with its target marked.' } },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { enum: [...BUILTIN_DATASET_NAMES], description: 'Which dataset; see data/README.md for the shipped ones.' },
      n_samples: optionalInt('Generators: number of rows (default 100; hospital-readmission: patients, default 3000, plus its duplicate rows).', MAX_ROWS),
      n_features: optionalInt('Generators: number of feature columns (default 20 for classification, 100 for regression).', MAX_COLUMNS),
      n_informative: optionalInt('Generators: features that carry signal (default 2 for classification, 10 for regression).', MAX_COLUMNS, 0),
      n_redundant: optionalInt('make-classification: random linear combinations of the informative features (default 2).', MAX_COLUMNS, 0),
      n_classes: optionalInt('make-classification: number of classes (default 2).', MAX_ITERATIONS, 2),
      n_clusters_per_class: optionalInt('make-classification: clusters per class (default 2).', MAX_ITERATIONS),
      weights: {
        type: ['array', 'null'],
        items: { type: 'number', minimum: 0, maximum: 1 },
        default: null,
        description: 'make-classification: class proportions (n_classes or n_classes - 1 values); default balanced.',
      },
      flip_y: { ...optionalNumber('make-classification: fraction of labels assigned at random (default 0.01).'), maximum: 1 },
      class_sep: optionalNumber('make-classification: class separation, half the hypercube side (default 1).'),
      bias: { type: ['number', 'null'], default: null, description: 'make-regression: intercept of the target (default 0).' },
      noise: optionalNumber(
        'make-regression: standard deviation of Gaussian noise on the target (default 0); patient-treatment-outcomes: on the outcome (default 0.5).',
      ),
      patients: optionalInt('patient-treatment-outcomes: number of patients (default 1000).', MAX_ROWS),
      treatments: optionalInt('patient-treatment-outcomes: number of treatments (default 100).', MAX_COLUMNS),
      observations: optionalInt(
        'patient-treatment-outcomes: about how many (patient, treatment, outcome) rows (default 20000; at most patients x treatments).',
        MAX_ROWS,
      ),
      rank: optionalInt('patient-treatment-outcomes: rank of the hidden patient x treatment interaction model (default 8).', MAX_ITERATIONS),
      shuffle: { type: 'boolean', default: true, description: 'Generators: shuffle rows and columns.' },
      seed: { type: 'integer', default: 0, description: 'Generators: random seed; the same seed gives the same table.' },
    },
  },
  async run(ctx, params) {
    const given = GENERATOR_OPTIONS.filter((k) => params[k] !== null);
    const isGenerator = params.name in FOREIGN;
    if (!isGenerator && given.length)
      throw new StepInputError(
        `${given.join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to generated datasets only, not to "${params.name}": remove ${given.length === 1 ? 'it' : 'them'}`,
      );
    const foreign = FOREIGN[params.name] ?? [];
    const misplaced = foreign.filter((k) => params[k] !== null);
    if (misplaced.length)
      throw new StepInputError(
        `${misplaced.join(', ')} do${misplaced.length === 1 ? 'es' : ''} not apply to ${params.name}: remove ${misplaced.length === 1 ? 'it' : 'them'}`,
      );

    const { loadBuiltin } = await import('../data/builtin.js');
    const { writeDatasetFile } = await import('../data/arrow.js');
    const { summariseDataset } = await import('../data/dataset.js');
    const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
    const ds = await loadBuiltin(params.name, {
      nSamples: opt(params.n_samples),
      nFeatures: opt(params.n_features),
      nInformative: opt(params.n_informative),
      nRedundant: opt(params.n_redundant),
      nClasses: opt(params.n_classes),
      nClustersPerClass: opt(params.n_clusters_per_class),
      weights: opt(params.weights),
      flipY: opt(params.flip_y),
      classSep: opt(params.class_sep),
      bias: opt(params.bias),
      noise: opt(params.noise),
      patients: opt(params.patients),
      treatments: opt(params.treatments),
      observations: opt(params.observations),
      rank: opt(params.rank),
      shuffle: params.shuffle,
      seed: params.seed,
    });
    await writeDatasetFile(ctx.output('data'), ds);
    const summary = summariseDataset(ds);
    ctx.log(`${params.name}: ${summary.rows} rows x ${summary.columns} columns`);
    return summary;
  },
});

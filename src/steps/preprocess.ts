/**
 * Step `preprocess`: fits imputation, outlier clipping, category encoding and scaling on the
 * training set only (src/data/preprocess.ts) and applies the same fitted transform to the
 * training and test sets. Both inputs are required: the engine needs every output written, and a
 * test set transformed with training statistics is the point of the step. The fitted transform is
 * an output too, so a registered model can replay it on new rows.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import type { EncodeOption } from '../data/encode-categories.js';
import type { ImputeOption, PreprocessOptions } from '../data/preprocess-options.js';
import { DATE_FEATURES, type DateFeature } from '../data/date-features.js';

interface Params {
  impute: ImputeOption;
  drop_columns_missing_above: number;
  drop_rows_missing_above: number;
  outliers: 'none' | 'iqr' | 'zscore';
  iqr_k: number;
  zscore_z: number;
  encode: EncodeOption;
  max_categories?: number;
  min_frequency?: number;
  seed?: number;
  scale: 'none' | 'standard' | 'minmax' | 'robust';
  on_unseen: 'ignore' | 'error';
  /** No schema default: a default would change every existing preprocess step's cache key. */
  dates?: Record<string, DateFeature[]>;
  keep_for_evaluation?: string[];
  drop_columns?: string[];
}

const strategy = { enum: ['none', 'mean', 'median', 'most_frequent', 'constant'] };
const rule = {
  anyOf: [
    strategy,
    {
      type: 'object',
      additionalProperties: false,
      required: ['strategy'],
      properties: {
        strategy,
        value: { anyOf: [{ type: 'number' }, { type: 'string' }], description: 'Fill value for constant (default 0, or "missing" for categories).' },
      },
    },
  ],
};
const fraction = { type: 'number', minimum: 0, maximum: 1 };

export default defineStep<Params>({
  id: 'preprocess',
  version: '2',
  description: 'Imputes, clips outliers, encodes categories and scales, with statistics fitted on the training set only.',
  inputs: {
    train: { kind: 'dataset', description: 'Rows the statistics are fitted on.' },
    test: { kind: 'dataset', description: 'Rows transformed with the training statistics (never fitted on).' },
  },
  outputs: {
    train: { kind: 'dataset', description: 'The transformed training rows.' },
    test: { kind: 'dataset', description: 'The transformed test rows.' },
    transform: { kind: 'transform', description: 'The fitted transform (JSON), to replay on new rows.' },
  },
  defaultOutput: 'train',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      impute: {
        anyOf: [
          rule,
          {
            type: 'object',
            additionalProperties: false,
            properties: { default: rule, columns: { type: 'object', additionalProperties: rule } },
          },
        ],
        default: 'none',
        description:
          'Missing values: none, mean, median, most_frequent or constant ({ strategy: constant, value: 0 }); or { default: median, columns: { age: { strategy: constant, value: 0 } } }. Categorical columns use most_frequent when mean or median is asked for.',
      },
      drop_columns_missing_above: {
        ...fraction,
        default: 1,
        description: 'Drop feature columns whose missing fraction in the training set is above this (1 = never).',
      },
      drop_rows_missing_above: {
        ...fraction,
        default: 1,
        description: 'Drop rows, in both train and test, whose missing fraction over the kept features is above this (1 = never); counted in the summary.',
      },
      outliers: {
        enum: ['none', 'iqr', 'zscore'],
        default: 'none',
        description: 'Clip numeric values: iqr to [Q1 - k IQR, Q3 + k IQR], zscore to mean ± z std (training statistics).',
      },
      iqr_k: { type: 'number', exclusiveMinimum: 0, default: 1.5, description: 'k for outliers: iqr.' },
      zscore_z: { type: 'number', exclusiveMinimum: 0, default: 3, description: 'z for outliers: zscore (population std).' },
      encode: {
        anyOf: [{ enum: ['one-hot', 'ordinal'] }, { type: 'object', additionalProperties: { enum: ['one-hot', 'ordinal', 'frequency', 'target'] } }],
        default: 'one-hot',
        description:
          'Categorical columns: one-hot columns named <column>=<category>, or ordinal codes (categories sorted); or per column, e.g. { ward: frequency } (others one-hot): frequency = share of training rows (unseen: 0), target = mean target per level (binary or numeric target), smoothed toward the training mean (m = 10), cross-fitted over 5 seeded folds on the training rows.',
      },
      max_categories: {
        type: 'integer',
        minimum: 2,
        description:
          'One-hot (default 50): without min_frequency, a column with more training levels fails the step (naming the options); with min_frequency, the most output columns per column, rarest levels grouped (scikit-learn max_categories).',
      },
      min_frequency: {
        type: 'number',
        exclusiveMinimum: 0,
        description:
          'One-hot: levels with fewer training rows than this (a count if >= 1, a fraction of the rows if < 1) are grouped into <column>=infrequent, which also takes unseen levels (scikit-learn handle_unknown=infrequent_if_exist).',
      },
      // No schema defaults on the params added for issue 21: a default would enter every preprocess
      // step's cache key and change the committed lock files of pipelines that never use them.
      seed: { type: 'integer', description: 'Seed of the cross-fitting folds of target encoding (default 0).' },
      scale: {
        enum: ['none', 'standard', 'minmax', 'robust'],
        default: 'none',
        description: 'Numeric columns: standard (mean, population std), minmax, or robust (median, IQR); encoded columns are not scaled.',
      },
      dates: {
        type: 'object',
        additionalProperties: {
          type: 'array',
          minItems: 1,
          items: {
            anyOf: [
              { enum: [...DATE_FEATURES] },
              {
                type: 'object',
                additionalProperties: false,
                required: ['days_since'],
                properties: { days_since: { type: 'string', description: 'Reference date, ISO 8601 (e.g. "2025-01-01").' } },
              },
            ],
          },
        },
        description:
          'Numeric features derived from date columns (load.csv kind date), e.g. { admitted: [year, month, day_of_week, { days_since: "2025-01-01" }] }: year, month, day, day_of_week (0 = Monday), day_of_year, hour (UTC), days_since a date. Named <column>.<feature> (admitted.days_since_2025-01-01), then imputed, clipped and scaled like other numeric columns; nothing is fitted. The date column itself is kept, not a feature.',
      },
      on_unseen: {
        enum: ['ignore', 'error'],
        default: 'ignore',
        description:
          'A category absent from the training set: ignore (one-hot all zeros, ordinal treated as missing and imputed) or error (names column and row).',
      },
      // No default, for the same reason as keep_for_evaluation below.
      drop_columns: {
        type: 'array',
        items: { type: 'string' },
        uniqueItems: true,
        description:
          'Feature columns left out of the model by name: a column check.data names as possible leakage (a discharge code), or one the model must not use. Keep it for evaluate subgroups with keep_for_evaluation.',
      },
      // No default: absent, the step's resolved params (and so its cache key) are those of before it existed.
      keep_for_evaluation: {
        type: 'array',
        items: { type: 'string' },
        uniqueItems: true,
        description:
          'Source columns to carry, raw, into both outputs as kind context (never features) for evaluate subgroups: a column this step encodes (sex into sex=female, sex=male) or drops. Id and text columns pass through anyway.',
      },
    },
  },
  async run(ctx, p) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { fitPreprocessWithTraining, transformDataset } = await import('../data/preprocess.js');
    const { checkContextNames } = await import('../data/preprocess-context.js');
    const trainPath = ctx.input('train') as string;
    const testPath = ctx.input('test') as string;
    const options: PreprocessOptions = {
      impute: p.impute,
      ...(p.drop_columns !== undefined ? { dropColumns: p.drop_columns } : {}),
      dropColumnsMissingAbove: p.drop_columns_missing_above,
      dropRowsMissingAbove: p.drop_rows_missing_above,
      outliers: p.outliers,
      iqrK: p.iqr_k,
      zscoreZ: p.zscore_z,
      encode: p.encode,
      ...(p.max_categories !== undefined ? { maxCategories: p.max_categories } : {}),
      ...(p.min_frequency !== undefined ? { minFrequency: p.min_frequency } : {}),
      ...(p.seed !== undefined ? { seed: p.seed } : {}),
      scale: p.scale,
      onUnseen: p.on_unseen,
      ...(p.dates !== undefined ? { dates: p.dates } : {}),
    };
    const train = await readDatasetFile(trainPath);
    const { transform, outOfFold } = fitPreprocessWithTraining(train, options);
    const context = p.keep_for_evaluation ?? [];
    const contextNotes = checkContextNames(transform, context);
    const trainOut = transformDataset(transform, train, { source: 'train', outOfFold, context });
    const testOut = transformDataset(transform, await readDatasetFile(testPath), { source: 'test', context });
    await writeDatasetFile(ctx.output('train'), trainOut.dataset);
    await writeDatasetFile(ctx.output('test'), testOut.dataset);
    await writeFile(ctx.output('transform'), JSON.stringify(transform, null, 2) + '\n');
    const dropped = transform.columns.filter((c) => c.type === 'dropped' && !c.asked).map((c) => c.name);
    const asked = transform.columns.filter((c) => c.type === 'dropped' && c.asked).map((c) => c.name);
    if (asked.length) ctx.log(`left out of the model, as drop_columns asks: ${asked.join(', ')}`);
    for (const [name, r] of [
      ['train', trainOut.report],
      ['test', testOut.report],
    ] as const) {
      if (r.rowsDropped) ctx.log(`${name}: dropped ${r.rowsDropped} of ${r.rowsIn} rows with too many missing values`);
    }
    if (dropped.length) ctx.log(`dropped columns with too many missing values: ${dropped.join(', ')}`);
    const text = train.columns.filter((c) => c.data.type === 'text' && c.kind === 'text').map((c) => c.name);
    if (text.length) ctx.log(`note: free text, not a feature (passed through unencoded): ${text.join(', ')}`);
    if (context.length) ctx.log(`kept for evaluation (context columns, not features): ${context.join(', ')}`);
    for (const note of contextNotes) ctx.log(`note: ${note}`);
    return {
      columnsIn: train.columns.length,
      columnsOut: transform.outputColumns.length,
      droppedColumns: dropped,
      ...(asked.length ? { leftOut: asked } : {}),
      train: trainOut.report,
      test: testOut.report,
    };
  },
});

/**
 * Step `split`: a train/test split of a dataset (stratified by the target's classes by default),
 * plus a cross-validation fold assignment over the train rows for steps that tune on folds.
 * Adapter over src/data/split.ts.
 *
 * The `folds` output is always written (the engine requires every declared output), with k =
 * the `folds` parameter, default 5.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { MAX_FOLDS } from '../engine/param-limits.js';
import type { Dataset } from '../data/dataset.js';

interface Params {
  test_size: number;
  stratify: 'auto' | boolean;
  shuffle: boolean;
  seed: number;
  folds: number;
  /** No schema defaults for these two: a default would change every existing split step's cache key. */
  method?: 'random' | 'temporal';
  column?: string;
}

/** The `folds` artifact: fold[i] is the fold (0..k-1) of the i-th row of the train dataset. */
export interface FoldsArtifact {
  k: number;
  stratified: boolean;
  seed: number;
  fold: number[];
}

export default defineStep<Params>({
  id: 'split',
  version: '1',
  description:
    'Split a dataset into train and test rows (stratified by class by default, or by time with method: temporal) and assign cross-validation folds to the train rows.',
  inputs: { data: { kind: 'dataset', description: 'The table to split.' } },
  outputs: {
    train: { kind: 'dataset', description: 'Training rows.' },
    test: { kind: 'dataset', description: 'Held-out test rows.' },
    folds: { kind: 'folds', description: 'Cross-validation fold of each train row, JSON { k, stratified, seed, fold }.' },
  },
  defaultOutput: 'train',
  params: {
    type: 'object',
    additionalProperties: false,
    // A temporal split names its date column, and cannot also be stratified (it is not random).
    if: { required: ['method'], properties: { method: { const: 'temporal' } } },
    then: { required: ['column'], properties: { stratify: { enum: ['auto', false] } } },
    properties: {
      method: {
        enum: ['random', 'temporal'],
        description:
          'random (default): shuffled, stratified as `stratify` says. temporal: rows ordered by the date in `column` (ties by row order); the latest test_size of them are the test set, rows sharing the boundary date all in test; not stratified; the test set does not depend on the seed (the folds over the train rows still follow shuffle and seed).',
      },
      column: { type: 'string', minLength: 1, description: 'method: temporal: the date column (load.csv kind date) to order rows by.' },
      test_size: {
        anyOf: [
          { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          { type: 'integer', minimum: 1 },
        ],
        default: 0.2,
        description: 'Fraction of rows for the test set (0 < f < 1, rounded up as in scikit-learn), or a whole number of rows.',
      },
      stratify: {
        enum: ['auto', true, false],
        default: 'auto',
        description: 'Keep class proportions in train, test and folds; auto = yes for a categorical target.',
      },
      shuffle: { type: 'boolean', default: true, description: 'Shuffle rows before splitting; without it the test set is the last rows.' },
      seed: { type: 'integer', default: 0, description: 'Random seed: the same seed gives the same split.' },
      folds: {
        type: 'integer',
        minimum: 2,
        maximum: MAX_FOLDS,
        default: 5,
        description: 'Number of cross-validation folds over the train rows (output `folds`).',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { getColumn, takeRows } = await import('../data/dataset.js');
    const { trainTestSplit, kFold, stratifiedKFold } = await import('../data/split.js');
    const { temporalSplit } = await import('../data/split-temporal.js');
    const { formatDays } = await import('../data/dates.js');
    const { closestName } = await import('../data/select-names.js');
    /** The day counts of the date column a temporal split orders by; a clear error when it is not one. */
    const dateValues = (table: Dataset, name: string): Float64Array => {
      const c = getColumn(table, name);
      if (!c) {
        const guess = closestName(
          name,
          table.columns.map((x) => x.name),
        );
        throw new StepInputError(`split column "${name}" is not in the dataset${guess ? ` (did you mean "${guess}"?)` : ''}`);
      }
      if (c.kind !== 'date' || c.data.type !== 'numeric')
        throw new StepInputError(
          `a temporal split needs a date column, but "${name}" is ${c.kind}: load it as a date (load.csv \`columns: { ${name}: date }\` or \`formats: { ${name}: "%d/%m/%Y" }\`)`,
        );
      return c.data.values;
    };
    /** The first date of the test set (a boundary, not a row's value). */
    const temporalBoundary = (table: Dataset, name: string, rows: Int32Array): string => formatDays(dateValues(table, name)[rows[0]]);

    const ds = await readDatasetFile(ctx.input('data')!);
    const targetData = ds.target ? getColumn(ds, ds.target.column)?.data : undefined;
    const categorical = targetData?.type === 'categorical' ? targetData : undefined;
    if (params.stratify === true && !categorical) {
      throw new StepInputError(
        ds.target
          ? `stratify needs a categorical target, but "${ds.target.column}" is ${targetData?.type}: set stratify: false`
          : 'stratify needs a target column: set `target:` on the load step, or stratify: false',
      );
    }
    const temporal = params.method === 'temporal';
    if (params.column !== undefined && !temporal)
      throw new StepInputError('`column:` is for method: temporal (the date to order rows by): add `method: temporal` or remove it');
    const stratified = !temporal && params.stratify !== false && categorical !== undefined;
    const labels = stratified ? categorical!.codes : undefined;
    const { train, test } = temporal
      ? temporalSplit(dateValues(ds, params.column as string), params.test_size, params.column as string)
      : trainTestSplit(ds.rowCount, {
          testSize: params.test_size,
          ...(labels ? { stratify: labels } : {}),
          shuffle: params.shuffle,
          seed: params.seed,
        });

    const trainLabels = labels ? Int32Array.from(train, (r) => labels[r]) : undefined;
    const fold = trainLabels
      ? stratifiedKFold(trainLabels, params.folds, { shuffle: params.shuffle, seed: params.seed })
      : kFold(train.length, params.folds, { shuffle: params.shuffle, seed: params.seed });
    const folds: FoldsArtifact = { k: params.folds, stratified, seed: params.seed, fold: Array.from(fold) };

    await writeDatasetFile(ctx.output('train'), takeRows(ds, train));
    await writeDatasetFile(ctx.output('test'), takeRows(ds, test));
    await writeFile(ctx.output('folds'), JSON.stringify(folds) + '\n');
    ctx.log(
      `split ${ds.rowCount} rows: ${train.length} train, ${test.length} test${stratified ? ' (stratified)' : ''}${temporal ? ` (by ${params.column}: test from ${temporalBoundary(ds, params.column as string, test)})` : ''}; ${params.folds} folds`,
    );
    return { rows: ds.rowCount, train: train.length, test: test.length, stratified, folds: params.folds, ...(temporal ? { method: 'temporal' } : {}) };
  },
});

/**
 * Explanation features are named by their source columns and what preprocessing did to them, and
 * the preprocessing note says what the contributions are to, including what selection left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelBundle } from '../../src/bundle/bundle.js';
import { PREPROCESS_FORMAT } from '../../src/data/preprocess-transform.js';
import type { PreprocessTransform } from '../../src/data/preprocess.js';
import { SELECTION_FORMAT } from '../../src/data/select.js';
import { featureLabels, preprocessingNote } from '../../src/explain/feature-names.js';

const transform: PreprocessTransform = {
  format: PREPROCESS_FORMAT,
  columns: [
    { name: 'age', type: 'numeric', scale: { method: 'standard', center: 50, scale: 10 }, impute: { strategy: 'median', value: 50 } },
    { name: 'bmi', type: 'numeric', scale: { method: 'minmax', center: 15, scale: 30 } },
    { name: 'visits', type: 'numeric' },
    { name: 'sex', type: 'categorical', categories: ['female', 'male'], encode: 'one-hot', outputs: ['sex=female', 'sex=male'] },
    { name: 'ward', type: 'categorical', categories: ['a', 'b', 'c'], encode: 'target', values: [0.1, 0.2, 0.3], unseenValue: 0.2, outputs: ['ward'] },
    { name: 'id', type: 'pass-through' },
  ],
  dropRowsMissingAbove: null,
  onUnseen: 'error',
  outputColumns: ['age', 'bmi', 'visits', 'sex=female', 'sex=male', 'ward', 'id'],
  fittedRows: 100,
} as PreprocessTransform;

const bundle = (selected?: string[]): ModelBundle =>
  ({
    transform,
    selection: selected ? { format: SELECTION_FORMAT, method: 'anova-f', selected } : null,
  }) as unknown as ModelBundle;

test('features are named by source column and scaling; one-hot columns keep their names', () => {
  assert.deepEqual(featureLabels(bundle(), ['age', 'bmi', 'visits', 'sex=female', 'sex=male', 'ward']), [
    'age (standardised)',
    'bmi (min-max scaled)',
    'visits',
    'sex=female',
    'sex=male',
    'ward (target encoded)',
  ]);
});

test('the preprocessing note says what was scaled, imputed, one-hot encoded and left out by selection', () => {
  const note = preprocessingNote(bundle(['age', 'sex=female', 'ward']), ['age', 'sex=female', 'ward']);
  assert.equal(
    note,
    "Contributions are to the model's 3 input features, in the model's units; 1 numeric feature is standardised with the training set's statistics (a contribution is to the scaled value, not the raw measurement); missing values are imputed as in training before explaining; one-hot columns are named column=category; feature selection (anova-f) kept 3 of 6 features; the others are not model inputs, contribute 0 and are not listed.",
  );
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import { featureMatrix, targetVector } from '../../src/data/matrix.js';
import { StepInputError } from '../../src/errors.js';
import { reference, ROOT } from './helpers.js';

const num = (name: string, values: number[], kind: Column['kind'] = 'numeric'): Column => ({
  name,
  kind,
  data: { type: 'numeric', values: Float64Array.from(values) },
});
const cat = (name: string, codes: number[], categories: string[], kind: Column['kind'] = 'categorical'): Column => ({
  name,
  kind,
  data: { type: 'categorical', codes: Int32Array.from(codes), categories },
});

describe('featureMatrix', () => {
  it('is row-major over the feature columns, skipping id and target columns', () => {
    const ds = makeDataset(
      [
        { name: 'mrn', kind: 'id', data: { type: 'text', values: ['a', 'b'] } },
        num('x', [1, 2]),
        num('y', [3, NaN]),
        cat('label', [0, 1], ['no', 'yes'], 'target'),
      ],
      { column: 'label' },
    );
    const m = featureMatrix(ds);
    assert.deepEqual(m.names, ['x', 'y']);
    assert.equal(m.nRows, 2);
    assert.equal(m.nCols, 2);
    assert.deepEqual(Array.from(m.X).map(String), ['1', '3', '2', 'NaN']);
    assert.deepEqual(Array.from(featureMatrix(ds, ['y', 'x']).X).map(String), ['3', '1', 'NaN', '2']);
  });

  it('refuses a categorical feature, naming the column', () => {
    const ds = makeDataset([num('x', [1]), cat('sex', [0], ['F'])]);
    assert.throws(
      () => featureMatrix(ds),
      (e: unknown) => e instanceof StepInputError && e.message.startsWith('feature column "sex" is categorical, but models need numbers'),
    );
    assert.throws(
      () => featureMatrix(ds, ['nope']),
      (e: unknown) => e instanceof StepInputError && e.message.startsWith('feature column "nope" is not in the dataset'),
    );
  });

  it('gives breast cancer as a 569 x 30 matrix', async () => {
    const ds = await readCsv(join(ROOT, 'data/breast-cancer-wisconsin.csv'), { target: 'diagnosis', positive: 'malignant' });
    const ref = reference.csv['breast-cancer-wisconsin.csv'];
    const m = featureMatrix(ds);
    assert.equal(m.nRows, ref.rows);
    assert.equal(m.nCols, Object.keys(ref.numeric).length);
    assert.equal(m.X[5 * m.nCols + 2], ref.numeric[m.names[2]][5]);
  });
});

describe('targetVector', () => {
  it('puts the positive class at index 1 (scikit-learn pos_label convention), other classes sorted', async () => {
    const ds = await readCsv(join(ROOT, 'data/breast-cancer-wisconsin.csv'), { target: 'diagnosis', positive: 'benign' });
    const t = targetVector(ds);
    assert.ok(t.type === 'classification');
    assert.deepEqual(t.classes, ['malignant', 'benign']);
    assert.equal(t.positiveIndex, 1);
    let ones = 0;
    for (const v of t.y) ones += v;
    assert.equal(ones, reference.csv['breast-cancer-wisconsin.csv'].counts['diagnosis']['benign']);
  });

  it('sorts classes whatever the category order, and drops categories no row has', () => {
    const ds = makeDataset([num('x', [1, 2, 3]), cat('y', [0, 2, 0], ['zeta', 'unused', 'alpha'], 'target')], { column: 'y' });
    const t = targetVector(ds);
    assert.ok(t.type === 'classification');
    assert.deepEqual(t.classes, ['alpha', 'zeta']);
    assert.deepEqual(Array.from(t.y), [1, 0, 1]);
    assert.equal(t.positiveIndex, undefined);
  });

  it('is a regression target for a numeric column, and refuses missing values naming the column', () => {
    const reg = targetVector(makeDataset([num('x', [1, 2]), num('y', [0.5, 1.5], 'target')], { column: 'y' }));
    assert.deepEqual(reg, { column: 'y', type: 'regression', y: Float64Array.from([0.5, 1.5]) });
    assert.throws(
      () => targetVector(makeDataset([num('y', [1, NaN], 'target')], { column: 'y' })),
      (e: unknown) => e instanceof StepInputError && e.message.startsWith('target column "y" has 1 missing value:'),
    );
    assert.throws(
      () => targetVector(makeDataset([cat('y', [0, -1, -1], ['a'], 'target')], { column: 'y' })),
      (e: unknown) => e instanceof StepInputError && e.message.startsWith('target column "y" has 2 missing values:'),
    );
    assert.throws(() => targetVector(makeDataset([num('x', [1])])), StepInputError);
  });
});

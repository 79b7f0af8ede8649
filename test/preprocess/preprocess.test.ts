/**
 * Preprocessing against scikit-learn (fixtures from test/fixtures/sklearn_data_fixtures.py):
 * imputation statistics, scalers, clip bounds and encoders, fitted on the training rows of the
 * breast-cancer table with blanked values; plus unseen categories, dropping and bad input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeDataset, type Column, type Dataset } from '../../src/data/dataset.js';
import { applyPreprocess, fitPreprocess, transformDataset, type NumericColumnTransform, type PreprocessTransform } from '../../src/data/preprocess.js';
import { DataError, StepInputError } from '../../src/errors.js';
import { assertClose, numericValues, preprocessTables, readFixture, type Design } from './breast-cancer.js';

interface PreprocessFixture {
  design: Design;
  features: string[];
  imputer: Record<'mean' | 'median' | 'most_frequent' | 'constant', number[]>;
  scalers: Record<'standard' | 'minmax' | 'robust', { center: number[]; scale: number[]; testOutput: number[][] }>;
  clip: Record<'iqr' | 'zscore', { lower: number[]; upper: number[] }>;
  categorical: { fill: string; categories: string[]; oneHotTest: number[][]; ordinalTest: number[] };
}

const fx = readFixture<PreprocessFixture>('breast-cancer-preprocess.json');
const { train, test: testSet, features } = preprocessTables(fx.design);
const band = fx.design.band.column;

function numericColumn(t: PreprocessTransform, name: string): NumericColumnTransform {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c && c.type === 'numeric', `numeric transform for ${name}`);
  return c;
}

test('imputation statistics match SimpleImputer for every strategy', () => {
  for (const strategy of ['mean', 'median', 'most_frequent'] as const) {
    const t = fitPreprocess(train, { impute: strategy });
    features.forEach((f, j) => assertClose(numericColumn(t, f).impute?.value ?? NaN, fx.imputer[strategy][j], `${strategy} ${f}`));
  }
  const t = fitPreprocess(train, { impute: { strategy: 'constant', value: fx.design.constantFill } });
  features.forEach((f, j) => assert.equal(numericColumn(t, f).impute?.value, fx.imputer.constant[j]));
});

test('imputed test values are the training statistics, and are counted', () => {
  const t = fitPreprocess(train, { impute: 'median' });
  const { dataset, report } = transformDataset(t, testSet);
  features.forEach((f, j) => {
    const before = numericValues(testSet, f),
      after = numericValues(dataset, f);
    let missing = 0;
    before.forEach((v, i) => {
      if (Number.isNaN(v)) {
        missing++;
        assert.equal(after[i], fx.imputer.median[j]);
      } else assert.equal(after[i], v);
    });
    assert.equal(report.imputed[f], missing);
  });
  assert.ok(
    Object.values(report.imputed).some((n) => n > 0),
    'the blanking pattern leaves gaps in the test rows',
  );
});

test('standard, minmax and robust scaling match sklearn on the test rows', () => {
  for (const scale of ['standard', 'minmax', 'robust'] as const) {
    const ref = fx.scalers[scale];
    const t = fitPreprocess(train, { impute: 'median', scale });
    const out = applyPreprocess(t, testSet);
    features.forEach((f, j) => {
      const s = numericColumn(t, f).scale;
      assert.ok(s);
      assertClose(s.center, ref.center[j], `${scale} center ${f}`);
      assertClose(s.scale, ref.scale[j], `${scale} scale ${f}`);
      numericValues(out, f).forEach((v, i) => assertClose(v, ref.testOutput[i][j], `${scale} ${f} test row ${i}`));
    });
  }
});

test('iqr and z-score clip bounds match numpy on the imputed training rows', () => {
  for (const method of ['iqr', 'zscore'] as const) {
    const t = fitPreprocess(train, { impute: 'median', outliers: method, iqrK: fx.design.iqrK, zscoreZ: fx.design.zscoreZ });
    features.forEach((f, j) => {
      const clip = numericColumn(t, f).clip;
      assert.ok(clip);
      assertClose(clip.lower, fx.clip[method].lower[j], `${method} lower ${f}`);
      assertClose(clip.upper, fx.clip[method].upper[j], `${method} upper ${f}`);
    });
    const { dataset, report } = transformDataset(t, testSet);
    features.forEach((f, j) => {
      for (const v of numericValues(dataset, f)) assert.ok(v >= fx.clip[method].lower[j] && v <= fx.clip[method].upper[j]);
    });
    assert.ok(
      Object.values(report.clipped).some((n) => n > 0),
      `${method} clips some test values`,
    );
  }
});

test('one-hot and ordinal encoding match OneHotEncoder / OrdinalEncoder after most_frequent imputation', () => {
  const oneHot = fitPreprocess(train, { impute: 'median', encode: 'one-hot' });
  const ct = oneHot.columns.find((c) => c.name === band);
  assert.ok(ct && ct.type === 'categorical');
  assert.deepEqual(ct.categories, fx.categorical.categories);
  assert.equal(ct.impute?.value, fx.categorical.fill);
  assert.deepEqual(
    ct.outputs,
    fx.categorical.categories.map((c) => `${band}=${c}`),
  );
  const out = applyPreprocess(oneHot, testSet);
  ct.outputs.forEach((name, k) =>
    assert.deepEqual(
      Array.from(numericValues(out, name)),
      fx.categorical.oneHotTest.map((r) => r[k]),
    ),
  );
  assert.ok(!out.columns.some((c) => c.name === band));

  const ordinal = applyPreprocess(fitPreprocess(train, { impute: 'median', encode: 'ordinal' }), testSet);
  assert.deepEqual(Array.from(numericValues(ordinal, band)), fx.categorical.ordinalTest);
});

test('id and target columns pass through untouched, in place', () => {
  const t = fitPreprocess(train, { impute: 'median', scale: 'standard' });
  const out = applyPreprocess(t, testSet);
  const target = out.columns.find((c) => c.name === fx.design.target);
  assert.equal(
    target,
    testSet.columns.find((c) => c.name === fx.design.target),
  );
  assert.deepEqual(out.target, testSet.target);
  assert.deepEqual(
    out.columns.map((c) => c.name),
    t.outputColumns,
  );
});

function withBand(labels: (string | null)[], categories: string[]): Dataset {
  const codes = Int32Array.from(labels, (l) => (l === null ? -1 : categories.indexOf(l)));
  const x: Column = { name: 'x', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(labels, (_, i) => i) } };
  return makeDataset([x, { name: 'band', kind: 'categorical', data: { type: 'categorical', codes, categories } }]);
}

test('unseen categories: ignore gives all zeros (one-hot) or the imputed code (ordinal); error names column and row', () => {
  const fitOn = withBand(['a', 'b', 'b', null], ['a', 'b']);
  const later = withBand(['b', 'zzz', null], ['b', 'zzz']);
  const oneHot = fitPreprocess(fitOn, { impute: 'most_frequent', onUnseen: 'ignore' });
  const { dataset, report } = transformDataset(oneHot, later);
  assert.deepEqual(Array.from(numericValues(dataset, 'band=a')), [0, 0, 0]);
  assert.deepEqual(Array.from(numericValues(dataset, 'band=b')), [1, 0, 1]);
  assert.deepEqual(report.unseen, { band: 1 });

  const ordinal = applyPreprocess(fitPreprocess(fitOn, { impute: 'most_frequent', encode: 'ordinal' }), later);
  assert.deepEqual(Array.from(numericValues(ordinal, 'band')), [1, 1, 1]);

  assert.throws(
    () => applyPreprocess(oneHot, later, { onUnseen: 'error', source: 'new-patients.arrow' }),
    (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.column, 'band');
      assert.equal(e.row, 2);
      assert.match(e.message, /new-patients\.arrow, row 2, column "band": category not seen in training/);
      assert.ok(!e.message.includes('zzz'), 'the value itself is not echoed');
      return true;
    },
  );
});

test('columns above the missing threshold are dropped; rows above it are dropped and counted', () => {
  const values = (xs: number[]): Column['data'] => ({ type: 'numeric', values: Float64Array.from(xs) });
  const ds = makeDataset([
    { name: 'mostly_missing', kind: 'numeric', data: values([NaN, NaN, NaN, 1]) },
    { name: 'a', kind: 'numeric', data: values([1, NaN, 3, 4]) },
    { name: 'b', kind: 'numeric', data: values([1, NaN, 3, NaN]) },
  ]);
  const t = fitPreprocess(ds, { dropColumnsMissingAbove: 0.5, dropRowsMissingAbove: 0.5, impute: 'mean' });
  assert.deepEqual(
    t.columns.filter((c) => c.type === 'dropped').map((c) => c.name),
    ['mostly_missing'],
  );
  assert.equal(t.fittedRows, 3);
  // Row 2 has both kept features missing (1 > 0.5); row 4 has one of two (0.5, not above).
  const { dataset, report } = transformDataset(t, ds);
  assert.equal(report.rowsDropped, 1);
  assert.equal(dataset.rowCount, 3);
  assert.deepEqual(
    dataset.columns.map((c) => c.name),
    ['a', 'b'],
  );
  assert.equal(numericColumn(t, 'b').impute?.value, 2);
});

test('bad input: all-missing column with mean imputation, unknown override column, wrong fill type', () => {
  const ds = makeDataset([
    { name: 'age', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([1, 2, 3]) } },
    { name: 'empty', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([NaN, NaN, NaN]) } },
  ]);
  assert.throws(
    () => fitPreprocess(ds, { impute: 'mean' }),
    (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /column "empty": column is entirely missing in the training set, so mean imputation/);
      assert.match(e.message, /drop_columns_missing_above/);
      return true;
    },
  );
  assert.throws(
    () => fitPreprocess(ds, { impute: { default: 'median', columns: { agee: 'mean' } } }),
    (e: unknown) => {
      assert.ok(e instanceof StepInputError);
      assert.match(e.message, /unknown feature column "agee" \(did you mean "age"\?\)/);
      return true;
    },
  );
  assert.throws(() => fitPreprocess(ds, { impute: { default: 'none', columns: { age: { strategy: 'constant', value: 'zero' } } } }), StepInputError);
  assert.throws(() => fitPreprocess(ds, { dropRowsMissingAbove: 2 }), /fraction between 0 and 1/);
  // Dropping the empty column makes mean imputation possible.
  const t = fitPreprocess(ds, { impute: 'mean', dropColumnsMissingAbove: 0.99 });
  assert.deepEqual(t.outputColumns, ['age']);
});

test('a test table missing a fitted column, or with an unknown feature column, is refused', () => {
  const t = fitPreprocess(train, { impute: 'median' });
  const missing: Dataset = { ...testSet, columns: testSet.columns.filter((c) => c.name !== features[3]) };
  assert.throws(() => applyPreprocess(t, missing), new RegExp(`column "${features[3]}": column is missing`));
  const extra = makeDataset(
    [...testSet.columns, { name: 'surprise', kind: 'numeric', data: { type: 'numeric', values: new Float64Array(testSet.rowCount) } }],
    testSet.target,
  );
  assert.throws(() => applyPreprocess(t, extra), /column "surprise": column was not in the training data/);
});

test('an infinite value is an input error naming column and row, in the training set and in a table transformed later', () => {
  const table = (values: number[]): Dataset =>
    makeDataset([{ name: 'worst_area', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(values) } }]);
  for (const bad of [Infinity, -Infinity]) {
    assert.throws(
      () => fitPreprocess(table([1, 2, bad, 4]), { scale: 'standard' }),
      (e: unknown) => e instanceof DataError && /column "worst_area": row 3 of the training set has an infinite value/.test(e.message),
    );
  }
  const t = fitPreprocess(table([1, 2, 3, 4]), { scale: 'standard' });
  assert.throws(
    () => transformDataset(t, table([2, Infinity]), { source: 'test' }),
    (e: unknown) => e instanceof DataError && /column "worst_area": row 2 of test has an infinite value/.test(e.message),
  );
});

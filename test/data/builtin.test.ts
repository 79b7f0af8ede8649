import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_NAMES, dataDirectory, loadBuiltin, SHIPPED_DATASETS } from '../../src/data/builtin.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { makeClassification, MAKE_CLASSIFICATION_DEFAULTS } from '../../src/data/generators/make-classification.js';
import { makeRegression, MAKE_REGRESSION_DEFAULTS } from '../../src/data/generators/make-regression.js';
import { featureMatrix, targetVector } from '../../src/data/matrix.js';
import { StepInputError } from '../../src/errors.js';
import { reference, ROOT } from './helpers.js';

function values(ds: Dataset, name: string): Float64Array {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric');
  return d.values;
}

describe('shipped datasets', () => {
  it('are found in the package data/ directory from the compiled module', () => {
    assert.equal(dataDirectory(), `${ROOT}data/`);
  });

  it('load by name with their target, positive class and id columns', async () => {
    for (const [name, spec] of Object.entries(SHIPPED_DATASETS)) {
      const ds = await loadBuiltin(name);
      assert.equal(ds.rowCount, reference.csv[spec.file].rows, name);
      assert.deepEqual(
        ds.columns.map((c) => c.name),
        reference.csv[spec.file].header,
        name,
      );
      assert.equal(ds.target?.column, spec.options.target, name);
    }
    const bc = await loadBuiltin('breast-cancer-wisconsin');
    const t = targetVector(bc);
    assert.ok(t.type === 'classification');
    assert.deepEqual(t.classes, ['benign', 'malignant']);
    assert.equal(
      t.y.reduce((a, b) => a + b, 0),
      reference.csv['breast-cancer-wisconsin.csv'].counts['diagnosis']['malignant'],
    );
    const chembl = await loadBuiltin('chembl2321810-pic50');
    assert.deepEqual(
      chembl.columns.map((c) => c.kind),
      ['id', 'text', 'target'],
    );
  });

  it('refuses an unknown name, listing the available ones', async () => {
    await assert.rejects(
      loadBuiltin('iris'),
      (e: unknown) => e instanceof StepInputError && e.message === `no builtin dataset named "iris"; available: ${BUILTIN_NAMES.join(', ')}`,
    );
  });
});

describe('make-classification', () => {
  it('has the requested shape, a categorical target, and is the same for the same seed', () => {
    const o = { ...MAKE_CLASSIFICATION_DEFAULTS, nSamples: 300, nFeatures: 8, nInformative: 3, nRedundant: 2, nClasses: 3, seed: 4 };
    const ds = makeClassification(o);
    assert.equal(ds.rowCount, 300);
    assert.equal(featureMatrix(ds).nCols, 8);
    const t = targetVector(ds);
    assert.ok(t.type === 'classification');
    assert.deepEqual(t.classes, ['0', '1', '2']);
    assert.deepEqual(makeClassification(o), ds);
    assert.notDeepEqual(makeClassification({ ...o, seed: 5 }), ds);
  });

  it('follows class weights exactly when no label is flipped', () => {
    const n = 1000;
    const ds = makeClassification({ ...MAKE_CLASSIFICATION_DEFAULTS, nSamples: n, weights: [0.75], flipY: 0, seed: 1 });
    const t = targetVector(ds);
    assert.ok(t.type === 'classification');
    const ones = t.y.reduce((a, b) => a + b, 0);
    assert.equal(n - ones, n * 0.75);
  });

  it('makes redundant features exact linear combinations of the informative ones (unshuffled columns)', () => {
    const ds = makeClassification({ ...MAKE_CLASSIFICATION_DEFAULTS, nSamples: 50, nFeatures: 5, nInformative: 2, nRedundant: 1, shuffle: false, seed: 2 });
    const [a, b, r] = [values(ds, 'feature_1'), values(ds, 'feature_2'), values(ds, 'feature_3')];
    // Solve r = wa * a + wb * b from the first two rows, then check every row.
    const det = a[0] * b[1] - a[1] * b[0];
    const wa = (r[0] * b[1] - r[1] * b[0]) / det;
    const wb = (a[0] * r[1] - a[1] * r[0]) / det;
    for (let i = 0; i < 50; i++) assert.ok(Math.abs(wa * a[i] + wb * b[i] - r[i]) < 1e-9 * (1 + Math.abs(r[i])));
  });

  it('separates classes more with a larger class_sep (centroid distance on the informative features)', () => {
    const gap = (classSep: number): number => {
      const ds = makeClassification({
        ...MAKE_CLASSIFICATION_DEFAULTS,
        nSamples: 400,
        nFeatures: 2,
        nInformative: 2,
        nRedundant: 0,
        nClustersPerClass: 1,
        flipY: 0,
        classSep,
        shuffle: false,
        seed: 3,
      });
      const t = targetVector(ds);
      const x = values(ds, 'feature_1');
      const y = values(ds, 'feature_2');
      const sums = [
        [0, 0, 0],
        [0, 0, 0],
      ];
      for (let i = 0; i < ds.rowCount; i++) {
        const s = sums[t.y[i]];
        s[0] += x[i];
        s[1] += y[i];
        s[2]++;
      }
      return Math.hypot(sums[0][0] / sums[0][2] - sums[1][0] / sums[1][2], sums[0][1] / sums[0][2] - sums[1][1] / sums[1][2]);
    };
    assert.ok(gap(4) > gap(0.5));
  });

  it('refuses impossible options', () => {
    assert.throws(() => makeClassification({ ...MAKE_CLASSIFICATION_DEFAULTS, nInformative: 1, nClasses: 3 }), /2\^n_informative/);
    assert.throws(() => makeClassification({ ...MAKE_CLASSIFICATION_DEFAULTS, nFeatures: 3 }), /at most n_features/);
  });
});

describe('make-regression', () => {
  it('makes the target a linear function of the informative features (no noise)', () => {
    const ds = makeRegression({ ...MAKE_REGRESSION_DEFAULTS, nSamples: 30, nFeatures: 4, nInformative: 1, shuffle: false, seed: 5 });
    const x = values(ds, 'feature_1');
    const y = values(ds, 'target');
    const slope = y[0] / x[0];
    for (let i = 0; i < 30; i++) assert.ok(Math.abs(y[i] - slope * x[i]) < 1e-9 * (1 + Math.abs(y[i])));
    assert.equal(targetVector(ds).type, 'regression');
  });

  it('is the same for the same seed, and noise changes the target', () => {
    const o = { ...MAKE_REGRESSION_DEFAULTS, nSamples: 40, nFeatures: 6, nInformative: 3, seed: 8 };
    assert.deepEqual(makeRegression(o), makeRegression(o));
    assert.notDeepEqual(values(makeRegression({ ...o, noise: 1 }), 'target'), values(makeRegression(o), 'target'));
  });
});

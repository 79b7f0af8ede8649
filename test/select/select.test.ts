/**
 * Feature selection against scikit-learn (fixtures from test/fixtures/sklearn_data_fixtures.py)
 * on the training rows of the breast-cancer table: exact parity (1e-9 relative) for variance,
 * ANOVA F, chi2 and their p-values and for the noise-free mutual information estimator; set
 * overlap for mutual information with noise and for forest importances, whose random streams
 * differ from sklearn's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPreprocess, fitPreprocess } from '../../src/data/preprocess.js';
import { applySelection, fitSelection, topK } from '../../src/data/select.js';
import { mutualInfoClassif } from '../../src/data/select-mutual-info.js';
import { featureMatrix, targetVector } from '../../src/data/matrix.js';
import { DataError, StepInputError } from '../../src/errors.js';
import { assertClose, readFixture, selectionTables, type Design } from '../preprocess/breast-cancer.js';

interface SelectFixture {
  design: Design;
  features: string[];
  variance: Record<string, { variances: number[]; selected: string[] }>;
  anovaF: { scores: number[]; pvalues: number[]; selected: string[] };
  chi2: { scores: number[]; pvalues: number[]; selected: string[] };
  correlation: { selected: string[] };
  mutualInfo: { withNoise: number[]; noNoise: number[] };
  forest: { importances: number[] };
}

const fx = readFixture<SelectFixture>('breast-cancer-select.json');
const { train, test: testSet, features } = selectionTables(fx.design);
const k = fx.design.kBest;

function topNames(scores: number[], n: number): Set<string> {
  return new Set(topK(Float64Array.from(scores), n).map((j) => features[j]));
}

function overlap(a: Set<string>, b: Set<string>): number {
  return [...a].filter((x) => b.has(x)).length;
}

test('variance threshold matches VarianceThreshold (variances and kept set)', async () => {
  for (const t of fx.design.varianceThresholds) {
    const sel = await fitSelection(train, { method: 'variance', threshold: t });
    const ref = fx.variance[String(t)];
    features.forEach((f, j) => assertClose(sel.scores?.[f] ?? NaN, ref.variances[j], `variance ${f}`));
    assert.deepEqual(sel.selected, ref.selected);
  }
});

test('anova-f matches f_classif scores and p-values, and SelectKBest', async () => {
  const sel = await fitSelection(train, { method: 'anova-f', k });
  features.forEach((f, j) => {
    assertClose(sel.scores?.[f] ?? NaN, fx.anovaF.scores[j], `F ${f}`);
    assertClose(sel.pvalues?.[f] ?? NaN, fx.anovaF.pvalues[j], `F p-value ${f}`);
  });
  assert.deepEqual(sel.selected, fx.anovaF.selected);
});

test('chi2 on min-max scaled features matches chi2 scores and p-values, and SelectKBest', async () => {
  const scaled = applyPreprocess(fitPreprocess(train, { scale: 'minmax' }), train);
  const sel = await fitSelection(scaled, { method: 'chi2', k });
  features.forEach((f, j) => {
    assertClose(sel.scores?.[f] ?? NaN, fx.chi2.scores[j], `chi2 ${f}`);
    assertClose(sel.pvalues?.[f] ?? NaN, fx.chi2.pvalues[j], `chi2 p-value ${f}`);
  });
  assert.deepEqual(sel.selected, fx.chi2.selected);
});

test('correlation filter keeps the earlier column of each correlated pair, as the reference', async () => {
  const sel = await fitSelection(train, { method: 'correlation', threshold: fx.design.correlationThreshold });
  assert.deepEqual(sel.selected, fx.correlation.selected);
  for (const [dropped, kept] of Object.entries(sel.correlatedWith ?? {})) {
    assert.ok(features.indexOf(kept) < features.indexOf(dropped));
    assert.ok(sel.selected.includes(kept));
  }
});

test("mutual information: noise-free estimate equals sklearn's; with noise the top-k sets agree", async () => {
  const m = featureMatrix(train);
  const y = targetVector(train);
  assert.equal(y.type, 'classification');
  const columns = m.names.map((_, j) => Float64Array.from({ length: m.nRows }, (_, i) => m.X[i * m.nCols + j]));
  const exact = mutualInfoClassif(columns, y.y as Int32Array, 2, { nNeighbors: fx.design.miNeighbors });
  features.forEach((f, j) => assertClose(exact[j], fx.mutualInfo.noNoise[j], `MI ${f}`));

  const sel = await fitSelection(train, { method: 'mutual-info', k, seed: 1, nNeighbors: fx.design.miNeighbors });
  const shared = overlap(new Set(sel.selected), topNames(fx.mutualInfo.withNoise, k));
  assert.ok(shared >= k - 1, `top-${k} overlap with sklearn is ${shared}`);
});

test("forest importance: top-5 overlaps sklearn RandomForestClassifier's top-5", async () => {
  const sel = await fitSelection(train, { method: 'forest-importance', k: 5, seed: 7, trees: 100 });
  const shared = overlap(new Set(sel.selected), topNames(fx.forest.importances, 5));
  assert.ok(shared >= 3, `top-5 overlap with sklearn is ${shared}: ${sel.selected.join(', ')}`);
  const sum = Object.values(sel.scores ?? {}).reduce((a, b) => a + b, 0);
  assertClose(sum, 1, 'importances sum to 1', 1e-9);
});

test('ties are broken by column order; NaN ranks last', () => {
  assert.deepEqual(topK(Float64Array.from([1, 3, 3, NaN, 3]), 2), [1, 2]);
  assert.deepEqual(topK(Float64Array.from([NaN, 0]), 1), [1]);
});

test('applySelection keeps the selected features in table order plus id and target columns', async () => {
  const sel = await fitSelection(train, { method: 'columns', columns: [features[5], features[2]] });
  assert.deepEqual(sel.selected, [features[2], features[5]]);
  const out = applySelection(sel, testSet);
  assert.deepEqual(
    out.columns.map((c) => c.name),
    [features[2], features[5], fx.design.target],
  );
  assert.equal(out.rowCount, testSet.rowCount);
  assert.deepEqual(out.target, testSet.target);
});

test('bad input: unknown column, chi2 on negative data, k too large, missing values', async () => {
  await assert.rejects(fitSelection(train, { method: 'columns', columns: ['mean_raduis'] }), (e: unknown) => {
    assert.ok(e instanceof StepInputError);
    assert.match(e.message, /unknown column "mean_raduis" in `columns:` \(did you mean "mean_radius"\?\)/);
    return true;
  });
  const standardized = applyPreprocess(fitPreprocess(train, { scale: 'standard' }), train);
  await assert.rejects(fitSelection(standardized, { method: 'chi2', k }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.column, features[0]);
    assert.match(e.message, /chi2 needs non-negative features/);
    assert.match(e.message, /scale: minmax/);
    return true;
  });
  await assert.rejects(fitSelection(train, { method: 'anova-f', k: features.length + 1 }), (e: unknown) => {
    assert.ok(e instanceof StepInputError);
    assert.match(e.message, new RegExp(`k = ${features.length + 1} is larger than the number of features \\(${features.length}\\)`));
    return true;
  });
  const gappy = applyPreprocess(fitPreprocess(train, {}), train);
  const col = gappy.columns[1];
  if (col.data.type !== 'numeric') throw new Error('expected numeric');
  const holed = {
    ...gappy,
    columns: gappy.columns.map((c, j) =>
      j === 1
        ? {
            ...c,
            data: { type: 'numeric' as const, values: Float64Array.from(col.data.type === 'numeric' ? col.data.values : [], (v, i) => (i === 4 ? NaN : v)) },
          }
        : c,
    ),
  };
  await assert.rejects(fitSelection(holed, { method: 'variance', threshold: 0 }), /row 5, column "mean_texture": feature has missing values/);
});

test('same seed, same selection, byte for byte', async () => {
  const a = await fitSelection(train, { method: 'mutual-info', k, seed: 3 });
  const b = await fitSelection(train, { method: 'mutual-info', k, seed: 3 });
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});

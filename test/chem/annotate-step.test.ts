/**
 * The annotate.nearest step: on the hand-made reference (domain-fixture.ts) its auto threshold is
 * the hand-computed percentile of the cross-validation (or leave-one-out) nearest similarities;
 * on real molecules, the series' own held-out molecules are in the QSAR model's domain and
 * screening-library molecules and small drugs are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, makeDataset, type Dataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import annotate from '../../src/steps/annotate.nearest.js';
import featurize from '../../src/steps/featurize.molecules.js';
import split from '../../src/steps/split.js';
import { runStep } from '../helpers/step-harness.js';
import { FOLDS, QUERIES, REFERENCE, bitTable } from './domain-fixture.js';
import { chembl, datasetFile, nci, smilesTable, tempDir } from './helpers.js';

const numbers = (ds: Dataset, name: string): number[] => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric', name);
  return Array.from(d.values);
};
const texts = (ds: Dataset, name: string): (string | null)[] => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'text', name);
  return [...d.values];
};

function foldsFile(fold: number[]): string {
  const path = join(tempDir(), 'folds.json');
  writeFileSync(path, JSON.stringify({ k: new Set(fold).size, stratified: false, seed: 0, fold }));
  return path;
}

const hand = {
  data: datasetFile(bitTable(QUERIES, 'q')),
  reference: datasetFile(bitTable(REFERENCE, 'r')),
};

test('auto threshold from the folds: the hand-computed percentile of each row’s similarity to the other folds', async () => {
  const inputs = { data: await hand.data, reference: await hand.reference, folds: foldsFile(FOLDS) };
  const run = await runStep(annotate, inputs, { percentile: 30 });
  const out = await readDatasetFile(run.outputs.data);
  // Other-fold similarities 1/3, 2/5, 1/3, 2/5, 2/5: the 30th percentile is 1/3 + 0.2 (2/5 - 1/3) = 26/75.
  const summary = run.summary as { threshold: number; threshold_derivation: { from: string; folds: number }; in_domain: number };
  assert.ok(Math.abs(summary.threshold - 26 / 75) < 1e-12, String(summary.threshold));
  assert.deepEqual(summary.threshold_derivation.from, 'cross-validation folds');
  assert.equal(summary.threshold_derivation.folds, 3);
  assert.deepEqual(texts(out, 'nearest_id'), ['r0', 'r1', 'r2', null]);
  assert.deepEqual(numbers(out, 'nearest_similarity'), [1, 2 / 3, 1 / 4, 0]);
  assert.deepEqual(numbers(out, 'in_domain'), [1, 1, 0, 0]);
  assert.equal(summary.in_domain, 2);
  assert.deepEqual(texts(out, 'canonical_smiles'), ['q0', 'q1', 'q2', 'q3'], 'the rows keep their order and columns');
});

test('auto threshold without folds is leave-one-out; a given threshold is used as is; null adds no flag; a prefix names the columns', async () => {
  const inputs = { data: await hand.data, reference: await hand.reference };
  // Leave-one-out similarities 3/4, 3/4, 3/4, 3/4, 2/5: the 5th percentile is 2/5 + 0.2 (3/4 - 2/5) = 0.47.
  const loo = await runStep(annotate, inputs, {});
  const s = loo.summary as { threshold: number; threshold_derivation: { from: string } };
  assert.ok(Math.abs(s.threshold - 0.47) < 1e-12, String(s.threshold));
  assert.equal(s.threshold_derivation.from, 'leave-one-out');
  assert.deepEqual(numbers(await readDatasetFile(loo.outputs.data), 'in_domain'), [1, 1, 0, 0]);

  const given = await runStep(annotate, inputs, { threshold: 0.25 });
  assert.deepEqual(numbers(await readDatasetFile(given.outputs.data), 'in_domain'), [1, 1, 1, 0], 'similarity >= threshold is in');

  const twice = await runStep(annotate, { data: given.outputs.data, reference: inputs.reference }, { threshold: null, column_prefix: 'active_' });
  const out = await readDatasetFile(twice.outputs.data);
  assert.deepEqual(numbers(out, 'active_nearest_similarity'), [1, 2 / 3, 1 / 4, 0]);
  assert.ok(getColumn(out, 'in_domain') && !getColumn(out, 'active_in_domain'));
  await assert.rejects(
    runStep(annotate, { data: given.outputs.data, reference: inputs.reference }, {}),
    (e: unknown) => e instanceof StepInputError && /already has a column "nearest_id"/.test(e.message) && /column_prefix/.test(e.message),
  );
});

test('folds that do not fit the reference, and a reference without the id column, are refused', async () => {
  await assert.rejects(
    runStep(annotate, { data: await hand.data, reference: await hand.reference, folds: foldsFile([0, 1, 0]) }, {}),
    (e: unknown) => e instanceof StepInputError && /3 rows but the reference has 5/.test(e.message),
  );
  await assert.rejects(
    runStep(annotate, { data: await hand.data, reference: await hand.reference }, { id: 'compound_id' }),
    (e: unknown) => e instanceof StepInputError && /no id column "compound_id"/.test(e.message),
  );
});

test('real molecules: held-out molecules of the series are in the domain of its training molecules; NCI library molecules, caffeine and aspirin are not', async () => {
  const fingerprint = { fingerprint: { radius: 2, bits: 256 } };
  const series = (await runStep(featurize, { data: await datasetFile(await chembl()) }, fingerprint)).outputs.data;
  const parts = (await runStep(split, { data: series }, { test_size: 0.2, stratify: false, seed: 7 })).outputs;
  const drugs = smilesTable(['Cn1c(=O)c2c(ncn2C)n(C)c1=O', 'CC(=O)Oc1ccccc1C(=O)O'], ['caffeine', 'aspirin']);
  const outsiders = (await runStep(featurize, { data: await datasetFile(await nci(300)) }, { ...fingerprint, invalid: 'drop' })).outputs.data;
  const drugRows = (await runStep(featurize, { data: await datasetFile(drugs) }, fingerprint)).outputs.data;

  const annotateWith = async (data: string) =>
    readDatasetFile((await runStep(annotate, { data, reference: parts.train, folds: parts.folds }, {})).outputs.data);
  const held = await annotateWith(parts.test);
  const heldIn = numbers(held, 'in_domain');
  const share = heldIn.reduce((a, b) => a + b, 0) / heldIn.length;
  // By construction about 95% of cross-validated molecules clear the threshold; the test set is drawn alike.
  assert.ok(share >= 0.85, `held-out series molecules in domain: ${share}`);

  const nciOut = await annotateWith(outsiders);
  const nciIn = numbers(nciOut, 'in_domain');
  assert.ok(nciIn.reduce((a, b) => a + b, 0) / nciIn.length <= 0.05, `NCI molecules in domain: ${nciIn.reduce((a, b) => a + b, 0)} of ${nciIn.length}`);

  const drugOut = await annotateWith(drugRows);
  assert.deepEqual(numbers(drugOut, 'in_domain'), [0, 0]);
  const seriesIds = new Set(texts(await readDatasetFile(parts.train), 'canonical_smiles'));
  assert.ok(
    texts(drugOut, 'nearest_id').every((id) => id !== null && seriesIds.has(id)),
    'the nearest id is a training molecule',
  );
});

test('euclidean on descriptors: the nearest reference row by standardised distance, similarity 1 / (1 + distance)', async () => {
  const table = (xs: number[], prefix: string): Dataset =>
    makeDataset([
      { name: 'canonical_smiles', kind: 'id', data: { type: 'text', values: xs.map((_, i) => `${prefix}${i}`) } },
      { name: 'x', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(xs) } },
    ]);
  const run = await runStep(
    annotate,
    { data: await datasetFile(table([1, 4, 100], 'q')), reference: await datasetFile(table([0, 2, 4], 'r')) },
    { metric: 'euclidean', threshold: 0.5 },
  );
  const out = await readDatasetFile(run.outputs.data);
  // x = 1 is as far from r0 as from r1: the lower row; x = 4 is r2 itself; x = 100 is far from everything.
  assert.deepEqual(texts(out, 'nearest_id'), ['r0', 'r2', 'r2']);
  const similarity = numbers(out, 'nearest_similarity');
  assert.equal(similarity[1], 1);
  // Standardised with the reference's population sd sqrt(8/3): x = 1 is 1 / sqrt(8/3) from r0.
  assert.ok(Math.abs(similarity[0] - 1 / (1 + 1 / Math.sqrt(8 / 3))) < 1e-12, String(similarity[0]));
  assert.ok(Math.abs(similarity[2] - 1 / (1 + 96 / Math.sqrt(8 / 3))) < 1e-12, String(similarity[2]));
  assert.deepEqual(numbers(out, 'in_domain'), [1, 1, 0]);
});

test('morgan: fingerprints computed from the SMILES equal featurize.molecules’ fingerprint columns of that length; an unreadable SMILES is named by row', async () => {
  const series = await datasetFile(await chembl(120));
  const library = await datasetFile(await nci(150));
  const long = { descriptors: [], fingerprint: { radius: 2, bits: 2048 }, invalid: 'drop' };
  const seriesFp = (await runStep(featurize, { data: series }, long)).outputs.data;
  const libraryFp = (await runStep(featurize, { data: library }, long)).outputs.data;
  // From columns: the 2,048 bits featurize wrote; from SMILES: the canonical SMILES alone.
  const viaColumns = await readDatasetFile((await runStep(annotate, { data: libraryFp, reference: seriesFp }, { threshold: null })).outputs.data);
  const viaSmiles = await readDatasetFile(
    (await runStep(annotate, { data: libraryFp, reference: seriesFp }, { threshold: null, morgan: { bits: 2048 }, column_prefix: 'm_' })).outputs.data,
  );
  assert.deepEqual(numbers(viaSmiles, 'm_nearest_similarity'), numbers(viaColumns, 'nearest_similarity'));
  assert.deepEqual(texts(viaSmiles, 'm_nearest_id'), texts(viaColumns, 'nearest_id'));
  assert.ok(numbers(viaSmiles, 'm_nearest_similarity').some((s) => s > 0 && s < 1));

  const broken = await datasetFile(smilesTable(['CCO', 'C1CC', 'c1ccccc1'], ['ethanol', 'open ring', 'benzene']));
  await assert.rejects(
    runStep(annotate, { data: broken, reference: seriesFp }, { threshold: null, morgan: { smiles: 'smiles', bits: 2048 } }),
    (e: unknown) => e instanceof StepInputError && /column "smiles", data row 2 of in\.data: "C1CC" is not a valid SMILES/.test(e.message),
  );
  await assert.rejects(
    runStep(annotate, { data: libraryFp, reference: seriesFp }, { metric: 'euclidean', morgan: { bits: 2048 } }),
    /morgan: fingerprints are compared by Tanimoto/,
  );
});

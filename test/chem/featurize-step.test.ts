/** The featurize.molecules step on real data (the shipped ChEMBL table) and on small tables with invalid SMILES. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DESCRIPTORS, type DescriptorName } from '../../src/chem/descriptor-names.js';
import { descriptorsOf } from '../../src/chem/descriptors.js';
import { canonicalSmiles, loadRDKit, withMolecule } from '../../src/chem/rdkit.js';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import featurize from '../../src/steps/featurize.molecules.js';
import loadCsv from '../../src/steps/load.csv.js';
import trainForest from '../../src/steps/train.random-forest.js';
import { runStep, withParamDefaults } from '../helpers/step-harness.js';
import { chembl, datasetFile, smilesTable, tempDir } from './helpers.js';

const text = (ds: Dataset, name: string): (string | null)[] => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'text', `${name} is a text column`);
  return [...d.values];
};
const numbers = (ds: Dataset, name: string): Float64Array => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric', `${name} is a numeric column`);
  return d.values;
};

test('the ChEMBL table end to end: ids and target kept, canonical SMILES, RDKit descriptors, 256 fingerprint bits; byte-identical on a re-run; a QSAR forest trains on it', async () => {
  const source = await chembl();
  const input = await datasetFile(source);
  const params = {};
  const r = await runStep(featurize, { data: input }, params);
  const out = await readDatasetFile(r.outputs.data);

  assert.equal(out.rowCount, 1017, 'every ChEMBL SMILES is valid');
  const names = out.columns.map((c) => c.name);
  assert.deepEqual(names.slice(0, 4), ['canonical_smiles', 'compound_id', 'pic50', 'standardization']);
  assert.deepEqual(names.slice(4, 4 + DEFAULT_DESCRIPTORS.length), [...DEFAULT_DESCRIPTORS]);
  assert.deepEqual(
    names.slice(4 + DEFAULT_DESCRIPTORS.length),
    Array.from({ length: 256 }, (_, b) => `fp_${b}`),
  );
  assert.equal(getColumn(out, 'canonical_smiles')?.kind, 'id');
  assert.equal(getColumn(out, 'compound_id')?.kind, 'id');
  assert.deepEqual(out.target, source.target);
  assert.deepEqual(numbers(out, 'pic50'), numbers(source, 'pic50'));

  // The series is recorded as neutral parent structures: standardisation changes none of them.
  assert.ok(text(out, 'standardization').every((c) => c === ''));
  assert.equal((r.summary as { standardization: { changed: number } }).standardization.changed, 0);
  const rdkit = await loadRDKit();
  const smiles = text(source, 'smiles');
  const canonical = text(out, 'canonical_smiles');
  for (const i of [0, 1, 500, 1016]) {
    assert.equal(canonical[i], canonicalSmiles(rdkit, smiles[i]!));
    const expected = withMolecule(rdkit, smiles[i]!, (mol) => descriptorsOf(mol, DEFAULT_DESCRIPTORS))!;
    for (const d of DEFAULT_DESCRIPTORS) assert.equal(numbers(out, d)[i], expected[d], `${d} of row ${i}`);
  }
  // Bits are 0/1 and a drug-sized molecule sets a few dozen of them.
  let set = 0;
  for (let b = 0; b < 256; b++)
    for (const v of numbers(out, `fp_${b}`)) {
      assert.ok(v === 0 || v === 1);
      set += v;
    }
  assert.ok(set / 1017 > 15 && set / 1017 < 80, `mean set bits ${set / 1017}`);
  assert.equal((r.summary as { invalid: number }).invalid, 0);
  assert.ok(
    r.logs.some((l) => l.startsWith('progress: 500/1017')),
    'reports progress',
  );

  const again = await runStep(featurize, { data: input }, params);
  assert.ok(readFileSync(again.outputs.data).equals(readFileSync(r.outputs.data)), 'same input and params give the same bytes');

  // The QSAR use: a regression forest on descriptors and bits predicts pIC50 from the output as it is.
  const fit = await runStep(trainForest, { train: r.outputs.data }, { trees: 5, seed: 1, threads: 1 });
  const model = JSON.parse(readFileSync(fit.outputs.model, 'utf8')) as { task: string; features: string[] };
  assert.equal(model.task, 'regression');
  assert.equal(model.features.length, DEFAULT_DESCRIPTORS.length + 256, 'ids and the target are not features');
});

test('invalid: fail names the row as load.csv counts it (header = row 1) and how to go on', async () => {
  const dir = tempDir();
  const csv = join(dir, 'mols.csv');
  writeFileSync(csv, 'mol_id,smiles\nm1,CCO\nm2,c1ccccc1\nm3,C1CC\nm4,CC(=O)O\n');
  const loaded = await runStep(loadCsv, {}, { path: csv, id: 'mol_id', columns: { smiles: 'text' } });
  await assert.rejects(
    runStep(featurize, { data: loaded.outputs.data }, {}),
    (e: unknown) =>
      e instanceof StepInputError &&
      /column "smiles", row 4 \(row 1 is the header/.test(e.message) &&
      e.message.includes('"C1CC" is not a valid SMILES') &&
      e.message.includes('invalid: drop'),
  );
  const missing = await datasetFile(smilesTable(['CCO', null]));
  await assert.rejects(
    runStep(featurize, { data: missing }, {}),
    (e: unknown) => e instanceof StepInputError && /row 3 .*the SMILES is missing/.test(e.message),
  );
});

test('invalid: drop leaves invalid rows out, counts them and names their rows in the log and the summary', async () => {
  const smiles = ['CCO', 'C(', 'c1ccccc1', '', 'not a smiles', 'OCC', null, 'C[Xx]'];
  const input = await datasetFile(smilesTable(smiles));
  const r = await runStep(featurize, { data: input }, { invalid: 'drop', fingerprint: false });
  const out = await readDatasetFile(r.outputs.data);
  assert.deepEqual(text(out, 'mol_id'), ['m1', 'm3', 'm6']);
  assert.deepEqual(text(out, 'canonical_smiles'), ['CCO', 'c1ccccc1', 'CCO'], 'canonical: OCC is written CCO');
  const summary = r.summary as { molecules: number; featurized: number; invalid: number; invalid_rows: number[] };
  assert.equal(summary.molecules, 8);
  assert.equal(summary.featurized, 3);
  assert.equal(summary.invalid, 5);
  assert.deepEqual(summary.invalid_rows, [3, 5, 6, 8, 9]);
  assert.ok(
    r.logs.some((l) => l.startsWith('dropped 5 invalid SMILES, rows 3, 5, 6, 8, 9')),
    r.logs.join('\n'),
  );

  const allBad = await datasetFile(smilesTable(['C(', 'xx']));
  await assert.rejects(runStep(featurize, { data: allBad }, { invalid: 'drop' }), /no SMILES in column "smiles" could be read/);
});

test('parameters: descriptor choice and order, fingerprint off or partly given, keep, and errors naming the column', async () => {
  const input = await datasetFile(smilesTable(['CC(=O)Oc1ccccc1C(=O)O', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C']));
  const descriptors: DescriptorName[] = ['tpsa', 'lipinski_hba', 'molecular_weight'];
  const r = await runStep(featurize, { data: input }, { descriptors, fingerprint: { bits: 64 }, keep: [] });
  const out = await readDatasetFile(r.outputs.data);
  assert.deepEqual(
    out.columns.map((c) => c.name),
    ['canonical_smiles', 'standardization', ...descriptors, ...Array.from({ length: 64 }, (_, b) => `fp_${b}`)],
  );
  assert.equal(numbers(out, 'lipinski_hba')[0], 4);
  assert.ok(Math.abs(numbers(out, 'tpsa')[0] - 63.6) < 0.005);

  const off = await readDatasetFile((await runStep(featurize, { data: input }, { fingerprint: false })).outputs.data);
  assert.deepEqual(
    off.columns.map((c) => c.name),
    ['canonical_smiles', 'mol_id', 'standardization', ...DEFAULT_DESCRIPTORS],
  );
  const prefixed = await readDatasetFile(
    (await runStep(featurize, { data: input }, { descriptors: [], fingerprint: { radius: 1, bits: 16, prefix: 'ecfp2_' } })).outputs.data,
  );
  assert.deepEqual(prefixed.columns.map((c) => c.name).slice(-2), ['ecfp2_14', 'ecfp2_15']);

  await assert.rejects(runStep(featurize, { data: input }, { smiles: 'smile' }), /SMILES column "smile" is not in the dataset \(did you mean "smiles"\?\)/);
  await assert.rejects(runStep(featurize, { data: input }, { smiles: 'mol_id', invalid: 'fail' }), /row 2 .*"m1" is not a valid SMILES/);
  await assert.rejects(runStep(featurize, { data: input }, { keep: ['mol_idd'] }), /keep names column "mol_idd".*did you mean "mol_id"/);
  // Featurizing an already featurized table would give two columns of one name.
  const twice = await datasetFile(await readDatasetFile(r.outputs.data));
  await assert.rejects(runStep(featurize, { data: twice }, { smiles: 'canonical_smiles' }), /has the name of an output column/);
  assert.throws(() => withParamDefaults(featurize, { descriptors: ['mw'] }), /invalid params/);
  assert.throws(() => withParamDefaults(featurize, { fingerprint: { bits: 4096 } }), /invalid params/);
});

test('standardisation: salts give their parent canonical SMILES and descriptors, metal complexes and inorganics are dropped and counted by row', async () => {
  const smiles = ['CC(=O)[O-].[Na+]', 'CC(=O)O', 'N.N.Cl[Pt]Cl', 'CCN(CC)CC.Cl', '[Na+].[Cl-]', 'C(', '[NH3+]CC(=O)[O-]', 'c1ccccc1[N+](=O)[O-]'];
  const input = await datasetFile(smilesTable(smiles));
  const descriptors: DescriptorName[] = ['molecular_weight', 'heavy_atoms'];
  const r = await runStep(featurize, { data: input }, { invalid: 'drop', descriptors, fingerprint: { bits: 64 } });
  const out = await readDatasetFile(r.outputs.data);
  assert.deepEqual(text(out, 'mol_id'), ['m1', 'm2', 'm4', 'm7', 'm8']);
  assert.deepEqual(text(out, 'canonical_smiles'), ['CC(=O)O', 'CC(=O)O', 'CCN(CC)CC', 'NCC(=O)O', 'O=[N+]([O-])c1ccccc1']);
  assert.deepEqual(text(out, 'standardization'), [
    'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge',
    '',
    'salt/solvent stripped (kept 1 of 2 fragments)',
    'neutralised 2 charges',
    '',
  ]);
  // Sodium acetate is described as acetic acid: same weight, same fingerprint.
  assert.equal(numbers(out, 'molecular_weight')[0], numbers(out, 'molecular_weight')[1]);
  for (let b = 0; b < 64; b++) assert.equal(numbers(out, `fp_${b}`)[0], numbers(out, `fp_${b}`)[1], `bit ${b}`);
  assert.equal(getColumn(out, 'standardization')?.kind, 'text', 'never a model feature');

  const summary = r.summary as { invalid: number; featurized: number; standardization: Record<string, unknown> };
  assert.equal(summary.invalid, 1);
  assert.equal(summary.featurized, 5);
  assert.deepEqual(summary.standardization, {
    fragment: 'largest organic fragment (with carbon, most heavy atoms; ties: smallest canonical SMILES)',
    charges:
      'neutralised where a proton can be added to an anion or taken from a cationic heteroatom (as the ChEMBL standardiser does); kept charged: the anions balancing a quaternary N+ (the strongest acids), nitro groups and N-oxides',
    tautomer: `not available in RDKit MinimalLib ${(await loadRDKit()).version()}`,
    dropped: 'molecules whose kept fragment has no carbon or any metal, or with a metal other than Li/Na/K/Rb/Cs/Mg/Ca/Sr/Ba counter-ions in any fragment',
    changed: 3,
    salts_stripped: 2,
    neutralised: 2,
    dropped_metal: 1,
    dropped_no_carbon: 1,
    dropped_rows: [4, 6],
  });
  assert.ok(
    r.logs.some((l) => l === 'standardisation dropped 2 molecules (1 with a metal, 1 without carbon), rows 4, 6 (row 1 is the header)'),
    r.logs.join('\n'),
  );
  assert.ok(
    r.logs.includes(
      `standardised: 2 salts/solvates stripped, 2 molecules neutralised; tautomers not available in RDKit MinimalLib ${(await loadRDKit()).version()}`,
    ),
    r.logs.join('\n'),
  );
  // No SMILES of a dropped row reaches the log.
  assert.ok(!r.logs.some((l) => l.includes('Pt')));

  // Only metal complexes: a clear error, with the way out.
  const metals = await datasetFile(smilesTable(['N.N.Cl[Pt]Cl', 'C[Hg]Cl']));
  await assert.rejects(runStep(featurize, { data: metals }, {}), /standardisation dropped every molecule .*standardize: false/);
});

test('standardize: false featurizes the SMILES as written, as version 1 did: salts kept whole, nothing dropped, no standardization column', async () => {
  const smiles = ['CC(=O)[O-].[Na+]', 'N.N.Cl[Pt]Cl', 'CCO'];
  const input = await datasetFile(smilesTable(smiles));
  const r = await runStep(featurize, { data: input }, { standardize: false, descriptors: ['heavy_atoms'], fingerprint: false });
  const out = await readDatasetFile(r.outputs.data);
  const rdkit = await loadRDKit();
  assert.deepEqual(
    text(out, 'canonical_smiles'),
    smiles.map((s) => canonicalSmiles(rdkit, s)),
  );
  assert.deepEqual(
    out.columns.map((c) => c.name),
    ['canonical_smiles', 'mol_id', 'heavy_atoms'],
  );
  assert.deepEqual([...numbers(out, 'heavy_atoms')], [5, 5, 3]);
  assert.equal((r.summary as { standardization?: unknown }).standardization, undefined);
});

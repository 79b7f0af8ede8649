/** Standardisation on known cases: salts, charged forms, zwitterions, metal complexes, inorganics, solvates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalSmiles, loadRDKit, withMolecule } from '../../src/chem/rdkit.js';
import { describeStandardization, standardizeMolecule, type Standardized } from '../../src/chem/standardize.js';
import { getColumn } from '../../src/data/dataset.js';
import { nci } from './helpers.js';

type Outcome = { smiles: string; changes: string } | { dropped: string };

async function standardize(smiles: string): Promise<Outcome> {
  const rdkit = await loadRDKit();
  const s = withMolecule(rdkit, smiles, (mol): Standardized => standardizeMolecule(rdkit, mol));
  assert.ok(s, `${smiles} parses`);
  if (s.status === 'dropped') return { dropped: s.reason };
  try {
    return { smiles: s.mol.get_smiles(), changes: describeStandardization(s) };
  } finally {
    s.mol.delete();
  }
}

/** RDKit's canonical spelling, so expectations are written the way a chemist would. */
async function canonical(smiles: string): Promise<string> {
  return canonicalSmiles(await loadRDKit(), smiles)!;
}

test('sodium acetate: the counter-ion is stripped and the carboxylate protonated to acetic acid', async () => {
  assert.deepEqual(await standardize('CC(=O)[O-].[Na+]'), {
    smiles: 'CC(=O)O',
    changes: 'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge',
  });
  // The order of the fragments in the record does not matter.
  assert.deepEqual(await standardize('[Na+].CC([O-])=O'), await standardize('CC(=O)[O-].[Na+]'));
});

test('a salt written with a covalent metal bond (sodium benzoate as O[Na], a magnesium halide) is disconnected like the ion pair it is', async () => {
  assert.deepEqual(await standardize('O=C(O[Na])c1ccccc1'), {
    smiles: 'O=C(O)c1ccccc1',
    changes: 'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge',
  });
  assert.deepEqual(await standardize('O=C(O[Na])c1ccccc1'), await standardize('O=C([O-])c1ccccc1.[Na+]'));
  assert.deepEqual(await standardize('CC(=O)O[Mg]OC(C)=O'), {
    smiles: 'CC(=O)O',
    changes: 'salt/solvent stripped (kept 1 of 3 fragments); neutralised 1 charge',
  });
  // Stereo survives the disconnection: sodium L-alaninate gives L-alanine, and the E double bond of sodium crotonate stays E.
  assert.deepEqual(await standardize('C[C@H](N)C(=O)O[Na]'), {
    smiles: await canonical('C[C@H](N)C(=O)O'),
    changes: 'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge',
  });
  assert.equal(((await standardize('C/C=C/C(=O)O[Na]')) as { smiles: string }).smiles, await canonical('C/C=C/C(=O)O'));
  // A carbon-metal bond is organometallic, not ionic: the Grignard reagent stays a metal compound.
  assert.deepEqual(await standardize('CC[Mg]Br'), { dropped: 'metal' });
});

test('an amine hydrochloride, written with neutral HCl or as the ammonium chloride, gives the free base', async () => {
  const procaine = await canonical('CCN(CC)CCOC(=O)c1ccc(N)cc1');
  assert.deepEqual(await standardize('CCN(CC)CCOC(=O)c1ccc(N)cc1.Cl'), { smiles: procaine, changes: 'salt/solvent stripped (kept 1 of 2 fragments)' });
  assert.deepEqual(await standardize('CC[NH+](CC)CCOC(=O)c1ccc(N)cc1.[Cl-]'), {
    smiles: procaine,
    changes: 'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge',
  });
});

test('an amino-acid zwitterion is neutralised on both atoms; a phenolate and a thiolate take a proton', async () => {
  assert.deepEqual(await standardize('[NH3+]CC(=O)[O-]'), { smiles: 'NCC(=O)O', changes: 'neutralised 2 charges' });
  assert.deepEqual(await standardize('[O-]c1ccccc1'), { smiles: 'Oc1ccccc1', changes: 'neutralised 1 charge' });
  // E/Z and R/S survive the neutralisation (whose JSON parse needs RDKit's new stereo perception).
  assert.deepEqual(await standardize('C/C=C/C(=O)[O-]'), { smiles: await canonical('C/C=C/C(=O)O'), changes: 'neutralised 1 charge' });
  assert.deepEqual(await standardize('C[C@@H](C(=O)[O-])[NH3+]'), { smiles: await canonical('C[C@@H](C(=O)O)N'), changes: 'neutralised 2 charges' });
  // The switch is put back: MinimalLib's default (legacy) JSON reader still drops the E/Z of a round trip.
  const rdkit = await loadRDKit();
  const json = withMolecule(rdkit, 'C/C=C/C(=O)O', (m) => m.get_json())!;
  assert.equal(
    withMolecule(rdkit, json, (m) => m.get_smiles()),
    'CC=CC(=O)O',
  );
  assert.deepEqual(await standardize('CC[S-].[K+]'), { smiles: 'CCS', changes: 'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge' });
  // A pyridinium loses its proton.
  assert.deepEqual(await standardize('c1cc[nH+]cc1.[Br-]'), {
    smiles: 'c1ccncc1',
    changes: 'salt/solvent stripped (kept 1 of 2 fragments); neutralised 1 charge',
  });
});

test('charges no proton can fix stay: nitro groups, N-oxides, quaternary ammonium and betaines', async () => {
  assert.deepEqual(await standardize('O=[N+]([O-])c1ccccc1'), { smiles: 'O=[N+]([O-])c1ccccc1', changes: '' });
  assert.deepEqual(await standardize('C[N+](C)(C)C.[I-]'), { smiles: 'C[N+](C)(C)C', changes: 'salt/solvent stripped (kept 1 of 2 fragments)' });
  // Betaine: the carboxylate balances the quaternary nitrogen, so the zwitterion is the parent.
  assert.deepEqual(await standardize('C[N+](C)(C)CC(=O)[O-]'), { smiles: 'C[N+](C)(C)CC(=O)[O-]', changes: '' });
  // With one carboxylate too many, one is protonated and one stays to balance the N+.
  const two = await standardize('C[N+](C)(C)CC(CC(=O)[O-])C(=O)[O-]');
  assert.ok('smiles' in two && (two.smiles.match(/\[O-\]/g) ?? []).length === 1 && two.changes === 'neutralised 1 charge', JSON.stringify(two));
  // Of an alkoxide or a phenolate and a carboxylate, the weaker acid takes the proton: the carboxylate balances the N+.
  assert.deepEqual(await standardize('C[N+](C)(C)CCC(CC[O-])C(=O)[O-]'), {
    smiles: await canonical('C[N+](C)(C)CCC(CCO)C(=O)[O-]'),
    changes: 'neutralised 1 charge',
  });
  assert.deepEqual(await standardize('C[N+](C)(C)CCc1ccc([O-])cc1C(=O)[O-]'), {
    smiles: await canonical('C[N+](C)(C)CCc1ccc(O)cc1C(=O)[O-]'),
    changes: 'neutralised 1 charge',
  });
  // A carbocation keeps its charge (no proton to give up, unlike [NH3+]).
  assert.deepEqual(await standardize('[CH2+]Cc1ccccc1'), { smiles: await canonical('[CH2+]Cc1ccccc1'), changes: '' });
  assert.deepEqual(await standardize('C[n+]1ccccc1'), { smiles: 'C[n+]1ccccc1', changes: '' });
  assert.deepEqual(await standardize('[O-][n+]1ccccc1'), { smiles: '[O-][n+]1ccccc1', changes: '' });
});

test('a solvate keeps the drug: water and DMSO are stripped', async () => {
  const paracetamol = await canonical('CC(=O)Nc1ccc(O)cc1');
  assert.deepEqual(await standardize('CC(=O)Nc1ccc(O)cc1.O'), { smiles: paracetamol, changes: 'salt/solvent stripped (kept 1 of 2 fragments)' });
  assert.deepEqual(await standardize('CS(C)=O.CC(=O)Nc1ccc(O)cc1'), { smiles: paracetamol, changes: 'salt/solvent stripped (kept 1 of 2 fragments)' });
  // The organic fragment wins over a larger inorganic one (a sulfate has 5 heavy atoms, methylamine 2).
  assert.deepEqual(await standardize('C[NH3+].C[NH3+].O=S(=O)([O-])[O-]'), {
    smiles: 'CN',
    changes: 'salt/solvent stripped (kept 1 of 3 fragments); neutralised 1 charge',
  });
});

test('metal complexes are dropped: the NCI manganese complex NSC3385, cisplatin, ferrocene, an organomercurial', async () => {
  const library = await nci();
  const ids = getColumn(library, 'nci_id')!.data;
  const smiles = getColumn(library, 'smiles')!.data;
  assert.ok(ids.type === 'text' && smiles.type === 'text');
  const row = ids.values.indexOf('NSC3385');
  assert.ok(row >= 0 && smiles.values[row]!.includes('[Mn++]'), 'NSC3385 is the manganese complex of the library');
  assert.deepEqual(await standardize(smiles.values[row]!), { dropped: 'metal' });
  assert.deepEqual(await standardize('N.N.Cl[Pt]Cl'), { dropped: 'metal' });
  assert.deepEqual(await standardize('[NH3][Pt]([NH3])(Cl)Cl'), { dropped: 'metal' });
  // Ferrocene written as two cyclopentadienides and Fe2+: the metal is a fragment of its own.
  assert.deepEqual(await standardize('[CH-]1C=CC=C1.[CH-]1C=CC=C1.[Fe+2]'), { dropped: 'metal' });
  assert.deepEqual(await standardize('C[Hg]Cl'), { dropped: 'metal' });
  // A sodium or calcium counter-ion is a salt, not a complex.
  assert.equal('smiles' in (await standardize('CC(=O)[O-].CC(=O)[O-].[Ca+2]')), true);
});

test('inorganic salts (no carbon in any fragment) are dropped; boron and silicon compounds are not metals', async () => {
  assert.deepEqual(await standardize('[Na+].[Cl-]'), { dropped: 'no_carbon' });
  assert.deepEqual(await standardize('O=S(=O)([O-])[O-].[Na+].[Na+]'), { dropped: 'no_carbon' });
  assert.deepEqual(await standardize('O'), { dropped: 'no_carbon' });
  assert.deepEqual(await standardize('OB(O)c1ccccc1'), { smiles: 'OB(O)c1ccccc1', changes: '' });
  assert.deepEqual(await standardize('C[Si](C)(C)OC'), { smiles: 'CO[Si](C)(C)C', changes: '' });
});

test('a neutral single-fragment molecule comes back unchanged (stereo kept)', async () => {
  for (const s of ['CC(=O)Oc1ccccc1C(=O)O', 'C[C@H](N)C(=O)O', 'C/C=C/C(=O)O', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C']) {
    assert.deepEqual(await standardize(s), { smiles: await canonical(s), changes: '' });
  }
});

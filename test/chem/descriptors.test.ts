/**
 * RDKit descriptors of known molecules against published values, canonical SMILES, and what
 * counts as an invalid SMILES.
 *
 * Sources: PubChem computed properties (molecular weight, exact mass, H-bond counts, rotatable
 * bonds, heavy atoms) and Ertl's TPSA as RDKit implements it. Where RDKit's definition differs
 * from PubChem's (TPSA of caffeine, H-bond acceptors), the test says which value it checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DESCRIPTORS, DESCRIPTOR_KEYS, DESCRIPTOR_NAMES } from '../../src/chem/descriptor-names.js';
import { descriptorsOf } from '../../src/chem/descriptors.js';
import { canonicalSmiles, loadRDKit, parseMolecule, withMolecule } from '../../src/chem/rdkit.js';

const close = (actual: number, expected: number, digits: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= 0.5 * 10 ** -digits, `${what}: ${actual} is not ${expected} to ${digits} decimals`);
};

async function describe(smiles: string): Promise<Record<string, number>> {
  const rdkit = await loadRDKit();
  const d = withMolecule(rdkit, smiles, (mol) => descriptorsOf(mol, DESCRIPTOR_NAMES));
  assert.ok(d, `${smiles} should parse`);
  return d;
}

test('aspirin: MW 180.16, exact mass 180.042, TPSA 63.6, HBD 1, HBA 3 (RDKit NumHBA; Lipinski NO count 4)', async () => {
  const d = await describe('CC(=O)Oc1ccccc1C(=O)O');
  close(d.molecular_weight, 180.16, 2, 'molecular_weight');
  close(d.exact_mass, 180.042259, 6, 'exact_mass');
  close(d.tpsa, 63.6, 2, 'tpsa');
  assert.equal(d.hbd, 1);
  // RDKit's NumHBA counts the two carbonyl O and the hydroxyl O, not the ester O bonded to the
  // ring; PubChem (and the Lipinski NO count) say 4.
  assert.equal(d.hba, 3);
  assert.equal(d.lipinski_hba, 4);
  assert.equal(d.lipinski_hbd, 1);
  // PubChem lists 3 rotatable bonds; RDKit's default (strict) definition leaves out the ester C(=O)-O bond.
  assert.equal(d.rotatable_bonds, 2);
  assert.equal(d.heavy_atoms, 13);
  assert.equal(d.rings, 1);
  assert.equal(d.aromatic_rings, 1);
  close(d.fraction_csp3, 1 / 9, 9, 'fraction_csp3');
});

test('caffeine: MW 194.19, exact mass 194.080, TPSA 61.82 in RDKit (PubChem reports 58.4 by another method), HBD 0, 2 aromatic rings', async () => {
  const d = await describe('Cn1cnc2c1c(=O)n(C)c(=O)n2C');
  close(d.molecular_weight, 194.19, 2, 'molecular_weight');
  close(d.exact_mass, 194.080376, 6, 'exact_mass');
  close(d.tpsa, 61.82, 2, 'tpsa');
  assert.equal(d.hbd, 0);
  assert.equal(d.rings, 2);
  assert.equal(d.aromatic_rings, 2);
  assert.equal(d.heterocycles, 2);
  assert.equal(d.heavy_atoms, 14);
  assert.equal(d.rotatable_bonds, 0);
});

test('ethanol and benzene: small-molecule values', async () => {
  const e = await describe('CCO');
  close(e.molecular_weight, 46.07, 2, 'ethanol molecular_weight');
  close(e.tpsa, 20.23, 2, 'ethanol tpsa');
  assert.equal(e.hbd, 1);
  assert.equal(e.hba, 1);
  assert.equal(e.rings, 0);
  assert.equal(e.heavy_atoms, 3);
  assert.equal(e.fraction_csp3, 1);
  const b = await describe('c1ccccc1');
  close(b.molecular_weight, 78.11, 2, 'benzene molecular_weight');
  assert.equal(b.rings, 1);
  assert.equal(b.aromatic_rings, 1);
  assert.equal(b.aliphatic_rings, 0);
  assert.equal(b.tpsa, 0);
  assert.equal(b.fraction_csp3, 0);
  // Cyclohexane: one ring, not aromatic, saturated.
  const c = await describe('C1CCCCC1');
  assert.equal(c.rings, 1);
  assert.equal(c.aromatic_rings, 0);
  assert.equal(c.saturated_rings, 1);
});

test('every descriptor name maps to a key RDKit reports, and the default set is a subset', async () => {
  const rdkit = await loadRDKit();
  const table = withMolecule(rdkit, 'CCO', (mol) => JSON.parse(mol.get_descriptors()) as Record<string, number>);
  assert.ok(table);
  for (const name of DESCRIPTOR_NAMES) assert.equal(typeof table[DESCRIPTOR_KEYS[name]], 'number', name);
  for (const name of DEFAULT_DESCRIPTORS) assert.ok(DESCRIPTOR_NAMES.includes(name), name);
  assert.ok(
    DESCRIPTOR_NAMES.every((n) => /^[a-z][a-z0-9_]*$/.test(n)),
    'names are snake_case',
  );
});

test('two spellings of one molecule have one canonical SMILES', async () => {
  const rdkit = await loadRDKit();
  assert.equal(canonicalSmiles(rdkit, 'OCC'), canonicalSmiles(rdkit, 'CCO'));
  assert.equal(canonicalSmiles(rdkit, 'C1=CC=CC=C1'), canonicalSmiles(rdkit, 'c1ccccc1'));
  // Aspirin written from the other end, Kekulé form.
  assert.equal(canonicalSmiles(rdkit, 'OC(=O)C1=CC=CC=C1OC(C)=O'), canonicalSmiles(rdkit, 'CC(=O)Oc1ccccc1C(=O)O'));
  assert.notEqual(canonicalSmiles(rdkit, 'CCO'), canonicalSmiles(rdkit, 'COC'));
});

test('invalid SMILES: unclosed branch, bad valence, unkekulizable ring, unknown element, empty', async () => {
  const rdkit = await loadRDKit();
  for (const s of ['C(', 'C(C)(C)(C)(C)C', 'c1cccc1', 'C[Xx]', '', '   ']) {
    assert.equal(parseMolecule(rdkit, s), null, JSON.stringify(s));
    assert.equal(canonicalSmiles(rdkit, s), null, JSON.stringify(s));
  }
  // Salts and mixtures are valid (one molecule object with several fragments).
  assert.equal(canonicalSmiles(rdkit, '[Na+].[Cl-]'), '[Cl-].[Na+]');
});

/** Lipinski's rule of five and Veber's rule: the limits, the tolerated violation, and real molecules over and under them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descriptorsOf } from '../../src/chem/descriptors.js';
import { lipinski, outcomeText, RULE_DESCRIPTORS, type RuleProperties, veber } from '../../src/chem/property-rules.js';
import { loadRDKit, withMolecule } from '../../src/chem/rdkit.js';

const inside: RuleProperties = { molecular_weight: 500, clogp: 5, lipinski_hbd: 5, lipinski_hba: 10, rotatable_bonds: 10, tpsa: 140 };

test('the limits are inclusive: a molecule exactly at every limit passes both rules', () => {
  assert.deepEqual(lipinski(inside, 0), { pass: true, violations: [] });
  assert.deepEqual(veber(inside), { pass: true, violations: [] });
});

test("Lipinski: each property over its limit is a violation; one is tolerated by default, as in Lipinski's rule", () => {
  const over = { ...inside, molecular_weight: 512.64, clogp: 5.123 };
  assert.deepEqual(lipinski({ ...inside, lipinski_hbd: 6 }, 1), { pass: true, violations: ['HBD 6 > 5'] });
  assert.deepEqual(lipinski({ ...inside, lipinski_hbd: 6 }, 0), { pass: false, violations: ['HBD 6 > 5'] });
  assert.deepEqual(lipinski(over, 1), { pass: false, violations: ['MW 512.6 > 500', 'cLogP 5.12 > 5'] });
  assert.deepEqual(lipinski(over, 2).pass, true);
  assert.deepEqual(lipinski({ ...inside, lipinski_hba: 11 }, 0).violations, ['HBA 11 > 10']);
  assert.equal(outcomeText(lipinski(over, 1)), 'fail (MW 512.6 > 500; cLogP 5.12 > 5)');
  assert.equal(outcomeText(lipinski({ ...inside, lipinski_hbd: 6 }, 1)), 'pass (HBD 6 > 5)');
});

test('Veber: more than 10 rotatable bonds or a TPSA over 140 fails', () => {
  assert.deepEqual(veber({ ...inside, rotatable_bonds: 11 }), { pass: false, violations: ['rotatable bonds 11 > 10'] });
  assert.deepEqual(veber({ ...inside, tpsa: 140.04 }), { pass: false, violations: ['TPSA 140 > 140'] });
  assert.equal(outcomeText(veber(inside)), 'pass');
});

test('real molecules: aspirin passes both; sucrose breaks Lipinski twice (NH/OH 8, N/O 11) and Veber (TPSA); hexadecane only Veber', async () => {
  const rdkit = await loadRDKit();
  const props = (smiles: string) => withMolecule(rdkit, smiles, (m) => descriptorsOf(m, RULE_DESCRIPTORS) as RuleProperties)!;
  const aspirin = props('CC(=O)Oc1ccccc1C(=O)O');
  assert.deepEqual(
    [lipinski(aspirin, 1), veber(aspirin)],
    [
      { pass: true, violations: [] },
      { pass: true, violations: [] },
    ],
  );

  const sucrose = props('OC[C@H]1O[C@@](CO)(O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@@H](O)[C@@H]1O');
  assert.equal(sucrose.lipinski_hbd, 8);
  assert.equal(sucrose.lipinski_hba, 11);
  assert.deepEqual(lipinski(sucrose, 1), { pass: false, violations: ['HBD 8 > 5', 'HBA 11 > 10'] });
  assert.equal(veber(sucrose).pass, false);
  assert.match(veber(sucrose).violations[0], /^TPSA 1[89]\d(\.\d)? > 140$/);

  const hexadecane = props('CCCCCCCCCCCCCCCC');
  const l = lipinski(hexadecane, 1);
  assert.ok(l.pass && l.violations.length === 1 && l.violations[0].startsWith('cLogP'), JSON.stringify(l));
  assert.deepEqual(veber(hexadecane), { pass: false, violations: ['rotatable bonds 13 > 10'] });
});

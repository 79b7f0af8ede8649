/** Structural alerts: the shipped PAINS and Brenk SMARTS hit their published example chemotypes, and leave clean drugs alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertMatcher, alertLabel, readAlerts } from '../../src/chem/alerts.js';
import { ALERT_FAMILIES } from '../../src/chem/rule-names.js';
import { loadRDKit, withMolecule } from '../../src/chem/rdkit.js';
import { getColumn } from '../../src/data/dataset.js';
import { nci } from './helpers.js';

async function matcher(): Promise<AlertMatcher> {
  return new AlertMatcher(await loadRDKit(), readAlerts(ALERT_FAMILIES));
}

async function hits(m: AlertMatcher, smiles: string): Promise<string[]> {
  const rdkit = await loadRDKit();
  return withMolecule(rdkit, smiles, (mol) => m.matches(mol).map((k) => alertLabel(m.alerts[k])))!;
}

test('the shipped files hold 16 + 55 + 409 PAINS and 105 Brenk alerts, and every SMARTS compiles', async () => {
  const alerts = readAlerts(ALERT_FAMILIES);
  const count = (f: string) => alerts.filter((a) => a.family === f).length;
  assert.deepEqual(
    ALERT_FAMILIES.map((f) => count(f)),
    [16, 55, 409, 105],
  );
  assert.equal(new Set(alerts.map(alertLabel)).size, alerts.length, 'labels are unique');
  const m = new AlertMatcher(await loadRDKit(), alerts);
  m.delete();
  assert.throws(() => new AlertMatcher({ get_qmol: () => null } as never, [{ family: 'brenk', name: 'broken', smarts: 'C(' }]), /brenk:broken.*cannot parse/);
});

test('each family hits its published example molecules under the named alert', async () => {
  const m = await matcher();
  try {
    const expected: [string, string, string][] = [
      // PAINS A (Baell & Holloway 2010): 5-benzylidene rhodanine, azo dye, quinone, phenolic Mannich base.
      ['5-benzylidene rhodanine', 'O=C1NC(=S)SC1=Cc1ccccc1', 'pains_a:ene_rhod_A(235)'],
      ['4-dimethylaminoazobenzene', 'CN(C)c1ccc(N=Nc2ccccc2)cc1', 'pains_a:azo_A(324)'],
      ['1,4-benzoquinone', 'O=C1C=CC(=O)C=C1', 'pains_a:quinone_A(370)'],
      ['phenolic Mannich base', 'Oc1ccccc1CN1CCCCC1', 'pains_a:mannich_A(296)'],
      ['2-hydroxyphenyl hydrazone', 'Oc1ccccc1C=NNc1ccccc1', 'pains_a:hzone_phenol_A(479)'],
      // PAINS B: catechols (dopamine, quercetin), 2-aminothiophene (Gewald product), aminoacridine.
      ['dopamine', 'NCCc1ccc(O)c(O)c1', 'pains_b:catechol_A(92)'],
      ['quercetin', 'O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12', 'pains_b:catechol_A(92)'],
      ['Gewald 2-aminothiophene', 'CCOC(=O)c1c(N)sc2c1CCCC2', 'pains_b:thiophene_amino_Aa(45)'],
      ['9-aminoacridine', 'Nc1c2ccccc2nc2ccccc12', 'pains_b:amino_acridine_A(46)'],
      ['benzylidene malononitrile', 'N#CC(C#N)=Cc1ccc(O)cc1', 'pains_b:ene_cyano_A(19)'],
      // PAINS C: the 4,4'-methylenedianiline of anil_di_alk_F.
      ["4,4'-methylenedianiline", 'Nc1ccc(Cc2ccc(N)cc2)cc1', 'pains_c:anil_di_alk_F(14)'],
      // Brenk et al. 2008: Michael acceptor, aldehyde, 2-halopyridine, thiol, catechol, quinone.
      ['methyl vinyl ketone', 'C=CC(C)=O', 'brenk:Michael_acceptor_1'],
      ['butanal', 'CCCC=O', 'brenk:aldehyde'],
      ['2-chloropyridine', 'Clc1ccccn1', 'brenk:2-halo_pyridine'],
      ['ethanethiol', 'CCS', 'brenk:thiol_2'],
      ['catechol', 'Oc1ccccc1O', 'brenk:catechol'],
      ['1,4-benzoquinone', 'O=C1C=CC(=O)C=C1', 'brenk:chinone_1'],
      ['nitrobenzene', 'O=[N+]([O-])c1ccccc1', 'brenk:nitro_group'],
    ];
    for (const [what, smiles, alert] of expected) {
      const h = await hits(m, smiles);
      assert.ok(h.includes(alert), `${what} (${smiles}) should hit ${alert}; hits: ${h.join(', ') || 'none'}`);
    }
  } finally {
    m.delete();
  }
});

test('clean drugs: ibuprofen and caffeine hit nothing; aspirin hits no PAINS alert, only Brenk phenol_ester (it is an aryl ester)', async () => {
  const m = await matcher();
  try {
    assert.deepEqual(await hits(m, 'CC(C)Cc1ccc(C(C)C(=O)O)cc1'), []);
    assert.deepEqual(await hits(m, 'Cn1cnc2c1c(=O)n(C)c(=O)n2C'), []);
    assert.deepEqual(await hits(m, 'CC(=O)Oc1ccccc1C(=O)O'), ['brenk:phenol_ester']);
  } finally {
    m.delete();
  }
});

test('hydrogens: PAINS alerts naming [#1] need those hydrogens; Brenk connection counts (D) ignore them', async () => {
  const m = await matcher();
  try {
    // hzone_phenol_A requires the phenol's O-H ([#8]-[#1]): the methyl ether does not hit it.
    assert.ok((await hits(m, 'Oc1ccccc1C=NNc1ccccc1')).includes('pains_a:hzone_phenol_A(479)'));
    assert.ok(!(await hits(m, 'COc1ccccc1C=NNc1ccccc1')).includes('pains_a:hzone_phenol_A(479)'));
    // Aliphatic_long_chain is four chain atoms of degree 2: matched with explicit Hs it would never hit.
    assert.ok((await hits(m, 'CCCCSCC')).includes('brenk:Aliphatic_long_chain'));
  } finally {
    m.delete();
  }
});

test('the fingerprint screen changes no hit: on 400 NCI molecules, the same alerts as matching every SMARTS', async () => {
  const rdkit = await loadRDKit();
  const alerts = readAlerts(ALERT_FAMILIES);
  const m = new AlertMatcher(rdkit, alerts);
  const queries = alerts.map((a) => rdkit.get_qmol(a.smarts)!);
  const smiles = getColumn(await nci(400), 'smiles')!.data;
  assert.ok(smiles.type === 'text');
  let withAlerts = 0;
  try {
    for (const s of smiles.values) {
      withMolecule(rdkit, s!, (mol) => {
        const withH = rdkit.get_mol_copy(mol)!;
        withH.add_hs_in_place();
        const direct = alerts.flatMap((a, k) => ((/#1(?![0-9])/.test(a.smarts) ? withH : mol).get_substruct_match(queries[k]) !== '{}' ? [k] : []));
        withH.delete();
        assert.deepEqual(m.matches(mol), direct, s!);
        if (direct.length) withAlerts++;
      });
    }
  } finally {
    m.delete();
    for (const q of queries) q.delete();
  }
  assert.ok(withAlerts > 100, `${withAlerts} of 400 molecules hit some alert`);
});

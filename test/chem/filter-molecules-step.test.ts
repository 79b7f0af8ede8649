/** The filter.molecules step: drop and flag modes, the per-molecule report, errors naming the column and row, and the NCI library. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import filterMolecules from '../../src/steps/filter.molecules.js';
import { runStep, withParamDefaults } from '../helpers/step-harness.js';
import { datasetFile, nci, smilesTable } from './helpers.js';

const text = (ds: Dataset, name: string): (string | null)[] => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'text', `${name} is a text column`);
  return [...d.values];
};

/** Parses the report CSV (its cells hold no commas except quoted ones). */
function reportRows(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const split = (line: string) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'));
  const names = split(header);
  return lines.map((l) => Object.fromEntries(split(l).map((v, j) => [names[j], v])));
}

const MOLECULES = [
  'CC(C)Cc1ccc(C(C)C(=O)O)cc1', // ibuprofen: passes everything
  'Cn1cnc2c1c(=O)n(C)c(=O)n2C', // caffeine: passes everything
  'O=C1NC(=S)SC1=Cc1ccccc1', // 5-benzylidene rhodanine: PAINS A and Brenk
  'OC[C@H]1O[C@@](CO)(O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@@H](O)[C@@H]1O', // sucrose: Lipinski and Veber
  'NCCc1ccc(O)c(O)c1', // dopamine: PAINS B catechol, Brenk catechol
];

test('mode drop keeps the molecules passing every rule, with the added columns; the report says why each other one went', async () => {
  const input = await datasetFile(smilesTable(MOLECULES));
  const r = await runStep(filterMolecules, { data: input }, { smiles: 'smiles' });
  const out = await readDatasetFile(r.outputs.data);
  assert.deepEqual(text(out, 'mol_id'), ['m1', 'm2']);
  assert.deepEqual(
    out.columns.map((c) => c.name),
    ['mol_id', 'smiles', 'alerts', 'rule_failures', 'passes_filters'],
  );
  assert.deepEqual(text(out, 'alerts'), ['', '']);
  assert.deepEqual(text(out, 'passes_filters'), ['true', 'true']);
  for (const name of ['alerts', 'rule_failures', 'passes_filters']) assert.equal(getColumn(out, name)?.kind, 'text', `${name} is never a model feature`);

  const report = reportRows(r.outputs.report);
  assert.deepEqual(Object.keys(report[0]), ['mol_id', 'smiles', 'passes_filters', 'lipinski', 'veber', 'pains_a', 'pains_b', 'pains_c', 'brenk']);
  assert.equal(report.length, 5, 'every molecule, passing or not');
  assert.deepEqual(report[0], {
    mol_id: 'm1',
    smiles: MOLECULES[0],
    passes_filters: 'true',
    lipinski: 'pass',
    veber: 'pass',
    pains_a: 'pass',
    pains_b: 'pass',
    pains_c: 'pass',
    brenk: 'pass',
  });
  assert.equal(report[2].pains_a, 'ene_rhod_A(235)');
  assert.equal(report[2].brenk, 'Michael_acceptor_1; Thiocarbonyl_group');
  assert.match(report[3].lipinski, /^fail \(HBD 8 > 5; HBA 11 > 10\)$/);
  assert.match(report[3].veber, /^fail \(TPSA \d+(\.\d)? > 140\)$/);
  assert.equal(report[4].pains_b, 'catechol_A(92)');
  assert.equal(report[4].passes_filters, 'false');

  const summary = r.summary as { molecules: number; passed: number; failed_by_rule: Record<string, number> };
  assert.equal(summary.molecules, 5);
  assert.equal(summary.passed, 2);
  assert.deepEqual(summary.failed_by_rule, { lipinski: 1, veber: 1, pains_a: 1, pains_b: 1, pains_c: 0, brenk: 2 });
  // The log has counts, no molecule.
  assert.ok(!r.logs.some((l) => MOLECULES.some((s) => l.includes(s))));
});

test('mode flag keeps every row and marks it: alerts as family:name, the rules failed, and passes_filters', async () => {
  const input = await datasetFile(smilesTable(MOLECULES));
  const r = await runStep(filterMolecules, { data: input }, { smiles: 'smiles', mode: 'flag' });
  const out = await readDatasetFile(r.outputs.data);
  assert.equal(out.rowCount, 5);
  assert.deepEqual(text(out, 'alerts'), [
    '',
    '',
    'pains_a:ene_rhod_A(235); brenk:Michael_acceptor_1; brenk:Thiocarbonyl_group',
    '',
    'pains_b:catechol_A(92); brenk:catechol',
  ]);
  assert.deepEqual(text(out, 'rule_failures'), ['', '', 'pains_a; brenk', 'lipinski; veber', 'pains_b; brenk']);
  assert.deepEqual(text(out, 'passes_filters'), ['true', 'true', 'false', 'false', 'false']);
});

test('rules choose what is checked: PAINS only keeps the Brenk-only and property failures; lipinski_max_violations: 2 lets sucrose pass Lipinski', async () => {
  const input = await datasetFile(smilesTable(MOLECULES));
  const pains = await readDatasetFile(
    (await runStep(filterMolecules, { data: input }, { smiles: 'smiles', rules: ['pains_a', 'pains_b', 'pains_c'] })).outputs.data,
  );
  assert.deepEqual(text(pains, 'mol_id'), ['m1', 'm2', 'm4']);
  const r = await runStep(filterMolecules, { data: input }, { smiles: 'smiles', rules: ['lipinski'], lipinski_max_violations: 2 });
  assert.equal((await readDatasetFile(r.outputs.data)).rowCount, 5);
  assert.deepEqual(Object.keys(reportRows(r.outputs.report)[0]), ['mol_id', 'smiles', 'passes_filters', 'lipinski']);
  assert.equal(reportRows(r.outputs.report)[3].lipinski, 'pass (HBD 8 > 5; HBA 11 > 10)');
});

test('errors name the column and the row, and say what to do', async () => {
  const input = await datasetFile(smilesTable(['CCO', 'C1CC', 'CCN']));
  await assert.rejects(
    runStep(filterMolecules, { data: input }, {}),
    (e: unknown) =>
      e instanceof StepInputError && /SMILES column "canonical_smiles" is not in the dataset/.test(e.message) && e.message.includes('columns: mol_id, smiles'),
  );
  await assert.rejects(runStep(filterMolecules, { data: input }, { smiles: 'smile' }), /did you mean "smiles"/);
  await assert.rejects(
    runStep(filterMolecules, { data: input }, { smiles: 'smiles' }),
    (e: unknown) => e instanceof StepInputError && e.message.startsWith('column "smiles", data row 2 of in.data: "C1CC" is not a valid SMILES'),
  );
  await assert.rejects(
    runStep(filterMolecules, { data: await datasetFile(smilesTable(['CCO', null])) }, { smiles: 'smiles' }),
    /data row 2 .*the SMILES is missing/,
  );
  const rhodanines = await datasetFile(smilesTable(['O=C1NC(=S)SC1=Cc1ccccc1']));
  await assert.rejects(runStep(filterMolecules, { data: rhodanines }, { smiles: 'smiles' }), /no molecule of 1 passes .*mode: flag/);
  const empty = await runStep(filterMolecules, { data: rhodanines }, { smiles: 'smiles', allow_empty: true });
  assert.equal((await readDatasetFile(empty.outputs.data)).rowCount, 0);
  const twice = await datasetFile(await readDatasetFile(empty.outputs.data));
  await assert.rejects(runStep(filterMolecules, { data: twice }, { smiles: 'smiles' }), /input column "alerts" has the name of a column this step adds/);
  assert.throws(() => withParamDefaults(filterMolecules, { rules: ['pains'] }), /invalid params/);
  assert.throws(() => withParamDefaults(filterMolecules, { rules: [] }), /invalid params/);
});

test('the NCI library: 1,000 molecules filtered in seconds, byte-identical on a re-run', async () => {
  const input = await datasetFile(await nci(1000));
  const params = { smiles: 'smiles', mode: 'flag' };
  const started = performance.now();
  const r = await runStep(filterMolecules, { data: input }, params);
  const seconds = (performance.now() - started) / 1000;
  const summary = r.summary as { molecules: number; passed: number; failed_by_rule: Record<string, number> };
  assert.equal(summary.molecules, 1000);
  // Brenk flags a large share of an old screening collection; PAINS a few percent.
  assert.ok(summary.failed_by_rule.brenk > 300 && summary.failed_by_rule.pains_a > 10, JSON.stringify(summary));
  assert.ok(seconds < 60, `${seconds} s`);
  const again = await runStep(filterMolecules, { data: input }, params);
  assert.ok(readFileSync(again.outputs.data).equals(readFileSync(r.outputs.data)));
  assert.ok(readFileSync(again.outputs.report).equals(readFileSync(r.outputs.report)));
});

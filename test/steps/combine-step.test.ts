/**
 * The combine step on the shipped compound series and NCI library: rows stacked in input order,
 * columns matched by name (all or shared), renames, the source column, categories merged,
 * duplicates (error naming rows, first, keep), and the errors for clashing types and names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, takeRows, type Dataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import combine from '../../src/steps/combine.js';
import { runStep } from '../helpers/step-harness.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-combine-'));
const seriesCsv = join(ROOT, 'data', 'chembl2321810-pic50.csv');
const libraryCsv = join(ROOT, 'data', 'nci-screening-5k.csv');

async function save(name: string, ds: Dataset): Promise<string> {
  const file = join(dir, `${name}.arrow`);
  await writeDatasetFile(file, ds);
  return file;
}

const lineCount = (csv: string): number => readFileSync(csv, 'utf8').trim().split('\n').length - 1;

const inputs = (async () => {
  const series = await readCsv(seriesCsv, { id: ['compound_id'], target: 'pic50' });
  const library = await readCsv(libraryCsv, { id: ['nci_id'] });
  return { series: await save('series', series), library: await save('library', library), seriesDs: series };
})();

function textOf(ds: Dataset, name: string): (string | null)[] {
  const d = ds.columns.find((c) => c.name === name)!.data;
  if (d.type === 'text') return [...d.values];
  if (d.type === 'categorical') return Array.from(d.codes, (k) => (k < 0 ? null : d.categories[k]));
  return Array.from(d.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

test('series + library: every row in input order, renamed ids as one column, pic50 missing for the library, a source column', async () => {
  const { series, library } = await inputs;
  const run = await runStep(combine, { a: series, b: library }, { rename: { b: { nci_id: 'compound_id' } }, labels: { a: 'series', b: 'library' } });
  const out = await readDatasetFile(run.outputs.data);
  const nSeries = lineCount(seriesCsv),
    nLibrary = lineCount(libraryCsv);
  assert.equal(out.rowCount, nSeries + nLibrary);
  assert.deepEqual(
    out.columns.map((c) => [c.name, c.kind]),
    [
      ['compound_id', 'id'],
      ['smiles', 'text'],
      ['pic50', 'target'],
      ['source', 'id'],
    ],
  );
  assert.deepEqual(out.target, { column: 'pic50' });
  const pic50 = out.columns.find((c) => c.name === 'pic50')!.data;
  assert.ok(pic50.type === 'numeric');
  assert.equal(Array.from(pic50.values.subarray(0, nSeries)).filter(Number.isNaN).length, 0);
  assert.equal(Array.from(pic50.values.subarray(nSeries)).filter(Number.isNaN).length, nLibrary);
  const ids = textOf(out, 'compound_id');
  const libraryIds = readFileSync(libraryCsv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]);
  assert.deepEqual(ids.slice(nSeries), libraryIds);
  const source = textOf(out, 'source');
  assert.equal(source.filter((s) => s === 'series').length, nSeries);
  assert.deepEqual(source.slice(nSeries - 1, nSeries + 1), ['series', 'library']);
  assert.deepEqual(run.summary, { rows: nSeries + nLibrary, columns: 4, inputs: { series: nSeries, library: nLibrary }, duplicates_dropped: 0 });
});

test('columns: shared keeps only what every input has; source: null adds nothing', async () => {
  const { series, library } = await inputs;
  const run = await runStep(combine, { a: series, b: library }, { columns: 'shared', source: null, duplicates: 'keep' });
  const out = await readDatasetFile(run.outputs.data);
  assert.deepEqual(
    out.columns.map((c) => c.name),
    ['smiles'],
  );
  assert.equal(out.target, undefined);
});

test('duplicates: an error naming the rows, or only the first kept, or all kept', async () => {
  const { series, seriesDs } = await inputs;
  const again = await save('again', takeRows(seriesDs, [4, 0, 1]));
  await assert.rejects(
    runStep(combine, { a: series, b: again }, {}),
    (e: unknown) =>
      e instanceof StepInputError &&
      /3 rows repeat the compound_id of a row already combined: row 1 of in\.b repeats row 5 of in\.a; row 2 of in\.b repeats row 1 of in\.a/.test(e.message) &&
      /duplicates: first/.test(e.message),
  );
  const first = await runStep(combine, { a: series, b: again }, { duplicates: 'first' });
  assert.equal((await readDatasetFile(first.outputs.data)).rowCount, seriesDs.rowCount);
  assert.equal((first.summary as { duplicates_dropped: number }).duplicates_dropped, 3);
  const keep = await runStep(combine, { a: series, b: again }, { duplicates: 'keep' });
  assert.equal((await readDatasetFile(keep.outputs.data)).rowCount, seriesDs.rowCount + 3);
  // By another column: the same SMILES under another id is the same molecule.
  const renamedIds = makeDataset([
    { name: 'compound_id', kind: 'id', data: { type: 'text', values: ['x1', 'x2'] } },
    { name: 'smiles', kind: 'text', data: { type: 'text', values: [textOf(seriesDs, 'smiles')[7], 'CCO'] } },
  ]);
  const other = await save('other-ids', renamedIds);
  const bySmiles = await runStep(combine, { a: series, b: other }, { id: 'smiles', duplicates: 'first' });
  assert.equal((await readDatasetFile(bySmiles.outputs.data)).rowCount, seriesDs.rowCount + 1);
});

test('three inputs, categories merged in order of first appearance, kinds from the first input', async () => {
  const small = (site: string[], categories: string[], age: number[]): Dataset =>
    makeDataset([
      { name: 'site', kind: 'categorical', data: { type: 'categorical', codes: Int32Array.from(site.map((s) => categories.indexOf(s))), categories } },
      { name: 'age', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(age) } },
    ]);
  const a = await save('s1', small(['north', 'south'], ['north', 'south'], [40, 50]));
  const b = await save('s2', small(['west', 'north'], ['west', 'north'], [60, 70]));
  const c = await save(
    's3',
    makeDataset([{ name: 'site', kind: 'categorical', data: { type: 'categorical', codes: Int32Array.from([0, -1]), categories: ['east'] } }]),
  );
  const out = await readDatasetFile((await runStep(combine, { a, b, c }, { duplicates: 'keep' })).outputs.data);
  const site = out.columns.find((x) => x.name === 'site')!.data;
  assert.ok(site.type === 'categorical');
  assert.deepEqual(site.categories, ['north', 'south', 'west', 'east']);
  assert.deepEqual(textOf(out, 'site'), ['north', 'south', 'west', 'north', 'east', null]);
  assert.deepEqual(textOf(out, 'age'), ['40', '50', '60', '70', null, null]);
  assert.deepEqual(textOf(out, 'source'), ['a', 'a', 'b', 'b', 'c', 'c']);
});

test('errors: clashing types, an unknown rename, a taken source name, no id to judge duplicates by', async () => {
  const { series, library } = await inputs;
  const textPic50 = await save(
    'text-pic50',
    makeDataset([
      { name: 'compound_id', kind: 'id', data: { type: 'text', values: ['z1'] } },
      { name: 'pic50', kind: 'text', data: { type: 'text', values: ['high'] } },
    ]),
  );
  const fails = (inputsOf: Record<string, string>, params: Record<string, unknown>, pattern: RegExp) =>
    assert.rejects(runStep(combine, inputsOf, params), (e: unknown) => e instanceof StepInputError && pattern.test(e.message));
  await fails({ a: series, b: textPic50 }, {}, /column "pic50" is numeric in in\.a but text in in\.b: .*rename: \{ b: \{ pic50: NEW \} \}/);
  await fails({ a: series, b: library }, { rename: { b: { nci_ids: 'compound_id' } } }, /rename\.b: in\.b has no column "nci_ids".*nci_id/);
  await fails({ a: series, b: library }, { rename: { b: { nci_id: 'smiles' } } }, /two columns "smiles"/);
  await fails({ a: series, b: library }, { source: 'smiles' }, /already have a column "smiles"/);
  await fails({ a: series, b: library }, { labels: { c: 'x' } }, /labels\.c: in\.c is not wired/);
  await fails({ a: series, b: library }, {}, /needs the column that identifies a row.*no id column.*set id:/);
});

test('large text columns are stacked without a call-stack overflow', async () => {
  const big = (prefix: string, n: number): Dataset =>
    makeDataset([{ name: 'smiles', kind: 'text', data: { type: 'text', values: Array.from({ length: n }, (_, i) => `${prefix}${i}`) } }]);
  const a = await save('big-a', big('C', 300_000));
  const b = await save(
    'big-b',
    makeDataset([{ name: 'smiles', kind: 'categorical', data: { type: 'categorical', codes: new Int32Array(300_000), categories: ['N'] } }]),
  );
  const out = await readDatasetFile((await runStep(combine, { a, b }, { duplicates: 'keep' })).outputs.data);
  assert.equal(out.rowCount, 600_000);
  const smiles = textOf(out, 'smiles');
  assert.deepEqual([smiles[299_999], smiles[300_000]], ['C299999', 'N']);
});

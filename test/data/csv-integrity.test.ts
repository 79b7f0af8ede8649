/**
 * Issue 13, the CSV loader's share: nothing wrong is loaded silently. Infinite numbers, a few bad
 * cells deciding a column's type, and a stray third class next to `positive:` are each refused
 * with the file, the line(s) and the column, and what to write to accept them on purpose.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { readDatasetFile } from '../../src/data/arrow.js';
import { DataError, StepInputError } from '../../src/errors.js';
import loadCsv from '../../src/steps/load.csv.js';
import { runStep } from '../helpers/step-harness.js';
import { failure, tempFile, where } from './helpers.js';

/** The step's schema defaults (the engine applies them; the harness does not). */
function numbers(ds: Dataset, name: string): number[] {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric', `${name} is numeric`);
  return Array.from(d.values);
}

/** A header and `n` rows of plausible mean_radius / texture values, then the diagnosis. */
function breastRows(n: number, cell: (i: number) => string = (i) => (10 + (i % 9) * 0.7).toFixed(2)): string[] {
  const rows = ['mean_radius,mean_texture,diagnosis'];
  for (let i = 0; i < n; i++) rows.push(`${cell(i)},${(15 + (i % 5)).toFixed(1)},${i % 3 ? 'benign' : 'malignant'}`);
  return rows;
}

const NON_FINITE =
  "a value in this numeric column is not finite (inf, -inf, or a number too large for a 64-bit float such as 1e309) (fix the value, or set `non_finite: missing` in the load step's `with:` to treat non-finite values as missing)";

describe('non-finite numbers are refused by line and column, or made missing on request', () => {
  it('refuses inf, -inf, Infinity and 1e309, plain or quoted, in the fast and the general number paths', async () => {
    for (const bad of ['inf', '-inf', 'Infinity', '-Infinity', '+INF', '1e309', '-1e309', '"1e309"', '"inf"', ' inf ', '123456789012345678e300']) {
      const e = await failure(`age,glucose\n50,5.5\n61,${bad}\n70,6.1\n`);
      assert.deepEqual(where(e), ['patients.csv', 3, 'glucose'], bad);
      assert.equal(e.message, `patients.csv, row 3, column "glucose": ${NON_FINITE}`, bad);
    }
  });

  it('refuses them when a numeric-looking missing token sends every cell through the string path', async () => {
    const e = await failure('age,glucose\n50,-999\n61,5.5\n\n70,inf\n', { missing: ['-999'] });
    assert.deepEqual(where(e), ['patients.csv', 5, 'glucose']);
  });

  it('refuses them in a column declared numeric, in a numeric target, and beyond the inference sample at every chunk size', async () => {
    assert.deepEqual(where(await failure('a,b\nx,1\ny,inf\n', { columns: { b: 'numeric' } })), ['patients.csv', 3, 'b']);
    assert.deepEqual(where(await failure('x,progression\n1,100\n2,1e400\n', { target: 'progression' })), ['patients.csv', 3, 'progression']);
    const rows = ['a,b'];
    for (let i = 0; i < 6000; i++) rows.push(`${i},${i % 10}.5`);
    rows.push('6000,-Infinity');
    for (const chunkSize of [7, 1 << 20])
      assert.deepEqual(where(await failure(rows.join('\n') + '\n', { chunkSize })), ['patients.csv', 6002, 'b'], `chunk ${chunkSize}`);
  });

  it('`nonFinite: missing` loads them as missing values (NaN), like any other missing cell', async () => {
    const ds = await readCsv(tempFile('inf.csv', 'a,b\n1,inf\n2,"1e309"\n3,-Infinity\n4,2.5\n5,NA\n6,1e308\n'), { nonFinite: 'missing' });
    assert.deepEqual(numbers(ds, 'b').map(String), ['NaN', 'NaN', 'NaN', '2.5', 'NaN', '1e+308']);
  });

  it('load.csv takes `non_finite:` (default error) and passes it to the loader', async () => {
    const params = { path: tempFile('inf.csv', 'a,b\n1,inf\n2,2.5\n') };
    const schema = loadCsv.params.properties['non_finite'] as { enum: string[]; default: string; description: string };
    assert.deepEqual([schema.enum, schema.default], [['error', 'missing'], 'error']);
    assert.ok(schema.description.length > 20);
    await assert.rejects(runStep(loadCsv, {}, { ...params, non_finite: 'error' }), (e: unknown) => e instanceof DataError && e.row === 2 && e.column === 'b');
    const r = await runStep(loadCsv, {}, { ...params, non_finite: 'missing' });
    assert.deepEqual(numbers(await readDatasetFile(r.outputs['data']), 'b').map(String), ['NaN', '2.5']);
    assert.deepEqual((r.summary as { missing: Record<string, number> }).missing, { b: 1 });
  });
});

describe('a few bad cells never decide that a numeric column is text', () => {
  const hint = (name: string): string =>
    `(fix those cells, add a token that marks a missing value to \`missing:\`, or, if the column is not numeric, declare it: \`columns: { ${name}: text }\` (or categorical))`;

  it('refuses a mostly numeric column with "1,001", abc, 0x10 and 1_000 in its first rows, naming every line', async () => {
    const bad: Record<number, string> = { 1: '"1,001"', 4: 'abc', 6: '0x10', 9: '1_000' };
    const e = await failure(breastRows(40, (i) => bad[i] ?? (10 + i * 0.1).toFixed(2)).join('\n') + '\n');
    assert.deepEqual(where(e), ['patients.csv', undefined, 'mean_radius']);
    assert.equal(
      e.message,
      `patients.csv, column "mean_radius": this column is mostly numbers, but 4 of the 40 values read to infer its type are not: lines 3, 6, 8, 11 ${hint('mean_radius')}`,
    );
    for (const v of ['abc', '1,001', '0x10', '1_000']) assert.ok(!e.message.includes(v), `${v} is not shown`);
  });

  it('lists the first five lines and counts the rest, counting physical lines', async () => {
    const rows = breastRows(100, (i) => (i % 12 === 5 ? 'n.d.' : String(12 + (i % 7))));
    rows.splice(1, 0, '', '');
    const e = await failure(rows.join('\n') + '\n');
    assert.match(e.message, /but 8 of the 100 values read to infer its type are not: lines 9, 21, 33, 45, 57 and 3 more \(/);
  });

  it('accepts the column as the user declares it, or with the token as a missing value', async () => {
    const text = breastRows(30, (i) => (i === 3 ? 'abc' : String(10 + i))).join('\n') + '\n';
    const declared = await readCsv(tempFile('t.csv', text), { columns: { mean_radius: 'text' } });
    assert.equal(getColumn(declared, 'mean_radius')?.data.type, 'text');
    const missing = await readCsv(tempFile('t.csv', text), { missing: ['', 'abc'] });
    assert.ok(Number.isNaN(numbers(missing, 'mean_radius')[3]));
    assert.equal(numbers(missing, 'mean_radius')[4], 14);
  });

  it('refuses a mostly numeric regression target too, and a column declared numeric still fails at its first bad line', async () => {
    const e = await failure('x,progression\n1,100\n2,110\n3,high\n4,130\n5,90\n', { target: 'progression' });
    assert.deepEqual(where(e), ['patients.csv', undefined, 'progression']);
    assert.match(e.message, /but 1 of the 5 values read to infer its type are not: line 4 \(/);
    const declared = await failure('a,b\n1,2\n2,x\n3,4\n', { columns: { b: 'numeric' } });
    assert.deepEqual(where(declared), ['patients.csv', 3, 'b']);
  });

  it('still infers a mostly text column as categorical or text, whatever numbers it holds', async () => {
    const rows = ['grade,note'];
    for (let i = 0; i < 30; i++) rows.push(`${['low', 'high', 'mid', '2'][i % 4]},${i % 3 ? `seen on day ${i}` : String(i)}`);
    const ds = await readCsv(tempFile('t.csv', rows.join('\n') + '\n'));
    assert.deepEqual(
      ds.columns.map((c) => [c.name, c.kind]),
      [
        ['grade', 'categorical'],
        ['note', 'text'],
      ],
    );
    // Half numbers is not "mostly numbers": inferred as before.
    const half = await readCsv(tempFile('t.csv', 'stage\n1\n2\nIIIa\nIV\n'));
    assert.equal(getColumn(half, 'stage')?.kind, 'categorical');
  });
});

describe('`positive:` declares a binary target; `classes:` lists the classes', () => {
  const diagnosis = (labels: string[]): string => ['x,diagnosis', ...labels.map((l, i) => `${i},${l}`)].join('\n') + '\n';
  const typo = diagnosis(['benign', 'malignant', 'benign', 'malignnat', 'benign', 'Benign ', 'malignant', 'malignnat']);

  it('refuses a third class next to `positive:`, naming each unexpected class and the first line it is on, at any chunk size', async () => {
    for (const chunkSize of [3, 1 << 20]) {
      const e = await failure(typo, { target: 'diagnosis', positive: 'malignant', chunkSize });
      assert.deepEqual(where(e), ['patients.csv', undefined, 'diagnosis']);
      assert.equal(
        e.message,
        'patients.csv, column "diagnosis": `positive: malignant` declares a binary target, but the column has 4 classes: besides "malignant" and "benign" it has "malignnat" (first on line 5), "Benign " (first on line 7) (fix those rows, or list every class in `classes:` if the target really has more than two)',
      );
    }
  });

  it('accepts more classes when `classes:` lists them, and refuses a value it does not list, by line', async () => {
    const classes = ['benign', 'malignant', 'malignnat', 'Benign '];
    const ds = await readCsv(tempFile('t.csv', typo), { target: 'diagnosis', positive: 'malignant', classes });
    const d = getColumn(ds, 'diagnosis')?.data;
    assert.ok(d?.type === 'categorical');
    assert.equal(d.categories.length, 4);
    const e = await failure(typo, { target: 'diagnosis', positive: 'malignant', classes: ['benign', 'malignant'] });
    assert.deepEqual(where(e), ['patients.csv', undefined, 'diagnosis']);
    assert.equal(
      e.message,
      'patients.csv, column "diagnosis": 2 values of the target are not among the classes listed in `classes:`: "malignnat" (first on line 5), "Benign " (first on line 7) (fix those rows, or add the class to `classes:`)',
    );
    // Without positive, classes alone make the target categorical and are checked the same way.
    const numericLabels = await readCsv(tempFile('t.csv', 'x,grade\n1,1\n2,2\n3,3\n'), { target: 'grade', classes: ['1', '2', '3'] });
    assert.equal(getColumn(numericLabels, 'grade')?.data.type, 'categorical');
    assert.match((await failure('x,grade\n1,1\n2,2\n3,4\n', { target: 'grade', classes: ['1', '2', '3'] })).message, /"4" \(first on line 4\)/);
  });

  it('still accepts a binary target, and still refuses a positive class that never appears', async () => {
    const ds = await readCsv(tempFile('t.csv', diagnosis(['benign', 'malignant', 'benign'])), { target: 'diagnosis', positive: 'malignant' });
    assert.deepEqual(ds.target, { column: 'diagnosis', positive: 'malignant' });
    assert.match(
      (await failure(diagnosis(['benign', 'malignnat']), { target: 'diagnosis', positive: 'malignant' })).message,
      /the positive class given in `positive:` is not one of the 2 values/,
    );
  });

  it('does not show long target values (they may be free text about a patient)', async () => {
    const note = 'patient reports chest pain since tuesday evening';
    const e = await failure(diagnosis(['benign', 'malignant', note, 'benign']), { target: 'diagnosis', positive: 'malignant' });
    assert.ok(!e.message.includes('chest'), e.message);
    assert.match(e.message, /it has a value of 48 characters \(first on line 4\)/);
  });

  it('load.csv takes `classes:` (default null) and passes it to the loader', async () => {
    const schema = loadCsv.params.properties['classes'] as { default: unknown; description: string };
    assert.equal(schema.default, null);
    assert.ok(schema.description.length > 20);
    const params = { path: tempFile('t.csv', typo), target: 'diagnosis', positive: 'malignant' };
    await assert.rejects(runStep(loadCsv, {}, params), (e: unknown) => e instanceof DataError && /besides "malignant" and "benign"/.test(e.message));
    const r = await runStep(loadCsv, {}, { ...params, classes: ['benign', 'malignant', 'malignnat', 'Benign '] });
    const d = getColumn(await readDatasetFile(r.outputs['data']), 'diagnosis')?.data;
    assert.deepEqual(d?.type === 'categorical' ? d.categories : [], ['Benign ', 'benign', 'malignant', 'malignnat']);
  });

  it('refuses `classes:` without a target, a positive class it does not list, and either with a target declared numeric', async () => {
    await assert.rejects(
      readCsv(tempFile('t.csv', 'x,y\n1,0\n2,1\n'), { target: 'y', positive: '1', columns: { y: 'numeric' } }),
      (e: unknown) => e instanceof StepInputError && e.message === '`positive:` is for a categorical target, but `columns:` declares "y" numeric',
    );
    await assert.rejects(
      readCsv(tempFile('t.csv', typo), { classes: ['a', 'b'] }),
      (e: unknown) => e instanceof StepInputError && e.message === '`classes:` needs `target:` (the column the classes belong to)',
    );
    await assert.rejects(
      readCsv(tempFile('t.csv', typo), { target: 'diagnosis', positive: 'malignant', classes: ['benign', 'other'] }),
      (e: unknown) => e instanceof StepInputError && e.message === '`positive: malignant` is not one of the classes listed in `classes:`',
    );
  });
});

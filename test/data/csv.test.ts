import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_MISSING, readCsv, type CsvOptions } from '../../src/data/csv.js';
import { getColumn, type ColumnData, type Dataset } from '../../src/data/dataset.js';
import { parseNumberText } from '../../src/data/csv-number.js';
import { createRng } from '../../src/rng.js';
import { reference, ROOT, tempFile } from './helpers.js';

async function load(content: string | Uint8Array, options: CsvOptions = {}): Promise<Dataset> {
  return readCsv(tempFile('t.csv', content), options);
}

function col(ds: Dataset, name: string): ColumnData {
  const c = getColumn(ds, name);
  assert.ok(c, `column ${name}`);
  return c.data;
}

function numbers(ds: Dataset, name: string): number[] {
  const d = col(ds, name);
  assert.equal(d.type, 'numeric');
  return d.type === 'numeric' ? Array.from(d.values) : [];
}

function labels(ds: Dataset, name: string): (string | null)[] {
  const d = col(ds, name);
  if (d.type === 'categorical') return Array.from(d.codes, (c) => (c < 0 ? null : d.categories[c]));
  if (d.type === 'text') return [...d.values];
  assert.fail(`column ${name} is numeric`);
}

describe('readCsv on the shipped datasets', () => {
  it('loads breast cancer: 569 rows, 30 numeric features, target diagnosis with its malignant count, values bit-identical to Python float()', async () => {
    const ref = reference.csv['breast-cancer-wisconsin.csv'];
    const ds = await readCsv(join(ROOT, 'data/breast-cancer-wisconsin.csv'), { target: 'diagnosis', positive: 'malignant' });
    assert.equal(ds.rowCount, ref.rows);
    assert.deepEqual(
      ds.columns.map((c) => c.name),
      ref.header,
    );
    const features = ds.columns.filter((c) => c.kind === 'numeric');
    assert.equal(features.length, Object.keys(ref.numeric).length);
    for (const [name, values] of Object.entries(ref.numeric)) assert.deepEqual(numbers(ds, name), values, name);
    assert.deepEqual(ds.target, { column: 'diagnosis', positive: 'malignant' });
    const diagnosis = getColumn(ds, 'diagnosis');
    assert.equal(diagnosis?.kind, 'target');
    const counts: Record<string, number> = {};
    for (const l of labels(ds, 'diagnosis')) counts[l as string] = (counts[l as string] ?? 0) + 1;
    assert.deepEqual(counts, ref.counts['diagnosis']);
  });

  it('loads diabetes (all numeric, regression target) and the molecule files (id and text columns inferred)', async () => {
    const diabetes = await readCsv(join(ROOT, 'data/diabetes-progression.csv'), { target: 'progression' });
    const ref = reference.csv['diabetes-progression.csv'];
    assert.equal(diabetes.rowCount, ref.rows);
    for (const [name, values] of Object.entries(ref.numeric)) assert.deepEqual(numbers(diabetes, name), values, name);
    assert.equal(getColumn(diabetes, 'progression')?.data.type, 'numeric');

    const chembl = await readCsv(join(ROOT, 'data/chembl2321810-pic50.csv'));
    assert.equal(chembl.rowCount, reference.csv['chembl2321810-pic50.csv'].rows);
    assert.deepEqual(
      chembl.columns.map((c) => [c.name, c.kind]),
      [
        ['compound_id', 'id'],
        ['smiles', 'text'],
        ['pic50', 'numeric'],
      ],
    );
    assert.deepEqual(numbers(chembl, 'pic50'), reference.csv['chembl2321810-pic50.csv'].numeric['pic50']);

    const nci = await readCsv(join(ROOT, 'data/nci-screening-5k.csv'));
    assert.equal(nci.rowCount, reference.csv['nci-screening-5k.csv'].rows);
    assert.deepEqual(
      nci.columns.map((c) => [c.name, c.kind]),
      [
        ['nci_id', 'id'],
        ['smiles', 'text'],
      ],
    );
  });

  it('gives the same dataset whatever the read chunk size (records cut at every possible byte)', async () => {
    const path = join(ROOT, 'data/breast-cancer-wisconsin.csv');
    const whole = await readCsv(path, { target: 'diagnosis' });
    for (const chunkSize of [5, 61, 1000]) assert.deepEqual(await readCsv(path, { target: 'diagnosis', chunkSize }), whole, `chunk ${chunkSize}`);
  });
});

describe('readCsv syntax', () => {
  it('handles RFC 4180 quotes: delimiters, escaped quotes and newlines inside quoted fields, CRLF line ends', async () => {
    const text = 'id,note,score\r\n1,"a, b",1.5\r\n2,"say ""hi""",2\r\n3,"two\r\nlines",-3e2\r\n4,plain,"4.25"\r\n';
    for (const chunkSize of [1, 3, 1 << 20]) {
      const ds = await load(text, { columns: { note: 'text' }, chunkSize });
      assert.equal(ds.rowCount, 4);
      assert.deepEqual(labels(ds, 'note'), ['a, b', 'say "hi"', 'two\r\nlines', 'plain']);
      assert.deepEqual(numbers(ds, 'score'), [1.5, 2, -300, 4.25]);
    }
  });

  it('accepts LF, CRLF and lone CR line ends, a missing final newline, blank lines, and a UTF-8 byte order mark', async () => {
    const expected = [1, 2, 3];
    for (const text of ['a,b\n1,x\n2,y\n3,x', 'a,b\r\n1,x\r\n\r\n2,y\r\n3,x\r\n', 'a,b\r1,x\r2,y\r3,x\r', '\ufeffa,b\n1,x\n2,y\n\n3,x\n']) {
      const ds = await load(text, { columns: { b: 'categorical' } });
      assert.deepEqual(
        ds.columns.map((c) => c.name),
        ['a', 'b'],
        JSON.stringify(text),
      );
      assert.deepEqual(numbers(ds, 'a'), expected, JSON.stringify(text));
      assert.deepEqual(labels(ds, 'b'), ['x', 'y', 'x']);
    }
  });

  it('parses numbers exactly as JavaScript does (correct rounding), including long mantissas, exponents, signs and infinities', async () => {
    const texts = [
      '0.1',
      '-0.000123',
      '1e-7',
      '2.5E+10',
      '+3',
      '.5',
      '5.',
      '123456789012345678',
      '0.30000000000000004',
      '1.7976931348623157e308',
      '4.9e-324',
      ' 7 ',
      '-0',
    ];
    const ds = await load('x\n' + texts.join('\n') + '\n');
    const got = numbers(ds, 'x');
    texts.forEach((t, i) => assert.ok(Object.is(got[i], Number(t)), `${t}: ${got[i]} vs ${Number(t)}`));
    assert.deepEqual([parseNumberText('inf'), parseNumberText('-Infinity'), parseNumberText('1,5'), parseNumberText('0x10'), parseNumberText('')].map(String), [
      'Infinity',
      '-Infinity',
      'NaN',
      'NaN',
      'NaN',
    ]);
    // The string parser (inference) agrees, past its scratch buffer's first size and on non-ASCII text.
    const long = '0.' + '1234567890'.repeat(12);
    assert.ok(Object.is(parseNumberText(long), Number(long)));
    assert.deepEqual(
      ['\uff15', '1\u00a0', 'in\u0192', 'inf\u0131nity', 'é', 'nan', 'infinite', '+inf'].map((t) => String(parseNumberText(t))),
      ['NaN', 'NaN', 'NaN', 'NaN', 'NaN', 'NaN', 'NaN', 'Infinity'],
    );
  });
});

describe('readCsv round trip of generated files', () => {
  it('reads back what an RFC 4180 writer wrote, for random values, line ends and chunk sizes', async () => {
    const rng = createRng(11);
    const pieces = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '🩺', 'x y'];
    const quote = (v: string): string => (/[",\r\n]/.test(v) || v.trim() !== v ? `"${v.replaceAll('"', '""')}"` : v);
    for (let round = 0; round < 5; round++) {
      const rows = 150;
      const nums: number[] = [];
      const notes: string[] = [];
      const lines = ['value,note,group'];
      for (let i = 0; i < rows; i++) {
        const missing = rng.next() < 0.1;
        const v = missing ? NaN : rng.next() < 0.5 ? rng.normal() * 10 ** rng.int(12) : rng.int(1000) - 500;
        nums.push(v);
        let note = 'n';
        for (let k = rng.int(6); k > 0; k--) note += pieces[rng.int(pieces.length)];
        notes.push(note);
        lines.push([missing ? '' : String(v), quote(note), `g${rng.int(3)}`].join(','));
      }
      const eol = round % 2 ? '\r\n' : '\n';
      const path = tempFile('roundtrip.csv', lines.join(eol) + eol);
      for (const chunkSize of [1, 2, 3, 7, 4096]) {
        const ds = await readCsv(path, { columns: { note: 'text' }, chunkSize });
        assert.equal(ds.rowCount, rows);
        assert.deepEqual(numbers(ds, 'value'), nums, `round ${round}, chunk ${chunkSize}`);
        assert.deepEqual(labels(ds, 'note'), notes, `round ${round}, chunk ${chunkSize}`);
        assert.equal(getColumn(ds, 'group')?.kind, 'categorical');
      }
    }
  });
});

describe('readCsv detection and inference', () => {
  it('detects the delimiter among , ; tab and |', async () => {
    for (const d of [',', ';', '\t', '|']) {
      const ds = await load(
        ['name' + d + 'age' + d + 'weight', 'a' + d + '30' + d + '70,5', 'b' + d + '40' + d + '80,5'].join('\n').replaceAll(',5', d === ',' ? '.5' : ',5') +
          '\n',
        { columns: { weight: 'text' } },
      );
      assert.deepEqual(
        ds.columns.map((c) => c.name),
        ['name', 'age', 'weight'],
        `delimiter ${JSON.stringify(d)}`,
      );
      assert.deepEqual(numbers(ds, 'age'), [30, 40]);
    }
  });

  it('detects whether the first row is a header, and the user can say so', async () => {
    const noHeader = await load('1.5,2,a\n3,4,b\n5,6,a\n');
    assert.deepEqual(
      noHeader.columns.map((c) => c.name),
      ['column_1', 'column_2', 'column_3'],
    );
    assert.equal(noHeader.rowCount, 3);
    const header = await load('x,y,label\n1.5,2,a\n3,4,b\n');
    assert.deepEqual(
      header.columns.map((c) => c.name),
      ['x', 'y', 'label'],
    );
    assert.equal(header.rowCount, 2);
    // Text-only data with no header: detection cannot tell, the user can.
    const forced = await load('a,b\nc,d\n', { header: false });
    assert.equal(forced.rowCount, 2);
    const forcedHeader = await load('1,2\n3,4\n', { header: true });
    assert.deepEqual(
      forcedHeader.columns.map((c) => c.name),
      ['1', '2'],
    );
    const semicolon = await load('10;20\n30;40\n', { delimiter: ';' });
    assert.deepEqual(numbers(semicolon, 'column_2'), [20, 40]);
  });

  it('infers numeric, categorical, text and id columns, and per-column overrides win', async () => {
    const rows = ['patient_id,age,sex,note,code'];
    for (let i = 0; i < 40; i++) rows.push(`P${i},${20 + i},${i % 2 ? 'F' : 'M'},free text number ${i},${i % 3}`);
    const text = rows.join('\n') + '\n';
    const ds = await load(text);
    assert.deepEqual(
      ds.columns.map((c) => [c.name, c.kind]),
      [
        ['patient_id', 'id'],
        ['age', 'numeric'],
        ['sex', 'categorical'],
        ['note', 'text'],
        ['code', 'numeric'],
      ],
    );
    const overridden = await load(text, { columns: { code: 'categorical', sex: 'text', age: 'categorical' }, id: ['note'] });
    assert.deepEqual(
      overridden.columns.map((c) => [c.name, c.kind, c.data.type]),
      [
        ['patient_id', 'id', 'text'],
        ['age', 'categorical', 'categorical'],
        ['sex', 'text', 'text'],
        ['note', 'id', 'text'],
        ['code', 'categorical', 'categorical'],
      ],
    );
    const code = col(overridden, 'code');
    assert.ok(code.type === 'categorical');
    assert.deepEqual(code.categories, ['0', '1', '2']);
  });

  it('treats the default missing tokens as missing, and `missing:` replaces them', async () => {
    assert.deepEqual([...DEFAULT_MISSING], ['', 'NA', 'N/A', 'NaN', '?', 'null']);
    const text = 'x,c\n1,a\n,b\nNA,NA\nN/A,?\nNaN,null\n ? ,a\n2,\n';
    const ds = await load(text, { columns: { c: 'categorical' } });
    const x = numbers(ds, 'x');
    assert.deepEqual(
      x.map((v) => Number.isNaN(v)),
      [false, true, true, true, true, true, false],
    );
    assert.deepEqual(labels(ds, 'c'), ['a', 'b', null, null, null, 'a', null]);
    const custom = await load('x,c\n1,a\n-999,b\n.,.\n', { missing: ['-999', '.'], columns: { c: 'categorical' } });
    assert.deepEqual(numbers(custom, 'x').map(String), ['1', 'NaN', 'NaN']);
    assert.deepEqual(labels(custom, 'c'), ['a', 'b', null]);
  });

  it('marks the target (numeric => regression data, positive => categorical) and keeps id columns out of features', async () => {
    const text = 'mrn,x,y\nA,1,0\nB,2,1\nC,3,1\n';
    const reg = await load(text, { target: 'y', id: 'mrn' });
    assert.deepEqual(
      reg.columns.map((c) => [c.name, c.kind, c.data.type]),
      [
        ['mrn', 'id', 'text'],
        ['x', 'numeric', 'numeric'],
        ['y', 'target', 'numeric'],
      ],
    );
    const cls = await load(text, { target: 'y', positive: '1', id: 'mrn' });
    assert.deepEqual(cls.target, { column: 'y', positive: '1' });
    const y = col(cls, 'y');
    assert.ok(y.type === 'categorical');
    assert.deepEqual(y.categories, ['0', '1']);
  });
});

/** The data pointer file (PATH.medpipe): its stable text, every way a damaged one is refused, and the row count it records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPointer, pointerText, readPointer } from '../../src/engine/data-pointer.js';
import { countCsvRows, RecordCounter } from '../../src/data/csv-records.js';
import { readCsv } from '../../src/data/csv.js';
import { ROOT } from '../helpers/cli.js';

const DIGEST = 'ab'.repeat(32);

test('a pointer is JSON with its keys in a fixed order, one per line, rows only when given', () => {
  assert.equal(
    pointerText({ rows: 3, size: 10, digest: DIGEST, path: 'p.csv' }),
    `{\n  "medpipe_data": 1,\n  "path": "p.csv",\n  "digest": "${DIGEST}",\n  "size": 10,\n  "rows": 3\n}\n`,
  );
  assert.equal(
    pointerText({ path: 'scan.bin', digest: DIGEST, size: 0 }),
    `{\n  "medpipe_data": 1,\n  "path": "scan.bin",\n  "digest": "${DIGEST}",\n  "size": 0\n}\n`,
  );
});

test('a pointer reads back what was written, and is found from the data file beside it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-pointer-'));
  const file = join(dir, 'p.csv.medpipe');
  writeFileSync(file, pointerText({ path: 'p.csv', digest: DIGEST, size: 10, rows: 3 }));
  const p = readPointer(file);
  assert.deepEqual({ ...p }, { file, dataFile: join(dir, 'p.csv'), path: 'p.csv', digest: DIGEST, size: 10, rows: 3 });
  assert.equal(findPointer(join(dir, 'p.csv'))?.digest, DIGEST, 'the data file with its pointer beside it');
  assert.equal(findPointer(file)?.digest, DIGEST, 'the pointer itself');
  assert.equal(findPointer(join(dir, 'other.csv')), undefined, 'a plain file has no pointer');
});

test('a damaged pointer is refused with its file and what is wrong, never read as some other digest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-pointer-bad-'));
  const ok = { medpipe_data: 1, path: 'p.csv', digest: DIGEST, size: 10 };
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{ "medpipe_data": 1, ', /p\.csv\.medpipe: not a valid data pointer: it is not JSON/],
    ['an array', '[]', /it is not a JSON object/],
    ['no format', JSON.stringify({ ...ok, medpipe_data: undefined }), /"medpipe_data" is missing/],
    ['a newer format', JSON.stringify({ ...ok, medpipe_data: 2 }), /data pointer format 2 is newer than this medpipe reads \(1\) \(update medpipe\)/],
    ['another path', JSON.stringify({ ...ok, path: 'q.csv' }), /"path" is "q\.csv", but this pointer stands for "p\.csv"/],
    ['a short digest', JSON.stringify({ ...ok, digest: 'abc' }), /"digest" must be a sha256 digest \(64 hex digits\)/],
    ['a negative size', JSON.stringify({ ...ok, size: -1 }), /"size" must be a whole number of bytes/],
    ['fractional rows', JSON.stringify({ ...ok, rows: 1.5 }), /"rows" must be a whole number/],
    ['an unknown field', JSON.stringify({ ...ok, md5: 'x' }), /unknown field "md5"/],
  ];
  for (const [what, text, expected] of cases) {
    const file = join(dir, 'p.csv.medpipe');
    writeFileSync(file, text);
    assert.throws(
      () => readPointer(file, 'data/p.csv.medpipe'),
      (e: Error) => e.name === 'DataError' && expected.test(e.message) && e.message.startsWith('data/p.csv.medpipe: '),
      what,
    );
  }
});

test('rows count records, not lines: quoted newlines, CRLF, blank lines and a missing last line end; the header is not a row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-rows-'));
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  assert.equal(await countCsvRows(write('a.csv', 'id,note,age\n1,"two\nlines",40\n2,"a ""quoted"", comma",41\n\n3,plain,42')), 3);
  assert.equal(await countCsvRows(write('b.csv', 'id,age\r\n1,40\r\n2,41\r\n')), 2);
  assert.equal(await countCsvRows(write('c.csv', '1,40\n2,41\n3,42\n')), 3, 'no header: every record is a row');
  assert.equal(await countCsvRows(write('d.tsv', 'id\tnote\n1\t"x\ty"\n2\tz\n')), 2);
  // A quote in the middle of an unquoted field is a character, not the start of a quoted field.
  assert.equal(await countCsvRows(write('e.csv', 'id,height\n1,5\'11"\n2,6\'0"\n')), 2);
});

test('the counter gives the same count whatever the chunk boundaries (an escaped quote split across chunks)', () => {
  const text = Buffer.from('a,b\n1,"x""\ny"\n2,"z"\n');
  for (let size = 1; size <= text.length; size++) {
    const c = new RecordCounter(44);
    for (let i = 0; i < text.length; i += size) c.push(text.subarray(i, i + size));
    assert.equal(c.finish(), 3, `chunks of ${size}`);
  }
});

test('on the shipped data sets the row count is the number of rows load.csv loads', async () => {
  for (const name of ['breast-cancer-wisconsin.csv', 'diabetes-progression.csv', 'chembl2321810-pic50.csv', 'nci-screening-5k.csv']) {
    const file = join(ROOT, 'data', name);
    const ds = await readCsv(file);
    assert.equal(await countCsvRows(file), ds.rowCount, name);
  }
});

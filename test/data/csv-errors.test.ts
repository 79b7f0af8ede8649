import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { DataError, StepInputError } from '../../src/errors.js';
import { failure, tempFile, tempPath, where } from './helpers.js';

describe('readCsv errors name the file, the line and the column, and never show row values', () => {
  it('ragged row with too few fields: the line as an editor shows it, and the first missing column', async () => {
    const e = await failure('age,sex,bmi\n50,F,22.5\n61,M\n70,F,30\n');
    assert.deepEqual(where(e), ['patients.csv', 3, 'bmi']);
    assert.equal(
      e.message,
      'patients.csv, row 3, column "bmi": this row has 2 fields but the header has 3 columns: the value for this column and the ones after it are missing (check for a missing "," delimiter; an empty value still needs its delimiter)',
    );
  });

  it('ragged row with too many fields, counting lines inside quoted fields and blank lines', async () => {
    const e = await failure('age,note\n50,"two\nlines"\n\n61,ok,extra\n', { columns: { note: 'text' } });
    assert.deepEqual(where(e), ['patients.csv', 5, 'note']);
    assert.equal(
      e.message,
      'patients.csv, row 5, column "note": this row has more fields than the 2 columns of the header (extra values after the last column) (a value containing the delimiter must be quoted ("..."))',
    );
  });

  it('a value that is not a number in an inferred numeric column, beyond the inference sample', async () => {
    const rows = ['id_code,glucose'];
    for (let i = 0; i < 6000; i++) rows.push(`${i % 7},${(5 + (i % 10) / 10).toFixed(1)}`);
    rows.push('3,high');
    const e = await failure(rows.join('\n') + '\n');
    assert.deepEqual(where(e), ['patients.csv', 6002, 'glucose']);
    assert.equal(
      e.message,
      'patients.csv, row 6002, column "glucose": a value in this numeric-looking column is not a number (the column was inferred numeric from the first rows; declare it with `columns: { glucose: categorical }` (or text), or add the value to `missing:` if it marks a missing value)',
    );
    assert.ok(!e.message.includes('high'), 'the bad value is not shown');
  });

  it('a value that is not a number in a column declared numeric', async () => {
    const e = await failure('a,b\n1,x\n2,y\n', { columns: { b: 'numeric' } });
    assert.deepEqual(where(e), ['patients.csv', 2, 'b']);
    assert.equal(
      e.message,
      'patients.csv, row 2, column "b": a value in this numeric column is not a number (fix the value, or add it to `missing:` if it marks a missing value)',
    );
  });

  it('a target column that is not in the file: lists the columns and suggests the closest', async () => {
    const e = await failure('age,Diagnosis\n1,a\n2,b\n', { target: 'diagnosis' });
    assert.deepEqual(where(e), ['patients.csv', undefined, 'diagnosis']);
    assert.equal(e.message, 'patients.csv, column "diagnosis": the target column is not in the file (did you mean "Diagnosis"? columns: age, Diagnosis)');
    const typo = await failure('age,outcome\n1,a\n2,b\n', { target: 'outcom' });
    assert.equal(typo.message, 'patients.csv, column "outcom": the target column is not in the file (did you mean "outcome"? columns: age, outcome)');
    const none = await failure('age,outcome\n1,a\n2,b\n', { columns: { zzzzzz: 'numeric' } });
    assert.equal(none.message, 'patients.csv, column "zzzzzz": a column named in `columns:` or `id:` is not in the file (columns: age, outcome)');
  });

  it('a positive class that is not among the target values (without listing them)', async () => {
    const e = await failure('x,diagnosis\n1,benign\n2,malignant\n', { target: 'diagnosis', positive: 'Malignant' });
    assert.deepEqual(where(e), ['patients.csv', undefined, 'diagnosis']);
    assert.equal(
      e.message,
      'patients.csv, column "diagnosis": the positive class given in `positive:` is not one of the 2 values of the target column (a value differs only in upper/lower case: match it exactly)',
    );
    const other = await failure('x,diagnosis\n1,benign\n2,malignant\n', { target: 'diagnosis', positive: 'cancer' });
    assert.equal(
      other.message,
      'patients.csv, column "diagnosis": the positive class given in `positive:` is not one of the 2 values of the target column (check the spelling against the values in the file)',
    );
  });

  it('positive without target is a parameter error', async () => {
    await assert.rejects(
      readCsv(tempFile('p.csv', 'a,b\n1,x\n'), { positive: 'x' }),
      (e: unknown) => e instanceof StepInputError && e.message === '`positive:` needs `target:` (the column the positive class belongs to)',
    );
  });

  it('an empty file, a file of blank lines, and a header without data rows', async () => {
    assert.equal((await failure('')).message, 'patients.csv: the file is empty (expected a header row and data rows)');
    assert.equal((await failure('\n\r\n  \n')).message, 'patients.csv: the file is empty (expected a header row and data rows)');
    assert.equal((await failure('a,b\n')).message, 'patients.csv: the file has a header row but no data rows');
  });

  it('binary files: NUL bytes, or bytes that are not UTF-8 (e.g. a Latin-1 export)', async () => {
    const gzip = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
    assert.equal(
      (await failure(gzip)).message,
      'patients.csv: this is a binary file, not a CSV text file (expected a UTF-8 text CSV; compressed (.gz, .zip) and spreadsheet (.xlsx) files must be exported as CSV first)',
    );
    const latin1 = Buffer.from('name,city\nA,K\xf6ln\n', 'latin1');
    assert.equal(
      (await failure(latin1)).message,
      'patients.csv: the file is not valid UTF-8 text (in its first megabyte) (if it was saved as Latin-1 / Windows-1252 (e.g. by Excel), re-save it as "CSV UTF-8")',
    );
  });

  it('a file that does not exist, and a directory', async () => {
    await assert.rejects(
      readCsv('/nonexistent/dir/x.csv', { displayName: 'data/x.csv' }),
      (e: unknown) => e instanceof DataError && e.message === "data/x.csv: file not found (paths in `with:` are relative to the pipeline file's directory)",
    );
    const dir = tempPath('a-directory');
    mkdirSync(dir);
    await assert.rejects(
      readCsv(dir, { displayName: 'data' }),
      (e: unknown) => e instanceof DataError && e.message === 'data: this is a directory, not a CSV file',
    );
  });

  it('a quoted field never closed, and a duplicate column name', async () => {
    const open = await failure('a,b\n1,"x\n2,y\n');
    assert.deepEqual(where(open), ['patients.csv', 2, undefined]);
    assert.equal(
      open.message,
      'patients.csv, row 2: a quoted field is never closed (a field starting with " must end with "; write a quote inside a field as "")',
    );
    const dup = await failure('age,age\n1,2\n');
    assert.equal(dup.message, 'patients.csv, row 1, column "age": two columns have this name (rename one of them in the header row)');
  });

  it('a quoted field never closed beyond the inference sample is found by the streaming pass', async () => {
    const rows = ['a,b'];
    for (let i = 0; i < 70000; i++) rows.push(`${i},x${i % 3}`);
    const e = await failure(rows.join('\n') + '\n70001,"open\n', { columns: { b: 'categorical' } });
    assert.deepEqual(where(e), ['patients.csv', 70002, 'b']);
  });
});

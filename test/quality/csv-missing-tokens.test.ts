/**
 * The CSV reader counts which missing token each missing cell was, per column, across chunk
 * boundaries (a record re-parsed after a carry is counted once), and files without missing
 * values carry no counts (so their Arrow files keep their bytes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-tokens-'));

const text = ['a,b,c', '1,x,', 'NA,y,2', '?,,3', ' NA ,x,null', '5,NaN,4', '6,"",N/A', ''].join('\n');

for (const chunkSize of [1, 3, 7, 1 << 20]) {
  test(`tokens per column, chunks of ${chunkSize} bytes`, async () => {
    const file = join(dir, `t${chunkSize}.csv`);
    writeFileSync(file, text);
    const ds = await readCsv(file, { chunkSize, columns: { b: 'categorical' } });
    const tokens = Object.fromEntries(ds.columns.map((c) => [c.name, c.missingTokens]));
    assert.deepEqual(tokens, { a: { NA: 2, '?': 1 }, b: { '': 2, NaN: 1 }, c: { '': 1, null: 1, 'N/A': 1 } });
  });
}

test('a file without missing values has no token counts', async () => {
  const file = join(dir, 'clean.csv');
  writeFileSync(file, 'a,b\n1,x\n2,y\n3,x\n');
  const ds = await readCsv(file);
  assert.ok(ds.columns.every((c) => !('missingTokens' in c)));
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { DataError } from '../../src/errors.js';
import { tempFile, tempPath } from './helpers.js';

async function roundTrip(ds: Dataset): Promise<Dataset> {
  const path = tempPath('t.arrow');
  await writeDatasetFile(path, ds);
  return readDatasetFile(path);
}

describe('Arrow dataset files', () => {
  it('round-trips every column type, kind, the target and the positive class, in column order', async () => {
    const ds = makeDataset(
      [
        { name: 'zeta', kind: 'numeric', data: { type: 'numeric', values: new Float64Array([1.5, NaN, Infinity, -0, -Infinity]) } },
        { name: 'sex', kind: 'categorical', data: { type: 'categorical', codes: new Int32Array([0, 1, -1, 1, 0]), categories: ['F', 'M', 'unused'] } },
        { name: 'note', kind: 'text', data: { type: 'text', values: ['ça va', null, '', '日本語', 'emoji 🩺'] } },
        { name: 'mrn', kind: 'id', data: { type: 'text', values: ['a1', 'a2', 'a3', 'a4', 'a5'] } },
        { name: 'alpha', kind: 'target', data: { type: 'categorical', codes: new Int32Array([1, 0, 1, 1, 0]), categories: ['benign', 'malignant'] } },
      ],
      { column: 'alpha', positive: 'malignant' },
    );
    const back = await roundTrip(ds);
    assert.deepEqual(
      back.columns.map((c) => [c.name, c.kind, c.data.type]),
      ds.columns.map((c) => [c.name, c.kind, c.data.type]),
    );
    assert.equal(back.rowCount, 5);
    assert.deepEqual(back.target, { column: 'alpha', positive: 'malignant' });
    const num = back.columns[0].data;
    assert.equal(num.type, 'numeric');
    if (num.type === 'numeric') {
      assert.ok(Number.isNaN(num.values[1]));
      assert.deepEqual([num.values[0], num.values[2], num.values[4]], [1.5, Infinity, -Infinity]);
      assert.ok(Object.is(num.values[3], -0));
    }
    assert.deepEqual(back.columns[1].data, ds.columns[1].data);
    assert.deepEqual(back.columns[2].data, ds.columns[2].data);
    assert.deepEqual(back.columns[4].data, ds.columns[4].data);
  });

  it('writes a missing number as an Arrow null (NaN in memory, whether it was NaN or missing)', async () => {
    const ds = makeDataset([{ name: 'x', kind: 'numeric', data: { type: 'numeric', values: new Float64Array([NaN, 2]) } }]);
    const path = tempPath('null.arrow');
    await writeDatasetFile(path, ds);
    const { tableFromIPC } = await import('apache-arrow');
    const table = tableFromIPC(readFileSync(path));
    assert.equal(table.getChild('x')?.nullCount, 1);
    assert.equal(table.getChild('x')?.get(0), null);
  });

  it('writes the IPC file format (magic ARROW1 at both ends), which pandas/polars/DuckDB open', async () => {
    const path = tempPath('magic.arrow');
    await writeDatasetFile(path, makeDataset([{ name: 'x', kind: 'numeric', data: { type: 'numeric', values: new Float64Array([1]) } }]));
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), 'ARROW1');
    assert.equal(bytes.subarray(bytes.length - 6).toString('latin1'), 'ARROW1');
  });

  it('round-trips an empty table and a table with columns but no rows', async () => {
    const empty = await roundTrip(makeDataset([]));
    assert.equal(empty.rowCount, 0);
    assert.deepEqual(empty.columns, []);
    const noRows = await roundTrip(
      makeDataset([
        { name: 'x', kind: 'numeric', data: { type: 'numeric', values: new Float64Array(0) } },
        { name: 'c', kind: 'categorical', data: { type: 'categorical', codes: new Int32Array(0), categories: ['a'] } },
        { name: 't', kind: 'text', data: { type: 'text', values: [] } },
      ]),
    );
    assert.equal(noRows.rowCount, 0);
    assert.deepEqual(
      noRows.columns.map((c) => c.name),
      ['x', 'c', 't'],
    );
    assert.deepEqual(noRows.columns[1].data, { type: 'categorical', codes: new Int32Array(0), categories: ['a'] });
  });

  it('writes the same bytes for the same dataset (dictionary ids do not depend on earlier writes)', async () => {
    const ds = makeDataset([
      { name: 'x', kind: 'numeric', data: { type: 'numeric', values: new Float64Array([3, NaN, 1]) } },
      { name: 'c', kind: 'categorical', data: { type: 'categorical', codes: new Int32Array([0, 1, -1]), categories: ['a', 'b'] } },
    ]);
    const a = tempPath('a.arrow');
    const b = tempPath('b.arrow');
    await writeDatasetFile(a, ds);
    await writeDatasetFile(b, ds);
    assert.deepEqual(readFileSync(a), readFileSync(b));
  });

  it('reads tables written by other Arrow tools: kinds from the Arrow types, integers as numbers', async () => {
    const { tableFromArrays, tableToIPC, vectorFromArray, Dictionary, Float64, Utf8, Int8, Table } = await import('apache-arrow');
    const plain = tableFromArrays({ n: Int32Array.from([1, 2, 3]), f: Float32Array.from([0.5, 1.5, 2.5]) });
    const text = vectorFromArray(['a', 'b', 'c'], new Utf8());
    const withNull = vectorFromArray([1.5, null, 3], new Float64()); // another writer's bytes under a null
    const dict = vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int8()));
    const table = new Table({ n: plain.getChild('n')!, f: plain.getChild('f')!, s: text, d: dict, g: withNull });
    const path = tempFile('foreign.arrow', tableToIPC(table, 'file'));
    const ds = await readDatasetFile(path);
    assert.deepEqual(
      ds.columns.map((c) => [c.name, c.kind]),
      [
        ['n', 'numeric'],
        ['f', 'numeric'],
        ['s', 'text'],
        ['d', 'categorical'],
        ['g', 'numeric'],
      ],
    );
    assert.deepEqual(ds.columns[4].data, { type: 'numeric', values: new Float64Array([1.5, NaN, 3]) });
    assert.deepEqual(ds.columns[0].data, { type: 'numeric', values: new Float64Array([1, 2, 3]) });
    assert.deepEqual(ds.columns[3].data, { type: 'categorical', codes: new Int32Array([0, 1, 0]), categories: ['x', 'y'] });
  });

  it('reports a missing file and a non-Arrow file as DataErrors naming the file', async () => {
    await assert.rejects(
      readDatasetFile('/nonexistent/x.arrow'),
      (e: unknown) => e instanceof DataError && e.message === '/nonexistent/x.arrow: dataset file not found',
    );
    const csv = tempFile('not-arrow.arrow', 'a,b\n1,2\n');
    await assert.rejects(readDatasetFile(csv), (e: unknown) => e instanceof DataError && e.message.startsWith(`${csv}: not an Apache Arrow IPC file`));
  });
});

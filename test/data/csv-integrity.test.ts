/**
 * Issue 13, the CSV loader's share: nothing wrong is loaded silently. Infinite numbers are refused
 * with the file, the line and the column, and what to write to accept them on purpose.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCsv, type CsvOptions } from '../../src/data/csv.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { readDatasetFile } from '../../src/data/arrow.js';
import { DataError } from '../../src/errors.js';
import type { StepType } from '../../src/engine/step-type.js';
import loadCsv from '../../src/steps/load.csv.js';
import { runStep } from '../helpers/step-harness.js';
import { tempFile } from './helpers.js';

/** Loads `content` under the display name "patients.csv" and returns the DataError it must raise. */
async function failure(content: string, options: CsvOptions = {}): Promise<DataError> {
  const path = tempFile('bad.csv', content);
  try {
    await readCsv(path, { displayName: 'patients.csv', ...options });
  } catch (e) {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the load to fail');
}

function where(e: DataError): [string | undefined, number | undefined, string | undefined] {
  return [e.file, e.row, e.column];
}

/** The step's schema defaults (the engine applies them; the harness does not). */
function defaults(step: StepType): Record<string, unknown> {
  return Object.fromEntries(Object.entries(step.params.properties).flatMap(([k, v]) => ('default' in v ? [[k, (v as { default: unknown }).default]] : [])));
}

function numbers(ds: Dataset, name: string): number[] {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric', `${name} is numeric`);
  return Array.from(d.values);
}

const NON_FINITE = 'a value in this numeric column is not finite (inf, -inf, or a number too large for a 64-bit float such as 1e309) (fix the value, or set `non_finite: missing` in the load step\'s `with:` to treat non-finite values as missing)';

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
    for (const chunkSize of [7, 1 << 20]) assert.deepEqual(where(await failure(rows.join('\n') + '\n', { chunkSize })), ['patients.csv', 6002, 'b'], `chunk ${chunkSize}`);
  });

  it('`nonFinite: missing` loads them as missing values (NaN), like any other missing cell', async () => {
    const ds = await readCsv(tempFile('inf.csv', 'a,b\n1,inf\n2,"1e309"\n3,-Infinity\n4,2.5\n5,NA\n6,1e308\n'), { nonFinite: 'missing' });
    assert.deepEqual(numbers(ds, 'b').map(String), ['NaN', 'NaN', 'NaN', '2.5', 'NaN', '1e+308']);
  });

  it('load.csv takes `non_finite:` (default error) and passes it to the loader', async () => {
    const params = { ...defaults(loadCsv), path: tempFile('inf.csv', 'a,b\n1,inf\n2,2.5\n') };
    const schema = loadCsv.params.properties['non_finite'] as { enum: string[]; default: string; description: string };
    assert.deepEqual([schema.enum, schema.default], [['error', 'missing'], 'error']);
    assert.ok(schema.description.length > 20);
    await assert.rejects(runStep(loadCsv, {}, { ...params, non_finite: 'error' }), (e: unknown) => e instanceof DataError && e.row === 2 && e.column === 'b');
    const r = await runStep(loadCsv, {}, { ...params, non_finite: 'missing' });
    assert.deepEqual(numbers(await readDatasetFile(r.outputs['data']), 'b').map(String), ['NaN', '2.5']);
    assert.deepEqual((r.summary as { missing: Record<string, number> }).missing, { b: 1 });
  });
});

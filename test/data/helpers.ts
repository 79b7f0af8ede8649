/**
 * Shared helpers for the data-core tests: temporary files, the repository root, and the
 * reference values written by test/fixtures/data_core_fixtures.py.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv, type CsvOptions } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';

/** The repository root, from dist/test/data/helpers.js. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'medpipe-data-test-'));
let counter = 0;

/** Writes `content` to a fresh file in a temporary directory and returns its path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** Loads `content` under the display name "patients.csv" and returns the DataError it must raise. */
export async function failure(content: string | Uint8Array, options: CsvOptions = {}): Promise<DataError> {
  const path = tempFile('bad.csv', content);
  try {
    await readCsv(path, { displayName: 'patients.csv', ...options });
  } catch (e) {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the load to fail');
}

/** Where a DataError points: file, row, column. */
export function where(e: DataError): [string | undefined, number | undefined, string | undefined] {
  return [e.file, e.row, e.column];
}

/** A fresh path in the temporary directory (nothing written). */
export function tempPath(name: string): string {
  return join(dir, `${counter++}-${name}`);
}

export interface CsvReference {
  header: string[];
  rows: number;
  numeric: Record<string, number[]>;
  counts: Record<string, Record<string, number>>;
}

export interface SplitReference {
  n: number;
  class_counts: number[];
  test_size: number;
  n_train: number;
  n_test: number;
  stratified_train_per_class: number[];
  stratified_test_per_class: number[];
}

export interface KFoldReference {
  class_counts: number[];
  k: number;
  fold_sizes: number[];
  stratified_per_fold: number[][];
}

export interface DataCoreReference {
  csv: Record<string, CsvReference>;
  splits: SplitReference[];
  kfold: KFoldReference[];
}

export const reference: DataCoreReference = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/data/data-core.json'), 'utf8')) as DataCoreReference;

/** Labels 0..k-1 repeated by `counts` (class 0 first), as in the fixture script. */
export function repeatLabels(counts: readonly number[]): Int32Array {
  const out: number[] = [];
  counts.forEach((c, k) => {
    for (let i = 0; i < c; i++) out.push(k);
  });
  return Int32Array.from(out);
}

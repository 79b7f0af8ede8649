/**
 * The hospital-readmission builtin: seeded and stable, read through the CSV reader, with the mess
 * data/README.md promises (missing tokens per column, duplicate ids and rows, rare wards, ~5% positives).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { loadBuiltin } from '../../src/data/builtin.js';
import { readCsv } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/dataset.js';
import { COMMON_WARDS, HOSPITAL_READMISSION_LOAD, hospitalReadmissionCsv } from '../../src/data/generators/hospital-readmission.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-readmission-test-'));

async function arrowBytes(ds: Dataset, name: string): Promise<Buffer> {
  const file = join(dir, name);
  await writeDatasetFile(file, ds);
  return readFileSync(file);
}

const col = (ds: Dataset, name: string) => {
  const c = ds.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name}`);
  return c;
};

test('the same seed gives identical Arrow bytes, another seed a different table', async () => {
  const a = await arrowBytes(await loadBuiltin('hospital-readmission', { seed: 3 }), 'a.arrow');
  const b = await arrowBytes(await loadBuiltin('hospital-readmission', { seed: 3 }), 'b.arrow');
  const c = await arrowBytes(await loadBuiltin('hospital-readmission', { seed: 4 }), 'c.arrow');
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
});

test('it is exactly what load.csv reads from the same text, missing tokens included', async () => {
  const file = join(dir, 'readmission.csv');
  writeFileSync(file, hospitalReadmissionCsv({ nSamples: 3000, seed: 0 }));
  const viaCsv = await readCsv(file, { ...HOSPITAL_READMISSION_LOAD, displayName: 'hospital-readmission (generated)' });
  const builtin = await loadBuiltin('hospital-readmission', { seed: 0 });
  assert.ok((await arrowBytes(viaCsv, 'csv.arrow')).equals(await arrowBytes(builtin, 'builtin.arrow')));
});

test('it has the promised mess: tokens per column, duplicate ids and rows, rare wards, about 5% positives', async () => {
  const ds = await loadBuiltin('hospital-readmission', { seed: 0 });
  assert.equal(ds.rowCount, 3002); // 3,000 patients and two exact copies
  assert.deepEqual(ds.target, { column: 'outcome', positive: 'yes' });
  const text = hospitalReadmissionCsv({ nSamples: 3000, seed: 0 }).trimEnd().split('\n').slice(1);
  // Count the tokens in the text itself (no quoted field before the note column, so a plain split holds there).
  const cells = (j: number) => text.map((l) => l.split(',')[j]);
  const tally = (xs: string[], t: string) => xs.filter((x) => x === t).length;
  assert.deepEqual(col(ds, 'bmi').missingTokens, { '': tally(cells(4), ''), NA: tally(cells(4), 'NA') });
  assert.deepEqual(col(ds, 'systolic_bp').missingTokens, { NA: tally(cells(5), 'NA'), '?': tally(cells(5), '?') });
  assert.deepEqual(col(ds, 'smoking').missingTokens, { '': tally(cells(3), '') });
  assert.deepEqual(col(ds, 'sex').missingTokens, { '': tally(cells(2), '') });
  assert.equal(col(ds, 'hba1c').missingTokens, undefined);
  assert.ok(tally(cells(4), 'NA') > 30 && tally(cells(4), '') > 60 && tally(cells(5), '?') > 5 && tally(cells(3), '') > 100);

  const ids = cells(0);
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  assert.ok(duplicated >= 25 && duplicated <= 40, `${duplicated} duplicated ids`);
  assert.equal(text.length - new Set(text).size, 2, 'two exact duplicate rows');

  const ward = col(ds, 'ward').data;
  assert.equal(ward.type, 'categorical');
  const wardCounts = new Map<string, number>();
  for (const c of ward.codes) wardCounts.set(ward.categories[c], (wardCounts.get(ward.categories[c]) ?? 0) + 1);
  const rare = [...wardCounts].filter(([w]) => !(COMMON_WARDS as readonly string[]).includes(w));
  assert.equal(rare.length, 30);
  assert.ok(rare.every(([, n]) => n >= 1 && n <= 6)); // 1-5 patients, plus possibly one duplicated row
  assert.equal(wardCounts.size, 42);

  const outcome = col(ds, 'outcome').data;
  assert.equal(outcome.type, 'categorical');
  const positives = Array.from(outcome.codes).filter((c) => outcome.categories[c] === 'yes').length;
  assert.ok(positives / ds.rowCount > 0.035 && positives / ds.rowCount < 0.065, `${positives} positives`);
  assert.equal(col(ds, 'patient_id').kind, 'id');
  assert.equal(col(ds, 'age').kind, 'numeric');
});

test('a token count survives the Arrow round trip and is dropped when rows are taken', async () => {
  const { readDatasetFile } = await import('../../src/data/arrow.js');
  const { takeRows } = await import('../../src/data/dataset.js');
  const ds = await loadBuiltin('hospital-readmission', { seed: 1, nSamples: 200 });
  const file = join(dir, 'round.arrow');
  await writeDatasetFile(file, ds);
  const back = await readDatasetFile(file);
  assert.deepEqual(col(back, 'systolic_bp').missingTokens, col(ds, 'systolic_bp').missingTokens);
  assert.equal(col(takeRows(ds, [0, 1, 2]), 'systolic_bp').missingTokens, undefined);
});

/**
 * A small admissions table for the date tests, written as a CSV the way a hospital extract is:
 * an id, numbers, a category, an ISO admission date and a binary outcome. Seeded, so every run
 * writes the same bytes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../src/rng.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'medpipe-dates-test-'));
}

/** `rows` admissions over `days` distinct dates from 2019-01-03; returns the CSV path. */
export function admissionsCsv(dir: string, rows = 300, days = 120, seed = 7): string {
  const rng = createRng(seed);
  const start = Date.UTC(2019, 0, 3);
  const lines = ['patient_id,age,sex,admitted,outcome'];
  for (let i = 0; i < rows; i++) {
    const age = 20 + Math.floor(rng.next() * 70);
    const sex = rng.next() < 0.5 ? 'female' : 'male';
    const admitted = new Date(start + Math.floor(rng.next() * days) * 15 * 86_400_000).toISOString().slice(0, 10);
    const outcome = rng.next() < 0.2 + (age > 60 ? 0.3 : 0) ? 'yes' : 'no';
    lines.push(`P${1000 + i},${age},${sex},${admitted},${outcome}`);
  }
  const path = join(dir, 'admissions.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Shared by the integrity tests: damaging files the way a failing disk or a hand edit would, and reading what a run left. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/engine/record.js';

/** Changes the first digit after the middle of a text file to another digit: same size, different content. */
export function flipDigit(file: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.slice(Math.floor(text.length / 2)).search(/[0-9]/) + Math.floor(text.length / 2);
  if (at < Math.floor(text.length / 2)) throw new Error(`no digit in the second half of ${file}`);
  writeFileSync(file, text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1));
}

/** Inverts one byte in the middle of a file. */
export function flipByte(file: string): void {
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(file, bytes);
}

/** The record of the run whose CLI output is `out` (its last line names the run). */
export function runOf(store: string, out: string): RunRecord {
  const runId = /\(run (\S+)\)/.exec(out)?.[1];
  if (!runId) throw new Error(`no run id in the output:\n${out}`);
  return JSON.parse(readFileSync(join(store, 'runs', `${runId}.json`), 'utf8')) as RunRecord;
}

/** The files a run publishes into the checkout (metrics, results, lock files), by path relative to the project. */
export function committedFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const sub of ['metrics', 'results', 'pipelines']) {
    if (!existsSync(join(dir, sub))) continue;
    for (const name of readdirSync(join(dir, sub)).sort()) {
      if (sub === 'pipelines' && !name.endsWith('.lock.yaml')) continue;
      files.set(`${sub}/${name}`, readFileSync(join(dir, sub, name)));
    }
  }
  return files;
}

/** Where a store keeps an artifact and a cache entry (the layout of src/engine/store.ts). */
export function storePaths(store: string): { objectPath(digest: string): string; entryPath(key: string): string } {
  return {
    objectPath: (digest) => join(store, 'objects', digest.slice(0, 2), digest.slice(2)),
    entryPath: (key) => join(store, 'entries', key.slice(0, 2), `${key}.json`),
  };
}

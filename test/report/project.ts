/**
 * Helpers for the report tests: a temporary project holding copies of the shipped pipelines and
 * data (with a package.json, so its store is created inside it), and the real CLI run in it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/cli.js';
import type { RunRecord } from '../../src/engine/record.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-report-'));
  cpSync(join(ROOT, 'pipelines'), join(dir, 'pipelines'), { recursive: true, filter: (s) => !s.includes('.medpipe') });
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}\n');
  return dir;
}

export async function cli(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), stdout: { isTTY: false } as NodeJS.WriteStream });
    return { code, out, err };
  } finally {
    process.chdir(before);
  }
}

/** Runs a pipeline of the project and returns its run record. */
export async function runPipeline(dir: string, ...args: string[]): Promise<{ code: number; record: RunRecord; output: string }> {
  const r = await cli(dir, 'run', ...args);
  const runId = /run (\S+)\)/.exec(r.out)?.[1];
  if (!runId) throw new Error(`no run id in the output of medpipe run:\n${r.out}${r.err}`);
  return { code: r.code, record: JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord, output: r.out + r.err };
}

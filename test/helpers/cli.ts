/**
 * The real CLI, run in-process in a given folder (as a user would run `medpipe …` there), and a
 * temporary copy of the shipped project (pipelines + data) for end-to-end tests. The folder is
 * passed to the CLI (CliIO.cwd), never made the process's: the process's working folder is shared
 * by everything in it, and test files run at once.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/cli.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function runCli(cwd: string, ...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), stdout: { isTTY: false } as NodeJS.WriteStream, cwd });
  return { code, out, err };
}

/** A temporary folder with copies of pipelines/ and data/, and a package.json so its store is created inside it. */
export function shippedProjectCopy(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `medpipe-${prefix}-`));
  cpSync(join(ROOT, 'pipelines'), join(dir, 'pipelines'), { recursive: true, filter: (s) => !s.includes('.medpipe') });
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}\n');
  return dir;
}

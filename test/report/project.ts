/**
 * Helpers for the report tests: a temporary project holding copies of the shipped pipelines and
 * data (with a package.json, so its store is created inside it), and the real CLI run in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli as cli, shippedProjectCopy } from '../helpers/cli.js';
import type { RunRecord } from '../../src/engine/record.js';

export { ROOT, runCli as cli } from '../helpers/cli.js';

export function tempProject(): string {
  return shippedProjectCopy('report');
}

/** Runs a pipeline of the project and returns its run record. */
export async function runPipeline(dir: string, ...args: string[]): Promise<{ code: number; record: RunRecord; output: string }> {
  const r = await cli(dir, 'run', ...args);
  const runId = /run (\S+)\)/.exec(r.out)?.[1];
  if (!runId) throw new Error(`no run id in the output of medpipe run:\n${r.out}${r.err}`);
  return { code: r.code, record: JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord, output: r.out + r.err };
}

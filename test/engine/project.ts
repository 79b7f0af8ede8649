/**
 * Temporary medpipe projects for engine tests: a folder with a pipeline file and custom step
 * modules, and ways to run the real CLI on it, in-process or as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/bin.js');

/**
 * A custom step used by the engine tests. It adds `n` to its optional input, can burn CPU for
 * `spin_ms`, fail on demand, read a data file (`path`, a file parameter), and appends one line
 * per real computation to `computed.log` so tests can count executions.
 */
export const COUNTER_STEP = `
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  id: 'counter', version: 'VERSION', description: 'adds n to its input', defaultOutput: 'out',
  inputs: { x: { kind: 'dataset', description: 'a number', optional: true }, m: { kind: 'model', description: 'unused', optional: true } },
  outputs: { out: { kind: 'dataset', description: 'a number' }, info: { kind: 'report', description: 'timings' } },
  params: { type: 'object', additionalProperties: false, properties: {
    n: { type: 'number', default: 1 }, spin_ms: { type: 'integer', minimum: 0, default: 0 },
    fail: { type: 'boolean', default: false }, path: { type: 'string' }, label: { type: 'string' } } },
  fileParams: ['path'],
  async run(ctx, p) {
    const start = Date.now();
    appendFileSync(join(ctx.pipelineDir, 'computed.log'), ctx.stepId + '\\n');
    while (Date.now() - start < p.spin_ms) { /* burn CPU: a worker thread must keep the main thread free */ }
    if (p.fail) throw Object.assign(new Error('asked to fail'), { name: 'StepInputError' });
    const base = ctx.input('x') ? Number(readFileSync(ctx.input('x'), 'utf8')) : 0;
    const fromFile = p.path ? Number(readFileSync(join(ctx.pipelineDir, p.path), 'utf8')) : 0;
    writeFileSync(ctx.output('out'), String(base + p.n + fromFile));
    // The step id keeps two steps with identical timings from having one content-addressed artifact.
    writeFileSync(ctx.output('info'), JSON.stringify({ step: ctx.stepId, start, end: Date.now() }));
    return { value: base + p.n + fromFile };
  },
};
`;

export interface Project {
  dir: string;
  write(rel: string, text: string): string;
  read(rel: string): string;
  computed(): string[];
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  spawnCli(...args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

export function makeProject(files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-test-'));
  const write = (rel: string, text: string): string => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  // A package.json marks the folder as the project root, so the store is created inside it.
  write('package.json', '{ "type": "module" }\n');
  write('steps/counter.js', COUNTER_STEP.replace('VERSION', '1'));
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  return {
    dir,
    write,
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
    computed: () => (existsSync(join(dir, 'computed.log')) ? readFileSync(join(dir, 'computed.log'), 'utf8').split('\n').filter(Boolean) : []),
    cli: (...args) => runCli(dir, ...args),
    spawnCli(...args) {
      return new Promise((resolvePromise) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, CI: '1' } });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code, signal) => resolvePromise({ code, signal, out, err }));
      });
    },
  };
}

/**
 * Engine benchmarks: a fully cached re-run of a 1,000-step synthetic DAG (wall time including
 * Node start-up, and peak memory), planning time for it, and the no-op re-run of the flagship
 * pipeline. Targets (issue "The engine"): 1,000-step cached re-run under 1.5 s; flagship no-op
 * re-run under 0.4 s.
 */
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline, openStore } from '../src/engine/open.js';
import { plan } from '../src/engine/plan.js';
import { catalogue } from '../src/steps/index.js';
import { measureNode, median, printTable } from './measure.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const FLAGSHIP = join(ROOT, 'pipelines/breast-cancer.yaml');

export const TINY_STEP = `import { readFileSync, writeFileSync } from 'node:fs';
export default {
  id: 'tiny', version: '1', description: 'sums its inputs', defaultOutput: 'out',
  inputs: { a: { kind: 'dataset', description: 'x', optional: true }, b: { kind: 'dataset', description: 'y', optional: true } },
  outputs: { out: { kind: 'dataset', description: 'sum' } },
  params: { type: 'object', additionalProperties: false, properties: { i: { type: 'integer' } } },
  async run(ctx, p) {
    let s = p.i;
    for (const port of ['a', 'b']) if (ctx.input(port)) s += Number(readFileSync(ctx.input(port), 'utf8'));
    writeFileSync(ctx.output('out'), String(s % 1000003));
  },
};
`;

/** A layered DAG: step i reads steps i-1 and i-7 (where they exist), so it has long chains and fan-in. */
export function syntheticPipeline(n: number): string {
  const lines = ['medpipe: 1', 'name: synthetic-1000', 'steps:'];
  for (let i = 0; i < n; i++) {
    const ins = [i >= 1 ? `a: s${i - 1}` : '', i >= 7 ? `b: s${i - 7}` : ''].filter(Boolean).join(', ');
    lines.push(`  s${i}: { uses: ./tiny.mjs, ${ins ? `in: { ${ins} }, ` : ''}with: { i: ${i} } }`);
  }
  return lines.join('\n') + '\n';
}

export async function benchEngine(): Promise<void> {
  const rows: string[][] = [['benchmark', 'median wall', 'peak RSS', 'runs', 'target']];
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-engine-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tiny.mjs'), TINY_STEP);
  writeFileSync(join(dir, 'big.yaml'), syntheticPipeline(1000));

  const first = await measureNode(BIN, ['run', 'big.yaml', '--plain'], dir);
  if (first.code !== 0) throw new Error(`the 1,000-step pipeline failed: ${first.stderr || first.stdout.slice(-2000)}`);
  rows.push(['1,000-step DAG, first run (all computed)', `${(first.wallMs / 1000).toFixed(2)} s`, `${first.peakRssMb.toFixed(0)} MB`, '1', '-']);

  const cached = [];
  for (let i = 0; i < 5; i++) cached.push(await measureNode(BIN, ['run', 'big.yaml', '--plain'], dir));
  if (!/0 ran, 1000 cached/.test(cached[0].stdout)) throw new Error(`expected a fully cached re-run, got: ${cached[0].stdout.slice(-300)}`);
  rows.push([
    '1,000-step DAG, cached re-run (incl. Node start-up)',
    `${(median(cached.map((m) => m.wallMs)) / 1000).toFixed(3)} s`,
    `${median(cached.map((m) => m.peakRssMb)).toFixed(0)} MB`,
    '5',
    '< 1.5 s',
  ]);

  const planTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const pipeline = await loadPipeline(join(dir, 'big.yaml'), { catalogue });
    await plan(pipeline, openStore(dir));
    planTimes.push(performance.now() - t0);
  }
  rows.push(['1,000-step DAG, load + validate + plan (in-process)', `${median(planTimes).toFixed(0)} ms`, '-', '5', '-']);

  if (existsSync(FLAGSHIP)) {
    const store = mkdtempSync(join(tmpdir(), 'medpipe-bench-flagship-'));
    const warm = await measureNode(BIN, ['run', FLAGSHIP, '--plain', '--store', store], ROOT);
    if (warm.code !== 0) throw new Error(`the flagship pipeline failed: ${warm.stderr || warm.stdout.slice(-2000)}`);
    const noop = [];
    for (let i = 0; i < 5; i++) noop.push(await measureNode(BIN, ['run', FLAGSHIP, '--plain', '--store', store], ROOT));
    rows.push([
      'flagship (breast-cancer.yaml) no-op re-run',
      `${(median(noop.map((m) => m.wallMs)) / 1000).toFixed(3)} s`,
      `${median(noop.map((m) => m.peakRssMb)).toFixed(0)} MB`,
      '5',
      '< 0.4 s',
    ]);
    rmSync(store, { recursive: true, force: true });
  } else rows.push(['flagship no-op re-run', 'pipelines/breast-cancer.yaml not found', '-', '0', '< 0.4 s']);

  const bare = [];
  for (let i = 0; i < 5; i++) bare.push(await measureNode(BIN, ['--help'], dir));
  rows.push([
    '`medpipe --help` (Node start-up + CLI import)',
    `${(median(bare.map((m) => m.wallMs)) / 1000).toFixed(3)} s`,
    `${median(bare.map((m) => m.peakRssMb)).toFixed(0)} MB`,
    '5',
    '-',
  ]);
  rmSync(dir, { recursive: true, force: true });
  printTable('Engine', rows);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await benchEngine();

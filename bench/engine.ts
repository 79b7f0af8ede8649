/**
 * Engine benchmarks: a fully cached re-run of a 1,000-step synthetic DAG (wall time including
 * Node start-up, and peak memory), outside and inside a git repository, what verification costs
 * it, planning time for it, and the no-op re-run of the flagship pipeline. Targets: 1,000-step
 * cached re-run under 0.3 s (issue 20; 1.5 s before), flagship no-op re-run under 0.4 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileDurably } from '../src/engine/durable.js';
import { loadPipeline, openStore } from '../src/engine/open.js';
import { entryFile, STORE_FOLDERS } from '../src/engine/store-layout.js';
import { plan } from '../src/engine/plan.js';
import { catalogue } from '../src/steps/index.js';
import { type Measurement, measureNode, median, printTable } from './measure.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const FLAGSHIP = join(ROOT, 'pipelines/breast-cancer.yaml');

/** Fresh processes per cached re-run row: the VM's noise needs more than five. */
const CACHED_RUNS = 9;

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

/**
 * What integrity costs a cached re-run, measured in this process on the bench's store: reading
 * the 1,000 cache entries as a run does (each checked against its checksum, each output's size
 * checked against the store) against only reading and parsing them; and the durable writes a
 * cached run makes (its run record, at start and at end: the pipeline's state is left alone when
 * no step's record changed), each written with and without its fsyncs.
 */
const DURABLE_WRITES = 2;

function verificationCost(dir: string): string[] {
  const store = openStore(dir);
  const keys = store.entries();
  const time = (f: () => void): number => {
    f(); // warm: the files in the page cache, the code compiled
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) f();
    return (performance.now() - t0) / 5;
  };
  const verified = time(() => {
    for (const k of keys) if (store.lookupEntry(k).state !== 'hit') throw new Error(`entry ${k} is not intact`);
  });
  const plain = time(() => {
    for (const k of keys) JSON.parse(readFileSync(entryFile(store.root, k), 'utf8'));
  });
  const record = JSON.stringify(JSON.parse(readFileSync(join(store.root, STORE_FOLDERS.runs, `${store.listJson(STORE_FOLDERS.runs).at(-1)}.json`), 'utf8')));
  const scratch = mkdtempSync(join(tmpdir(), 'medpipe-bench-fsync-'));
  const durable = time(() => {
    for (let i = 0; i < DURABLE_WRITES; i++) writeFileDurably(join(scratch, `d${i}.json`), record);
  });
  const unsynced = time(() => {
    for (let i = 0; i < DURABLE_WRITES; i++) writeFileSync(join(scratch, `u${i}.json`), record);
  });
  rmSync(scratch, { recursive: true, force: true });
  return [
    `of which integrity: ${keys.length} entries read verified ${verified.toFixed(1)} ms vs unverified ${plain.toFixed(1)} ms; ${DURABLE_WRITES} durable record writes ${durable.toFixed(1)} ms vs unsynced ${unsynced.toFixed(1)} ms`,
    `+${(verified - plain + durable - unsynced).toFixed(1)} ms`,
    '-',
    '5 (in-process)',
    '-',
  ];
}

export async function benchEngine(baseline?: string): Promise<void> {
  const rows: string[][] = [['benchmark', 'median wall', 'peak RSS', 'runs', 'target']];
  /** A row of the medians of five fresh processes running `script ARGS`. */
  const medianOfFive = async (label: string, script: string, args: readonly string[], cwd: string, target: string, env?: NodeJS.ProcessEnv): Promise<void> => {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await measureNode(script, args, cwd, env));
    rows.push([label, `${(median(runs.map((m) => m.wallMs)) / 1000).toFixed(3)} s`, `${median(runs.map((m) => m.peakRssMb)).toFixed(0)} MB`, '5', target]);
  };
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-engine-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tiny.mjs'), TINY_STEP);
  writeFileSync(join(dir, 'big.yaml'), syntheticPipeline(1000));

  const first = await measureNode(BIN, ['run', 'big.yaml', '--plain'], dir);
  if (first.code !== 0) throw new Error(`the 1,000-step pipeline failed: ${first.stderr || first.stdout.slice(-2000)}`);
  rows.push(['1,000-step DAG, first run (all computed)', `${(first.wallMs / 1000).toFixed(2)} s`, `${first.peakRssMb.toFixed(0)} MB`, '1', '-']);

  // The first run created the store after loading the pipeline: the first re-run parses the YAML,
  // compiles the custom step's schema and keeps both in the store; later re-runs read them back.
  const firstCached = await measureNode(BIN, ['run', 'big.yaml', '--plain'], dir);
  if (!/0 ran, 1000 cached/.test(firstCached.stdout)) throw new Error(`expected a fully cached re-run, got: ${firstCached.stdout.slice(-300)}`);
  rows.push([
    '1,000-step DAG, first cached re-run (parses, compiles, keeps both)',
    `${(firstCached.wallMs / 1000).toFixed(3)} s`,
    `${firstCached.peakRssMb.toFixed(0)} MB`,
    '1',
    '-',
  ]);
  // With a baseline build (--baseline OTHER/dist), its re-runs take turns with this build's on the
  // same project: the VM's speed drifts by a third within minutes, so only turns compare.
  const builds: [string, string][] = [['', BIN], ...(baseline ? [[' — baseline build', join(resolve(baseline), 'src/cli/bin.js')] as [string, string]] : [])];
  // Every Node process parses the certificates NODE_EXTRA_CA_CERTS names before running any code
  // (on this VM 144 of them: 60-70 ms of CPU, more than Node's own start-up). Where it is set, the
  // re-runs are also measured without it, as a stock Node install runs, taking turns with the others.
  const variants: [string, string, NodeJS.ProcessEnv][] = builds.flatMap(([name, bin]): [string, string, NodeJS.ProcessEnv][] => [
    [name, bin, {}],
    ...(process.env.NODE_EXTRA_CA_CERTS
      ? [[`${name} — without NODE_EXTRA_CA_CERTS`, bin, { NODE_EXTRA_CA_CERTS: undefined }] as [string, string, NodeJS.ProcessEnv]]
      : []),
  ]);
  const cachedRuns = async (label: string, target: string): Promise<void> => {
    const runs = new Map<string, Measurement[]>(variants.map(([name]) => [name, []]));
    for (let i = 0; i < CACHED_RUNS; i++)
      for (const [name, bin, env] of variants) (runs.get(name) as Measurement[]).push(await measureNode(bin, ['run', 'big.yaml', '--plain'], dir, env));
    for (const [name, measured] of runs) {
      if (!measured.every((r) => /0 ran, 1000 cached/.test(r.stdout))) throw new Error(`expected fully cached re-runs, got: ${measured[0].stdout.slice(-300)}`);
      rows.push([
        `${label}${name}`,
        `${(median(measured.map((m) => m.wallMs)) / 1000).toFixed(3)} s (min ${(Math.min(...measured.map((m) => m.wallMs)) / 1000).toFixed(3)})`,
        `${median(measured.map((m) => m.peakRssMb)).toFixed(0)} MB`,
        String(CACHED_RUNS),
        name.includes('baseline') ? '-' : target,
      ]);
    }
  };
  await cachedRuns('1,000-step DAG, cached re-run (incl. Node start-up)', '< 0.3 s');
  rows.push(verificationCost(dir));
  // In a git repository a run asks git whether the pipeline is committed, and for HEAD and status.
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', 'big.yaml', 'tiny.mjs', 'package.json', 'big.lock.yaml');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'bench');
  await cachedRuns('1,000-step DAG, cached re-run, in a git repository', '-');

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
    await medianOfFive('flagship (breast-cancer.yaml) no-op re-run', BIN, ['run', FLAGSHIP, '--plain', '--store', store], ROOT, '< 0.4 s');
    rmSync(store, { recursive: true, force: true });
  } else rows.push(['flagship no-op re-run', 'pipelines/breast-cancer.yaml not found', '-', '0', '< 0.4 s']);

  // The floor: Node itself, in the same run (this VM's speed drifts by a third from hour to hour).
  await medianOfFive('Node start-up alone (a module that only defines the tiny step)', join(dir, 'tiny.mjs'), [], dir, '-');
  if (process.env.NODE_EXTRA_CA_CERTS)
    await medianOfFive('Node start-up alone, without NODE_EXTRA_CA_CERTS', join(dir, 'tiny.mjs'), [], dir, '-', { NODE_EXTRA_CA_CERTS: undefined });
  await medianOfFive('`medpipe --help` (Node start-up + CLI import)', BIN, ['--help'], dir, '-');
  rmSync(dir, { recursive: true, force: true });
  printTable('Engine', rows);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const at = process.argv.indexOf('--baseline');
  await benchEngine(at >= 0 ? process.argv[at + 1] : undefined);
}

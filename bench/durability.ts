/**
 * What fsync costs (issue "Integrity end to end": entries, artifacts and registry writes are
 * fsynced before they count). Each run is measured twice in the same session, side by side:
 * as shipped, and under Debian's eatmydata (LD_PRELOAD), which turns fsync into a no-op and so
 * is the same code without durability. strace counts the fsync calls of one run of each.
 *
 * Needs the `eatmydata` and `strace` Debian packages (apt-get install eatmydata strace).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureNode, median, printTable } from './measure.js';
import { syntheticPipeline, TINY_STEP } from './engine.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const EATMYDATA = '/usr/lib/x86_64-linux-gnu/libeatmydata.so';
const RUNS = 5;

interface Scenario {
  name: string;
  /** A fresh project folder for one measured run. */
  prepare(): string;
  args: string[];
}

function flagshipCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-durable-'));
  cpSync(join(ROOT, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}\n');
  return dir;
}

function dagProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-durable-dag-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tiny.mjs'), TINY_STEP);
  writeFileSync(join(dir, 'big.yaml'), syntheticPipeline(1000));
  return dir;
}

/** The flagship, run once already, so the measured run is the cached no-op. */
let noopDir: string | undefined;
function flagshipRunOnce(): string {
  if (!noopDir) {
    noopDir = flagshipCopy();
    execFileSync(process.execPath, [BIN, 'run', 'pipelines/breast-cancer.yaml', '--plain'], { cwd: noopDir, env: { ...process.env, CI: '1' } });
  }
  return noopDir;
}

const scenarios: Scenario[] = [
  { name: 'flagship, first run (10 steps computed, 2 registrations)', prepare: flagshipCopy, args: ['run', 'pipelines/breast-cancer.yaml', '--plain'] },
  { name: 'flagship, no-op re-run', prepare: flagshipRunOnce, args: ['run', 'pipelines/breast-cancer.yaml', '--plain'] },
  { name: '1,000-step DAG, first run (all computed)', prepare: dagProject, args: ['run', 'big.yaml', '--plain'] },
];

/** fsync and fdatasync calls of one run, counted by strace over every thread. */
function countFsyncs(s: Scenario): number {
  const dir = s.prepare();
  execFileSync('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync', '-o', join(dir, 'strace.txt'), process.execPath, BIN, ...s.args], {
    cwd: dir,
    env: { ...process.env, CI: '1' },
  });
  return readFileSync(join(dir, 'strace.txt'), 'utf8')
    .split('\n')
    .filter((l) => /\b(fsync|fdatasync)$/.test(l.trim()))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[3]), 0);
}

export async function benchDurability(): Promise<void> {
  for (const tool of [EATMYDATA, '/usr/bin/strace']) if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install -y eatmydata strace`);
  const rows: string[][] = [['run', 'fsync calls', 'median wall, fsync on', 'median wall, fsync off (eatmydata)', 'cost of fsync', 'runs']];
  for (const s of scenarios) {
    const on: number[] = [];
    const off: number[] = [];
    // Alternate, so a change in the machine's load falls on both columns alike.
    for (let i = 0; i < RUNS; i++) {
      for (const [times, env] of [
        [on, {}],
        [off, { LD_PRELOAD: EATMYDATA }],
      ] as const) {
        const dir = s.prepare();
        const m = await measureNode(BIN, s.args, dir, env);
        if (m.code !== 0) throw new Error(`${s.name} failed: ${m.stderr || m.stdout.slice(-1000)}`);
        times.push(m.wallMs);
        if (dir !== noopDir) rmSync(dir, { recursive: true, force: true });
      }
    }
    const a = median(on);
    const b = median(off);
    rows.push([
      s.name,
      String(countFsyncs(s)),
      `${(a / 1000).toFixed(3)} s`,
      `${(b / 1000).toFixed(3)} s`,
      `${(a - b).toFixed(0)} ms (${(((a - b) / b) * 100).toFixed(0)}%)`,
      String(RUNS),
    ]);
  }
  printTable('Durability: the cost of fsync (same code, same session; eatmydata makes fsync a no-op)', rows);
}

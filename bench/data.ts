/**
 * Benchmark of the data core: load a 1,000,000 x 40 numeric CSV and standardise it (with the
 * preprocess library's standard scaler).
 *
 * The CSV is generated once (seeded) into the OS temporary directory and reused. Each measured
 * load runs in a fresh child process so that its peak RSS (getrusage maxrss) belongs to that load
 * alone; the table reports the median of the repeats. pandas.read_csv on the same file is shown
 * beside it when /usr/bin/python3 has pandas, numpy.loadtxt (numpy's C reader) otherwise.
 *
 * Run: `node dist/bench/data.js` (or through the bench runner, which calls `benchData()`).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/rng.js';
import { median, printTable } from './measure.js';
import { readCsv } from '../src/data/csv.js';
import { applyPreprocess, fitPreprocess } from '../src/data/preprocess.js';

const ROWS = 1_000_000;
const COLS = 40;
const SEED = 20261126;
const REPEATS = 3;

interface LoadResult {
  rows: number;
  loadMs: number;
  standardiseMs: number;
  /** Peak RSS when the load finished, and after standardising too. */
  maxRssMb: number;
  maxRssAfterStandardiseMb: number;
}

/** Writes the benchmark CSV unless it is already there; returns its path. */
async function ensureCsv(): Promise<string> {
  const path = join(tmpdir(), `medpipe-bench-${ROWS}x${COLS}-s${SEED}.csv`);
  if (existsSync(path)) return path;
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  const rng = createRng(SEED);
  const header = Array.from({ length: COLS }, (_, j) => `f${j + 1}`).join(',') + '\n';
  out.write(header);
  let lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const row = new Array<string>(COLS);
    for (let j = 0; j < COLS; j++) {
      // A mix seen in clinical tables: small integers (counts, scores), measurements, lab values.
      const z = rng.normal();
      row[j] = j % 10 === 0 ? String(Math.round(50 + 10 * z)) : j % 3 === 0 ? (120 + 15 * z).toFixed(1) : z.toFixed(6);
    }
    lines.push(row.join(','));
    if (lines.length === 10000) {
      if (!out.write(lines.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      lines = [];
    }
  }
  if (lines.length) out.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(partial, path);
  return path;
}

/** One measured load + standardise, in this (child) process. */
async function loadOnce(path: string): Promise<LoadResult> {
  const t0 = performance.now();
  const ds = await readCsv(path);
  const t1 = performance.now();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  // Standardise with the preprocess library (fit the z-score on the table, then apply it).
  const scaled = applyPreprocess(fitPreprocess(ds, { scale: 'standard' }), ds);
  const t2 = performance.now();
  if (scaled.rowCount !== ds.rowCount) throw new Error('standardise changed the row count');
  return { rows: ds.rowCount, loadMs: t1 - t0, standardiseMs: t2 - t1, maxRssMb, maxRssAfterStandardiseMb: process.resourceUsage().maxRSS / 1024 };
}

interface PythonResult {
  what: string;
  ms: number;
  maxRssMb: number;
}

/** pandas.read_csv on the same file, or numpy.loadtxt (numpy's C reader) when pandas is missing. */
function pythonLoad(path: string): PythonResult | string {
  const script = [
    'import resource, sys, time',
    'try:',
    '    import pandas as pd',
    '    what = "pandas.read_csv"; load = lambda p: pd.read_csv(p)',
    'except ImportError:',
    '    import numpy as np',
    '    what = "numpy.loadtxt (pandas not installed)"; load = lambda p: np.loadtxt(p, delimiter=",", skiprows=1)',
    't = time.perf_counter(); load(sys.argv[1]); ms = (time.perf_counter() - t) * 1000',
    'print(what); print(ms, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'neither pandas nor numpy could run under /usr/bin/python3';
  const [what, numbers] = r.stdout.trim().split('\n');
  const [ms, rss] = numbers.split(/\s+/).map(Number);
  return { what, ms, maxRssMb: rss };
}

export async function benchData(): Promise<void> {
  const path = await ensureCsv();
  const sizeMb = statSync(path).size / 2 ** 20;
  const self = fileURLToPath(import.meta.url);
  const runs: LoadResult[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const child = spawnSync(process.execPath, [self, '--load-once', path], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`benchmark child failed: ${child.stderr}`);
    runs.push(JSON.parse(child.stdout) as LoadResult);
  }
  const loadMs = median(runs.map((r) => r.loadMs));
  const stdMs = median(runs.map((r) => r.standardiseMs));
  const rss = median(runs.map((r) => r.maxRssMb));
  const rssAfter = median(runs.map((r) => r.maxRssAfterStandardiseMb));
  const numericMb = (ROWS * COLS * 8) / 2 ** 20;
  const rate = (ms: number): string => Math.round(ROWS / (ms / 1000)).toLocaleString('en');
  const py = pythonLoad(path);
  printTable(
    `data: ${ROWS.toLocaleString('en')} x ${COLS} numeric CSV (${sizeMb.toFixed(0)} MiB), median of ${REPEATS} runs, each in a fresh process (machine shared, timings noisy)`,
    [
      ['what', 'time (ms)', 'rows/s', 'peak RSS (MiB)'],
      ['medpipe readCsv', loadMs.toFixed(0), rate(loadMs), `${rss.toFixed(0)} (${(rss / numericMb).toFixed(2)}x the ${numericMb.toFixed(0)} MiB of numbers)`],
      [
        '+ standardise (preprocess fit + apply)',
        stdMs.toFixed(0),
        `${rate(loadMs + stdMs)} (load + standardise)`,
        `${rssAfter.toFixed(0)} (input and scaled copy)`,
      ],
      typeof py === 'string' ? ['Python', `n/a: ${py}`, '', ''] : [py.what, py.ms.toFixed(0), rate(py.ms), py.maxRssMb.toFixed(0)],
    ],
  );
  console.log(
    `runs (load ms): ${runs.map((r) => r.loadMs.toFixed(0)).join(', ')}; peak RSS after load (MiB): ${runs.map((r) => r.maxRssMb.toFixed(0)).join(', ')}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--load-once') {
    const result = await loadOnce(process.argv[3]);
    process.stdout.write(JSON.stringify(result));
  } else await benchData();
}

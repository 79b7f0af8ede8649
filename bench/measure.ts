/** Runs a command as a child process and measures its wall time and peak memory. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./rss-probe.js', import.meta.url));

export interface Measurement {
  wallMs: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node [--import probe] script args…` and reports wall time (including Node start-up) and
 * peak RSS. `env` is added to this process's environment; a variable given as undefined is removed.
 */
export function measureNode(script: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Measurement> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CI: '1', ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', PROBE, script, ...args], {
      cwd,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let probe = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.stdio[3]?.on('data', (d) => (probe += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const kb = Number(/MEDPIPE_PEAK_RSS_KB=(\d+)/.exec(probe + stderr)?.[1] ?? NaN);
      resolvePromise({ wallMs, peakRssMb: kb / 1024, code, stdout, stderr });
    });
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One printed table, as `npm run bench` saves it in its JSON results (see run.ts and compare.ts). */
export interface BenchTable {
  readonly suite: string;
  readonly title: string;
  /** The header row first, then the data rows, each cell as printed. */
  readonly rows: readonly (readonly string[])[];
}

const printed: BenchTable[] = [];
let suite = '';

/** Names the suite the following tables belong to. */
export function beginSuite(name: string): void {
  suite = name;
}

/** Every table printed so far in this process. */
export function printedTables(): readonly BenchTable[] {
  return printed;
}

/** Prints a Markdown table (header row first) under its title, and keeps it for the JSON results. */
export function printTable(title: string, rows: readonly (readonly string[])[]): void {
  printed.push({ suite, title, rows: rows.map((r) => [...r]) });
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.slice(1).map(line).join('\n')}`);
}

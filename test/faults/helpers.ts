/**
 * The fault suite's tools: real `medpipe` processes to kill, seeded damage to files, and the
 * checks every fault test ends with (committed files byte-identical to an uninterrupted run's,
 * the same artifacts, nothing left behind, no internal error).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../engine/project.js';
import { shippedProjectCopy } from '../helpers/cli.js';
import { committedFiles } from '../integrity/helpers.js';
import type { RunRecord } from '../../src/engine/record.js';
import type { Seeded } from './seeded.js';

const copies: string[] = [];

/**
 * A temporary copy of the shipped project (see shippedProjectCopy), removed when the test file's
 * process exits if every test in it passed; a failed test's copies are kept to inspect.
 */
export function projectCopy(prefix: string): string {
  const dir = shippedProjectCopy(`faults-${prefix}`);
  if (!copies.length) {
    process.once('exit', () => {
      if (!process.exitCode) for (const d of copies) rmSync(d, { recursive: true, force: true });
    });
  }
  copies.push(dir);
  return dir;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface Child {
  readonly pid: number;
  readonly done: Promise<Finished>;
  /** Its first output (or its end): by then a `run` has read and validated the pipeline file. */
  readonly started: Promise<void>;
  /** SIGKILL after `ms` unless the process has ended by then; resolves with how it ended. */
  killAfter(ms: number): Promise<Finished>;
}

/** `medpipe …` as a separate process in `dir`, the way a user (or CI) starts it. */
export function spawnCli(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', ...env } });
  let out = '';
  let err = '';
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    markStarted();
  });
  child.stderr.on('data', (d) => (err += d));
  let ended = false;
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      markStarted();
      resolve({ code, signal, out, err });
    }),
  );
  return {
    pid: child.pid as number,
    done,
    started,
    async killAfter(ms) {
      const timer = setTimeout(() => {
        if (!ended) child.kill('SIGKILL');
      }, ms);
      const r = await done;
      clearTimeout(timer);
      return r;
    },
  };
}

/** What was done to a file, for failure messages. */
export type DamageKind = 'flip' | 'digit' | 'truncate';

/**
 * Damages a file as a failing disk or a stray edit would, at a seeded position: `flip` XORs one
 * byte with a non-zero mask, `digit` changes one decimal digit to another (the text stays valid
 * JSON, the nastiest case for a text file), `truncate` cuts it to a shorter length. The file
 * always changes. Returns a description naming the position.
 */
export function damage(file: string, kind: DamageKind, rng: Seeded): string {
  const bytes = readFileSync(file);
  const rel = file.slice(file.indexOf('.medpipe'));
  if (bytes.length === 0) throw new Error(`${rel} is empty: nothing to damage`);
  if (kind === 'truncate') {
    const length = rng.int(0, bytes.length);
    truncateSync(file, length);
    return `${rel} truncated from ${bytes.length} to ${length} bytes (${rng.label})`;
  }
  if (kind === 'flip') {
    const at = rng.int(0, bytes.length);
    const mask = rng.int(1, 256);
    const before = bytes[at];
    bytes[at] ^= mask;
    writeFileSync(file, bytes);
    return `${rel}: byte ${at} of ${bytes.length} changed from 0x${before.toString(16)} to 0x${bytes[at].toString(16)} (${rng.label})`;
  }
  const digits: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x30 && bytes[i] <= 0x39) digits.push(i);
  if (!digits.length) throw new Error(`${rel} has no digit to change`);
  const at = rng.pick(digits);
  const before = bytes[at] - 0x30;
  const after = (before + rng.int(1, 10)) % 10;
  bytes[at] = 0x30 + after;
  writeFileSync(file, bytes);
  return `${rel}: digit ${before} at byte ${at} of ${bytes.length} changed to ${after} (${rng.label})`;
}

/** The committed files of `dir` are byte for byte those of `reference` (same names, same bytes). */
export function assertCommittedEqual(dir: string, reference: ReadonlyMap<string, Buffer>, context: string): void {
  const now = committedFiles(dir);
  assert.deepEqual([...now.keys()].sort(), [...reference.keys()].sort(), `${context}: the committed files are not the same set`);
  for (const [file, bytes] of reference) assert.ok(now.get(file)?.equals(bytes), `${context}: ${file} is not byte-identical to the uninterrupted run's`);
}

/** Every step's output digests in `run` equal the reference run's: no step made (or passed on) anything else. */
export function assertSameOutputs(run: RunRecord, reference: RunRecord, context: string): void {
  for (const [id, s] of Object.entries(reference.steps)) {
    assert.ok(run.steps[id], `${context}: step ${id} is not in run ${run.runId}`);
    assert.deepEqual(run.steps[id].outputs, s.outputs, `${context}: the outputs of ${id} differ from the uninterrupted run's`);
  }
}

/**
 * Every step's summary in `run` equals the reference's: what a run records and shows (the run
 * record, the HTML report) comes from intact data. A register step's `created` says whether this
 * run or an earlier one registered the version, so it is left out.
 */
export function assertSameSummaries(run: RunRecord, reference: RunRecord, context: string): void {
  const strip = (v: unknown): unknown => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const { created: _created, ...rest } = v as Record<string, unknown>;
      return rest;
    }
    return v;
  };
  for (const [id, s] of Object.entries(reference.steps))
    assert.deepEqual(strip(run.steps[id]?.summary), strip(s.summary), `${context}: the summary of ${id} differs from the uninterrupted run's`);
}

/** The run record a finished `run` printed the id of. */
export function recordOf(dir: string, out: string): RunRecord {
  // The line that ends the run ("medpipe: ok in …: … (run ID)"); the results block follows it.
  const runId = /\(run (\S+)\)$/m.exec(out)?.[1];
  if (!runId) throw new Error(`no run id in the output:\n${out}`);
  return JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord;
}

/** Files under a folder, relative to it (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort();
}

/** An error message a user can act on: no internal error, no stack trace. */
export function assertClearError(text: string, context: string): void {
  assert.ok(text.trim().length > 0, `${context}: no message at all`);
  assert.doesNotMatch(text, /internal error/i, `${context}: an internal error:\n${text}`);
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, `${context}: a stack trace:\n${text}`);
}

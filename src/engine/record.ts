/**
 * Run records: one JSON file per run under the store's runs/ folder, written when the run starts
 * and rewritten when it ends, so even a killed run leaves a trace of what it was doing.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { GitInfo } from './git.js';
import type { RunReason } from './decision.js';
import type { StepOutcome } from './events.js';
import { processAlive } from './process-tag.js';
import type { Store } from './store.js';
import type { TransferStats } from '../remote/remote-cache.js';

export interface StepRecord {
  /** The step type (absent in records written before it was recorded). */
  uses?: string;
  /** Its resolved `with:` values (defaults applied, --set applied), so runs can be compared. */
  params?: Readonly<Record<string, unknown>>;
  status: StepOutcome | 'running' | 'pending';
  key?: string;
  /** Why a computed step was not taken from the store (see engine/decision.ts). */
  reasons?: readonly RunReason[];
  cacheHit: boolean;
  /** `remote`: a cached step whose entry came from the remote cache (absent: the local store). */
  source?: 'remote';
  /** What a cached step put back outside the store because it was missing there (register: the cached registration). */
  restored?: string;
  durationMs?: number;
  outputs?: Record<string, string>;
  summary?: unknown;
  error?: string;
  /** For internal errors only: kept in the record for the bug report, never printed. */
  errorDetail?: string;
  /** Computed through the queue (`run --queue`): the worker that ran it, and how many times it ran (more than 1: a worker died mid-step). */
  worker?: string;
  executions?: number;
  /** Computed through the queue, but the worker found its entry on the remote already and computed nothing. */
  reused?: boolean;
}

export interface RunRecord {
  runId: string;
  pipeline: { name: string; file: string; path: string; digest: string; overrides: readonly string[] };
  git: GitInfo | null;
  /**
   * `interrupted`: written by a run stopped on purpose (Ctrl-C, RunOptions.signal); also how a
   * `running` record reads once its process is gone without finishing it (see readRunStatus).
   */
  status: 'running' | 'ok' | 'failed' | 'interrupted';
  /** Why the run is an experiment (its results are not the record; see engine/experiment.ts). */
  experiment?: string;
  /** The process running it, so a record left `running` by a killed run can be told apart from a live one. */
  process?: { pid: number; host: string };
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  options: Record<string, unknown>;
  /** The remote cache the run used (RunOptions.remote): where (never with credentials), and what moved. */
  remote?: RunRemote;
  /** The queue the run's steps were computed through (`run --queue`), never with a password. */
  queue?: RunQueue;
  steps: Record<string, StepRecord>;
}

export interface RunQueue {
  location: string;
  /** Steps computed by workers, and executions beyond one per step (a worker died mid-step; harmless: content addressing). */
  steps: number;
  duplicateExecutions: number;
  /** Steps a worker found already on the remote when it took the job (another coordinator's, or before a crash). */
  reused: number;
}

export interface RunRemote {
  location: string;
  readOnly: boolean;
  stats: TransferStats;
  /** Why the remote was set aside during the run (it failed), if it was. */
  unavailable?: string;
}

export function newRunId(now: Date): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export function writeRunRecord(store: Store, record: RunRecord): void {
  store.writeJson(`runs/${record.runId}.json`, record);
}

/**
 * A record as it reads now: one left `running` by a process that no longer runs (killed, or the
 * machine went down) is `interrupted`. Records of other hosts, and old records without a
 * process, cannot be checked from here and read as written.
 */
export function readRunStatus(record: RunRecord): RunRecord['status'] {
  if (record.status !== 'running' || !record.process || record.process.host !== hostname()) return record.status;
  return processAlive(record.process.pid) ? 'running' : 'interrupted';
}

/**
 * The most recent runs first, with their status as it reads now. Run ids start with their UTC
 * time to the second, so file names sort by time; runs started within one second are ordered by
 * their start time, which has milliseconds.
 */
/** The ids of the store's run records (none when it has no runs folder). */
function runIds(store: Store): string[] {
  return store.listJson('runs');
}

/** A run record as it reads now (see readRunStatus), or undefined when it cannot be read. */
function readRun(store: Store, runId: string): RunRecord | undefined {
  const record = store.readJson<RunRecord>(`runs/${runId}.json`);
  return record && { ...record, status: readRunStatus(record) };
}

export function listRunRecords(store: Store, limit = 20): RunRecord[] {
  const ids = runIds(store).sort().reverse();
  // Read past the limit to the end of the last second it reaches, so ties are ordered properly.
  let end = Math.min(limit, ids.length);
  const second = (id: string): string => id.slice(0, id.indexOf('-'));
  while (end > 0 && end < ids.length && second(ids[end]) === second(ids[end - 1])) end++;
  return ids
    .slice(0, end)
    .map((id) => readRun(store, id))
    .filter((r): r is RunRecord => r !== undefined)
    .sort((a, b) => (a.startedAt === b.startedAt ? (a.runId < b.runId ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1))
    .slice(0, limit);
}

/** The most recent run that finished (ok or failed): not one still running, nor one that was interrupted. */
export function latestFinishedRun(store: Store): RunRecord | undefined {
  return listRunRecords(store, Number.POSITIVE_INFINITY).find(isFinished);
}

function isFinished(r: RunRecord): boolean {
  return r.status === 'ok' || r.status === 'failed';
}

/** The steps an `--only` run was limited to; empty for a run of every step. */
export function onlySteps(r: RunRecord): string[] {
  const only = r.options?.only;
  return Array.isArray(only) ? only.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * A run of the whole pipeline that finished: every step was selected (not an `--only` run,
 * which leaves the steps it did not need out of its record) and it ended, ok or failed.
 */
export function isCompleteRun(r: RunRecord): boolean {
  return isFinished(r) && onlySteps(r).length === 0;
}

/** The most recent complete run (see isCompleteRun): what a report shows when no run is named. */
export function latestCompleteRun(store: Store): RunRecord | undefined {
  return listRunRecords(store, Number.POSITIVE_INFINITY).find(isCompleteRun);
}

/** A run by its id or an unambiguous prefix of it; a message saying why when there is none. */
export function findRunById(store: Store, wanted: string): RunRecord | string {
  const ids = runIds(store);
  const matches = ids.includes(wanted) ? [wanted] : ids.filter((id) => id.startsWith(wanted));
  if (matches.length > 1) return `run "${wanted}" is ambiguous: it could be ${matches.slice(0, 5).join(', ')}; give more of the id`;
  return (matches.length ? readRun(store, matches[0]) : undefined) ?? `no run "${wanted}" in ${store.root}; medpipe runs lists them`;
}

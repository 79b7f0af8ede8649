/**
 * Run records: one JSON file per run under the store's runs/ folder, written when the run starts
 * and rewritten when it ends, so even a killed run leaves a trace of what it was doing.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { GitInfo } from './git.js';
import type { StepOutcome } from './events.js';
import type { Store } from './store.js';

export interface StepRecord {
  /** The step type (absent in records written before it was recorded). */
  uses?: string;
  status: StepOutcome | 'running' | 'pending';
  key?: string;
  cacheHit: boolean;
  durationMs?: number;
  outputs?: Record<string, string>;
  summary?: unknown;
  error?: string;
  /** For internal errors only: kept in the record for the bug report, never printed. */
  errorDetail?: string;
}

export interface RunRecord {
  runId: string;
  pipeline: { name: string; file: string; path: string; digest: string; overrides: readonly string[] };
  git: GitInfo | null;
  status: 'running' | 'ok' | 'failed';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  options: Record<string, unknown>;
  steps: Record<string, StepRecord>;
}

export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export function writeRunRecord(store: Store, record: RunRecord): void {
  store.writeJson(`runs/${record.runId}.json`, record);
}

/** The most recent runs first. Run ids start with their UTC time, so names sort by time. */
export function listRunRecords(store: Store, limit = 20): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(store.path('runs')).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .slice(0, limit)
    .map((n) => store.readJson<RunRecord>(`runs/${n}`))
    .filter((r): r is RunRecord => r !== undefined);
}

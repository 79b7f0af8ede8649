/**
 * What the engine tells the world while it runs. Reporters (live terminal table, plain CI lines,
 * JSON lines) and the programmatic API subscribe; the engine itself never prints.
 */
import type { OutputRecord } from './store.js';

/** `cancelled`: stopped while running (--fail-fast, Ctrl-C); `skipped`: never started. */
export type StepOutcome = 'done' | 'cached' | 'failed' | 'cancelled' | 'skipped';

export type EngineEvent =
  /** Before run:start: another run that publishes into this checkout holds its lock (see workspace-lock.ts). */
  | { type: 'run:waiting'; runId: string; pipeline: string; holder: string }
  /** experiment: why the run is one (see engine/experiment.ts); it then publishes nothing and moves no alias. */
  | { type: 'run:start'; runId: string; pipeline: string; file: string; steps: readonly string[]; concurrency: number; experiment?: string }
  /** `source: 'remote'`: taken from the remote cache (RunOptions.remote) rather than the local store. */
  | { type: 'step:cached'; step: string; key: string; source?: 'remote' }
  | { type: 'step:waiting'; step: string; key: string }
  | { type: 'step:start'; step: string; key: string }
  | { type: 'step:progress'; step: string; message: string; fraction?: number }
  | { type: 'step:log'; step: string; message: string }
  /** Something the user must know that did not stop the step: a damaged cache entry set aside and recomputed. */
  | { type: 'step:warning'; step: string; message: string }
  /** Something about the run as a whole the user must know: the remote cache failed and was set aside, refused an entry. */
  | { type: 'run:warning'; message: string }
  | { type: 'step:done'; step: string; durationMs: number; outputs: Readonly<Record<string, OutputRecord>> }
  | { type: 'step:failed'; step: string; durationMs: number; error: string }
  /** Stopped while running because the run stopped; `reason` as for step:skipped. */
  | { type: 'step:cancelled'; step: string; durationMs: number; reason: string }
  | { type: 'step:skipped'; step: string; reason: string }
  | { type: 'run:done'; runId: string; status: 'ok' | 'failed' | 'interrupted'; durationMs: number; counts: Readonly<Record<StepOutcome, number>> };

export type EventListener = (event: EngineEvent) => void;

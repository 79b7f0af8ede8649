/**
 * One step's run as an object with explicit states. It owns the step's entry in the run record
 * and the events that say what happened to it, so a step's state, its record and its events can
 * never disagree: every change goes through one transition, and a transition that the states do
 * not allow is a bug, reported as one.
 *
 *   pending ──> running ──> done | failed | cancelled
 *      │
 *      └──> cached | failed (could not start) | skipped (never started)
 *   cached ──> done (recomputed in this run, its artifact having been found damaged)
 */
import { clock } from './clock.js';
import type { RunReason } from './decision.js';
import type { EngineEvent, StepOutcome } from './events.js';
import type { PipelineStep } from './pipeline.js';
import type { StepRecord } from './record.js';
import type { OutputRecord } from './store.js';

export type StepRunState = StepOutcome | 'pending' | 'running';

const NEXT: Readonly<Record<StepRunState, readonly StepRunState[]>> = {
  pending: ['running', 'cached', 'failed', 'skipped'],
  running: ['done', 'failed', 'cancelled'],
  cached: ['done'],
  done: ['done'],
  failed: [],
  cancelled: [],
  skipped: [],
};

export class StepRun {
  readonly record: StepRecord;
  /** When the scheduler handed the step over; undefined while it waits for its turn. */
  private started: number | undefined;

  constructor(
    readonly step: PipelineStep,
    private readonly emit: (e: EngineEvent) => void,
  ) {
    this.record = { uses: step.type.id, params: step.params, status: 'pending', cacheHit: false };
  }

  get id(): string {
    return this.step.id;
  }

  get state(): StepRunState {
    return this.record.status;
  }

  /** Whether the step ended in a state its dependants can use. */
  get succeeded(): boolean {
    return this.state === 'done' || this.state === 'cached';
  }

  private to(next: StepRunState): void {
    if (!NEXT[this.state].includes(next)) throw new Error(`internal: step ${this.id} cannot go from ${this.state} to ${next}`);
    this.record.status = next;
  }

  private elapsed(): number {
    return this.started === undefined ? 0 : Math.round(clock.mono() - this.started);
  }

  /** The step's key, once computed. */
  keyed(key: string): void {
    this.record.key = key;
  }

  /** Taken from the store; `source: 'remote'` when its entry came from the remote cache (see remote-tier.ts). */
  cached(summary: unknown, source: 'local' | 'remote' = 'local'): void {
    this.to('cached');
    this.record.cacheHit = true;
    this.record.durationMs = 0;
    this.record.summary = summary;
    if (source === 'remote') this.record.source = 'remote';
    this.emit({ type: 'step:cached', step: this.id, key: this.record.key ?? '', ...(source === 'remote' ? { source } : {}) });
  }

  /** Computing it; `reasons`: why it is not taken from the store (see decision.ts). */
  start(reasons: readonly RunReason[]): void {
    this.to('running');
    this.record.reasons = reasons;
    this.emit({ type: 'step:start', step: this.id, key: this.record.key ?? '' });
  }

  done(durationMs: number, summary: unknown, outputs: Readonly<Record<string, OutputRecord>>): void {
    this.to('done');
    this.record.durationMs = durationMs;
    this.record.summary = summary;
    this.emit({ type: 'step:done', step: this.id, durationMs, outputs });
  }

  /** Computed again in this run after its cached artifact was found damaged (a warning says so). */
  recomputed(durationMs: number): void {
    this.to('done');
    this.record.cacheHit = false;
    delete this.record.source;
    this.record.durationMs = durationMs;
  }

  /** `detail`: for internal errors only, kept in the record for the bug report. */
  fail(message: string, detail?: string): void {
    this.to('failed');
    this.record.durationMs = this.elapsed();
    this.record.error = message;
    if (detail) this.record.errorDetail = detail;
    this.emit({ type: 'step:failed', step: this.id, durationMs: this.record.durationMs, error: message });
  }

  /** Stopped while running, because the run stopped. */
  cancel(reason: string): void {
    this.to('cancelled');
    this.record.durationMs = this.elapsed();
    this.emit({ type: 'step:cancelled', step: this.id, durationMs: this.record.durationMs, reason });
  }

  /** Never started (or stopped before it computed anything). */
  skip(reason: string): void {
    this.to('skipped');
    if (this.started !== undefined) this.record.durationMs = this.elapsed();
    this.emit({ type: 'step:skipped', step: this.id, reason });
  }

  /** Restarts the clock when the scheduler hands the step over, so durations do not count the wait. */
  begin(): void {
    this.started = clock.mono();
  }
}

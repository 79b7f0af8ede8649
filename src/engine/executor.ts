/**
 * The seam between scheduling and running a step's body. The scheduler (execute.ts, step-run.ts)
 * decides what runs and when, and commits results to the store; an executor only runs one job:
 * a step type with its inputs as paths, its parameters, the run's information and an output
 * folder, and hands back the output paths, progress and logs. The local executor is the
 * worker-thread pool (worker-pool.ts); a queue of workers on other machines can replace it
 * without touching planning.
 */
import type { SerializedError, StepTask } from './step-worker.js';
import type { QueueJobData } from '../queue/job-spec.js';
import type { QueuedStepResult } from '../queue/coordinator.js';

/** One step to run: what a worker needs, nothing of the store or the plan. */
export type StepJob = StepTask;

export interface JobResult {
  readonly summary: unknown;
  /** Output port -> the path of the file the step wrote (under the job's output folder). */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface JobHandlers {
  onProgress(message: string, fraction?: number): void;
  onLog(message: string): void;
}

/** A job that did not finish: the step's own error, its worker's crash, or `Cancelled` once its signal was aborted. */
export class StepFailure extends Error {
  readonly detail: SerializedError;
  constructor(cause: SerializedError) {
    super(cause.message);
    this.name = cause.name;
    this.detail = cause;
  }
}

export interface Executor {
  /**
   * Runs a job. Aborting `signal` stops it: the promise then rejects with a StepFailure named
   * `Cancelled` (or settles with what the step finished meanwhile) within a bounded time.
   */
  run(job: StepJob, handlers: JobHandlers, signal: AbortSignal): Promise<JobResult>;
  /** Releases the executor's resources; no job runs after it. */
  close(): Promise<void>;
}

/**
 * Runs steps on other machines: a queue of workers that share the run's remote (src/queue). A
 * job names its inputs by digest; the worker pushes the outputs and the cache entry to the
 * remote, and the run takes the step from there like a remote hit.
 */
export interface StepQueue {
  /** Where the queue is, as it may be shown (no password). */
  readonly location: string;
  /** Who is asking: the coordinator's host and process. */
  readonly name: string;
  run(job: QueueJobData, labels: readonly string[], handlers: JobHandlers, signal: AbortSignal): Promise<QueuedStepResult>;
  close(): Promise<void>;
}

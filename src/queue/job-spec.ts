/**
 * What crosses the queue between a coordinator (`medpipe run --queue`) and its workers. A job names
 * everything by digest, never by path: a worker on another machine reads the inputs and data files
 * from the remote (verified), runs the step, and pushes its outputs and cache entry there; the
 * coordinator then takes the step from the remote like a cache hit. Plain JSON, versioned, so a
 * worker of another medpipe version refuses a job it cannot read instead of misreading it.
 */
import { createHash } from 'node:crypto';
import type { CacheEntry } from '../engine/store.js';
import type { RunInfo } from '../engine/step-type.js';
import { LABEL_PATTERN as LABEL_RULE } from '../engine/step-resources.js';

export const JOB_FORMAT = 'medpipe.job/1';

export interface QueueJobData {
  readonly format: typeof JOB_FORMAT;
  /** The step's cache key: also the job's id, so coordinators running the same step share one job. */
  readonly key: string;
  /** The remote the worker must read from and push to (its location; the queue's name carries its digest too). */
  readonly remote: string;
  readonly stepId: string;
  /** A built-in step type id, with the version the coordinator planned. */
  readonly stepType: string;
  readonly version: string;
  /** The pipeline file's folder relative to the project root: a worker's own copy of the project is found there. */
  readonly pipelineDir: string;
  /**
   * A custom step: `uses:` as written and the code digest the coordinator planned. A worker runs
   * it only from its own copy of the project, and only when that copy has the planned digest.
   */
  readonly custom?: { readonly uses: string; readonly codeDigest: string };
  /** Input port -> artifact digest; fan-in port -> digests, in order. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly fanIn: Readonly<Record<string, readonly string[]>>;
  /** File parameter -> the digest of the data file's bytes (on the remote, like an artifact). */
  readonly files: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, unknown>>;
  /** The run's information, without the coordinator's store folder (a worker has its own). */
  readonly run: Omit<RunInfo, 'storeDir'>;
  /** Who asked: host and process, for the worker's log. */
  readonly coordinator: string;
}

export interface QueueJobResult {
  /** The cache entry the worker pushed to the remote (or found there: `reused`). */
  readonly entry: CacheEntry;
  /** Which worker ran it (its --name, or host:pid). */
  readonly worker: string;
  /** The remote already had the step's entry (another coordinator's job, or a run before a crash): nothing was computed. */
  readonly reused: boolean;
}

/** What a worker reports while a step runs (BullMQ job progress carries it to the coordinator). */
export type QueueJobProgress =
  | { readonly type: 'progress'; readonly message: string; readonly fraction?: number }
  | { readonly type: 'log'; readonly message: string };

/** Labels are lower-case words (the rule the pipeline's `labels:` follows); a queue per set of labels a step needs. */
export const LABEL_PATTERN = new RegExp(LABEL_RULE);

const QUEUE_PREFIX = 'medpipe-steps';

/**
 * The remote a queue's jobs are for, as a short digest of its location: workers push to one
 * remote, so jobs for another (a second project on the same Redis) must never reach them.
 */
export function remoteTag(remoteLocation: string): string {
  return createHash('sha256').update(remoteLocation).digest('hex').slice(0, 10);
}

/** The BullMQ queue of steps for this remote needing exactly these labels (BullMQ names may not contain ':'). */
export function queueNameFor(labels: readonly string[], remoteLocation: string): string {
  const sorted = [...new Set(labels)].sort();
  const base = `${QUEUE_PREFIX}-${remoteTag(remoteLocation)}`;
  return sorted.length ? `${base}.${sorted.join('.')}` : base;
}

/** At most this many labels per worker: it listens on one queue per subset of them. */
export const MAX_WORKER_LABELS = 6;

/** The queues a worker with these labels takes steps from: every step for its remote needing a subset of its labels. */
export function queuesForWorker(labels: readonly string[], remoteLocation: string): string[] {
  const sorted = [...new Set(labels)].sort();
  const names: string[] = [];
  for (let mask = 0; mask < 1 << sorted.length; mask++)
    names.push(
      queueNameFor(
        sorted.filter((_, i) => mask & (1 << i)),
        remoteLocation,
      ),
    );
  return names;
}

/** The Redis pub/sub channel on which a coordinator asks workers to stop a job (its AbortSignal). */
export const CANCEL_CHANNEL = 'medpipe:cancel';

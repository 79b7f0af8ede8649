/**
 * The coordinator's side of the queue (`medpipe run --queue`): each ready step the run computes is
 * added to the BullMQ queue of the labels it needs, with the step's cache key as the job id, so
 * coordinators running the same pipeline share one job per step instead of computing it twice.
 * The run's scheduler decides what is ready (BullMQ flows are trees, a pipeline is a DAG), so
 * only ready steps are ever queued.
 *
 * A job's end is heard from QueueEvents and, because events can be missed (Redis restarted, a
 * connection dropped), also polled: a job that vanished (Redis restarted without its data) is
 * added again — its worker finds the entry on the remote if the step had finished. When Redis
 * stays unreachable longer than `lostAfterMs`, the step fails with a message saying so; a re-run
 * resumes from what the workers pushed.
 */
import { hostname } from 'node:os';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { StepFailure, type JobHandlers } from '../engine/executor.js';
import { CANCEL_CHANNEL, type QueueJobData, type QueueJobProgress, type QueueJobResult, queueNameFor } from './job-spec.js';
import { connectionOptions, type QueueUrl } from './queue-url.js';

/** What the run learns of a queued step besides its result: when the job waited and ran, and how often it ran. */
export interface QueuedStepResult extends QueueJobResult {
  /** Times the step was executed: 1, or more when a worker died mid-step and another took it over. */
  readonly executions: number;
  /** Milliseconds from adding the job to a worker starting it, and from the worker finishing to the coordinator knowing. */
  readonly waitedMs: number;
  readonly noticedMs: number;
}

export interface QueueCoordinatorOptions {
  /** How long Redis may be unreachable before a waiting step fails (default 60 s). */
  readonly lostAfterMs?: number;
  /** How often a waiting job's state is read in case an event was missed (default 1 s). */
  readonly pollMs?: number;
}

interface QueueHandle {
  readonly queue: Queue<QueueJobData, QueueJobResult>;
  readonly events: QueueEvents;
  readonly ready: Promise<unknown>;
}

interface Waiter {
  readonly settle: (outcome: { completed: QueueJobResult } | { failed: string }) => void;
  readonly handlers: JobHandlers;
}

/** Kept for an hour, so a second coordinator that queues the same step a little later still finds the finished job. */
const KEEP_FINISHED = { age: 3600 };

/** How long closing waits for Redis before it drops the connections (a run that lost its queue must still end). */
const CLOSE_WAIT_MS = 2000;

export class QueueCoordinator {
  readonly name = `${hostname()}:${process.pid}`;
  private readonly queues = new Map<string, QueueHandle>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private lastError: string | undefined;
  /** Set by close(): connections stop reconnecting. */
  private closed = false;
  /** For cancels only (pub/sub), opened on the first one. */
  private publisher: Redis | undefined;

  /** `remoteLocation`: the run's remote, which the workers of its queues push to (queueNameFor). */
  constructor(
    readonly url: QueueUrl,
    private readonly remoteLocation: string,
    private readonly options: QueueCoordinatorOptions = {},
  ) {}

  /** The queue URL as it may be shown (no password). */
  get location(): string {
    return this.url.shown;
  }

  private handle(labels: readonly string[]): QueueHandle {
    const name = queueNameFor(labels, this.remoteLocation);
    let h = this.queues.get(name);
    if (!h) {
      const connection = connectionOptions(this.url, () => this.closed);
      const queue = new Queue<QueueJobData, QueueJobResult>(name, { connection });
      const events = new QueueEvents(name, { connection });
      const remember = (e: Error): void => void (this.lastError = e.message);
      queue.on('error', remember);
      events.on('error', remember);
      events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { completed: returnvalue as QueueJobResult }));
      events.on('failed', ({ jobId, failedReason }) => {
        // A failure that will be retried moves the job back to waiting or delayed: only a final one ends the wait.
        void queue
          .getJobState(jobId)
          .then((state) => state === 'failed' && this.settle(jobId, { failed: failedReason }))
          .catch(() => {});
      });
      events.on('progress', ({ jobId, data }) => {
        const p = data as unknown as QueueJobProgress;
        for (const w of this.waiters.get(jobId) ?? []) {
          if (p?.type === 'progress') w.handlers.onProgress(p.message, p.fraction);
          else if (p?.type === 'log') w.handlers.onLog(p.message);
        }
      });
      h = { queue, events, ready: Promise.all([queue.waitUntilReady(), events.waitUntilReady()]) };
      this.queues.set(name, h);
    }
    return h;
  }

  private settle(jobId: string, outcome: { completed: QueueJobResult } | { failed: string }): void {
    for (const w of this.waiters.get(jobId) ?? []) w.settle(outcome);
  }

  /**
   * Queues a step (or joins the job already queued for its key) and resolves with the worker's
   * result; rejects with a StepFailure: the step's own error, `Cancelled` once `signal` aborts,
   * or `QueueLost` when Redis stays unreachable.
   */
  async run(data: QueueJobData, labels: readonly string[], handlers: JobHandlers, signal: AbortSignal): Promise<QueuedStepResult> {
    const { queue, ready } = this.handle(labels);
    const jobId = data.key;
    const lostAfter = this.options.lostAfterMs ?? 60_000;
    const pollMs = this.options.pollMs ?? 1000;
    if (signal.aborted) throw new StepFailure({ name: 'Cancelled', message: 'cancelled' });

    let outcome: ((o: { completed: QueueJobResult } | { failed: string } | { lost: string } | { cancelled: true }) => void) | undefined;
    const finished = new Promise<{ completed: QueueJobResult } | { failed: string } | { lost: string } | { cancelled: true }>((r) => (outcome = r));
    const waiter: Waiter = {
      settle: (o) => {
        // Another coordinator sharing this job was stopped and cancelled it: this run still wants
        // the step, so it is queued again (enqueue replaces the failed job).
        if ('failed' in o && decodeFailure(o.failed).name === 'Cancelled' && !signal.aborted) return void enqueue().catch(() => {});
        outcome?.(o);
      },
      handlers,
    };
    let set = this.waiters.get(jobId);
    if (!set) this.waiters.set(jobId, (set = new Set()));
    set.add(waiter);

    const enqueue = async (): Promise<void> => {
      const existing = await Job.fromId(queue, jobId);
      const state = await existing?.getState();
      // A job that ended before this run asked (another run's) is queued afresh, never trusted: a
      // failure may have been the remote's, and a result may since have been removed from the
      // remote. The new job's worker takes the step from the remote when it is still there.
      if (existing && (state === 'failed' || state === 'completed')) await existing.remove();
      else if (existing) return;
      await queue.add(data.stepId, data, {
        jobId,
        // Retries are for failures outside the step (the remote): the worker marks the step's own errors unrecoverable.
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: KEEP_FINISHED,
        removeOnFail: KEEP_FINISHED,
      });
    };

    // The run waits for the cancel to be sent: a coordinator ending right after Ctrl-C must not drop it.
    let cancelling: Promise<void> = Promise.resolve();
    const onAbort = (): void => {
      outcome?.({ cancelled: true });
      cancelling = (async () => {
        const job = await Job.fromId(queue, jobId);
        const state = await job?.getState();
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await job?.remove();
        else if (state === 'active') {
          if (!this.publisher) {
            this.publisher = new Redis({ ...(connectionOptions(this.url, () => this.closed) as object) });
            this.publisher.on('error', () => {});
          }
          await this.publisher.publish(CANCEL_CHANNEL, jobId);
        }
      })().catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });

    let downSince: number | undefined;
    let polling = true;
    const poll = async (): Promise<void> => {
      while (polling) {
        const tried = Date.now();
        try {
          await withTimeout(
            (async () => {
              await ready;
              const seen = await readJobOutcome(queue, jobId);
              if (seen === 'absent') await enqueue();
              else if (seen !== 'pending') waiter.settle(seen);
            })(),
            Math.min(lostAfter, 5000),
          );
          downSince = undefined;
        } catch (e) {
          downSince ??= tried;
          if (Date.now() - downSince >= lostAfter)
            outcome?.({
              lost: `lost the queue at ${this.location} for ${Math.round(lostAfter / 1000)} s (${this.lastError ?? (e as Error).message}); run again once Redis is back: finished steps are on the remote`,
            });
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    };

    const added = Date.now();
    try {
      await withTimeout(
        ready.then(() => enqueue()),
        lostAfter,
      ).catch((e: Error) => outcome?.({ lost: `cannot reach the queue at ${this.location}: ${this.lastError ?? e.message}` }));
      void poll();
      const o = await finished;
      if ('cancelled' in o) {
        await withTimeout(cancelling, CLOSE_WAIT_MS).catch(() => {});
        throw new StepFailure({ name: 'Cancelled', message: 'cancelled' });
      }
      if ('lost' in o) throw new StepFailure({ name: 'QueueLost', message: o.lost });
      if ('failed' in o) throw new StepFailure(decodeFailure(o.failed));
      const noticed = Date.now();
      const job = await withTimeout(Job.fromId(queue, jobId), 5000).catch(() => undefined);
      const executions = job ? Math.max(1, (job.stalledCounter ?? 0) + 1, job.attemptsMade ?? 0) : 1;
      return {
        ...o.completed,
        executions,
        waitedMs: job?.processedOn ? Math.max(0, job.processedOn - (job.timestamp ?? added)) : 0,
        noticedMs: job?.finishedOn ? Math.max(0, noticed - job.finishedOn) : 0,
      };
    } finally {
      polling = false;
      signal.removeEventListener('abort', onAbort);
      set.delete(waiter);
      if (!set.size) this.waiters.delete(jobId);
    }
  }

  /** Closes the queue's connections; with Redis away, gives up waiting after a moment and drops them. */
  async close(): Promise<void> {
    this.closed = true;
    const handles = [...this.queues.values()];
    this.queues.clear();
    const graceful = Promise.allSettled(handles.flatMap((h) => [h.events.close(), h.queue.close()]));
    // Dropped, not awaited: with Redis away a disconnect may never settle either.
    await withTimeout(graceful, CLOSE_WAIT_MS).catch(() => {
      for (const h of handles) for (const c of [h.events, h.queue]) void c.disconnect().catch(() => {});
    });
    this.publisher?.disconnect();
  }
}

/**
 * A job's outcome as a poll reads it: its state first, then the job. Read the other way round, a
 * job fetched while active that fails a moment later is seen failed with the reason it did not
 * have yet when fetched, an empty one (CI met this race).
 */
export async function readJobOutcome(
  queue: Queue<QueueJobData, QueueJobResult>,
  jobId: string,
): Promise<'absent' | 'pending' | { completed: QueueJobResult } | { failed: string }> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return 'absent';
  if (state !== 'completed' && state !== 'failed') return 'pending';
  const job = await Job.fromId(queue, jobId);
  // Removed and queued again in between (another coordinator): the next poll reads the new job.
  if (!job?.finishedOn) return 'pending';
  return state === 'completed' ? { completed: job.returnvalue } : { failed: job.failedReason };
}

/** The step's error as the worker encoded it (worker.ts encodeFailure); anything else is shown as it is. */
export function decodeFailure(reason: string): { name: string; message: string } {
  try {
    const parsed = JSON.parse(reason) as { name?: unknown; message?: unknown };
    if (typeof parsed.name === 'string' && typeof parsed.message === 'string') return { name: parsed.name, message: parsed.message };
  } catch {
    // not ours: BullMQ's own reasons (e.g. a job stalled more than maxStalledCount times)
  }
  return { name: 'QueueJobFailed', message: reason };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

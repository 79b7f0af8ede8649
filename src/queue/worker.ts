/**
 * `medpipe worker`: takes steps from the BullMQ queues its labels allow (queuesForWorker), runs each
 * with runQueueJob in its worker-thread pool, and reports progress and logs back through the job.
 * Several queues share one concurrency limit, so `--concurrency N` is the number of steps this
 * process runs at once whatever their labels.
 *
 * Faults: a worker killed mid-step stops renewing its job's lock; after `lockDuration` another
 * worker's stalled check puts the job back and it runs again (content addressing makes a second
 * execution harmless). A coordinator cancels a running job on the CANCEL_CHANNEL: the step's
 * AbortSignal is aborted. ioredis reconnects after Redis restarts, and BullMQ resumes taking jobs.
 */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { StepFailure, type Executor } from '../engine/executor.js';
import type { StepCatalogue } from '../engine/step-catalogue.js';
import type { Store } from '../engine/store.js';
import { RemoteRequiredError, type RemoteCache } from '../remote/remote-cache.js';
import { CANCEL_CHANNEL, type QueueJobData, type QueueJobProgress, type QueueJobResult, queuesForWorker } from './job-spec.js';
import { connectionOptions, type QueueUrl } from './queue-url.js';
import { JobTransientError, runQueueJob } from './run-job.js';

export interface QueueWorkerOptions {
  readonly queue: QueueUrl;
  readonly remote: RemoteCache;
  readonly store: Store;
  readonly catalogue: StepCatalogue;
  readonly executor: Executor;
  readonly project: string;
  readonly concurrency: number;
  readonly labels: readonly string[];
  readonly name?: string;
  /** How long a job's lock lasts without renewal: how soon a killed worker's step is run elsewhere (BullMQ default 30 s). */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (BullMQ default 30 s). */
  readonly stalledIntervalMs?: number;
  readonly log: (line: string) => void;
}

export interface RunningWorker {
  readonly name: string;
  readonly queues: readonly string[];
  /** Stops taking jobs; waits for running steps unless `force`. */
  close(force?: boolean): Promise<void>;
}

/** How long a stopping worker waits for BullMQ to close once its steps are done. */
const CLOSE_WAIT_MS = 3000;

/** A failed job's reason as BullMQ stores it: the step's error name and message, so the coordinator tells user errors from bugs. */
export function encodeFailure(e: unknown): string {
  const err = e instanceof StepFailure ? e.detail : e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
  return JSON.stringify({ name: err.name, message: err.message });
}

/** A counting semaphore: the worker's concurrency across all its queues. */
class Slots {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async take(): Promise<void> {
    if (this.free > 0) return void this.free--;
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningWorker> {
  const name = o.name ?? `${hostname()}:${process.pid}`;
  /** Set by close(): connections stop reconnecting, so a worker stopped while Redis is away still exits. */
  let closing = false;
  const connection = connectionOptions(o.queue, () => closing);
  const slots = new Slots(o.concurrency);
  const running = new Map<string, AbortController>();
  // Job ids are step keys: a job queued again for a step this worker is computing (its first job
  // was lost with a restarted Redis) waits for that computation instead of repeating it.
  const inFlight = new Map<string, Promise<QueueJobResult>>();
  /** Set by close(true): running steps are being stopped by this worker, not by their coordinator. */
  let forced = false;
  const queues = queuesForWorker(o.labels, o.remote.location);

  // Cancels arrive on a pub/sub channel: a subscribed connection can do nothing else.
  const subscriber = new Redis({ ...(connection as object), lazyConnect: false });
  subscriber.on('error', () => {}); // ioredis reconnects; the workers' own errors are logged below
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel: string, jobId: string) => {
    const c = running.get(jobId);
    if (c) {
      o.log(`worker ${name}: cancelling ${jobId.slice(0, 12)}… at the coordinator's request`);
      c.abort();
    }
  });

  const processor = async (job: Job<QueueJobData, QueueJobResult>): Promise<QueueJobResult> => {
    const id = String(job.id);
    const same = inFlight.get(id);
    if (same) {
      o.log(`worker ${name}: ${job.data.run?.pipeline?.name ?? '?'}/${job.data.stepId} is being computed here already; waiting for it`);
      return { ...(await same), reused: true };
    }
    const computing = compute(job);
    inFlight.set(id, computing);
    try {
      return await computing;
    } finally {
      inFlight.delete(id);
    }
  };

  const compute = async (job: Job<QueueJobData, QueueJobResult>): Promise<QueueJobResult> => {
    await slots.take();
    const controller = new AbortController();
    const id = String(job.id);
    running.set(id, controller);
    const label = `${job.data.run?.pipeline?.name ?? '?'}/${job.data.stepId}`;
    o.log(`worker ${name}: running ${label} (${job.data.stepType}) for ${job.data.coordinator}`);
    const report = (p: QueueJobProgress): void => void job.updateProgress(p as unknown as object).catch(() => {});
    try {
      const result = await runQueueJob(
        job.data,
        { store: o.store, remote: o.remote, catalogue: o.catalogue, executor: o.executor, project: o.project, name },
        {
          onProgress: (message, fraction) => report({ type: 'progress', message, ...(fraction !== undefined ? { fraction } : {}) }),
          onLog: (message) => report({ type: 'log', message }),
        },
        controller.signal,
      );
      o.log(`worker ${name}: ${label} ${result.reused ? 'was already on the remote' : `done in ${result.entry.durationMs} ms`}`);
      return result;
    } catch (e) {
      // A step stopped because this worker is shutting down is not the step's failure: another worker retries it.
      const transient =
        e instanceof JobTransientError || e instanceof RemoteRequiredError || (forced && e instanceof StepFailure && e.detail.name === 'Cancelled');
      o.log(`worker ${name}: ${label} failed${transient ? ' (will be retried)' : ''}: ${(e as Error).message}`);
      if (transient) throw new Error(encodeFailure(e));
      // A step's own failure is deterministic (same inputs, same code), and a refusal would be
      // repeated by every worker of this version: retrying either elsewhere would fail again.
      throw new UnrecoverableError(encodeFailure(e));
    } finally {
      running.delete(id);
      slots.give();
    }
  };

  const workers = queues.map(
    (queueName) =>
      new Worker<QueueJobData, QueueJobResult>(queueName, processor, {
        connection,
        concurrency: o.concurrency,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: o.stalledIntervalMs ?? 30_000,
        // A job whose worker died is put back this many times before it fails as stalled.
        maxStalledCount: 3,
        autorun: true,
      }),
  );
  let lastError = '';
  for (const w of workers)
    w.on('error', (e) => {
      // ioredis repeats the same connection error while Redis is away: once is enough.
      if (e.message !== lastError) o.log(`worker ${name}: queue error: ${e.message}`);
      lastError = e.message;
    });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    name,
    queues,
    async close(force = false) {
      closing = true;
      if (force) {
        forced = true;
        for (const c of running.values()) c.abort();
      }
      // Stop taking jobs, let the running steps finish (or stop, when forced), then give BullMQ a
      // moment to close: with Redis away its close never settles, and a stopped worker must exit.
      const closed = Promise.allSettled(workers.map((w) => w.close(force)));
      await Promise.allSettled([...inFlight.values()]);
      await Promise.race([closed, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
      for (const w of workers) void w.disconnect().catch(() => {});
      subscriber.disconnect();
      await o.executor.close();
    },
  };
}

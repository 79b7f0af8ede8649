/**
 * `medpipe worker --queue redis://HOST:PORT[/DB] --remote URL [--concurrency N] [--labels gpu,highmem]
 * [--name NAME] [--project DIR] [--store DIR]`: runs steps that `medpipe run --queue` queues, until
 * Ctrl-C or SIGTERM (which let running steps finish; a second one stops them).
 *
 * The worker's own store (`--store`, as for `run`) keeps what it downloads and computes, so a later
 * step reading the same artifacts needs no download. `--project` is its copy of the project
 * (default: the current folder): custom steps are loaded from there, and only when their code
 * has the digest the coordinator planned.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { openStore } from '../engine/open.js';
import { findProjectRoot } from '../engine/store-location.js';
import { WorkerPool } from '../engine/worker-pool.js';
import { catalogue } from '../steps/index.js';
import { LABEL_PATTERN, MAX_WORKER_LABELS } from '../queue/job-spec.js';
import type { CliIO, ParsedArgs } from './cli.js';
import { chooseQueue } from './queue-option.js';
import { openRemoteFromOptions } from './remote-option.js';

/** Test hooks: a killed worker's step is taken over after this lock time (BullMQ's default is 30 s). */
function millisFromEnv(name: string): number | undefined {
  const v = process.env[name];
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

export async function workerCommand(rest: string[], args: ParsedArgs, io: CliIO): Promise<number> {
  if (rest.length) throw new UsageError(`medpipe worker takes no arguments (got ${rest.join(' ')}): it runs the steps that medpipe run --queue sends`);
  const chosen = chooseQueue(args.values, io.cwd);
  if (!chosen) throw new UsageError('medpipe worker needs a queue: --queue redis://HOST:PORT[/DB], MEDPIPE_QUEUE, or queue: in medpipe.config.yaml');
  const concurrency = args.values.concurrency === undefined ? Math.max(1, availableParallelism()) : Number(args.values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`--concurrency must be a whole number of steps, at least 1 (got ${args.values.concurrency})`);
  const labels = (args.values.labels ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const bad = labels.find((l) => !LABEL_PATTERN.test(l));
  if (bad) throw new UsageError(`--labels: "${bad}" is not a label (lower-case letters, digits and -, e.g. --labels gpu,highmem)`);
  if (labels.length > MAX_WORKER_LABELS) throw new UsageError(`--labels: at most ${MAX_WORKER_LABELS} labels per worker (got ${labels.length})`);
  const project = resolve(io.cwd, args.values.project ?? findProjectRoot(io.cwd));
  // Required: a worker that cannot reach the remote must fail its job (which is retried), not compute and keep the result to itself.
  const remote = await openRemoteFromOptions({ ...args.values, 'remote-required': true }, io.cwd, (m) => io.err(`medpipe: warning: ${m}`));
  if (!remote)
    throw new UsageError('medpipe worker needs the remote its coordinators use: --remote NAME|URL, MEDPIPE_REMOTE, or default_remote in medpipe.config.yaml');
  if (remote.readOnly) throw new UsageError('a worker pushes what it computes: its remote cannot be --remote-read-only');
  const store = openStore(project, args.values.store, io.cwd);
  const { startQueueWorker } = await import('../queue/worker.js');
  const worker = await startQueueWorker({
    queue: chosen.url,
    remote,
    store,
    catalogue,
    executor: new WorkerPool(catalogue.moduleUrl),
    project,
    concurrency,
    labels,
    ...(args.values.name ? { name: args.values.name } : {}),
    ...(millisFromEnv('MEDPIPE_WORKER_LOCK_MS') ? { lockDurationMs: millisFromEnv('MEDPIPE_WORKER_LOCK_MS') } : {}),
    ...(millisFromEnv('MEDPIPE_WORKER_STALLED_MS') ? { stalledIntervalMs: millisFromEnv('MEDPIPE_WORKER_STALLED_MS') } : {}),
    log: (line) => io.err(`medpipe: ${line}`),
  });
  io.err(
    `medpipe: worker ${worker.name} ready: ${concurrency} step${concurrency > 1 ? 's' : ''} at a time from ${chosen.url.shown} (${worker.queues.join(', ')}), remote ${remote.location}`,
  );
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        io.err('medpipe: stopping the running steps');
        void worker.close(true).then(done);
        return;
      }
      stopping = true;
      io.err('medpipe: worker stopping: running steps finish first (Ctrl-C again to stop them)');
      void worker.close(false).then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  remote.close();
  io.err(`medpipe: worker ${worker.name} stopped`);
  // With Redis away, BullMQ's connections may keep reconnecting after close: a stopped worker
  // exits anyway, a moment later (the timer does not itself keep the process alive).
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

/**
 * Runs a validated pipeline: plans it (plan.ts), then the scheduler (scheduler.ts) hands the
 * steps whose dependencies are done, up to the concurrency limit, to the step runner
 * (step-runner.ts), which takes each from the store when its key is there and otherwise computes
 * it through the executor (the worker-thread pool) under the key's lock. A failed step stops its
 * dependants; the other branches finish (or, with failFast, everything stops and running steps
 * are cancelled). Finished steps stay cached, so a re-run resumes where the failed one stopped.
 */
import { availableParallelism, hostname } from 'node:os';
import { clock } from './clock.js';
import type { EngineEvent, EventListener, StepOutcome } from './events.js';
import type { Executor, StepQueue } from './executor.js';
import type { RemoteCache } from '../remote/remote-cache.js';
import { gitInfo } from './git.js';
import { withAncestors } from './graph.js';
import { dependenciesOf, type Pipeline, type PipelineStep } from './pipeline.js';
import { pipelineStatePath, plan, type PipelineState } from './plan.js';
import { newRunId, writeRunRecord, type RunRecord } from './record.js';
import { schedule } from './scheduler.js';
import { StepRun } from './step-run.js';
import { StepRunner } from './step-runner.js';
import type { Store } from './store.js';
import { writeIntoCheckout } from './checkout-write.js';
import { lockFileFor, lockFilePath } from '../metrics/lock-file.js';
import { WorkerPool } from './worker-pool.js';
import { takeWorkspaceLock, workspaceLockPath } from './workspace-lock.js';
import { experimentReason } from './experiment.js';
import type { RemoteTier } from './remote-tier.js';

/** Default concurrency of a run through a queue: how many of its ready steps may be queued at once. */
const QUEUED_AT_ONCE = 64;

export interface RunOptions {
  /** Steps run at once; default: the number of cores. */
  concurrency?: number;
  /** Stop everything at the first failure instead of letting independent branches finish. */
  failFast?: boolean;
  /** Recompute even when cached: every selected step (true) or the named ones. */
  force?: true | readonly string[];
  /** Run only these steps and what they need. */
  only?: readonly string[];
  /** Recompute this step (or these steps) and everything downstream. */
  from?: string | readonly string[];
  /**
   * Make this run the record even though its pipeline file differs from the committed version
   * (`--publish`). Runs with overrides are always experiments: their values are in no file.
   */
  publish?: boolean;
  /** Let an experiment register its models (`--register`), as versions without aliases. */
  register?: boolean;
  onEvent?: EventListener;
  /**
   * Aborting it interrupts the run (the CLI does on Ctrl-C): running steps are cancelled, none
   * starts, and the run is recorded as `interrupted`. Finished steps stay cached.
   */
  signal?: AbortSignal;
  /**
   * What runs the step bodies; default: a pool of worker threads on this machine, made and closed
   * by the run. One given here is the caller's to close.
   */
  executor?: Executor;
  /**
   * A remote cache behind the store (see remote-tier.ts): a step whose key the store does not
   * have is looked up there before it is computed, and what the run computes is pushed there
   * (unless it is read-only). The caller opens and closes it. When it was opened with `required`
   * and fails, the run stops and runPipeline throws its RemoteRequiredError once the run is recorded.
   */
  remote?: RemoteCache;
  /** With `remote`: download every output of the steps taken from it (otherwise only what the run reads). */
  materialize?: boolean;
  /**
   * Compute steps on workers through this queue (src/queue); needs `remote`, through which the
   * workers read inputs and return outputs. The caller opens and closes it.
   */
  queue?: StepQueue;
}

export interface RunResult {
  readonly runId: string;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly record: RunRecord;
  /** Why the run is an experiment (and so published nothing), or undefined. */
  readonly experiment: string | undefined;
  /**
   * Every file the run published into the checkout (metrics_file, table_file), or, for an
   * experiment, would have: absolute path to its verified bytes. `run --ci` diffs these.
   */
  readonly published: ReadonlyMap<string, Buffer>;
}

/**
 * Whether a run writes files into the checkout: the lock file (every run of all steps) or a
 * published output (metrics_file, table_file) of a selected step.
 */
function publishesIntoCheckout(pipeline: Pipeline, only: readonly string[] | undefined, experiment: string | undefined): boolean {
  if (experiment) return false;
  if (!only?.length) return true;
  return [...withAncestors(pipeline.steps, only)].some((id) => {
    const spec = pipeline.steps.get(id)?.type.publish;
    return spec !== undefined && typeof pipeline.steps.get(id)?.params[spec.param] === 'string';
  });
}

export async function runPipeline(pipeline: Pipeline, store: Store, options: RunOptions = {}): Promise<RunResult> {
  const runId = newRunId(new Date(clock.now()));
  const experiment = options.publish && !pipeline.overrides.length && !pipeline.paramsOverrides.length ? undefined : await experimentReason(pipeline);
  if (!publishesIntoCheckout(pipeline, options.only, experiment)) return runWithId(pipeline, store, options, runId, experiment);
  // Runs that publish take the checkout's lock for this pipeline, so their files come from one run.
  const release = await takeWorkspaceLock(workspaceLockPath(pipeline.path, pipeline.dir), runId, (holder) =>
    options.onEvent?.({
      type: 'run:waiting',
      runId,
      pipeline: pipeline.name,
      holder: holder ? `run ${holder.runId} (pid ${holder.pid} on ${holder.host})` : 'another run',
    }),
  );
  process.once('exit', release);
  try {
    return await runWithId(pipeline, store, options, runId, experiment);
  } finally {
    process.off('exit', release);
    release();
  }
}

async function runWithId(pipeline: Pipeline, store: Store, options: RunOptions, runId: string, experiment: string | undefined): Promise<RunResult> {
  const emit = (e: EngineEvent): void => options.onEvent?.(e);
  const started = clock.mono();
  // Through a queue the workers do the computing: many ready steps may wait in it at once.
  const concurrency = Math.max(1, options.concurrency ?? (options.queue ? QUEUED_AT_ONCE : availableParallelism()));
  store.cleanStaleTemp();

  // The selection is made once, by the plan; steps whose upstream runs first are decided again
  // when they are ready, by the same rule (see StepRunner.decide).
  const planned = await plan(pipeline, store, { ...options, lockAgreement: 'stale-steps' });
  const runs = new Map<string, StepRun>();
  for (const id of pipeline.steps.keys()) if (planned.selected.has(id)) runs.set(id, new StepRun(pipeline.steps.get(id) as PipelineStep, emit));

  const gitPromise = gitInfo(pipeline.dir);
  const record: RunRecord = {
    runId,
    pipeline: { name: pipeline.name, file: pipeline.file, path: pipeline.path, digest: pipeline.digest, overrides: pipeline.overrides },
    git: null,
    status: 'running',
    ...(experiment ? { experiment } : {}),
    process: { pid: process.pid, host: hostname() },
    startedAt: clock.iso(),
    options: { concurrency, failFast: !!options.failFast, force: options.force ?? false, only: options.only ?? null, from: options.from ?? null },
    steps: Object.fromEntries([...runs].map(([id, run]) => [id, run.record])),
  };
  writeRunRecord(store, record);
  emit({ type: 'run:start', runId, pipeline: pipeline.name, file: pipeline.file, steps: [...runs.keys()], concurrency, ...(experiment ? { experiment } : {}) });

  const executor: Executor = options.executor ?? new WorkerPool(pipeline.catalogue.moduleUrl);
  // Loaded only for a run with a remote: most runs have none, and a cached re-run pays for every module.
  const remote: RemoteTier | undefined = options.remote ? new (await import('./remote-tier.js')).RemoteTier(options.remote, store, emit) : undefined;
  const runner = new StepRunner({
    pipeline,
    store,
    plan: planned,
    executor,
    record,
    runs,
    experiment: experiment ? { reason: experiment, register: !!options.register } : undefined,
    git: gitPromise,
    failFast: !!options.failFast,
    emit,
    remote,
    materialize: !!options.materialize,
    ...(options.queue ? { queue: options.queue } : {}),
  });
  if (remote) remote.onFailure = () => runner.stop('remote');
  const interrupt = (): void => runner.stop('interrupt');
  const releaseLocks = (): void => {
    for (const k of runner.heldLocks) store.unlock(k);
  };
  process.once('exit', releaseLocks);
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener('abort', interrupt);
  try {
    const dependencies = new Map([...runs].map(([id, run]) => [id, dependenciesOf(run.step).filter((d) => runs.has(d))]));
    await schedule(dependencies, { concurrency, run: (id) => runner.run(runs.get(id) as StepRun), stopped: () => runner.stopping });
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    process.off('exit', releaseLocks);
    if (!options.executor) await executor.close();
    // Every push ends before the run does (a push failure is only a warning).
    await remote?.drain();
  }

  for (const [id, run] of runs) {
    if (run.state !== 'pending') continue;
    const failedUpstream = [...withAncestors(pipeline.steps, [id])].filter((a) => a !== id && runs.get(a)?.state === 'failed');
    run.skip(failedUpstream.length ? `upstream failed (${failedUpstream.join(', ')})` : runner.stopReason());
  }
  const counts: Record<StepOutcome, number> = { done: 0, cached: 0, failed: 0, cancelled: 0, skipped: 0 };
  for (const run of runs.values()) if (run.state in counts) counts[run.state as StepOutcome]++;
  // An interrupt that came after every step had finished interrupted nothing.
  const interrupted = options.signal?.aborted ?? false;
  let status: RunResult['status'] = !remote?.failure && [...runs.values()].every((r) => r.succeeded) ? 'ok' : interrupted ? 'interrupted' : 'failed';
  record.status = status;
  record.finishedAt = clock.iso();
  record.durationMs = Math.round(clock.mono() - started);
  record.git = (await gitPromise) ?? null;
  const state: PipelineState = { path: pipeline.path, name: pipeline.name, lastRunId: runId, steps: runner.state };
  if (remote) {
    // Only a run that is the record (complete, ok, not an experiment) is what `pull` and `remote gc` go by.
    if (status === 'ok' && !options.only?.length && !experiment) {
      const steps = Object.fromEntries(Object.entries(state.steps).filter(([id]) => pipeline.steps.has(id)));
      const { pipelineRecordOf } = await import('../remote/remote-records.js');
      await remote.pushRecord(pipelineRecordOf({ ...state, steps }, record.finishedAt, record.git));
      if (remote.failure) status = record.status = 'failed';
    }
    record.remote = remote.finish();
  }
  if (options.queue) record.queue = queueSummary(options.queue, runs);
  writeRunRecord(store, record);
  // A run that changed no step's record (a cached re-run) leaves the state file as it is: for
  // 1,000 steps it is half a megabyte to serialise, write and fsync for nothing but the run id.
  if (state.steps !== planned.previous?.steps || state.name !== planned.previous.name) store.writeJson(pipelineStatePath(pipeline), state);
  // The lock file next to the pipeline records, for git, what produced the metrics files: only a
  // complete, successful run of every step writes it.
  if (status === 'ok' && !options.only?.length && !experiment) writeIntoCheckout(lockFilePath(pipeline.path), lockFileFor(pipeline, state));
  store.saveFileDigests();
  emit({ type: 'run:done', runId, status, durationMs: record.durationMs, counts });
  if (remote?.failure) throw remote.failure;
  return { runId, status, record, experiment, published: runner.published };
}

/** What the run's record says of its queue: steps computed by workers, and executions beyond one each. */
function queueSummary(queue: StepQueue, runs: ReadonlyMap<string, StepRun>): NonNullable<RunRecord['queue']> {
  const queued = [...runs.values()].filter((r) => r.record.worker !== undefined);
  return {
    location: queue.location,
    steps: queued.length,
    duplicateExecutions: queued.reduce((n, r) => n + Math.max(0, (r.record.executions ?? 1) - 1), 0),
    reused: queued.filter((r) => r.record.reused).length,
  };
}

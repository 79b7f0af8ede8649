/**
 * Runs a validated pipeline: p-graph schedules the steps whose dependencies are done, up to the
 * concurrency limit; each step is skipped when its cache key is in the store, otherwise computed
 * in a worker thread under the key's lock and committed to the store. A failed step stops its
 * dependants; the other branches finish (or, with failFast, everything stops). Finished steps
 * stay cached, so a re-run resumes where the failed one stopped.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { PGraph, type PGraphNodeRecord } from 'p-graph';
import { isUserError, isUserErrorName } from '../errors.js';
import { clock } from './clock.js';
import type { EngineEvent, EventListener, StepOutcome } from './events.js';
import { paramsDigest } from './fingerprint.js';
import { gitInfo } from './git.js';
import { selectSteps, withAncestors } from './graph.js';
import { dependenciesOf, type Pipeline, type PipelineStep } from './pipeline.js';
import { lineageDigest, pipelineStatePath, stepKey, type PipelineState, type StepKey } from './plan.js';
import { newRunId, writeRunRecord, type RunRecord, type StepRecord } from './record.js';
import type { RunInfo } from './step-type.js';
import type { CacheEntry, OutputRecord, Store } from './store.js';
import { writeIntoCheckout } from './checkout-write.js';
import { lockFileFor, lockFilePath } from '../metrics/lock-file.js';
import { join, resolve } from 'node:path';
import { StepFailure, WorkerPool } from './worker-pool.js';
import { takeWorkspaceLock, workspaceLockPath } from './workspace-lock.js';
import { experimentReason } from './experiment.js';

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

const LOCK_POLL_MS = 100;

/** A step cannot run or be committed: an input artifact is damaged and could not be restored, or the step left an output out. */
class CannotRun extends Error {}

/** The run stopped (--fail-fast, Ctrl-C) while a step waited to recompute an input's producer: the step is skipped, not failed. */
class Stopped extends Error {}

function stepLabel(step: PipelineStep): string {
  return step.custom ? `custom step ${step.custom.modulePath}` : step.type.id;
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
    options.onEvent?.({ type: 'run:waiting', runId, pipeline: pipeline.name, holder: holder ? `run ${holder.runId} (pid ${holder.pid} on ${holder.host})` : 'another run' }),
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
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  store.cleanStaleTemp();

  const { selected, forced } = selectSteps(pipeline.steps, options);

  const gitPromise = gitInfo(pipeline.dir);
  const steps: Record<string, StepRecord> = {};
  for (const [id, step] of pipeline.steps) if (selected.has(id)) steps[id] = { uses: step.type.id, params: step.params, status: 'pending', cacheHit: false };
  const record: RunRecord = {
    runId,
    pipeline: { name: pipeline.name, file: pipeline.file, path: pipeline.path, digest: pipeline.digest, overrides: pipeline.overrides },
    git: null,
    status: 'running',
    ...(experiment ? { experiment } : {}),
    process: { pid: process.pid, host: hostname() },
    startedAt: clock.iso(),
    options: { concurrency, failFast: !!options.failFast, force: options.force ?? false, only: options.only ?? null, from: options.from ?? null },
    steps,
  };
  writeRunRecord(store, record);
  emit({ type: 'run:start', runId, pipeline: pipeline.name, file: pipeline.file, steps: [...selected], concurrency, ...(experiment ? { experiment } : {}) });

  const previousState = store.readJson<PipelineState>(pipelineStatePath(pipeline));
  const newState: Record<string, PipelineState['steps'][string]> = { ...(previousState?.steps ?? {}) };
  const outputs = new Map<string, Readonly<Record<string, OutputRecord>>>();
  const pool = new WorkerPool(pipeline.catalogue.moduleUrl);
  const heldLocks = new Set<string>();
  let stopping = false;
  let interrupted = false;
  /** Why steps that never finished were stopped, for their step:skipped events. */
  const stopReason = (): string => (interrupted ? 'interrupted' : 'stopped by --fail-fast');
  const interrupt = (): void => {
    if (interrupted) return;
    interrupted = true;
    stopping = true;
    void pool.close();
  };

  const keys = new Map<string, StepKey>();
  /** Which step of this run made each artifact, so a damaged one can be recomputed. */
  const producers = new Map<string, string>();
  /** Each artifact read by a step in this run is verified once; a repair in flight is shared. */
  const verified = new Map<string, Promise<void>>();

  const warnings = new Set<string>();
  /** A step's cache is looked at again after its lock is taken: say each thing once. */
  const warn = (stepId: string, message: string): void => {
    if (warnings.has(`${stepId}\0${message}`)) return;
    warnings.add(`${stepId}\0${message}`);
    emit({ type: 'step:warning', step: stepId, message });
  };

  const published = new Map<string, Buffer>();
  /**
   * Copies a published output to the user's file, from bytes checked against their digest (see
   * StepType.publish); an experiment only remembers them (for run --ci), the checkout is left alone.
   */
  const publish = (step: PipelineStep, content: Buffer): void => {
    const target = step.type.publish ? step.params[step.type.publish.param] : undefined;
    if (typeof target !== 'string') return;
    const path = resolve(pipeline.dir, target);
    published.set(path, content);
    if (experiment || (existsSync(path) && readFileSync(path).equals(content))) return;
    writeIntoCheckout(path, content);
  };

  /** The verified bytes of the output a step publishes, or why they cannot be used. */
  const publishedBytes = (step: PipelineStep, outs: Readonly<Record<string, OutputRecord>>): Buffer | undefined | { damaged: string } => {
    const spec = step.type.publish;
    const out = spec ? outs[spec.port] : undefined;
    if (!spec || typeof step.params[spec.param] !== 'string' || !out) return undefined;
    const read = store.readVerifiedObject(out.digest);
    if ('bytes' in read) return read.bytes;
    if ('missing' in read) return { damaged: `artifact ${out.digest.slice(0, 12)}… (output "${spec.port}") is missing from the store` };
    store.quarantineObject(out.digest);
    return { damaged: `artifact ${out.digest.slice(0, 12)}… (output "${spec.port}") does not match its digest (its content hashes to ${read.damaged.slice(0, 12)}…)` };
  };

  const remember = (step: PipelineStep, key: StepKey, outs: Readonly<Record<string, OutputRecord>>, published: Buffer | undefined): void => {
    if (published) publish(step, published);
    outputs.set(step.id, outs);
    for (const o of Object.values(outs)) producers.set(o.digest, step.id);
    steps[step.id].outputs = Object.fromEntries(Object.entries(outs).map(([p, o]) => [p, o.digest]));
    const c = key.components;
    newState[step.id] = { key: key.key, version: c.version, codeDigest: c.codeDigest, paramsDigest: paramsDigest(c.params), params: { ...c.params }, inputs: { ...c.inputs }, files: { ...c.files }, lineageDigest: lineageDigest(c), outputs: { ...outs } };
  };

  /**
   * The step's cache entry, if it can be used as it is: intact, its artifacts present, the output
   * it publishes matching its digest, and its effect outside the store still there. Damage is set
   * aside (quarantine/) with a warning, and the step is then computed again like any miss.
   */
  const usableEntry = async (step: PipelineStep, key: StepKey): Promise<{ entry: CacheEntry; published: Buffer | undefined } | undefined> => {
    const found = store.lookupEntry(key.key);
    if (found.state === 'miss') return undefined;
    if (found.state === 'damaged') {
      if (found.digest) store.quarantineObject(found.digest);
      store.quarantineEntry(key.key);
      warn(step.id, `${found.problem}; set aside in quarantine/, recomputing`);
      return undefined;
    }
    const published = publishedBytes(step, found.entry.outputs);
    if (published && !Buffer.isBuffer(published)) {
      warn(step.id, `${published.damaged}; set aside in quarantine/, recomputing`);
      return undefined;
    }
    const effectMissing = await step.type.cachedEffectMissing?.(found.entry.summary, { storeDir: store.root, stepKey: key.key, experiment: experiment ? { reason: experiment, register: !!options.register } : undefined });
    if (effectMissing) {
      warn(step.id, `${effectMissing}; running it again`);
      return undefined;
    }
    return { entry: found.entry, published };
  };

  /** Takes the key's lock, waiting while another run holds it; false when the run stopped meanwhile. */
  const lockKey = async (step: PipelineStep, key: StepKey): Promise<boolean> => {
    let waited = false;
    while (!store.tryLock(key.key)) {
      if (!waited) emit({ type: 'step:waiting', step: step.id, key: key.key });
      waited = true;
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      if (stopping) return false;
    }
    heldLocks.add(key.key);
    return true;
  };

  const unlockKey = (key: StepKey): void => {
    store.unlock(key.key);
    heldLocks.delete(key.key);
  };

  /**
   * Makes sure an artifact a step is about to read matches its digest. A damaged one is set
   * aside and the step of this run that made it is recomputed (steps are deterministic, so that
   * restores the same bytes); if that is impossible the reading step fails with the reason.
   */
  const ensureIntact = (digest: string, reader: string): Promise<void> => {
    let check = verified.get(digest);
    if (!check) {
      check = (async () => {
        const found = await store.verifyObject(digest);
        if (found.state === 'ok') return;
        const producerId = producers.get(digest);
        const what = found.state === 'missing' ? 'is missing from the store' : `does not match its digest (its content hashes to ${found.actual.slice(0, 12)}…)`;
        if (found.state === 'damaged') store.quarantineObject(digest);
        if (!producerId) throw new CannotRun(`input artifact ${digest.slice(0, 12)}… ${what}, and no step of this run made it; run medpipe cache verify, then run again`);
        warn(reader, `input artifact ${digest.slice(0, 12)}… (from ${producerId}) ${what}; ${found.state === 'damaged' ? 'set aside in quarantine/, ' : ''}recomputing ${producerId}`);
        await recompute(producerId, digest);
      })();
      verified.set(digest, check);
    }
    return check;
  };

  /** Computes a step in a worker (its inputs verified first) and commits its outputs and cache entry. Call under the key's lock. */
  const compute = async (step: PipelineStep, key: StepKey, t0: number): Promise<{ outs: Record<string, OutputRecord>; summary: unknown; durationMs: number }> => {
    const inputDigests = [...Object.keys(step.inputs).map((port) => key.components.inputs[port]), ...Object.keys(step.fanIn).flatMap((port) => key.components.inputs[port].split(',').filter(Boolean))];
    for (const digest of inputDigests) await ensureIntact(digest, step.id);
    const tmpDir = store.makeTempDir(step.id);
    try {
      const inputs = Object.fromEntries(Object.keys(step.inputs).map((port) => [port, store.objectPath(key.components.inputs[port])]));
      const fanIn = Object.fromEntries(Object.keys(step.fanIn).map((port) => [port, key.components.inputs[port].split(',').filter(Boolean).map((d) => store.objectPath(d))]));
      // Exactly the lineage the key covers, with each ancestor's key added (see KeyComponents.lineage).
      const upstream: RunInfo['upstream'] = Object.fromEntries((key.components.lineage ?? []).map(([id, node]) => [id, { ...node, key: steps[id]?.key ?? '' }]));
      const git = (await gitPromise) ?? null;
      const run: RunInfo = { runId, stepKey: key.key, pipeline: record.pipeline, git, storeDir: store.root, upstream, ...(experiment ? { experiment: { reason: experiment, register: !!options.register } } : {}) };
      let result;
      try {
        result = await pool.run(
          { stepType: step.type.id, custom: step.custom, stepId: step.id, pipelineDir: pipeline.dir, inputs, fanIn, outputDir: tmpDir, params: step.params, run },
          {
            onProgress: (message, fraction) => emit({ type: 'step:progress', step: step.id, message, fraction }),
            onLog: (message) => emit({ type: 'step:log', step: step.id, message }),
          },
        );
      } catch (e) {
        // A failed quality gate still leaves its numbers where the user looks (the step wrote its
        // report before it judged the gates); nothing is cached, and the lock file is not written.
        const port = step.type.publish?.port;
        if (e instanceof StepFailure && e.detail.name === 'GateError' && port && existsSync(join(tmpDir, port))) publish(step, readFileSync(join(tmpDir, port)));
        throw e;
      }
      const missing = Object.keys(step.type.outputs).filter((p) => !result.outputs[p] || !existsSync(result.outputs[p]));
      if (missing.length) throw new CannotRun(`${stepLabel(step)} did not write its output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
      const outs: Record<string, OutputRecord> = {};
      for (const [port, spec] of Object.entries(step.type.outputs)) {
        const { digest, size, replacedDamaged } = await store.addObject(result.outputs[port]);
        outs[port] = { digest, size, kind: spec.kind };
        if (replacedDamaged) warn(step.id, `artifact ${digest.slice(0, 12)}… (output "${port}") was in the store but did not match its digest; set aside in quarantine/, replaced by the bytes just computed`);
      }
      const durationMs = Math.round(clock.mono() - t0);
      store.writeEntry({ key: key.key, stepType: step.type.id, version: step.type.version, outputs: outs, summary: result.summary ?? undefined, durationMs, finishedAt: clock.iso() });
      return { outs, summary: result.summary ?? undefined, durationMs };
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  };

  /** Computes again a step of this run whose artifact `digest` was found damaged, and checks it came out the same. */
  const recompute = async (id: string, digest: string): Promise<void> => {
    const step = pipeline.steps.get(id) as PipelineStep;
    const key = keys.get(id) as StepKey;
    if (!(await lockKey(step, key))) throw new Stopped();
    try {
      const done = await compute(step, key, clock.mono());
      if (!Object.values(done.outs).some((o) => o.digest === digest)) {
        throw new CannotRun(`recomputing ${id} to replace its damaged artifact ${digest.slice(0, 12)}… gave different bytes (is the step deterministic?); its new outputs are cached, run again to use them`);
      }
      const rec = steps[id];
      rec.status = 'done';
      rec.cacheHit = false;
      rec.durationMs = done.durationMs;
      const published = publishedBytes(step, done.outs);
      remember(step, key, done.outs, Buffer.isBuffer(published) ? published : undefined);
      warn(id, `recomputed in ${done.durationMs} ms: its cached output was damaged`);
    } finally {
      unlockKey(key);
    }
  };

  const runOne = async (step: PipelineStep): Promise<void> => {
    const rec = steps[step.id];
    const t0 = clock.mono();
    // Not started, or stopped while waiting or running, because another step failed under
    // --fail-fast or the run was interrupted: skipped, not failed, so only a step that failed
    // counts as failed.
    const cancel = (): never => {
      rec.status = 'skipped';
      rec.durationMs = Math.round(clock.mono() - t0);
      emit({ type: 'step:skipped', step: step.id, reason: stopReason() });
      throw new Error(stopReason());
    };
    if (stopping) return cancel();
    const fail = (message: string, detail?: string): never => {
      rec.status = 'failed';
      rec.durationMs = Math.round(clock.mono() - t0);
      rec.error = message;
      if (detail) rec.errorDetail = detail;
      emit({ type: 'step:failed', step: step.id, durationMs: rec.durationMs, error: message });
      if (options.failFast && !stopping) {
        stopping = true;
        void pool.close();
      }
      throw new Error(message);
    };

    let key: StepKey;
    try {
      key = await stepKey(step, pipeline, store, outputs);
    } catch (e) {
      return fail(isUserError(e) ? e.message : `internal error computing the cache key: ${(e as Error).message}`);
    }
    keys.set(step.id, key);
    rec.key = key.key;
    const force = forced.has(step.id);
    const cached = async (): Promise<boolean> => {
      const usable = force ? undefined : await usableEntry(step, key);
      if (!usable) return false;
      rec.status = 'cached';
      rec.cacheHit = true;
      rec.durationMs = 0;
      rec.summary = usable.entry.summary;
      remember(step, key, usable.entry.outputs, usable.published);
      emit({ type: 'step:cached', step: step.id, key: key.key });
      return true;
    };
    if (await cached()) return;

    // Another run of this pipeline may be computing the same key: wait for it rather than compute
    // twice, and use its result when it has one.
    if (!(await lockKey(step, key))) return cancel();
    try {
      // The lock holder before us may have finished between our check and our lock.
      if (await cached()) return;
      rec.status = 'running';
      emit({ type: 'step:start', step: step.id, key: key.key });
      let done;
      try {
        done = await compute(step, key, t0);
      } catch (e) {
        if (e instanceof Stopped) return cancel();
        if (e instanceof CannotRun) return fail(e.message);
        if (e instanceof StepFailure) {
          if (stopping && e.detail.name === 'Cancelled') return cancel();
          // A step stopped by --fail-fast or Ctrl-C reports why in its own words too.
          const userFacing = isUserErrorName(e.detail.name) || e.detail.name === 'Cancelled';
          return fail(userFacing ? e.message : `${stepLabel(step)} failed: ${e.message}`, userFacing ? undefined : e.detail.stack);
        }
        throw e;
      }
      rec.status = 'done';
      rec.durationMs = done.durationMs;
      rec.summary = done.summary;
      const published = publishedBytes(step, done.outs);
      if (published && !Buffer.isBuffer(published)) return fail(`${published.damaged} right after it was written: is the store's disk failing?`);
      remember(step, key, done.outs, published);
      emit({ type: 'step:done', step: step.id, durationMs: done.durationMs, outputs: done.outs });
    } finally {
      unlockKey(key);
    }
  };

  const nodes: PGraphNodeRecord = {};
  const deps: [string, string][] = [];
  for (const id of selected) {
    const step = pipeline.steps.get(id) as PipelineStep;
    nodes[id] = {
      run: async () => {
        try {
          await runOne(step);
        } catch (e) {
          // runOne records its own failures; anything else (the store's disk, a lock file) is
          // recorded here, so a step can never stay "running" in a run that reports ok.
          const rec = steps[id];
          if (rec.status !== 'failed' && rec.status !== 'skipped') {
            rec.status = 'failed';
            rec.error = `internal error: ${(e as Error).message}`;
            rec.errorDetail = (e as Error).stack;
            emit({ type: 'step:failed', step: id, durationMs: rec.durationMs ?? 0, error: rec.error });
          }
          throw e;
        }
      },
    };
    for (const dep of dependenciesOf(step)) if (selected.has(dep)) deps.push([dep, id]);
  }
  const releaseLocks = (): void => {
    for (const k of heldLocks) store.unlock(k);
  };
  process.once('exit', releaseLocks);
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener('abort', interrupt);
  try {
    await new PGraph(nodes, deps).run({ concurrency, continue: true });
  } catch {
    // Failures are recorded per step; dependants that never started are marked below.
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    process.off('exit', releaseLocks);
    await pool.close();
  }

  for (const [id, rec] of Object.entries(steps)) {
    if (rec.status === 'pending') {
      rec.status = 'skipped';
      const failedUpstream = [...withAncestors(pipeline.steps, [id])].filter((a) => a !== id && steps[a]?.status === 'failed');
      emit({ type: 'step:skipped', step: id, reason: failedUpstream.length ? `upstream failed (${failedUpstream.join(', ')})` : stopReason() });
    }
  }
  const counts: Record<StepOutcome, number> = { done: 0, cached: 0, failed: 0, skipped: 0 };
  for (const rec of Object.values(steps)) if (rec.status in counts) counts[rec.status as StepOutcome]++;
  // An interrupt that came after every step had finished interrupted nothing.
  const status = Object.values(steps).every((r) => r.status === 'done' || r.status === 'cached') ? 'ok' : interrupted ? 'interrupted' : 'failed';
  record.status = status;
  record.finishedAt = clock.iso();
  record.durationMs = Math.round(clock.mono() - started);
  record.git = (await gitPromise) ?? null;
  writeRunRecord(store, record);
  const state: PipelineState = { path: pipeline.path, name: pipeline.name, lastRunId: runId, steps: newState };
  store.writeJson(pipelineStatePath(pipeline), state);
  // The lock file next to the pipeline records, for git, what produced the metrics files: only a
  // complete, successful run of every step writes it.
  if (status === 'ok' && !options.only?.length && !experiment) writeIntoCheckout(lockFilePath(pipeline.path), lockFileFor(pipeline, state));
  store.saveFileDigests();
  emit({ type: 'run:done', runId, status, durationMs: record.durationMs, counts });
  return { runId, status, record, experiment, published };
}

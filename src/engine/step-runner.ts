/**
 * What a run does with one ready step: decide (decision.ts, the rule the plan uses too), then
 * take it from the store or compute it through the executor under its key's lock, and commit
 * what it made. Also what the steps of one run share: the outputs known so far, the key locks
 * held, the artifacts verified, publishing into the checkout, and stopping.
 */
import { setMaxListeners } from 'node:events';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DataError, isUserErrorName } from '../errors.js';
import { stepDataFiles } from './data-source.js';
import { writeIntoCheckout } from './checkout-write.js';
import { clock } from './clock.js';
import { decideStep, mayComeFromRemote, type EntryCheck, type RunReason, type StepDecision } from './decision.js';
import type { EngineEvent } from './events.js';
import { StepFailure, type Executor, type JobResult, type StepQueue } from './executor.js';
import { paramsDigest } from './fingerprint.js';
import type { Pipeline, PipelineStep } from './pipeline.js';
import { blockedError, dataFiles, keyFor, lineageDigest, unknownUpstream, type PipelineState, type RunPlan, type StepKey } from './plan.js';
import type { RunRecord } from './record.js';
import type { StepRun } from './step-run.js';
import type { RunExperiment, RunInfo } from './step-type.js';
import type { CacheEntry, EntryLookup, OutputRecord, Store } from './store.js';
import type { GitInfo } from './git.js';
import type { RemoteTier } from './remote-tier.js';
import { RemoteRequiredError } from '../remote/remote-required.js';
import { findProjectRoot } from './store-location.js';
import { JOB_FORMAT, type QueueJobData } from '../queue/job-spec.js';
import { requiredLabels } from './pipeline.js';

const LOCK_POLL_MS = 100;

/** A step cannot run or be committed: an input artifact is damaged and could not be restored, or the step left an output out. */
class CannotRun extends Error {}

/** The run stopped (--fail-fast, Ctrl-C) while a step waited to recompute an input's producer: the step is skipped, not failed. */
class Stopped extends Error {}

function stepLabel(step: PipelineStep): string {
  return step.custom ? `custom step ${step.custom.modulePath}` : step.type.id;
}

type StepState = PipelineState['steps'][string];

/** Whether a step's outputs in the previous state (read from disk: maybe hand-edited) are `b`: the same artifacts on the same ports. */
function sameOutputs(a: Readonly<Record<string, OutputRecord>> | undefined, b: Readonly<Record<string, OutputRecord>>): boolean {
  if (typeof a !== 'object' || a === null) return false;
  const ports = Object.keys(a);
  return ports.length === Object.keys(b).length && ports.every((p) => b[p]?.digest === a[p]?.digest && b[p].size === a[p]?.size && b[p].kind === a[p]?.kind);
}

export interface StepRunnerParts {
  readonly pipeline: Pipeline;
  readonly store: Store;
  readonly plan: RunPlan;
  readonly executor: Executor;
  readonly record: RunRecord;
  readonly runs: ReadonlyMap<string, StepRun>;
  readonly experiment: RunExperiment | undefined;
  readonly git: Promise<GitInfo | undefined>;
  readonly failFast: boolean;
  readonly emit: (e: EngineEvent) => void;
  /** The remote cache behind the store, if the run has one (see remote-tier.ts). */
  readonly remote: RemoteTier | undefined;
  /** --materialize: a step taken from the remote has all its outputs downloaded, not only those needed. */
  readonly materialize: boolean;
  /** `run --queue`: steps are computed by workers through this queue (with `remote`, which they share). */
  readonly queue?: StepQueue;
}

export class StepRunner {
  /** Aborted when the run stops; every running job's signal. */
  private readonly stopper = new AbortController();
  private why: 'fail-fast' | 'interrupt' | 'remote' = 'fail-fast';
  /** Outputs of the steps finished so far. */
  readonly outputs = new Map<string, Readonly<Record<string, OutputRecord>>>();
  /** What this run changes in the pipeline's state: the steps whose key or outputs differ from the previous state's. */
  private readonly changed = new Map<string, StepState>();
  /** Every file the run published into the checkout (or, for an experiment, would have). */
  readonly published = new Map<string, Buffer>();
  readonly heldLocks = new Set<string>();
  private readonly keys = new Map<string, StepKey>();
  /** Which step of this run made each artifact, so a damaged one can be recomputed. */
  private readonly producers = new Map<string, string>();
  /** Each artifact read by a step in this run is verified once; a repair in flight is shared. */
  private readonly verified = new Map<string, Promise<void>>();
  private readonly warnings = new Set<string>();

  constructor(private readonly p: StepRunnerParts) {
    // Every running step listens to the run's signal: a queued run may have dozens at once.
    setMaxListeners(0, this.stopper.signal);
  }

  /** The pipeline state after the run: the previous one with this run's steps replaced (the previous one itself when nothing changed). */
  get state(): PipelineState['steps'] {
    const previous = this.p.plan.previous?.steps ?? {};
    return this.changed.size ? { ...previous, ...Object.fromEntries(this.changed) } : previous;
  }

  get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  /** Why steps that never finished were stopped, for their events. */
  stopReason(): string {
    return this.why === 'interrupt' ? 'interrupted' : this.why === 'remote' ? 'stopped: the required remote failed' : 'stopped by --fail-fast';
  }

  /**
   * Stops the run: no step starts, running ones are cancelled. `why`: Ctrl-C or RunOptions.signal
   * ('interrupt'), --fail-fast, or a remote required by --remote-required that failed.
   */
  stop(why: 'fail-fast' | 'interrupt' | 'remote'): void {
    if (this.stopping) return;
    this.why = why;
    this.stopper.abort();
  }

  /** A step's cache is looked at again after its lock is taken: say each thing once. */
  private warn(stepId: string, message: string): void {
    if (this.warnings.has(`${stepId}\0${message}`)) return;
    this.warnings.add(`${stepId}\0${message}`);
    this.p.emit({ type: 'step:warning', step: stepId, message });
  }

  /** Runs one step whose dependencies succeeded; resolves whether it succeeded too. */
  async run(run: StepRun): Promise<boolean> {
    run.begin();
    try {
      await this.runStep(run);
    } catch (e) {
      // --remote-required and the remote failed: the step fails with the remote's one-line reason and the run stops.
      if (e instanceof RemoteRequiredError && this.p.remote) {
        if (run.state === 'pending' || run.state === 'running') run.fail(e.message);
        this.p.remote.failed(e);
        this.stop('remote');
        return false;
      }
      // runStep records its own outcomes; anything else (the store's disk, a lock file) is
      // recorded here, so a step can never stay "running" in a run that reports ok.
      if (run.state === 'pending' || run.state === 'running') this.failed(run, `internal error: ${(e as Error).message}`, (e as Error).stack);
      else throw e;
    }
    return run.succeeded;
  }

  private async runStep(run: StepRun): Promise<void> {
    const step = run.step;
    if (this.stopping) return run.skip(this.stopReason());
    const decided = await this.decide(step, 'plan');
    if (decided.decision.action === 'blocked') return this.failed(run, blockedError(step, this.p.pipeline, decided.decision.reason).message);
    if (!decided.key) throw new Error(`internal: no key for ${step.id}`);
    const key = decided.key;
    this.keys.set(step.id, key);
    run.keyed(key.key);
    if (decided.decision.action === 'cached') return this.useCached(run, key, decided);

    // Another run of this pipeline may be computing the same key: wait for it rather than compute
    // twice, and use its result when it has one.
    if (!(await this.lockKey(step, key))) return run.skip(this.stopReason());
    try {
      // The lock holder before us may have finished between our check and our lock. Otherwise
      // the first decision says why the step runs: acting on it (setting a damaged entry aside)
      // changed what a second look finds.
      const again = await this.decide(step, 'store');
      if (again.decision.action === 'cached') return this.useCached(run, key, again);
      if (again.decision.action !== 'run' || decided.decision.action !== 'run')
        throw new Error(`internal: ${step.id} decided ${again.decision.action} under its lock`);
      let reasons = decided.decision.reasons;
      if (this.p.remote && mayComeFromRemote(again.decision.reasons[0])) {
        const fromRemote = await this.fromRemote(step, key, this.p.remote);
        if (fromRemote.taken) return this.useRemote(run, key, fromRemote.taken, this.p.remote);
        if (fromRemote.reason) reasons = [fromRemote.reason, ...reasons];
      }
      run.start(reasons);
      let done: Computed;
      try {
        done = this.onQueue(step)
          ? await this.computeOnQueue(step, key, this.p.queue as StepQueue, this.p.remote as RemoteTier)
          : await this.compute(step, key);
      } catch (e) {
        if (e instanceof Stopped) return run.cancel(this.stopReason());
        if (e instanceof CannotRun) return this.failed(run, e.message);
        if (e instanceof StepFailure) {
          if (this.stopping && (e.detail.name === 'Cancelled' || e.detail.name === 'AbortError')) return run.cancel(this.stopReason());
          const userFacing = isUserErrorName(e.detail.name);
          return this.failed(run, userFacing ? e.message : `${stepLabel(step)} failed: ${e.message}`, userFacing ? undefined : e.detail.stack);
        }
        throw e;
      }
      const published = this.publishedBytes(step, done.outs);
      if (published && !Buffer.isBuffer(published)) return this.failed(run, `${published.damaged} right after it was written: is the store's disk failing?`);
      this.remember(step, key, done.outs, published);
      if (done.queued) {
        // A worker pushed it: the run takes it from the remote, its outputs downloaded when read.
        this.p.remote?.taken(step.id, done.entry);
        run.record.worker = done.queued.worker;
        run.record.executions = done.queued.executions;
        if (done.queued.reused) run.record.reused = true;
      } else this.p.remote?.push(step.id, done.entry);
      run.done(done.durationMs, done.summary, done.outs);
    } finally {
      this.unlockKey(key);
    }
  }

  /** A failed step; with --fail-fast, the run stops. */
  private failed(run: StepRun, message: string, detail?: string): void {
    run.fail(message, detail);
    if (this.p.failFast) this.stop('fail-fast');
  }

  private useCached(run: StepRun, key: StepKey, decided: Decided): void {
    const entry = decided.entry as CacheEntry;
    this.remember(run.step, key, entry.outputs, decided.published);
    this.p.remote?.share(run.step.id, entry);
    run.cached(entry.summary);
  }

  /**
   * What the remote has for a step that must otherwise be computed: an entry to take it from, with
   * the bytes it publishes downloaded and verified (and, with --materialize, all its outputs); or
   * nothing, with the reason when the remote has the entry but it cannot be used as it is (its
   * effect outside the store is missing here: a model registered on the machine that pushed it).
   * An artifact that cannot be downloaded intact means computing the step (RemoteCache warns).
   */
  private async fromRemote(
    step: PipelineStep,
    key: StepKey,
    remote: RemoteTier,
  ): Promise<{ taken?: { entry: CacheEntry; published: Buffer | undefined }; reason?: Extract<RunReason, { kind: 'effect-missing' }> }> {
    const entry = await remote.lookup(key.key);
    if (!entry) return {};
    const where = { storeDir: this.p.store.root, stepKey: key.key, experiment: this.p.experiment };
    const effectMissing = await step.type.cachedEffectMissing?.(entry.summary, where);
    if (effectMissing) {
      // Put back from the entry when the step type can (its outputs downloaded first: they are read), else compute.
      const restored = step.type.restoreEffect ? await this.restoreFromRemote(step, entry, remote, where) : undefined;
      if (!restored) {
        this.warn(step.id, `cached on ${remote.remote.location}, but ${effectMissing}; running it again`);
        return { reason: { kind: 'effect-missing', problem: effectMissing } };
      }
      this.p.emit({ type: 'step:log', step: step.id, message: `${effectMissing}; ${restored}` });
    }
    const spec = step.type.publish;
    const publishes = spec && typeof step.params[spec.param] === 'string' ? entry.outputs[spec.port] : undefined;
    const needed = this.p.materialize ? Object.values(entry.outputs) : publishes ? [publishes] : [];
    for (const out of needed) {
      const got = await remote.fetch(out.digest, step.id);
      if (got === 'fetched') continue;
      if (got === 'missing') this.warn(step.id, `artifact ${out.digest.slice(0, 12)}… is missing from ${remote.remote.location}; computing the step`);
      return {};
    }
    const published = this.publishedBytes(step, entry.outputs);
    if (published && !Buffer.isBuffer(published)) {
      this.warn(step.id, `${published.damaged} right after it was downloaded; computing the step`);
      return {};
    }
    return { taken: { entry, published } };
  }

  /** restoreEffect for an entry found on the remote: every output downloaded (verified) first; undefined when that fails. */
  private async restoreFromRemote(
    step: PipelineStep,
    entry: CacheEntry,
    remote: RemoteTier,
    where: { storeDir: string; stepKey: string; experiment: RunExperiment | undefined },
  ): Promise<string | undefined> {
    for (const out of Object.values(entry.outputs)) if ((await remote.fetch(out.digest, step.id)) !== 'fetched') return undefined;
    return this.restoreEffect(step, entry, {
      ...where,
      run: { pipeline: this.p.record.pipeline, git: (await this.p.git) ?? null, runId: this.p.record.runId },
    });
  }

  /** A step taken from the remote: used like a cache hit; its other artifacts are downloaded when a step reads them. */
  private useRemote(run: StepRun, key: StepKey, taken: { entry: CacheEntry; published: Buffer | undefined }, remote: RemoteTier): void {
    this.remember(run.step, key, taken.entry.outputs, taken.published);
    remote.taken(run.step.id, taken.entry);
    run.cached(taken.entry.summary, 'remote');
  }

  /**
   * The decision for a ready step, made now that its inputs are known, by the rule the plan
   * uses (decideStep), with the checks a run makes before using a cache entry (checkEntry). A
   * damaged entry is set aside (quarantine/) with a warning, and the step is computed again.
   * `look`: 'plan' takes the entry the plan found when the key is the one it computed (reading
   * each entry once per run); 'store' reads it again (under the key's lock, where another run may
   * just have written it).
   */
  private async decide(step: PipelineStep, look: 'plan' | 'store'): Promise<Decided> {
    const { plan, pipeline, store } = this.p;
    const key = await keyFor(step, pipeline, store, this.outputs);
    const planned = plan.found.get(step.id);
    const lookup: EntryLookup | undefined =
      'key' in key && !plan.forced.has(step.id)
        ? look === 'plan' && planned?.key === key.key.key
          ? { state: 'hit', entry: planned }
          : store.lookupEntry(key.key.key)
        : undefined;
    const checked = lookup?.state === 'hit' ? await this.checkEntry(step, 'key' in key ? key.key : undefined, lookup.entry) : undefined;
    const decision = decideStep({
      selected: true,
      forced: plan.forced.get(step.id),
      upstreamUnknown: unknownUpstream(step, pipeline, this.outputs),
      key,
      lookup,
      check: checked?.check,
      previous: plan.previous?.steps[step.id],
      // The lock file only says why a step runs: a cached one does not need it parsed.
      locked: lookup?.state === 'hit' ? 'unread' : plan.locked(step.id),
    });
    if (decision.action === 'run' && decision.reasons[0].kind === 'entry-damaged' && lookup?.state === 'damaged' && 'key' in key) {
      if (lookup.digest) store.quarantineObject(lookup.digest);
      store.quarantineEntry(key.key.key);
      this.warn(step.id, `${lookup.problem}; set aside in quarantine/, recomputing`);
    }
    return { decision, key: 'key' in key ? key.key : undefined, entry: lookup?.state === 'hit' ? lookup.entry : undefined, published: checked?.published };
  }

  /**
   * Whether a cache entry can be used as it is: the output it publishes read back matching its
   * digest, and its effect outside the store still there.
   */
  private async checkEntry(step: PipelineStep, key: StepKey | undefined, entry: CacheEntry): Promise<{ check: EntryCheck; published: Buffer | undefined }> {
    const published = this.publishedBytes(step, entry.outputs);
    if (published && !Buffer.isBuffer(published)) {
      this.warn(step.id, `${published.damaged}; set aside in quarantine/, recomputing`);
      return { check: { state: 'unusable', reason: published.reason }, published: undefined };
    }
    const experiment = this.p.experiment;
    const where = { storeDir: this.p.store.root, stepKey: key?.key ?? '', experiment };
    const effectMissing = await step.type.cachedEffectMissing?.(entry.summary, where);
    const restored =
      effectMissing && step.type.restoreEffect
        ? await this.restoreEffect(step, entry, {
            ...where,
            run: { pipeline: this.p.record.pipeline, git: (await this.p.git) ?? null, runId: this.p.record.runId },
          })
        : undefined;
    if (restored) this.p.emit({ type: 'step:log', step: step.id, message: `${effectMissing}; ${restored}` });
    else if (effectMissing) {
      this.warn(step.id, `${effectMissing}; running it again`);
      return { check: { state: 'unusable', reason: { kind: 'effect-missing', problem: effectMissing } }, published: undefined };
    }
    return { check: { state: 'ok' }, published };
  }

  /**
   * Puts back a cached step's effect outside the store from its entry (StepType.restoreEffect),
   * once every output it reads is verified here; undefined when it cannot, and the step runs.
   */
  private async restoreEffect(
    step: PipelineStep,
    entry: CacheEntry,
    where: Parameters<NonNullable<PipelineStep['type']['restoreEffect']>>[2],
  ): Promise<string | undefined> {
    const { store } = this.p;
    const paths: Record<string, string> = {};
    for (const [port, out] of Object.entries(entry.outputs)) {
      if ((await store.verifyObject(out.digest)).state !== 'ok') return undefined;
      paths[port] = store.objectPath(out.digest);
    }
    const restored = await step.type.restoreEffect?.(entry.summary, paths, where);
    // The run record says so, for the run's summary: the step is cached, but it did something here.
    const rec = this.p.runs.get(step.id)?.record;
    if (restored && rec) rec.restored = restored;
    return restored;
  }

  /**
   * Copies a published output to the user's file, from bytes checked against their digest (see
   * StepType.publish); an experiment only remembers them (for run --ci), the checkout is left alone.
   */
  private publish(step: PipelineStep, content: Buffer): void {
    const target = step.type.publish ? step.params[step.type.publish.param] : undefined;
    if (typeof target !== 'string') return;
    const path = resolve(this.p.pipeline.dir, target);
    this.published.set(path, content);
    if (this.p.experiment) return;
    writeIntoCheckout(path, content);
  }

  /** The verified bytes of the output a step publishes, or why they cannot be used. */
  private publishedBytes(
    step: PipelineStep,
    outs: Readonly<Record<string, OutputRecord>>,
  ): Buffer | undefined | { damaged: string; reason: Extract<RunReason, { kind: 'output-damaged' }> } {
    const spec = step.type.publish;
    const out = spec ? outs[spec.port] : undefined;
    if (!spec || typeof step.params[spec.param] !== 'string' || !out) return undefined;
    const { store } = this.p;
    const read = store.readVerifiedObject(out.digest);
    if ('bytes' in read) return read.bytes;
    if ('missing' in read)
      return {
        damaged: `artifact ${out.digest.slice(0, 12)}… (output "${spec.port}") is missing from the store`,
        reason: { kind: 'output-damaged', port: spec.port, digest: out.digest, state: 'missing' },
      };
    store.quarantineObject(out.digest);
    return {
      damaged: `artifact ${out.digest.slice(0, 12)}… (output "${spec.port}") does not match its digest (its content hashes to ${read.damaged.slice(0, 12)}…)`,
      reason: { kind: 'output-damaged', port: spec.port, digest: out.digest, state: 'damaged' },
    };
  }

  private remember(step: PipelineStep, key: StepKey, outs: Readonly<Record<string, OutputRecord>>, published: Buffer | undefined): void {
    if (published) this.publish(step, published);
    this.outputs.set(step.id, outs);
    for (const o of Object.values(outs)) this.producers.set(o.digest, step.id);
    const rec = this.p.runs.get(step.id)?.record;
    if (rec) rec.outputs = Object.fromEntries(Object.entries(outs).map(([p, o]) => [p, o.digest]));
    // A cached step's record in the state stays as it is: the same key stands for the same
    // version, code, parameters, inputs and files (and computing their digests again was most of
    // what a cached re-run spent per step here).
    const before = this.p.plan.previous?.steps[step.id];
    if (before?.key === key.key && sameOutputs(before.outputs, outs)) {
      this.changed.delete(step.id);
      return;
    }
    const c = key.components;
    this.changed.set(step.id, {
      key: key.key,
      version: c.version,
      codeDigest: c.codeDigest,
      paramsDigest: paramsDigest(c.params),
      params: { ...c.params },
      inputs: { ...c.inputs },
      files: { ...c.files },
      lineageDigest: lineageDigest(c),
      outputs: { ...outs },
    });
  }

  /** Takes the key's lock, waiting while another run holds it; false when the run stopped meanwhile. */
  private async lockKey(step: PipelineStep, key: StepKey): Promise<boolean> {
    let waited = false;
    while (!this.p.store.tryLock(key.key)) {
      if (!waited) this.p.emit({ type: 'step:waiting', step: step.id, key: key.key });
      waited = true;
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      if (this.stopping) return false;
    }
    this.heldLocks.add(key.key);
    return true;
  }

  private unlockKey(key: StepKey): void {
    this.p.store.unlock(key.key);
    this.heldLocks.delete(key.key);
  }

  /**
   * Makes sure an artifact a step is about to read matches its digest. A damaged one is set
   * aside and the step of this run that made it is recomputed (steps are deterministic, so that
   * restores the same bytes); if that is impossible the reading step fails with the reason.
   */
  private ensureIntact(digest: string, reader: string): Promise<void> {
    let check = this.verified.get(digest);
    if (!check) {
      check = (async () => {
        const { store } = this.p;
        const found = await store.verifyObject(digest);
        if (found.state === 'ok') return;
        const producerId = this.producers.get(digest);
        const what =
          found.state === 'missing' ? 'is missing from the store' : `does not match its digest (its content hashes to ${found.actual.slice(0, 12)}…)`;
        if (found.state === 'damaged') store.quarantineObject(digest);
        // Not here (a step taken from the remote, whose outputs are downloaded when read) or damaged:
        // the remote's copy, verified, before recomputing anything.
        const remote = this.p.remote;
        if (remote && (await remote.fetch(digest, reader)) === 'fetched') {
          if (found.state === 'damaged')
            this.warn(reader, `input artifact ${digest.slice(0, 12)}… ${what}; set aside in quarantine/, downloaded again from ${remote.remote.location}`);
          return;
        }
        if (!producerId)
          throw new CannotRun(`input artifact ${digest.slice(0, 12)}… ${what}, and no step of this run made it; run medpipe cache verify, then run again`);
        this.warn(
          reader,
          `input artifact ${digest.slice(0, 12)}… (from ${producerId}) ${what}; ${found.state === 'damaged' ? 'set aside in quarantine/, ' : ''}recomputing ${producerId}`,
        );
        await this.recompute(producerId, digest);
      })();
      this.verified.set(digest, check);
    }
    return check;
  }

  /** What a step is told of the run, except the store's folder (a queue's worker has its own). */
  private async runInfo(key: StepKey): Promise<Omit<RunInfo, 'storeDir'>> {
    const { record } = this.p;
    // Exactly the lineage the key covers, with each ancestor's key added (see KeyComponents.lineage).
    const upstream: RunInfo['upstream'] = Object.fromEntries(
      (key.components.lineage ?? []).map(([id, node]) => [id, { ...node, key: record.steps[id]?.key ?? '' }]),
    );
    return {
      runId: record.runId,
      stepKey: key.key,
      pipeline: record.pipeline,
      git: (await this.p.git) ?? null,
      upstream,
      ...(this.p.experiment ? { experiment: this.p.experiment } : {}),
    };
  }

  /**
   * Whether a step is computed by the queue's workers: every step of a queued run, except those
   * whose effect is outside the store (register writes this store's registry), which are cheap
   * and run here.
   */
  private onQueue(step: PipelineStep): boolean {
    return this.p.queue !== undefined && this.p.remote !== undefined && !step.type.cachedEffectMissing;
  }

  /**
   * Computes a step on a worker: its inputs and data files made available on the remote (the
   * workers read them there, verified), the job queued under the step's key, and the entry the
   * worker pushed taken like a remote hit. Only the output the step publishes is downloaded.
   */
  private async computeOnQueue(step: PipelineStep, key: StepKey, queue: StepQueue, remote: RemoteTier): Promise<Computed> {
    const t0 = clock.mono();
    const { pipeline } = this.p;
    const inputs = Object.fromEntries(Object.keys(step.inputs).map((port) => [port, key.components.inputs[port]]));
    const fanIn = Object.fromEntries(Object.keys(step.fanIn).map((port) => [port, key.components.inputs[port].split(',').filter(Boolean)]));
    for (const digest of [...Object.values(inputs), ...Object.values(fanIn).flat()]) await this.shareInput(digest, step.id, remote);
    const files: Record<string, string> = {};
    for (const { param, path } of dataFiles(step, pipeline)) {
      files[param] = key.components.files[param];
      await this.shareDataFile(files[param], path, step, remote);
    }
    const job: QueueJobData = {
      format: JOB_FORMAT,
      key: key.key,
      remote: remote.remote.location,
      stepId: step.id,
      stepType: step.type.id,
      version: step.type.version,
      pipelineDir: relative(findProjectRoot(pipeline.dir), pipeline.dir).split('\\').join('/') || '.',
      ...(step.custom ? { custom: { uses: step.uses, codeDigest: step.custom.codeDigest } } : {}),
      inputs,
      fanIn,
      files,
      params: step.params,
      run: await this.runInfo(key),
      coordinator: queue.name,
    };
    const result = await queue.run(
      job,
      requiredLabels(step),
      {
        onProgress: (message, fraction) => this.p.emit({ type: 'step:progress', step: step.id, message, fraction }),
        onLog: (message) => this.p.emit({ type: 'step:log', step: step.id, message }),
      },
      this.stopper.signal,
    );
    // The job's answer only says the step is done: the entry used is the remote's, checked as any
    // remote hit is (shape, key, signature with MEDPIPE_CACHE_KEY, every artifact present), never
    // what came through Redis.
    const entry = await remote.lookup(key.key);
    if (!entry)
      throw new CannotRun(
        `worker ${result.worker} reported ${step.id} done, but ${remote.remote.location} has no usable entry for it (removed, damaged or unsigned); run again`,
      );
    const missing = Object.keys(step.type.outputs).filter((port) => !entry.outputs[port]);
    if (missing.length)
      throw new CannotRun(`the entry ${result.worker} pushed for ${step.id} lacks its output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const spec = step.type.publish;
    const publishes = spec && typeof step.params[spec.param] === 'string' ? entry.outputs[spec.port] : undefined;
    if (publishes && (await remote.fetch(publishes.digest, step.id)) !== 'fetched')
      throw new CannotRun(
        `${step.id} was computed by worker ${result.worker}, but its output ${spec?.port} could not be downloaded intact from ${remote.remote.location}; run again`,
      );
    // The step's time is the worker's (its downloads and compute), not the time it waited in the queue.
    const durationMs = result.reused ? Math.round(clock.mono() - t0) : result.entry.durationMs;
    return { outs: { ...entry.outputs }, summary: entry.summary, durationMs, entry, queued: result };
  }

  /** An input a worker will read: on the remote already, or pushed there from this store (verified first). */
  private async shareInput(digest: string, reader: string, remote: RemoteTier): Promise<void> {
    if (!this.p.store.hasObject(digest)) return; // made by a worker or taken from the remote: it is there
    await this.ensureIntact(digest, reader);
    const pushed = await remote.remote.pushObject(digest, this.p.store);
    if (pushed === 'unavailable' || pushed === 'read-only')
      throw new CannotRun(
        `input artifact ${digest.slice(0, 12)}… is only in this store and the remote ${remote.remote.location} ${pushed === 'read-only' ? 'is read-only' : 'is unavailable'}: the queue's workers cannot read it`,
      );
  }

  /** A data file a worker will read, by its digest: pushed from this store, or from the file itself (added to the store first). */
  private async shareDataFile(digest: string, path: string, step: PipelineStep, remote: RemoteTier): Promise<void> {
    const { store } = this.p;
    if (!store.hasObject(digest) && existsSync(path)) {
      const tmp = store.makeTempDir(step.id);
      try {
        copyFileSync(path, join(tmp, 'data'));
        const added = await store.addObject(join(tmp, 'data'));
        if (added.digest !== digest) throw new CannotRun(`${relative(this.p.pipeline.dir, path)} changed while the run was planned; run again`);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    // A data pointer's bytes not in this store are on the remote (medpipe data add pushed them).
    if (store.hasObject(digest)) await this.shareInput(digest, step.id, remote);
  }

  /** Computes a step through the executor (its inputs verified first) and commits its outputs and cache entry. Call under the key's lock. */
  private async compute(step: PipelineStep, key: StepKey): Promise<Computed> {
    const t0 = clock.mono();
    const { store, pipeline } = this.p;
    const inputDigests = [
      ...Object.keys(step.inputs).map((port) => key.components.inputs[port]),
      ...Object.keys(step.fanIn).flatMap((port) => key.components.inputs[port].split(',').filter(Boolean)),
    ];
    for (const digest of inputDigests) await this.ensureIntact(digest, step.id);
    const tmpDir = store.makeTempDir(step.id);
    try {
      const inputs = Object.fromEntries(Object.keys(step.inputs).map((port) => [port, store.objectPath(key.components.inputs[port])]));
      const fanIn = Object.fromEntries(
        Object.keys(step.fanIn).map((port) => [
          port,
          key.components.inputs[port]
            .split(',')
            .filter(Boolean)
            .map((d) => store.objectPath(d)),
        ]),
      );
      const dataFiles = await this.localDataFiles(step);
      const run: RunInfo = { ...(await this.runInfo(key)), storeDir: store.root };
      let result: JobResult;
      try {
        result = await this.p.executor.run(
          {
            stepType: step.type.id,
            custom: step.custom,
            stepId: step.id,
            pipelineDir: pipeline.dir,
            inputs,
            fanIn,
            outputDir: tmpDir,
            params: step.params,
            ...(Object.keys(dataFiles).length ? { dataFiles } : {}),
            run,
          },
          {
            onProgress: (message, fraction) => this.p.emit({ type: 'step:progress', step: step.id, message, fraction }),
            onLog: (message) => this.p.emit({ type: 'step:log', step: step.id, message }),
          },
          this.stopper.signal,
        );
      } catch (e) {
        // A failed quality gate still leaves its numbers where the user looks (the step wrote its
        // report before it judged the gates); nothing is cached, and the lock file is not written.
        const port = step.type.publish?.port;
        if (e instanceof StepFailure && e.detail.name === 'GateError' && port && existsSync(join(tmpDir, port)))
          this.publish(step, readFileSync(join(tmpDir, port)));
        throw e;
      }
      const missing = Object.keys(step.type.outputs).filter((p) => !result.outputs[p] || !existsSync(result.outputs[p]));
      if (missing.length) throw new CannotRun(`${stepLabel(step)} did not write its output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
      const outs: Record<string, OutputRecord> = {};
      for (const [port, spec] of Object.entries(step.type.outputs)) {
        const { digest, size, replacedDamaged } = await store.addObject(result.outputs[port]);
        outs[port] = { digest, size, kind: spec.kind };
        if (replacedDamaged)
          this.warn(
            step.id,
            `artifact ${digest.slice(0, 12)}… (output "${port}") was in the store but did not match its digest; set aside in quarantine/, replaced by the bytes just computed`,
          );
      }
      const durationMs = Math.round(clock.mono() - t0);
      const entry: CacheEntry = {
        key: key.key,
        stepType: step.type.id,
        version: step.type.version,
        outputs: outs,
        summary: result.summary ?? undefined,
        durationMs,
        finishedAt: clock.iso(),
      };
      store.writeEntry(entry);
      return { outs, summary: result.summary ?? undefined, durationMs, entry };
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }

  /** The local files with the bytes of the data pointers a step reads (data-source.ts); one that cannot be had fails the step. */
  private async localDataFiles(step: PipelineStep): Promise<Record<string, string>> {
    try {
      const tier = this.p.remote;
      return await stepDataFiles(step, this.p.pipeline, this.p.store, {
        ...(tier ? { remote: tier.remote, fetch: (d: string) => tier.fetch(d, step.id) } : {}),
        warn: (m) => this.warn(step.id, m),
      });
    } catch (e) {
      if (e instanceof DataError) throw new CannotRun(e.message);
      throw e;
    }
  }

  /** Computes again a step of this run whose artifact `digest` was found damaged, and checks it came out the same. */
  private async recompute(id: string, digest: string): Promise<void> {
    const step = this.p.pipeline.steps.get(id) as PipelineStep;
    const key = this.keys.get(id) as StepKey;
    if (!(await this.lockKey(step, key))) throw new Stopped();
    try {
      const done = await this.compute(step, key);
      if (!Object.values(done.outs).some((o) => o.digest === digest)) {
        throw new CannotRun(
          `recomputing ${id} to replace its damaged artifact ${digest.slice(0, 12)}… gave different bytes (is the step deterministic?); its new outputs are cached, run again to use them`,
        );
      }
      const published = this.publishedBytes(step, done.outs);
      this.remember(step, key, done.outs, Buffer.isBuffer(published) ? published : undefined);
      this.p.remote?.forget(id);
      this.p.remote?.push(id, done.entry);
      this.p.runs.get(id)?.recomputed(done.durationMs);
      this.warn(id, `recomputed in ${done.durationMs} ms: its cached output was damaged`);
    } finally {
      this.unlockKey(key);
    }
  }
}

/** A step computed and committed to the store. */
interface Computed {
  readonly outs: Record<string, OutputRecord>;
  readonly summary: unknown;
  readonly durationMs: number;
  /** The cache entry written for it, which the run pushes to the remote. */
  readonly entry: CacheEntry;
  /** Computed by a queue's worker, which pushed the entry (the local store gets it once its artifacts are downloaded). */
  readonly queued?: { readonly worker: string; readonly executions: number; readonly reused: boolean };
}

/** A decision made by a run, with what acting on it needs. */
interface Decided {
  readonly decision: StepDecision;
  readonly key: StepKey | undefined;
  readonly entry: CacheEntry | undefined;
  /** The verified bytes of the output the step publishes, when cached. */
  readonly published: Buffer | undefined;
}

/**
 * A run's use of a remote cache (src/remote/remote-cache.ts), the second tier behind the local
 * working store: steps read local files, so the local store stays the one the engine runs
 * against, and the remote is looked at only for a step the local store cannot give.
 *
 * - Lookup: a step that must run because its key has no local entry is looked up on the remote
 *   (by the step runner, under the key's lock) before it is computed.
 * - Lazy download: a remote hit's outputs stay on the remote until something needs their bytes (a
 *   computed step reads them, the step publishes one into the checkout, --materialize). Its entry
 *   is written into the local store only once every artifact it names is local, so the local
 *   store never holds an entry it cannot serve (LocalStore.lookupEntry would call it a miss anyway).
 * - Push: what a run computes is pushed (artifacts, then the entry: RemoteCache.pushEntry) one
 *   step after another, overlapping with the steps that follow; the run waits for the last push
 *   before it ends, and a push that fails never fails the run (the remote warns once and is set
 *   aside). Experiments push too: an entry is correct for its key whatever run computed it.
 *   A step taken from the local store is pushed when the remote does not have it (a run killed
 *   during its pushes, or made without the remote, computed it). A successful run of the whole
 *   committed pipeline then pushes its record (remote-records.ts), for `pull` and `remote gc`.
 * - Failures: RemoteCache warns once and carries on without the remote; with --remote-required it
 *   throws RemoteRequiredError, which the run keeps (`failure`) and rethrows when it ends.
 */
import type { EngineEvent } from './events.js';
import type { CacheEntry, Store } from './store.js';
import type { RunRemote } from './record.js';
import { RemoteRequiredError, type ObjectFetch, type RemoteCache, type TransferEvent } from '../remote/remote-cache.js';
import { pushPipelineRecord, type RemotePipelineRecord } from '../remote/remote-records.js';

/** Transfers at least this large are reported as step progress. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

export class RemoteTier {
  /** Steps taken from the remote whose artifacts are not all local yet, by step id. */
  private readonly pending = new Map<string, CacheEntry>();
  /** The step each artifact in transit is for, so its progress is shown on that step. */
  private readonly transferring = new Map<string, string>();
  private readonly shownPercent = new Map<string, number>();
  private pushes: Promise<void> = Promise.resolve();
  private readonly detach: () => void;
  /** The RemoteRequiredError the remote failed with (--remote-required); the run ends with it. */
  private failedWith: RemoteRequiredError | undefined;
  /** Told once when the required remote fails, wherever that happens (a step, a push): the run stops. */
  onFailure: (() => void) | undefined;

  constructor(
    readonly remote: RemoteCache,
    private readonly store: Store,
    private readonly emit: (e: EngineEvent) => void,
  ) {
    this.detach = remote.listen({
      onWarning: (message) => emit({ type: 'run:warning', message }),
      onTransfer: (event) => this.progress(event),
    });
  }

  get failure(): RemoteRequiredError | undefined {
    return this.failedWith;
  }

  /** The remote is required and failed: the run stops and ends with this error. */
  failed(e: RemoteRequiredError): void {
    if (this.failedWith) return;
    this.failedWith = e;
    this.onFailure?.();
  }

  /** The entry the remote has for a key, when it is usable (RemoteCache says why when it is not). */
  async lookup(key: string): Promise<CacheEntry | undefined> {
    const found = await this.remote.lookupEntry(key);
    return found.state === 'hit' ? found.entry : undefined;
  }

  /** A step was taken from the remote with this entry: its entry becomes local once its artifacts are. */
  taken(stepId: string, entry: CacheEntry): void {
    this.pending.set(stepId, entry);
    this.settle(stepId);
  }

  /**
   * Downloads an artifact into the local store, verified (RemoteCache.fetchObject), for `stepId`
   * (whose progress shows it); then the entry of the remote hit that named it is written locally
   * if that was its last missing artifact.
   */
  async fetch(digest: string, stepId: string): Promise<ObjectFetch> {
    this.transferring.set(digest, stepId);
    try {
      const got = await this.remote.fetchObject(digest, this.store);
      if (got === 'fetched') for (const [id, entry] of this.pending) if (Object.values(entry.outputs).some((o) => o.digest === digest)) this.settle(id);
      return got;
    } finally {
      this.transferring.delete(digest);
      this.shownPercent.delete(digest);
    }
  }

  /** The step was computed after all (its remote artifact could not be used): nothing of the remote hit is pending. */
  forget(stepId: string): void {
    this.pending.delete(stepId);
  }

  private settle(stepId: string): void {
    const entry = this.pending.get(stepId);
    if (!entry || !Object.values(entry.outputs).every((o) => this.store.hasObject(o.digest))) return;
    this.pending.delete(stepId);
    this.store.writeEntry(entry);
  }

  /** Queues a computed step's entry for upload (unless the remote is read-only); the run awaits the queue (drain). */
  push(stepId: string, entry: CacheEntry): void {
    this.queue(stepId, entry, false);
  }

  /**
   * Queues a step taken from the local store for upload when the remote does not have it: a run
   * killed before its pushes ended, or one made without the remote, computed it; otherwise no
   * later run would ever send it (it is a local hit from then on).
   */
  share(stepId: string, entry: CacheEntry): void {
    this.queue(stepId, entry, true);
  }

  private queue(stepId: string, entry: CacheEntry, unlessThere: boolean): void {
    if (this.remote.readOnly) return;
    this.pushes = this.pushes.then(async () => {
      if (this.remote.unavailable || this.failure) return void (this.incomplete = true);
      for (const o of Object.values(entry.outputs)) this.transferring.set(o.digest, stepId);
      try {
        if (unlessThere && (await this.remote.lookupEntry(entry.key)).state === 'hit') return;
        if (!(await this.remote.pushEntry(entry, this.store))) this.incomplete = true;
      } catch (e) {
        this.incomplete = true;
        if (e instanceof RemoteRequiredError) this.failed(e);
        else this.emit({ type: 'run:warning', message: `${stepId} was not pushed to ${this.remote.location}: ${(e as Error).message}` });
      } finally {
        for (const o of Object.values(entry.outputs)) this.transferring.delete(o.digest);
      }
    });
  }

  /** Some step of the run may not be on the remote: a push failed or was not made. */
  private incomplete = false;

  /** Waits for every push. */
  async drain(): Promise<void> {
    await this.pushes;
  }

  /**
   * After a successful run of the whole committed pipeline whose every step is on the remote
   * (pushed, taken from it, or found there): its record, so `medpipe pull` finds the pipeline's
   * latest outputs and `remote gc` keeps them (remote-records.ts).
   */
  async pushRecord(record: RemotePipelineRecord): Promise<void> {
    await this.drain();
    if (this.remote.readOnly || this.incomplete || this.remote.unavailable || this.failure) return;
    try {
      await pushPipelineRecord(this.remote, record);
    } catch (e) {
      if (e instanceof RemoteRequiredError) this.failed(e);
      else throw e;
    }
  }

  /** Stops listening to the remote, and says what the run did with it (call after drain). */
  finish(): RunRemote {
    this.detach();
    const unavailable = this.remote.unavailable;
    return { location: this.remote.location, readOnly: this.remote.readOnly, stats: { ...this.remote.stats }, ...(unavailable ? { unavailable } : {}) };
  }

  /** Large transfers as progress of the step they are for, at most once per whole percent. */
  private progress(event: TransferEvent): void {
    const stepId = this.transferring.get(event.digest);
    if (!stepId || event.total === undefined || event.total < PROGRESS_BYTES) return;
    const percent = Math.floor((100 * event.done) / event.total);
    if (this.shownPercent.get(event.digest) === percent) return;
    this.shownPercent.set(event.digest, percent);
    const mb = (event.total / 1e6).toFixed(1);
    this.emit({
      type: 'step:progress',
      step: stepId,
      message: `${event.direction === 'download' ? 'downloading' : 'uploading'} ${mb} MB ${event.direction === 'download' ? 'from' : 'to'} the remote`,
      fraction: event.done / event.total,
    });
  }
}

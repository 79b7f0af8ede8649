/**
 * The remote tier of the store: what a remote holds, how it is laid out, and every check made on
 * what comes back from it, written once above the backends (file-backend.ts, s3-backend.ts).
 *
 * Layout, the local store's (store-layout.ts) under the remote's root:
 *   objects/ab/cdef…         artifacts by sha256
 *   entries/ab/abcdef….json  cache entries by step key (entry-format.ts), with an HMAC signature
 *                            when MEDPIPE_CACHE_KEY is set
 *   records/…                small JSON records (pipeline states for push/pull and gc)
 *
 * Rules:
 * - nothing from the remote is used before it is checked: an artifact is hashed and compared with
 *   its digest before it enters the local store; an entry is parsed and checked like a local one
 *   (shape, key, checksum), and with a signing key its signature must verify, so a writable bucket
 *   cannot poison a team's results; an entry is a hit only if every artifact it names is on the
 *   remote with its recorded size;
 * - an entry is pushed only after every artifact it names, so a reader never finds an entry whose
 *   artifacts are missing (the backends make each blob visible only when complete);
 * - a remote that fails is tried again with backoff; if it still fails, the run is told once and
 *   carries on without it (computing locally), unless the remote is required.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkEntry, entryText } from '../engine/entry-format.js';
import type { CacheEntry, Store } from '../engine/store.js';
import { entryName, objectName, STORE_FOLDERS } from '../engine/store-layout.js';
import { RemoteError, type RemoteBackend, type RemoteBlob } from './backend.js';
import { RemoteRequiredError } from './remote-required.js';

export { RemoteRequiredError };

/** What a remote holds under a step key. */
export type RemoteEntryLookup =
  | { readonly state: 'hit'; readonly entry: CacheEntry }
  | { readonly state: 'miss' }
  /** The entry is there but is not used: damaged, unsigned or wrongly signed, or an artifact it names is missing. */
  | { readonly state: 'refused'; readonly problem: string }
  | { readonly state: 'unavailable' };

export type ObjectFetch = 'fetched' | 'missing' | 'damaged' | 'unavailable';
export type ObjectPush = 'pushed' | 'present' | 'read-only' | 'unavailable';

/** One artifact moving, for progress lines on large transfers. */
export interface TransferEvent {
  readonly direction: 'download' | 'upload';
  readonly digest: string;
  readonly done: number;
  readonly total: number | undefined;
}

export interface RemoteCacheOptions {
  /** MEDPIPE_CACHE_KEY: entries are signed when pushed, and only correctly signed ones are used. */
  readonly signingKey?: string;
  /** --remote-read-only: look up and download, never upload. */
  readonly readOnly?: boolean;
  /** --remote-required: a remote that fails is an error, not a warning. */
  readonly required?: boolean;
  /** Told once per problem: the remote is unreachable, an entry or artifact was refused. */
  readonly onWarning?: (message: string) => void;
  readonly onTransfer?: (event: TransferEvent) => void;
  /** Tries after the first one, and the first wait (doubled each time). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Longest wait for one small request (an entry, a size check) before it counts as failed. */
  readonly requestTimeoutMs?: number;
}

/** Told of warnings and transfers in addition to RemoteCacheOptions' callbacks (see RemoteCache.listen). */
export interface RemoteListener {
  readonly onWarning?: (message: string) => void;
  readonly onTransfer?: (event: TransferEvent) => void;
}

/** What moved, for the run summary and the benchmarks. */
export interface TransferStats {
  objectsDownloaded: number;
  bytesDownloaded: number;
  objectsUploaded: number;
  bytesUploaded: number;
  entriesFound: number;
  entriesUploaded: number;
  refused: number;
}

/** An artifact to push is missing from or damaged in the local store: it is never uploaded. */
export class LocalArtifactError extends Error {
  override readonly name = 'LocalArtifactError';
}

/** A remote's folders: the local store's objects and entries (store-layout.ts), and records. */
export const REMOTE_FOLDERS = { objects: STORE_FOLDERS.objects, entries: STORE_FOLDERS.entries, records: 'records' } as const;

export const recordName = (name: string): string => `${REMOTE_FOLDERS.records}/${name}.json`;

const DIGEST = /^[0-9a-f]{64}$/;

/** The digest an object blob's name says it has (objects/ab/cdef… is abcdef…), or undefined for a stray name. */
export function digestOfObjectName(name: string): string | undefined {
  const m = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(name);
  return m ? m[1] + m[2] : undefined;
}

/** The key an entry blob's name says it is for. */
export function keyOfEntryName(name: string): string | undefined {
  const m = /^entries\/[0-9a-f]{2}\/([0-9a-f]{64})\.json$/.exec(name);
  return m ? m[1] : undefined;
}

const SIGNATURE_PREFIX = 'hmac-sha256:';

function signatureOf(text: string, key: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', key).update(text).digest('hex');
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file's size, or undefined when it is not there. */
function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class RemoteCache {
  readonly stats: TransferStats = {
    objectsDownloaded: 0,
    bytesDownloaded: 0,
    objectsUploaded: 0,
    bytesUploaded: 0,
    entriesFound: 0,
    entriesUploaded: 0,
    refused: 0,
  };
  private down: string | undefined;
  private readonly warned = new Set<string>();
  private readonly listeners = new Set<RemoteListener>();

  constructor(
    readonly backend: RemoteBackend,
    private readonly options: RemoteCacheOptions = {},
  ) {}

  get location(): string {
    return this.backend.location;
  }

  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /** Why the remote is no longer used in this process, or undefined while it works. */
  get unavailable(): string | undefined {
    return this.down;
  }

  private warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.options.onWarning?.(message);
    for (const l of this.listeners) l.onWarning?.(message);
  }

  private transfer(event: TransferEvent): void {
    this.options.onTransfer?.(event);
    for (const l of this.listeners) l.onTransfer?.(event);
  }

  /**
   * Listens to warnings and transfers besides the options' callbacks, until the returned function
   * is called: a run routes them to its own events (the remote is opened before the run starts).
   */
  listen(listener: RemoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs one remote operation, retried with backoff on transient errors. When it still fails the
   * remote is set aside for the rest of the process with one warning (or, when required, the
   * error is thrown), and `undefined` is returned.
   */
  private async attempt<T>(what: string, op: (signal: AbortSignal | undefined) => Promise<T>, timed = true): Promise<T | undefined> {
    if (this.down) return undefined;
    const retries = this.options.retries ?? 3;
    let delay = this.options.retryDelayMs ?? 200;
    for (let i = 0; ; i++) {
      try {
        return await op(timed ? AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000) : undefined);
      } catch (e) {
        const transient = !(e instanceof RemoteError) || e.transient;
        // Another operation set the remote aside while this one waited: no more tries, no second warning.
        if (this.down) return undefined;
        if (transient && i < retries) {
          await sleep(delay);
          delay *= 2;
          continue;
        }
        // The backend's message starts with the remote's location, which the message below names already.
        const reason = (e instanceof RemoteError ? e.message : (e as Error).message).replace(`${this.location}: `, '');
        if (this.options.required) throw new RemoteRequiredError(`remote ${this.location} failed (${what}): ${reason}`);
        // Set aside once: operations running at the same time fail with their own messages
        // (each names its blob), and the run must still get one warning.
        this.down = reason;
        this.warn(`remote ${this.location} is not usable (${what}: ${reason}); computing locally without it for the rest of this run`);
        return undefined;
      }
    }
  }

  /** The entry the remote has for a step key, checked (see the rules above). */
  async lookupEntry(key: string): Promise<RemoteEntryLookup> {
    const bytes = await this.attempt('reading a cache entry', (signal) => this.backend.read(entryName(key), signal));
    if (this.down) return { state: 'unavailable' };
    if (bytes === undefined) return { state: 'miss' };
    const refused = (problem: string): RemoteEntryLookup => {
      this.stats.refused++;
      this.warn(`remote ${this.location}: ${problem}; not used`);
      return { state: 'refused', problem };
    };
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    } catch {
      return refused(`cache entry ${key.slice(0, 12)}… is not valid JSON`);
    }
    const { signature, ...rest } = json;
    const parsed = checkEntry(rest, key);
    if ('problem' in parsed) return refused(parsed.problem);
    const signingKey = this.options.signingKey;
    if (signingKey) {
      if (typeof signature !== 'string') return refused(`cache entry ${key.slice(0, 12)}… is not signed, and MEDPIPE_CACHE_KEY is set`);
      // The signature covers the entry's text as written (entryText), which JSON.stringify gives
      // back from the parsed entry (same key order, same numbers).
      const expected = Buffer.from(signatureOf(JSON.stringify(rest), signingKey));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return refused(`cache entry ${key.slice(0, 12)}… has a signature that MEDPIPE_CACHE_KEY does not verify (forged, or signed with another key)`);
    }
    // The artifacts are checked at once: one round trip for an entry's outputs, not one each.
    const outputs = Object.entries(parsed.entry.outputs);
    const found = await Promise.all(
      outputs.map(([, out]) => this.attempt('checking an artifact', (signal) => this.backend.stat(objectName(out.digest), signal))),
    );
    if (this.down) return { state: 'unavailable' };
    for (const [i, [port, out]] of outputs.entries()) {
      const there = found[i];
      if (there?.size !== out.size)
        return refused(
          there
            ? `artifact ${out.digest.slice(0, 12)}… (output "${port}" of entry ${key.slice(0, 12)}…) is ${there.size} bytes, not ${out.size}`
            : `artifact ${out.digest.slice(0, 12)}… (output "${port}" of entry ${key.slice(0, 12)}…) is missing`,
        );
    }
    this.stats.entriesFound++;
    return { state: 'hit', entry: parsed.entry };
  }

  /**
   * Downloads an artifact into the local store, verified: bytes that do not hash to the digest are
   * refused (and removed from the remote, unless read-only, so the next push replaces them).
   */
  async fetchObject(digest: string, store: Store): Promise<ObjectFetch> {
    if (!DIGEST.test(digest)) throw new Error(`internal: not a digest: ${digest}`);
    if (store.hasObject(digest) && (await store.verifyObject(digest)).state === 'ok') return 'fetched';
    const dir = store.makeTempDir('remote-fetch');
    try {
      const file = join(dir, 'object');
      const got = await this.attempt(
        'downloading an artifact',
        async () => {
          rmSync(file, { force: true });
          return this.backend.download(objectName(digest), file, {
            onProgress: (done, total) => this.transfer({ direction: 'download', digest, done, total }),
          });
        },
        false,
      );
      if (got === undefined) return 'unavailable';
      if (!got) return 'missing';
      const actual = await hashFile(file);
      if (actual !== digest) {
        this.stats.refused++;
        this.warn(
          `remote ${this.location}: artifact ${digest.slice(0, 12)}… does not match its digest (its content hashes to ${actual.slice(0, 12)}…); refused`,
        );
        if (!this.readOnly) await this.attempt('removing a damaged artifact', (signal) => this.backend.remove(objectName(digest), signal));
        return 'damaged';
      }
      const added = await store.addObject(file);
      this.stats.objectsDownloaded++;
      this.stats.bytesDownloaded += added.size;
      return 'fetched';
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Uploads an artifact from the local store, verified first, unless the remote has it already. */
  async pushObject(digest: string, store: Store): Promise<ObjectPush> {
    if (this.readOnly) return 'read-only';
    const there = await this.attempt('checking an artifact', (signal) => this.backend.stat(objectName(digest), signal));
    if (this.down) return 'unavailable';
    const path = store.objectPath(digest);
    // Checked by size before any hashing: a push of what the remote has (most of `medpipe push`
    // on a warm remote) must not read every local artifact. Damaged remote bytes of the right
    // size are caught, and removed, by the next reader's hash.
    if (there && there.size === sizeOf(path)) return 'present';
    const local = await store.verifyObject(digest);
    if (local.state !== 'ok')
      throw new LocalArtifactError(
        `artifact ${digest.slice(0, 12)}… is ${local.state === 'missing' ? 'missing from' : 'damaged in'} the local store; not pushed`,
      );
    await this.attempt(
      'uploading an artifact',
      () =>
        this.backend.write(objectName(digest), path, {
          onProgress: (done, total) => this.transfer({ direction: 'upload', digest, done, total }),
        }),
      false,
    );
    if (this.down) return 'unavailable';
    this.stats.objectsUploaded++;
    this.stats.bytesUploaded += statSync(path).size;
    return 'pushed';
  }

  /** Uploads a step's artifacts, then its entry (signed when a key is set); false when the remote is read-only or failed. */
  async pushEntry(entry: CacheEntry, store: Store): Promise<boolean> {
    if (this.readOnly) return false;
    for (const out of Object.values(entry.outputs)) {
      const pushed = await this.pushObject(out.digest, store);
      if (pushed === 'unavailable') return false;
    }
    const text = entryText(entry);
    const signingKey = this.options.signingKey;
    const body = signingKey ? JSON.stringify({ ...JSON.parse(text), signature: signatureOf(text, signingKey) }) : text;
    await this.attempt('uploading a cache entry', (signal) => this.backend.write(entryName(entry.key), Buffer.from(body), { signal }));
    if (this.down) return false;
    this.stats.entriesUploaded++;
    return true;
  }

  /** A JSON record (`pipelines/ID`, …), or undefined when there is none or it is not JSON. */
  async readRecord<T>(name: string): Promise<T | undefined> {
    const bytes = await this.attempt('reading a record', (signal) => this.backend.read(recordName(name), signal));
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch {
      this.warn(`remote ${this.location}: record ${name} is not valid JSON; ignored`);
      return undefined;
    }
  }

  async writeRecord(name: string, value: unknown): Promise<boolean> {
    if (this.readOnly) return false;
    await this.attempt('writing a record', (signal) => this.backend.write(recordName(name), Buffer.from(JSON.stringify(value)), { signal }));
    return !this.down;
  }

  /** Every blob under a folder of the remote (objects/, entries/, records/…); undefined when the remote failed. */
  private async listUnder(prefix: string): Promise<RemoteBlob[] | undefined> {
    return this.attempt(
      `listing ${prefix}`,
      async () => {
        const all: RemoteBlob[] = [];
        for await (const blob of this.backend.list(prefix)) all.push(blob);
        return all;
      },
      false,
    );
  }

  listObjects(): Promise<RemoteBlob[] | undefined> {
    return this.listUnder(`${REMOTE_FOLDERS.objects}/`);
  }

  listEntries(): Promise<RemoteBlob[] | undefined> {
    return this.listUnder(`${REMOTE_FOLDERS.entries}/`);
  }

  /** The records under a folder of records (`pipelines/ID`), or all. */
  listRecords(under = ''): Promise<RemoteBlob[] | undefined> {
    return this.listUnder(`${REMOTE_FOLDERS.records}/${under ? `${under.replace(/\/+$/, '')}/` : ''}`);
  }

  async remove(name: string): Promise<boolean> {
    if (this.readOnly) return false;
    await this.attempt('removing', (signal) => this.backend.remove(name, signal));
    return !this.down;
  }

  close(): void {
    this.backend.close();
  }
}

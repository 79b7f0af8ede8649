/**
 * The artifact store under `.medpipe/` (or --store / MEDPIPE_STORE): content-addressed artifacts,
 * cache entries that map a step's key to its output digests, locks, run records, and the last
 * state of each pipeline.
 *
 * Crash safety: everything is written to a temporary file and renamed into place, and a cache
 * entry is written only after all of its artifacts are in place, so a run killed at any instant
 * leaves either a complete entry or none. Concurrency: a step key is computed under a lock file
 * (created with O_EXCL), so two runs of one pipeline never compute the same step twice; a lock
 * whose process is gone is taken over.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, openSync, closeSync, writeSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ARTIFACT_KINDS, type ArtifactKind } from './step-type.js';
import { fsyncDir, fsyncFile, writeFileDurably } from './durable.js';
import { sha256 } from './fingerprint.js';

export interface OutputRecord {
  readonly digest: string;
  readonly size: number;
  readonly kind: ArtifactKind;
}

export interface CacheEntry {
  readonly key: string;
  readonly stepType: string;
  readonly version: string;
  readonly outputs: Readonly<Record<string, OutputRecord>>;
  readonly summary?: unknown;
  readonly durationMs: number;
  readonly finishedAt: string;
}

/** What the store found under a step's key. */
export type EntryLookup =
  | { readonly state: 'hit'; readonly entry: CacheEntry }
  | { readonly state: 'miss' }
  /** `digest`: the artifact whose size does not match, when that is the damage. */
  | { readonly state: 'damaged'; readonly problem: string; readonly digest?: string };

export type ObjectCheck = { readonly state: 'ok' } | { readonly state: 'missing' } | { readonly state: 'damaged'; readonly actual: string };

const DIGEST = /^[0-9a-f]{64}$/;
const KNOWN_KINDS: ReadonlySet<string> = new Set(ARTIFACT_KINDS);

/** Why a parsed cache entry is not a valid entry for `key`, or undefined when it is. */
export function entryShapeProblem(json: unknown, key: string): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'is not a JSON object';
  const e = json as Record<string, unknown>;
  if (e.key !== key) return 'names another key: the file was moved or edited';
  if (typeof e.stepType !== 'string' || typeof e.version !== 'string') return 'has no step type or version';
  if (typeof e.durationMs !== 'number' || typeof e.finishedAt !== 'string') return 'has no duration or finishing time';
  if (typeof e.outputs !== 'object' || e.outputs === null || Array.isArray(e.outputs)) return 'has no outputs';
  for (const [port, out] of Object.entries(e.outputs as Record<string, unknown>)) {
    const o = out as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) return `output "${port}" is not an object`;
    if (typeof o.digest !== 'string' || !DIGEST.test(o.digest)) return `output "${port}" has no valid digest`;
    if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0) return `output "${port}" has no valid size`;
    if (typeof o.kind !== 'string' || !KNOWN_KINDS.has(o.kind)) return `output "${port}" has an unknown kind`;
  }
  return undefined;
}

/**
 * An entry's checksum: the sha256 of its JSON text without the checksum. JSON.parse then
 * JSON.stringify gives back the same text (same key order, same numbers), so it can be checked
 * on the parsed entry.
 */
function entryChecksum(entry: object): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(entry)).digest('hex')}`;
}

export const DEFAULT_STORE_DIR = '.medpipe';

interface FileMemo {
  size: number;
  mtimeMs: number;
  ino?: number;
  ctimeMs?: number;
  digest: string;
  /** See memoCheck: a remembered digest that was changed on disk is never used. */
  check?: string;
}

/**
 * The check of a remembered file digest: the sha256 of the path and everything remembered with
 * it. A memo whose digest was changed (a flipped bit, a stray edit) would otherwise give the step
 * that reads the file another cache key, and the lock file a key no intact run computes.
 */
function memoCheck(path: string, m: FileMemo): string {
  return createHash('sha256').update(JSON.stringify([path, m.size, m.mtimeMs, m.ino ?? null, m.ctimeMs ?? null, m.digest])).digest('hex').slice(0, 32);
}

/**
 * Temporary names start with the process id and a digest of the host name: a store shared by
 * several machines (NFS, containers on one volume) must only clean up its own host's leftovers.
 */
export const HOST_TAG = `h${createHash('sha256').update(hostname()).digest('hex').slice(0, 8)}`;
const TMP_PREFIX = `${process.pid}-${HOST_TAG}`;

export class Store {
  readonly root: string;
  private fileDigests: Record<string, FileMemo> | undefined;
  private fileDigestsChanged = false;

  constructor(root: string) {
    this.root = root;
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  objectPath(digest: string): string {
    return this.path('objects', digest.slice(0, 2), digest.slice(2));
  }

  hasObject(digest: string): boolean {
    return existsSync(this.objectPath(digest));
  }

  /**
   * The entry for a key, checked as it is loaded (DVC's run cache does the same): its JSON must
   * have the shape of an entry for this key, and every artifact it names must be in the store
   * with the recorded size (a stat, so a cached run stays cheap; contents are checked when read,
   * see verifyObject). A missing artifact is a miss (collected, or never pushed); anything else
   * that does not fit is damage, which the caller sets aside and recomputes.
   */
  lookupEntry(key: string): EntryLookup {
    let text: string;
    try {
      text = readFileSync(this.entryPath(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'miss' };
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { state: 'damaged', problem: `cache entry ${key.slice(0, 12)}… is not valid JSON` };
    }
    const problem = entryShapeProblem(json, key);
    if (problem) return { state: 'damaged', problem: `cache entry ${key.slice(0, 12)}… ${problem}` };
    // The checksum covers what the shape check cannot: a changed digit in a size, a time or the
    // summary (which run records, `runs` and the report show). Entries written before it had one
    // are taken as they are.
    const { checksum, ...content } = json as Record<string, unknown>;
    if (checksum !== undefined && checksum !== entryChecksum(content)) return { state: 'damaged', problem: `cache entry ${key.slice(0, 12)}… does not match its checksum: it was changed after it was written` };
    const entry = content as unknown as CacheEntry;
    for (const [port, out] of Object.entries(entry.outputs)) {
      let size: number;
      try {
        size = statSync(this.objectPath(out.digest)).size;
      } catch {
        return { state: 'miss' };
      }
      if (size !== out.size) return { state: 'damaged', problem: `artifact ${out.digest.slice(0, 12)}… (output "${port}") is ${size} bytes, not the ${out.size} its entry records`, digest: out.digest };
    }
    return { state: 'hit', entry };
  }

  /** The entry for a key if it is intact and all its artifacts are present (see lookupEntry). */
  readEntry(key: string): CacheEntry | undefined {
    const found = this.lookupEntry(key);
    return found.state === 'hit' ? found.entry : undefined;
  }

  private entryPath(key: string): string {
    return this.path('entries', key.slice(0, 2), `${key}.json`);
  }

  /** Every artifact file in the store with the digest its path names (objects/ab/cdef… is abcdef…). */
  objects(): { digest: string; file: string }[] {
    return filesUnder(this.path('objects')).map((file) => ({ file, digest: basename(dirname(file)) + basename(file) }));
  }

  /** Every cache entry file in the store with the key its name gives. */
  entries(): { key: string; file: string }[] {
    return filesUnder(this.path('entries')).map((file) => ({ file, key: basename(file).replace(/\.json$/, '') }));
  }

  /** Hashes an artifact and compares it with its name: the check made before any byte of it is used. */
  async verifyObject(digest: string): Promise<ObjectCheck> {
    let actual: string;
    try {
      actual = await hashFile(this.objectPath(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
      throw e;
    }
    return actual === digest ? { state: 'ok' } : { state: 'damaged', actual };
  }

  /** An artifact's bytes, only if they match its digest. */
  readVerifiedObject(digest: string): { bytes: Buffer } | { damaged: string } | { missing: true } {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.objectPath(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
      throw e;
    }
    const actual = sha256(bytes);
    return actual === digest ? { bytes } : { damaged: actual };
  }

  /**
   * Moves a damaged artifact out of the store into quarantine/, where it can be inspected and
   * `cache gc` removes it. Its name is then free, so recomputing the step that made it restores it.
   */
  quarantineObject(digest: string): void {
    this.quarantine(this.objectPath(digest), `object-${digest}`);
  }

  /** Moves a damaged cache entry into quarantine/, so the step is recomputed. */
  quarantineEntry(key: string): void {
    this.quarantine(this.entryPath(key), `entry-${key}.json`);
  }

  private quarantine(file: string, name: string): void {
    mkdirSync(this.path('quarantine'), { recursive: true });
    try {
      renameSync(file, this.path('quarantine', `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}-${name}`));
    } catch (e) {
      // Another run set it aside first.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  writeEntry(entry: CacheEntry): void {
    writeAtomic(this.entryPath(entry.key), JSON.stringify({ ...entry, checksum: entryChecksum(entry) }), this.tmpRoot());
  }

  /** A fresh directory for a step's outputs, inside the store so the final rename stays on one file system. */
  makeTempDir(label: string): string {
    const dir = this.path('tmp', `${TMP_PREFIX}-${label.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private tmpRoot(): string {
    return this.path('tmp');
  }

  /**
   * Moves a finished output file into the store under its digest. An artifact already there under
   * that name is kept only if it matches it: a damaged one (a forced step recomputing what a
   * failing disk changed) is set aside in quarantine/ and replaced by the fresh bytes, which
   * `replacedDamaged` reports. Otherwise a forced recomputation would keep the damaged bytes and
   * drop the good ones.
   */
  async addObject(file: string): Promise<{ digest: string; size: number; replacedDamaged: boolean }> {
    const digest = await hashFile(file);
    const size = statSync(file).size;
    const target = this.objectPath(digest);
    const existing = await this.verifyObject(digest);
    if (existing.state === 'ok') {
      rmSync(file, { force: true });
      return { digest, size, replacedDamaged: false };
    }
    if (existing.state === 'damaged') this.quarantineObject(digest);
    // Durable before its entry is written: an entry must never name bytes a crash could lose.
    fsyncFile(file);
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(file, target);
    fsyncDir(join(target, '..'));
    return { digest, size, replacedDamaged: existing.state === 'damaged' };
  }

  /**
   * The content digest of a user's file, remembered by (path, size, mtime) so an unchanged large
   * file is not re-read on every run.
   */
  async fileDigest(path: string): Promise<string> {
    const st = statSync(path);
    this.fileDigests ??= readJson(this.path('file-digests.json')) ?? {};
    const memo = this.fileDigests[path];
    // ino and ctime too: a same-size edit copied with its mtime (cp -p, rsync -a) still changes them.
    if (memo && memo.size === st.size && memo.mtimeMs === st.mtimeMs && memo.ino === st.ino && memo.ctimeMs === st.ctimeMs && memo.check === memoCheck(path, memo)) return memo.digest;
    const digest = await hashFile(path);
    const fresh: FileMemo = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, ctimeMs: st.ctimeMs, digest };
    this.fileDigests[path] = { ...fresh, check: memoCheck(path, fresh) };
    this.fileDigestsChanged = true;
    return digest;
  }

  saveFileDigests(): void {
    if (!this.fileDigestsChanged || !this.fileDigests) return;
    // Merge with what a concurrent run may have written meanwhile.
    const onDisk = readJson<Record<string, FileMemo>>(this.path('file-digests.json')) ?? {};
    writeAtomic(this.path('file-digests.json'), JSON.stringify({ ...onDisk, ...this.fileDigests }), this.tmpRoot());
    this.fileDigestsChanged = false;
  }

  /** Tries to take the lock of a step key. Returns false while another live process holds it. */
  tryLock(key: string): boolean {
    mkdirSync(this.path('locks'), { recursive: true });
    return tryLockFile(this.path('locks', `${key}.lock`));
  }

  unlock(key: string): void {
    rmSync(this.path('locks', `${key}.lock`), { force: true });
  }

  /** Removes temporary directories left by processes that no longer run (a killed run). */
  cleanStaleTemp(): void {
    let names: string[];
    try {
      names = readdirSync(this.tmpRoot());
    } catch {
      return;
    }
    for (const name of names) {
      const [pidText, host] = name.split('-');
      const pid = Number(pidText);
      if (host === HOST_TAG && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) rmSync(join(this.tmpRoot(), name), { recursive: true, force: true });
    }
  }

  writeJson(relPath: string, value: unknown): void {
    writeAtomic(this.path(relPath), JSON.stringify(value) + '\n', this.tmpRoot());
  }

  readJson<T>(relPath: string): T | undefined {
    return readJson<T>(this.path(relPath));
  }
}

/** Every file below `dir`, at any depth (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Creates a lock file (O_EXCL) holding this process's pid and host, plus `about`; a lock whose
 * process is gone is taken over. Returns false while another live process holds it.
 */
export function tryLockFile(file: string, about: Readonly<Record<string, unknown>> = {}): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), ...about, since: new Date().toISOString() }));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!lockIsStale(file)) return false;
      try {
        unlinkSync(file);
      } catch {
        // another process removed it first; try again
      }
    }
  }
  return false;
}

/** Whether a lock file's process is gone (a killed run), so the lock no longer protects anything. */
export function lockIsStale(file: string): boolean {
  const lock = readJson<{ pid: number; host: string }>(file);
  if (!lock) {
    // Unreadable: a process died between creating and writing it, or is writing it right now.
    try {
      return Date.now() - statSync(file).mtimeMs > 5000;
    } catch {
      return true;
    }
  }
  return lock.host === hostname() && !processAlive(lock.pid);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Write to a temporary file in the same file system, fsync, rename, fsync the folder: readers see
 * all or nothing, and what was renamed into place survives a power cut (see durable.ts).
 */
export function writeAtomic(file: string, content: string | Uint8Array, tmpDir: string): void {
  writeFileDurably(file, content, join(tmpDir, `${TMP_PREFIX}-w-${randomBytes(6).toString('hex')}`));
}

export function hashFile(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

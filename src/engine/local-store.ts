/**
 * The store as a folder (`.medpipe/`, or --store / MEDPIPE_STORE): the local implementation of
 * the Store interface (store.ts). Content-addressed artifacts, cache entries that map a step's
 * key to its output digests, locks, run records, and the last state of each pipeline; the paths
 * are store-layout.ts's.
 *
 * Crash safety: everything is written to a temporary file and renamed into place, and a cache
 * entry is written only after all of its artifacts are in place, so a run killed at any instant
 * leaves either a complete entry or none. Concurrency: a step key is computed under a lock file
 * (created with O_EXCL), so two runs of one pipeline never compute the same step twice; a lock
 * whose process is gone is taken over.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { entryText, parseEntry } from './entry-format.js';
import { fsyncDir, fsyncFile, writeFileDurably } from './durable.js';
import { sha256 } from './fingerprint.js';
import { lockIsStale, tryLockFile } from './lock-file.js';
import { deadProcessOfThisHost, ownerOfScratch, SCRATCH_PREFIX } from './process-tag.js';
import { digestOfObjectFile, entryFile, keyOfEntryFile, objectFile, scratchDir, STORE_FILES, STORE_FOLDERS } from './store-layout.js';
import type { AddedObject, CacheEntry, EntryLookup, HeldLock, ObjectCheck, ObjectRead, Store, StoredObject } from './store.js';

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
  return createHash('sha256')
    .update(JSON.stringify([path, m.size, m.mtimeMs, m.ino ?? null, m.ctimeMs ?? null, m.digest]))
    .digest('hex')
    .slice(0, 32);
}

export class LocalStore implements Store {
  readonly root: string;
  private fileDigests: Record<string, FileMemo> | undefined;
  private fileDigestsChanged = false;

  constructor(root: string) {
    this.root = root;
  }

  private path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  // ---- artifacts ----

  objectPath(digest: string): string {
    return objectFile(this.root, digest);
  }

  hasObject(digest: string): boolean {
    return existsSync(this.objectPath(digest));
  }

  /** Every artifact file in the store with the digest its path names, and its size. */
  objects(): StoredObject[] {
    return filesUnder(this.path(STORE_FOLDERS.objects)).map((file) => ({ digest: digestOfObjectFile(file), size: statSync(file).size }));
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
  readVerifiedObject(digest: string): ObjectRead {
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
   * Moves a finished output file into the store under its digest. An artifact already there under
   * that name is kept only if it matches it: a damaged one (a forced step recomputing what a
   * failing disk changed) is set aside in quarantine/ and replaced by the fresh bytes, which
   * `replacedDamaged` reports. Otherwise a forced recomputation would keep the damaged bytes and
   * drop the good ones.
   */
  async addObject(file: string): Promise<AddedObject> {
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
    // A rename, not writeFileDurably: the file is already complete in the store's scratch folder.
    fsyncFile(file);
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(file, target);
    fsyncDir(join(target, '..'));
    return { digest, size, replacedDamaged: existing.state === 'damaged' };
  }

  /**
   * Moves a damaged artifact out of the store into quarantine/, where it can be inspected and
   * `cache gc` removes it. Its name is then free, so recomputing the step that made it restores it.
   */
  quarantineObject(digest: string): void {
    this.quarantine(this.objectPath(digest), `object-${digest}`);
  }

  deleteObject(digest: string): void {
    rmSync(this.objectPath(digest), { force: true });
  }

  // ---- cache entries ----

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
      text = readFileSync(entryFile(this.root, key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'miss' };
      throw e;
    }
    const parsed = parseEntry(text, key);
    if ('problem' in parsed) return { state: 'damaged', problem: parsed.problem };
    const entry = parsed.entry;
    for (const [port, out] of Object.entries(entry.outputs)) {
      let size: number;
      try {
        size = statSync(this.objectPath(out.digest)).size;
      } catch {
        return { state: 'miss' };
      }
      if (size !== out.size)
        return {
          state: 'damaged',
          problem: `artifact ${out.digest.slice(0, 12)}… (output "${port}") is ${size} bytes, not the ${out.size} its entry records`,
          digest: out.digest,
        };
    }
    return { state: 'hit', entry };
  }

  /** The entry for a key if it is intact and all its artifacts are present (see lookupEntry). */
  readEntry(key: string): CacheEntry | undefined {
    const found = this.lookupEntry(key);
    return found.state === 'hit' ? found.entry : undefined;
  }

  writeEntry(entry: CacheEntry): void {
    writeFileDurably(entryFile(this.root, entry.key), entryText(entry), { scratchDir: scratchDir(this.root) });
  }

  /** The key of every cache entry file in the store, as its name gives it. */
  entries(): string[] {
    return filesUnder(this.path(STORE_FOLDERS.entries)).map(keyOfEntryFile);
  }

  /** Moves a damaged cache entry into quarantine/, so the step is recomputed. */
  quarantineEntry(key: string): void {
    this.quarantine(entryFile(this.root, key), `entry-${key}.json`);
  }

  deleteEntry(key: string): void {
    rmSync(entryFile(this.root, key), { force: true });
  }

  // ---- records ----

  writeJson(name: string, value: unknown): void {
    writeFileDurably(this.path(name), JSON.stringify(value) + '\n', { scratchDir: scratchDir(this.root) });
  }

  readJson<T>(name: string): T | undefined {
    return readJson<T>(this.path(name));
  }

  listJson(folder: string): string[] {
    try {
      return readdirSync(this.path(folder))
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -'.json'.length));
    } catch {
      return [];
    }
  }

  // ---- locks ----

  /** Tries to take the lock of a step key. Returns false while another live process holds it. */
  tryLock(key: string): boolean {
    mkdirSync(this.path(STORE_FOLDERS.locks), { recursive: true });
    return tryLockFile(this.path(STORE_FOLDERS.locks, `${key}.lock`));
  }

  unlock(key: string): void {
    rmSync(this.path(STORE_FOLDERS.locks, `${key}.lock`), { force: true });
  }

  locks(): HeldLock[] {
    const dir = this.path(STORE_FOLDERS.locks);
    return filesUnder(dir).map((file) => ({ name: file.slice(dir.length + 1), stale: lockIsStale(file) }));
  }

  removeLock(name: string): void {
    rmSync(this.path(STORE_FOLDERS.locks, name), { force: true });
  }

  // ---- quarantine ----

  get quarantineLocation(): string {
    return this.path(STORE_FOLDERS.quarantine);
  }

  private quarantine(file: string, name: string): void {
    mkdirSync(this.quarantineLocation, { recursive: true });
    try {
      renameSync(file, join(this.quarantineLocation, `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}-${name}`));
    } catch (e) {
      // Another run set it aside first.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  clearQuarantine(): number {
    const files = filesUnder(this.quarantineLocation);
    for (const f of files) rmSync(f, { force: true });
    return files.length;
  }

  // ---- the working area ----

  /** A fresh directory for a step's outputs, inside the store so the final rename stays on one file system. */
  makeTempDir(label: string): string {
    const dir = join(scratchDir(this.root), `${SCRATCH_PREFIX}-${label.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Removes temporary files and folders left by processes that no longer run (a killed run). */
  cleanStaleTemp(): void {
    let names: string[];
    try {
      names = readdirSync(scratchDir(this.root));
    } catch {
      return;
    }
    for (const name of names) {
      const { pid, host } = ownerOfScratch(name);
      if (deadProcessOfThisHost(pid, host)) rmSync(join(scratchDir(this.root), name), { recursive: true, force: true });
    }
  }

  /**
   * The content digest of a user's file, remembered by (path, size, mtime) so an unchanged large
   * file is not re-read on every run.
   */
  async fileDigest(path: string): Promise<string> {
    const st = statSync(path);
    this.fileDigests ??= readJson(this.path(STORE_FILES.fileDigests)) ?? {};
    const memo = this.fileDigests[path];
    // ino and ctime too: a same-size edit copied with its mtime (cp -p, rsync -a) still changes them.
    if (
      memo &&
      memo.size === st.size &&
      memo.mtimeMs === st.mtimeMs &&
      memo.ino === st.ino &&
      memo.ctimeMs === st.ctimeMs &&
      memo.check === memoCheck(path, memo)
    )
      return memo.digest;
    const digest = await hashFile(path);
    const fresh: FileMemo = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, ctimeMs: st.ctimeMs, digest };
    this.fileDigests[path] = { ...fresh, check: memoCheck(path, fresh) };
    this.fileDigestsChanged = true;
    return digest;
  }

  saveFileDigests(): void {
    if (!this.fileDigestsChanged || !this.fileDigests) return;
    // Merge with what a concurrent run may have written meanwhile.
    const onDisk = readJson<Record<string, FileMemo>>(this.path(STORE_FILES.fileDigests)) ?? {};
    writeFileDurably(this.path(STORE_FILES.fileDigests), JSON.stringify({ ...onDisk, ...this.fileDigests }), { scratchDir: scratchDir(this.root) });
    this.fileDigestsChanged = false;
  }
}

/** Every file below `dir`, at any depth (none when it does not exist). */
function filesUnder(dir: string): string[] {
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

export function hashFile(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/**
 * The store, as the engine, `cache`, `runs` and the report see it: artifacts by
 * digest, cache entries by step key, small JSON records (run records, pipeline state, pins) by
 * name, and locks on step keys. The engine and the CLI depend on this interface; the folder
 * under `.medpipe/` (local-store.ts) is one implementation.
 *
 * What every implementation promises:
 * - reads are verified: an artifact's bytes are handed out only if they hash to its digest, and an
 *   entry only if it has the shape and checksum of an entry for its key and every artifact it
 *   names is there with its size (see EntryLookup);
 * - writes are atomic and durable: a reader sees all of a file or none of it, and what a write
 *   returned from survives a crash (the engine writes an entry only after addObject returned for
 *   every artifact it names, so a crash leaves a complete entry or none);
 * - damage is set aside (quarantine), never deleted or used, so the step that made it runs again;
 * - a step key is locked while it is computed, and a lock whose holder is gone is taken over.
 *
 * It is synchronous where the engine reads it on the hot path because steps read their inputs as
 * local files: the store the engine runs against is always a local working store. A remote (a
 * file:// folder, S3) is a second tier behind it that copies an entry and its artifacts into it
 * before a lookup and out of it after a step (like lage's cache providers' fetch/put and DVC's
 * run-cache pull/push), through the same object, entry and record operations.
 */
import type { ArtifactKind } from './step-type.js';

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

/** An artifact's bytes, only when they match its digest. */
export type ObjectRead = { readonly bytes: Buffer } | { readonly damaged: string } | { readonly missing: true };

export interface AddedObject {
  readonly digest: string;
  readonly size: number;
  /** An artifact already stored under this digest did not match it: it was set aside and replaced. */
  readonly replacedDamaged: boolean;
}

export interface StoredObject {
  readonly digest: string;
  readonly size: number;
}

/** A step key's lock as `cache gc` sees it. */
export interface HeldLock {
  readonly name: string;
  /** Its holder is gone (a killed run): it protects nothing. */
  readonly stale: boolean;
}

/** Artifacts, by the sha256 of their bytes. */
export interface ObjectStore {
  hasObject(digest: string): boolean;
  /** A local file with the artifact's bytes, for a step to read (not verified: see verifyObject). */
  objectPath(digest: string): string;
  readVerifiedObject(digest: string): ObjectRead;
  /** Hashes an artifact and compares it with its name: the check made before any byte of it is used. */
  verifyObject(digest: string): Promise<ObjectCheck>;
  /** Moves a finished file into the store under its digest (atomically, durably); the file is consumed. */
  addObject(file: string): Promise<AddedObject>;
  objects(): StoredObject[];
  /** Sets a damaged artifact aside, so its name is free for the step that recomputes it. */
  quarantineObject(digest: string): void;
  deleteObject(digest: string): void;
}

/** Cache entries: a step key mapped to the digests of its outputs. */
export interface EntryStore {
  /** The entry for a key, checked as it is loaded (see EntryLookup). */
  lookupEntry(key: string): EntryLookup;
  /** The entry for a key if lookupEntry finds it intact and complete. */
  readEntry(key: string): CacheEntry | undefined;
  writeEntry(entry: CacheEntry): void;
  /** The keys of every entry file, intact or not. */
  entries(): string[];
  quarantineEntry(key: string): void;
  deleteEntry(key: string): void;
}

/**
 * Small JSON records by name: `runs/ID.json`, `pipelines/ID.json`, `pins/NAME.json`. A record
 * that is missing or not valid JSON reads as undefined.
 */
export interface RecordStore {
  readJson<T>(name: string): T | undefined;
  writeJson(name: string, value: unknown): void;
  /** The names (without `.json`) of the records in a folder of records, e.g. the run ids under `runs`. */
  listJson(folder: string): string[];
}

/** Locks on step keys, so two runs never compute the same step at once. */
export interface KeyLocks {
  /** Takes the lock of a step key; false while another live process holds it. */
  tryLock(key: string): boolean;
  unlock(key: string): void;
  locks(): HeldLock[];
  /** Removes a lock whose holder is gone. */
  removeLock(name: string): void;
}

/** Damaged artifacts and entries set aside, kept for inspection until `cache gc`. */
export interface Quarantine {
  /** Where they are, for messages. */
  readonly quarantineLocation: string;
  /** Removes everything set aside; returns how many items that was. */
  clearQuarantine(): number;
}

/** The local side of a run: scratch folders for step outputs, and remembered digests of the user's files. */
export interface WorkingArea {
  /** A fresh folder for a step's outputs, from which addObject moves them in without copying. */
  makeTempDir(label: string): string;
  /** Removes scratch left by processes of this host that are gone (a killed run). */
  cleanStaleTemp(): void;
  /** The content digest of a user's file, remembered while the file is unchanged. */
  fileDigest(path: string): Promise<string>;
  saveFileDigests(): void;
}

export interface Store extends ObjectStore, EntryStore, RecordStore, KeyLocks, Quarantine, WorkingArea {
  /**
   * Where the store is, for messages; also the folder of the registry that steps and commands open
   * (registry.db lives beside the objects, see src/registry).
   */
  readonly root: string;
}

/**
 * Where things are inside a store folder, written once for the local store, the registry (which
 * keeps bundles among the store's objects and its database beside them) and `cache gc`/`verify`.
 * Artifacts are named by their sha256 and fanned out by its first two hex digits, as git and DVC
 * do, so no folder grows past a few thousand names.
 */
import { basename, dirname, join, sep } from 'node:path';

/** The store's own folders. */
export const STORE_FOLDERS = {
  objects: 'objects',
  entries: 'entries',
  /** Scratch: temporary files and step output folders, named by process (see process-tag.ts). */
  tmp: 'tmp',
  quarantine: 'quarantine',
  locks: 'locks',
  runs: 'runs',
  pipelines: 'pipelines',
  /** Artifacts that something outside the pipelines' latest runs keeps (the registry's bundles). */
  pins: 'pins',
  /** Partial training state of long steps (train.gan), by step key, so a killed run resumes. */
  checkpoints: 'checkpoints',
  /** Parsed pipeline files by the digest of their text (parsed-cache.ts), so a re-run skips the YAML parse. */
  parsed: 'parsed',
  /** Compiled validators of custom steps' parameter schemas (schema-validators.ts), so a re-run does not compile them. */
  validators: 'validators',
} as const;

/** The store's own files beside its folders. */
export const STORE_FILES = {
  /** The model registry's SQLite database (src/registry). */
  registry: 'registry.db',
  /** The registry's audit chain head, kept outside the database (registry/head.ts). */
  registryHead: 'registry.head.json',
  /** Remembered digests of the user's data files (LocalStore.fileDigest). */
  fileDigests: 'file-digests.json',
} as const;

/** The name of the artifact with this digest inside a store or a remote, `/`-separated: objects/ab/cdef…. */
export function objectName(digest: string): string {
  return `${STORE_FOLDERS.objects}/${digest.slice(0, 2)}/${digest.slice(2)}`;
}

/**
 * A file inside the store by its `/`-separated name. Where `/` is the separator, a store folder
 * (absolute, as Store.root is) and a name made here need no normalising: `join` did that for every
 * entry and output a plan looks up, a sixth of a cached re-run's lookups.
 */
function storePath(storeDir: string, name: string): string {
  if (sep !== '/') return join(storeDir, ...name.split('/'));
  return storeDir.endsWith('/') ? `${storeDir}${name}` : `${storeDir}/${name}`;
}

/** The file of the artifact with this digest: objects/ab/cdef…. */
export function objectFile(storeDir: string, digest: string): string {
  return storePath(storeDir, objectName(digest));
}

/** The digest an artifact's file names (objects/ab/cdef… is abcdef…). */
export function digestOfObjectFile(file: string): string {
  return basename(dirname(file)) + basename(file);
}

/** The name of the cache entry for a step key inside a store or a remote, `/`-separated: entries/ab/abcdef….json. */
export function entryName(key: string): string {
  return `${STORE_FOLDERS.entries}/${key.slice(0, 2)}/${key}.json`;
}

/** The file of the cache entry for a step key: entries/ab/abcdef….json. */
export function entryFile(storeDir: string, key: string): string {
  return storePath(storeDir, entryName(key));
}

/** The key a cache entry's file names. */
export function keyOfEntryFile(file: string): string {
  return basename(file).replace(/\.json$/, '');
}

/** The store's scratch folder: temporary files there are cleaned up when their process is gone. */
export function scratchDir(storeDir: string): string {
  return join(storeDir, STORE_FOLDERS.tmp);
}

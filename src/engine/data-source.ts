/**
 * The bytes a data pointer (data-pointer.ts) stands for, made local and verified: from the local
 * store by digest, else the working copy when it matches, else the remote (RemoteCache.fetchObject
 * hashes what it downloads before it enters the store). `run` (for a loader about to read the file),
 * `data pull` and `status` use it; nothing else knows where a pointer's bytes come from.
 *
 * The pointer is what is committed, so it wins: a working copy that differs from it is never read
 * in its place (the step reads the pointer's bytes from the store, with a warning), as a clone of
 * the commit would. `status` says so, `data add` records the change, `data pull --force` restores.
 */
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { DataError } from '../errors.js';
import type { ObjectFetch, RemoteCache } from '../remote/remote-cache.js';
import { findPointer, type DataPointer } from './data-pointer.js';
import { sha256 } from './fingerprint.js';
import type { Pipeline, PipelineStep } from './pipeline.js';
import { dataFiles } from './plan.js';
import type { Store } from './store.js';
import { STORE_FOLDERS } from './store-layout.js';
import { findProjectRoot } from './store-location.js';

/** How the data file beside a pointer compares with it. */
export type WorkingCopyState = 'matches' | 'differs' | 'missing';

export async function workingCopyState(pointer: DataPointer, store: Store): Promise<WorkingCopyState> {
  let size: number;
  try {
    const st = statSync(pointer.dataFile);
    if (!st.isFile()) return 'differs';
    size = st.size;
  } catch {
    return 'missing';
  }
  // A different size differs without reading a byte; otherwise the memoised digest decides.
  if (size !== pointer.size) return 'differs';
  return (await store.fileDigest(pointer.dataFile)) === pointer.digest ? 'matches' : 'differs';
}

/**
 * Tells `cache gc` to keep a pointer's bytes (pins/data-….json, one per pointer file): a checkout
 * whose data file is missing or changed still needs them. Recording a new version for the same
 * pointer releases the old one, as DVC's gc keeps what the workspace uses.
 */
export function pinPointer(store: Store, pointer: DataPointer): void {
  const name = `${STORE_FOLDERS.pins}/data-${sha256(pointer.file).slice(0, 20)}.json`;
  const pin = store.readJson<{ digests?: unknown }>(name);
  if (Array.isArray(pin?.digests) && pin.digests.length === 1 && pin.digests[0] === pointer.digest) return;
  store.writeJson(name, { pointer: pointer.file, digests: [pointer.digest] });
}

export interface DataSourceOptions {
  /** The remote to fetch from when the local store does not have the bytes. */
  readonly remote?: RemoteCache;
  /** How to fetch from it (default: remote.fetchObject); a run passes one that shows the progress on the step. */
  readonly fetch?: (digest: string) => Promise<ObjectFetch>;
  /** How a file is named in messages (relative to the pipeline file's folder, or the command's). */
  readonly shown: (file: string) => string;
}

/** The local store's copy, checked; a damaged one is set aside so a fetch can replace it. */
async function fromStore(pointer: DataPointer, store: Store): Promise<string | undefined> {
  if (!store.hasObject(pointer.digest)) return undefined;
  const found = await store.verifyObject(pointer.digest);
  if (found.state === 'ok') return store.objectPath(pointer.digest);
  if (found.state === 'damaged') store.quarantineObject(pointer.digest);
  return undefined;
}

/**
 * A local file holding exactly the bytes the pointer records (checked against its digest), to be
 * read and not changed: the store's copy, the working copy when it matches, or a copy fetched from
 * the remote into the store. Throws a DataError naming the pointer and what to do when none is.
 */
export async function localDataBytes(pointer: DataPointer, store: Store, options: DataSourceOptions): Promise<string> {
  const stored = await fromStore(pointer, store);
  if (stored) {
    pinPointer(store, pointer);
    return stored;
  }
  if ((await workingCopyState(pointer, store)) === 'matches') return pointer.dataFile;
  const data = options.shown(pointer.dataFile);
  const file = options.shown(pointer.file);
  const what = `${data} (sha256 ${pointer.digest.slice(0, 12)}…)`;
  const remote = options.remote;
  if (!remote)
    throw new DataError(`${what} is not in the local store, and no remote is configured`, {
      file,
      hint: `run medpipe data pull ${file} with a remote (--remote NAME|URL, or medpipe remote add), or medpipe data add ${data} where the file is`,
    });
  const fetched = await (options.fetch ?? ((digest) => remote.fetchObject(digest, store)))(pointer.digest);
  if (fetched === 'fetched') {
    pinPointer(store, pointer);
    return store.objectPath(pointer.digest);
  }
  const where = `remote ${remote.location}`;
  if (fetched === 'damaged')
    throw new DataError(`${where} has a damaged copy of ${what}: its bytes do not match the digest; refused`, {
      file,
      hint: `push an intact copy from a machine that has the file: medpipe data add ${data} --remote ${remote.location}`,
    });
  if (fetched === 'missing')
    throw new DataError(`${what} is neither in the local store nor on ${where}`, {
      file,
      hint: `push them from a machine that has the file: medpipe data add ${data} --remote ${remote.location}`,
    });
  throw new DataError(`${what} is not in the local store, and ${where} is not usable (${remote.unavailable ?? 'unreachable'})`, {
    file,
    hint: 'check the remote, then run medpipe data pull',
  });
}

/**
 * For a step about to run: each file parameter that names a data pointer, mapped to a local file
 * with the pointer's bytes (StepContext.dataFile); plain files are not listed (read where they
 * are). A working copy that differs from its pointer is not read, and `warn` says so.
 */
export async function stepDataFiles(
  step: PipelineStep,
  pipeline: Pipeline,
  store: Store,
  options: Omit<DataSourceOptions, 'shown'> & { readonly warn: (message: string) => void },
): Promise<Record<string, string>> {
  // Named from the project root, where medpipe commands (the ones the messages suggest) usually run.
  const root = findProjectRoot(pipeline.dir);
  const shown = (file: string): string => relative(root, file).split('\\').join('/') || file;
  const local: Record<string, string> = {};
  for (const { param, path } of dataFiles(step, pipeline)) {
    const pointer = findPointer(path, shown(path));
    if (!pointer) continue;
    if ((await workingCopyState(pointer, store)) === 'differs') options.warn(differsMessage(pointer, shown));
    local[param] = await localDataBytes(pointer, store, { ...options, shown });
  }
  return local;
}

/** What `run` and `status` say of a working copy that differs from its pointer. */
export function differsMessage(pointer: DataPointer, shown: (file: string) => string): string {
  const data = shown(pointer.dataFile);
  return `${data} differs from ${shown(pointer.file)}: the pointer is what is committed, so its bytes are used; run medpipe data add ${data} to record the change, or medpipe data pull --force to restore it`;
}

/** A data pointer a pipeline reads, and how its working copy compares with it (for `status`). */
export interface PointerState {
  readonly pointer: DataPointer;
  readonly state: WorkingCopyState;
  /** Whether the local store has the pointer's bytes (a run then needs no remote for them). */
  readonly inStore: boolean;
}

/** Every data pointer the pipeline's steps read, once each, in the pipeline's order. */
export async function pipelinePointers(pipeline: Pipeline, store: Store): Promise<PointerState[]> {
  const seen = new Map<string, PointerState>();
  for (const step of pipeline.steps.values()) {
    for (const { path } of dataFiles(step, pipeline)) {
      const pointer = findPointer(path);
      if (!pointer || seen.has(pointer.file)) continue;
      seen.set(pointer.file, { pointer, state: await workingCopyState(pointer, store), inStore: store.hasObject(pointer.digest) });
    }
  }
  return [...seen.values()];
}

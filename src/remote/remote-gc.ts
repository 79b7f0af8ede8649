/**
 * `medpipe remote gc`: removes from a remote what no recent run of any pipeline on main uses.
 * Kept: every cache entry and artifact named by a run record whose commit is on the main branch
 * (an ancestor of it) and that finished within the last `keepDays`, and by the newest such record
 * of each pipeline however old (so a pipeline nobody touched for months still has its results);
 * artifacts that data pointers name (records/data/…); and anything written in the last hour, which
 * may belong to a push in progress (artifacts go up before the entry and record that name them).
 * Everything else, including the records themselves, goes. It is a dry run unless asked to delete.
 */
import { gitRun } from '../engine/git.js';
import { digestOfObjectName, keyOfEntryName, type RemoteCache } from './remote-cache.js';
import { pipelineRecords } from './remote-records.js';

export interface RemoteGcOptions {
  /** A folder in the project's git repository, where `ref` is looked up. */
  readonly projectDir: string;
  readonly ref: string;
  readonly keepDays: number;
  readonly remove: boolean;
  readonly now?: Date;
}

export interface RemoteGcResult {
  readonly ref: string;
  readonly keptRecords: number;
  readonly removableRecords: number;
  readonly keptEntries: number;
  readonly removableEntries: number;
  readonly keptObjects: number;
  readonly removableObjects: number;
  readonly removableBytes: number;
  readonly removed: boolean;
}

/** Pushes younger than this may still be uploading the entry and record that name their artifacts. */
const IN_FLIGHT_MS = 60 * 60 * 1000;

/**
 * Whether `commit` is on `ref` (an ancestor of it, or it). Only git's "no" (exit 1) is a no: a
 * commit git does not know (a shallow clone, a branch not fetched) or git failing would otherwise
 * make a run on main look like one to remove.
 */
async function onBranch(dir: string, commit: string, ref: string): Promise<boolean> {
  const r = await gitRun(dir, ['merge-base', '--is-ancestor', commit, ref]);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw new RemoteGcError(
    `cannot tell whether commit ${commit.slice(0, 12)} (a pushed run) is on ${ref}: this repository does not have it (git exit ${r.code}); fetch the history (git fetch --unshallow origin, or git fetch origin), then run remote gc again; nothing was removed`,
  );
}

/** origin/`ref` when it exists (the team's branch, which a local one may lag behind), else `ref`, else undefined. */
async function resolveRef(dir: string, ref: string): Promise<string | undefined> {
  for (const candidate of [`origin/${ref}`, ref])
    if ((await gitRun(dir, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`])).code === 0) return candidate;
  return undefined;
}

export class RemoteGcError extends Error {
  override readonly name = 'RemoteGcError';
}

export async function remoteGc(remote: RemoteCache, options: RemoteGcOptions): Promise<RemoteGcResult> {
  const ref = await resolveRef(options.projectDir, options.ref);
  if (!ref)
    throw new RemoteGcError(
      `there is no branch "${options.ref}" (nor origin/${options.ref}) in the git repository of ${options.projectDir}: remote gc keeps what runs on that branch use, so it needs it`,
    );
  const now = (options.now ?? new Date()).getTime();
  const failed = (): never => {
    throw new RemoteGcError(`remote ${remote.location} could not be read: ${remote.unavailable ?? 'unknown error'}; nothing was removed`);
  };
  const records = (await pipelineRecords(remote)) ?? failed();
  const keptRecordNames = new Set<string>();
  const newestOnMain = new Map<string, string>();
  for (const { name, record } of records) {
    if (!record.git?.commit || !(await onBranch(options.projectDir, record.git.commit, ref))) continue;
    const recent = now - Date.parse(record.finishedAt) <= options.keepDays * 86_400_000;
    // records are newest first: the first one of a pipeline is its newest on main
    if (!newestOnMain.has(record.pipeline)) newestOnMain.set(record.pipeline, name);
    if (recent || newestOnMain.get(record.pipeline) === name) keptRecordNames.add(name);
  }
  const keepKeys = new Set<string>();
  const keepDigests = new Set<string>();
  for (const { name, record } of records) {
    if (!keptRecordNames.has(name)) continue;
    for (const s of Object.values(record.steps)) {
      keepKeys.add(s.key);
      for (const o of Object.values(s.outputs)) keepDigests.add(o.digest);
    }
  }
  const allRecords = (await remote.listRecords()) ?? failed();
  // A data record is named by its digest: kept by its name, so a record that does not parse never
  // leaves what may be the only remote copy of a patient table unprotected.
  for (const blob of allRecords) {
    const m = /^records\/data\/([0-9a-f]{64})\.json$/.exec(blob.name);
    if (m) keepDigests.add(m[1]);
  }
  const young = (modified: Date): boolean => now - modified.getTime() < IN_FLIGHT_MS;
  const entries = (await remote.listEntries()) ?? failed();
  const objects = (await remote.listObjects()) ?? failed();
  const removableEntries = entries.filter((b) => {
    const key = keyOfEntryName(b.name);
    return key !== undefined && !keepKeys.has(key) && !young(b.modified);
  });
  const removableObjects = objects.filter((b) => {
    const digest = digestOfObjectName(b.name);
    return digest !== undefined && !keepDigests.has(digest) && !young(b.modified);
  });
  const removableRecords = records.filter((r) => !keptRecordNames.has(r.name) && !young(new Date(r.record.finishedAt)));
  if (options.remove) {
    // Records first, then entries, then artifacts: a reader never finds a record whose entries
    // are gone, nor an entry whose artifacts are.
    for (const r of removableRecords) if (!(await remote.remove(r.name))) failed();
    for (const b of removableEntries) if (!(await remote.remove(b.name))) failed();
    for (const b of removableObjects) if (!(await remote.remove(b.name))) failed();
  }
  return {
    ref,
    keptRecords: keptRecordNames.size,
    removableRecords: removableRecords.length,
    keptEntries: entries.length - removableEntries.length,
    removableEntries: removableEntries.length,
    keptObjects: objects.length - removableObjects.length,
    removableObjects: removableObjects.length,
    removableBytes: removableObjects.reduce((s, b) => s + b.size, 0),
    removed: options.remove,
  };
}

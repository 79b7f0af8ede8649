/**
 * `medpipe push` and `pull`: a pipeline's latest outputs moved between the local store and a
 * remote explicitly, by the same verified operations a run uses (remote-cache.ts). Push sends the
 * cache entries of the pipeline's last local run with their artifacts, then a run record (so
 * others can pull it and gc knows it is used); pull takes the newest run record of the pipeline on
 * the remote and brings every entry it names, checked, with all its artifacts, so the next local
 * run finds every step cached.
 */
import { dirname } from 'node:path';
import { gitInfo } from '../engine/git.js';
import { pipelineStatePath, type PipelineState } from '../engine/plan.js';
import type { Store } from '../engine/store.js';
import { LocalArtifactError, type RemoteCache } from './remote-cache.js';
import { pipelineRecordOf, pipelineRecords, projectRelativePath, pushPipelineRecord } from './remote-records.js';

export interface TransferResult {
  /** Steps whose entry moved (or was already where it should be). */
  readonly steps: number;
  /** Steps that could not be moved, with why. */
  readonly problems: readonly string[];
}

/** Pushes the last local run of the pipeline at `pipelinePath` (absolute). */
export async function pushPipeline(store: Store, remote: RemoteCache, pipelinePath: string): Promise<TransferResult> {
  const state = store.readJson<PipelineState>(pipelineStatePath({ path: pipelinePath }));
  if (!state) return { steps: 0, problems: [`${projectRelativePath(pipelinePath)} has not been run with this store: run it first`] };
  const problems: string[] = [];
  let steps = 0;
  for (const [id, s] of Object.entries(state.steps)) {
    const entry = store.readEntry(s.key);
    if (!entry) {
      problems.push(`${id}: its outputs are not all in the local store (pull or run it first)`);
      continue;
    }
    try {
      if (!(await remote.pushEntry(entry, store))) break;
    } catch (e) {
      // An artifact of the local store is damaged or gone since the entry was read: never pushed.
      if (!(e instanceof LocalArtifactError)) throw e;
      problems.push(`${id}: ${e.message}; run medpipe cache verify, then run the pipeline again`);
      continue;
    }
    steps++;
  }
  if (remote.unavailable) return { steps, problems: [...problems, remote.unavailable] };
  // Without its run record, pull cannot find the run and remote gc does not keep it: a push that could not write it failed.
  if (!problems.length && !(await pushPipelineRecord(remote, pipelineRecordOf(state, new Date().toISOString(), (await gitInfo(dirname(state.path))) ?? null))))
    problems.push(`the run record of ${projectRelativePath(pipelinePath)} could not be written: ${remote.unavailable ?? 'the remote refused it'}`);
  return { steps, problems };
}

/** Pulls the newest run of the pipeline at `pipelinePath` (absolute) that the remote has. */
export async function pullPipeline(store: Store, remote: RemoteCache, pipelinePath: string): Promise<TransferResult> {
  const relativePath = projectRelativePath(pipelinePath);
  const records = await pipelineRecords(remote, relativePath);
  if (!records) return { steps: 0, problems: [remote.unavailable ?? 'the remote could not be listed'] };
  if (!records.length) return { steps: 0, problems: [`the remote has no run of ${relativePath}: push one first (medpipe push ${relativePath})`] };
  const problems: string[] = [];
  let steps = 0;
  for (const [id, s] of Object.entries(records[0].record.steps)) {
    if (store.readEntry(s.key)) {
      steps++;
      continue;
    }
    const found = await remote.lookupEntry(s.key);
    if (found.state === 'unavailable') break;
    if (found.state !== 'hit') {
      problems.push(`${id}: ${found.state === 'miss' ? 'its cache entry is not on the remote' : found.problem}`);
      continue;
    }
    const fetched = await Promise.all(Object.values(found.entry.outputs).map((o) => remote.fetchObject(o.digest, store)));
    const bad = fetched.find((f) => f !== 'fetched');
    if (bad) {
      problems.push(`${id}: an artifact is ${bad} on the remote`);
      continue;
    }
    store.writeEntry(found.entry);
    steps++;
  }
  if (remote.unavailable) problems.push(remote.unavailable);
  return { steps, problems };
}

/**
 * Downloads, verified, the artifacts of `digests` that the local store lacks (a run that took
 * steps from the remote downloaded only what it read); returns how many came and which the remote
 * did not have intact either.
 */
export async function fetchMissing(store: Store, remote: RemoteCache, digests: Iterable<string>): Promise<{ fetched: number; unavailable: string[] }> {
  let fetched = 0;
  const unavailable: string[] = [];
  for (const digest of new Set(digests)) {
    if (store.hasObject(digest)) continue;
    if ((await remote.fetchObject(digest, store)) === 'fetched') fetched++;
    else unavailable.push(digest);
  }
  return { fetched, unavailable };
}

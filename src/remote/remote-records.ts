/**
 * What a remote remembers of the runs that pushed to it, so `medpipe pull` can find a pipeline's
 * latest outputs and `remote gc` can tell what recent runs on main use. One record per pushed run
 * of a pipeline, under records/pipelines/<pipeline id>/<finished>-<run id>.json; the pipeline id
 * is a digest of its path relative to the project root, so every clone of the project names a
 * pipeline the same way.
 */
import { relative } from 'node:path';
import { sha256 } from '../engine/fingerprint.js';
import type { GitInfo } from '../engine/git.js';
import type { PipelineState } from '../engine/plan.js';
import { findProjectRoot } from '../engine/store-location.js';
import type { OutputRecord } from '../engine/store.js';
import type { RemoteCache } from './remote-cache.js';

export const PIPELINE_RECORDS = 'pipelines';

export interface RemotePipelineRecord {
  readonly format: 1;
  /** The pipeline file relative to the project root, `/`-separated. */
  readonly pipeline: string;
  readonly name: string;
  readonly runId: string;
  readonly finishedAt: string;
  readonly git: GitInfo | null;
  readonly steps: Readonly<Record<string, { readonly key: string; readonly outputs: Readonly<Record<string, OutputRecord>> }>>;
}

/** A pipeline file's path as the remote names it: relative to its project's root. */
export function projectRelativePath(pipelinePath: string): string {
  return relative(findProjectRoot(pipelinePath), pipelinePath).split('\\').join('/');
}

export function remotePipelineId(relativePath: string): string {
  return sha256(relativePath).slice(0, 20);
}

/** The record of a finished run of a pipeline, from the pipeline state it left. */
export function pipelineRecordOf(state: PipelineState, finishedAt: string, git: RemotePipelineRecord['git']): RemotePipelineRecord {
  return {
    format: 1,
    pipeline: projectRelativePath(state.path),
    name: state.name,
    runId: state.lastRunId,
    finishedAt,
    git,
    steps: Object.fromEntries(Object.entries(state.steps).map(([id, s]) => [id, { key: s.key, outputs: s.outputs }])),
  };
}

export async function pushPipelineRecord(remote: RemoteCache, record: RemotePipelineRecord): Promise<boolean> {
  const stamp = record.finishedAt.replace(/[-:.]/g, '');
  return remote.writeRecord(`${PIPELINE_RECORDS}/${remotePipelineId(record.pipeline)}/${stamp}-${record.runId}`, record);
}

/**
 * The run records on the remote, newest first: of one pipeline (its project-relative path) or of
 * all; undefined when the remote failed. Records that do not parse are left out.
 */
export async function pipelineRecords(remote: RemoteCache, pipeline?: string): Promise<{ name: string; record: RemotePipelineRecord }[] | undefined> {
  const blobs = await remote.listRecords(pipeline === undefined ? PIPELINE_RECORDS : `${PIPELINE_RECORDS}/${remotePipelineId(pipeline)}`);
  if (!blobs) return undefined;
  const out: { name: string; record: RemotePipelineRecord }[] = [];
  for (const blob of blobs) {
    const m = /^records\/(pipelines\/[0-9a-f]{20}\/[^/]+)\.json$/.exec(blob.name);
    if (!m) continue;
    const record = await remote.readRecord<RemotePipelineRecord>(m[1]);
    if (
      record?.format === 1 &&
      typeof record.pipeline === 'string' &&
      record.steps &&
      typeof record.steps === 'object' &&
      (pipeline === undefined || record.pipeline === pipeline)
    )
      out.push({ name: blob.name, record });
  }
  return out.sort((a, b) => b.record.finishedAt.localeCompare(a.record.finishedAt));
}

/**
 * One queued step, run by a worker: check that this worker may run it (a step type it has, at the
 * version the coordinator planned; custom step code only from its own copy with the planned
 * digest), take it from the remote if another worker already made it, otherwise fetch its inputs
 * and data files from the remote (each verified against its digest), run it in the worker-thread
 * pool, and push its outputs and then its cache entry. The entry is exactly what a local run
 * writes, so the coordinator uses it like any remote hit.
 */
import { rmSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { clock } from '../engine/clock.js';
import { fileStepCodeDigest, isCustomStepRef, loadCustomStep, packageCodeDigest, resolveStepPackage } from '../engine/custom-step.js';
import type { Executor, JobHandlers } from '../engine/executor.js';
import type { StepCatalogue } from '../engine/step-catalogue.js';
import type { StepType } from '../engine/step-type.js';
import type { CacheEntry, OutputRecord, Store } from '../engine/store.js';
import type { RemoteCache } from '../remote/remote-cache.js';
import { JOB_FORMAT, type QueueJobData, type QueueJobResult } from './job-spec.js';

/** This worker must not run the job (and no other worker of the same kind could): the job fails without retries. */
export class JobRefused extends Error {
  override readonly name = 'JobRefused';
}

/** Something outside the step went wrong (the remote); another attempt may succeed. */
export class JobTransientError extends Error {
  override readonly name = 'JobTransientError';
}

export interface JobRunnerParts {
  readonly store: Store;
  readonly remote: RemoteCache;
  readonly catalogue: StepCatalogue;
  readonly executor: Executor;
  /** The worker's copy of the project: custom steps are loaded from here, by the path the pipeline gives. */
  readonly project: string;
  readonly name: string;
}

async function stepTypeFor(data: QueueJobData, parts: JobRunnerParts): Promise<{ type: StepType; custom?: { modulePath: string; codeDigest: string } }> {
  if (data.custom) {
    // The digest is checked before anything is imported (importing runs the module's code), and
    // only code inside the worker's project is considered.
    const pipelineDir = resolve(parts.project, data.pipelineDir);
    const modulePath = customModulePath(data.custom.uses, pipelineDir, parts);
    let digest: string;
    try {
      digest = modulePath.packageDir ? packageCodeDigest(modulePath.packageDir) : fileStepCodeDigest(modulePath.entry);
    } catch (e) {
      throw new JobRefused(
        `worker ${parts.name} cannot run ${data.stepId}: custom step ${data.custom.uses}: ${(e as Error).message} (in its project ${parts.project})`,
      );
    }
    if (digest !== data.custom.codeDigest)
      throw new JobRefused(
        `worker ${parts.name} refuses ${data.stepId}: its copy of ${data.custom.uses} is not the code the coordinator planned (digest ${digest.slice(0, 12)}… here, ${data.custom.codeDigest.slice(0, 12)}… planned); check out the same commit on the worker`,
      );
    const loaded = await loadCustomStep(data.custom.uses, pipelineDir);
    if ('error' in loaded) throw new JobRefused(`worker ${parts.name} cannot run ${data.stepId}: ${loaded.error} (in its project ${parts.project})`);
    if (loaded.codeDigest !== data.custom.codeDigest)
      throw new JobRefused(
        `worker ${parts.name} refuses ${data.stepId}: its copy of ${data.custom.uses} is not the code the coordinator planned (digest ${loaded.codeDigest.slice(0, 12)}… here, ${data.custom.codeDigest.slice(0, 12)}… planned); check out the same commit on the worker`,
      );
    return { type: loaded.type, custom: { modulePath: loaded.modulePath, codeDigest: loaded.codeDigest } };
  }
  const type = await parts.catalogue.load(data.stepType);
  if (!type)
    throw new JobRefused(`worker ${parts.name} has no step type ${data.stepType} (step ${data.stepId}): run the coordinator's medpipe version on the worker`);
  if (type.version !== data.version)
    throw new JobRefused(
      `worker ${parts.name} has ${data.stepType} version ${type.version}, the coordinator planned version ${data.version} (step ${data.stepId}): run the same medpipe version on both`,
    );
  return { type };
}

/** Whether `path` is `root` or inside it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Where a custom step's code is in the worker's project (a file, or a package's entry and folder); refused when outside it. */
function customModulePath(uses: string, pipelineDir: string, parts: JobRunnerParts): { entry: string; packageDir?: string } {
  const refuse = (): never => {
    throw new JobRefused(`worker ${parts.name} refuses custom step ${uses}: it runs only code inside its project ${parts.project}`);
  };
  if (isAbsolute(uses) || !inside(parts.project, pipelineDir)) refuse();
  const pkg = isCustomStepRef(uses) ? undefined : resolveStepPackage(uses, pipelineDir);
  const found = pkg ? { entry: pkg.entry, packageDir: dirname(pkg.packageJson) } : { entry: resolve(pipelineDir, uses) };
  if (!inside(parts.project, found.entry)) refuse();
  return found;
}

/** The local path of an artifact the step reads, downloaded from the remote and verified when this worker lacks it. */
async function localObject(digest: string, what: string, parts: JobRunnerParts): Promise<string> {
  const { store, remote } = parts;
  if ((await store.verifyObject(digest)).state !== 'ok') {
    const got = await remote.fetchObject(digest, store);
    if (got === 'unavailable') throw new JobTransientError(`the remote ${remote.location} is unavailable: ${remote.unavailable ?? 'no answer'}`);
    if (got !== 'fetched')
      throw new JobRefused(
        `${what} (${digest.slice(0, 12)}…) is ${got === 'missing' ? 'not on' : 'damaged on'} the remote ${remote.location}; run the pipeline again to recompute it`,
      );
  }
  return store.objectPath(digest);
}

export async function runQueueJob(data: QueueJobData, parts: JobRunnerParts, handlers: JobHandlers, signal: AbortSignal): Promise<QueueJobResult> {
  if (data?.format !== JOB_FORMAT) throw new JobRefused(`worker ${parts.name} cannot read a job of format ${String(data?.format)} (it reads ${JOB_FORMAT})`);
  if (data.remote !== parts.remote.location)
    throw new JobRefused(
      `worker ${parts.name} pushes to ${parts.remote.location}, but ${data.stepId} was queued for ${data.remote}: start workers with the run's --remote`,
    );
  const { type, custom } = await stepTypeFor(data, parts);
  const { store, remote } = parts;
  // Content addressing makes a second execution harmless; not making it is cheaper.
  const there = await remote.lookupEntry(data.key);
  if (there.state === 'hit') return { entry: there.entry, worker: parts.name, reused: true };

  const t0 = clock.mono();
  const inputs: Record<string, string> = {};
  for (const [port, digest] of Object.entries(data.inputs)) inputs[port] = await localObject(digest, `input ${port}`, parts);
  const fanIn: Record<string, string[]> = {};
  for (const [port, digests] of Object.entries(data.fanIn)) {
    fanIn[port] = [];
    for (const d of digests) fanIn[port].push(await localObject(d, `input ${port}`, parts));
  }
  const dataFiles: Record<string, string> = {};
  for (const [param, digest] of Object.entries(data.files)) dataFiles[param] = await localObject(digest, `data file ${String(data.params[param])}`, parts);

  const outputDir = store.makeTempDir(data.stepId);
  try {
    const result = await parts.executor.run(
      {
        stepType: data.stepType,
        ...(custom ? { custom } : {}),
        stepId: data.stepId,
        pipelineDir: resolve(parts.project, data.pipelineDir),
        inputs,
        fanIn,
        outputDir,
        params: data.params,
        ...(Object.keys(dataFiles).length ? { dataFiles } : {}),
        run: { ...data.run, storeDir: store.root },
      },
      handlers,
      signal,
    );
    const outputs: Record<string, OutputRecord> = {};
    for (const [port, spec] of Object.entries(type.outputs)) {
      const path = result.outputs[port];
      if (!path) throw new JobRefused(`${data.stepType} did not write its output ${port}`);
      const { digest, size } = await store.addObject(path);
      outputs[port] = { digest, size, kind: spec.kind };
    }
    const entry: CacheEntry = {
      key: data.key,
      stepType: data.stepType,
      version: data.version,
      outputs,
      summary: result.summary ?? undefined,
      durationMs: Math.round(clock.mono() - t0),
      finishedAt: clock.iso(),
    };
    // The worker's own store keeps it too: a later job reading these outputs needs no download.
    store.writeEntry(entry);
    if (!(await remote.pushEntry(entry, store)))
      throw new JobTransientError(
        `${data.stepId} was computed but could not be pushed to ${remote.location}: ${remote.unavailable ?? 'the remote refused it'}`,
      );
    return { entry, worker: parts.name, reused: false };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

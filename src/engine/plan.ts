/**
 * Planning: the cache key of each step from its resolved parameters and the digests of what
 * flows into it, and, for `status` and `--dry-run`, whether each step is cached or stale and why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { cacheKey, canonicalJson, paramsDigest, sha256, type KeyComponents, type LineageNode } from './fingerprint.js';
import { topologicalOrder, withAncestors } from './graph.js';
import { dependenciesOf, type Pipeline, type PipelineStep } from './pipeline.js';
import type { OutputRecord, Store } from './store.js';
import { lockFilePath, parseLockFile, type LockFile } from '../metrics/lock-file.js';

/** The pipeline's lock file, if there is a readable one. */
function readLock(pipeline: Pipeline): LockFile | undefined {
  const file = lockFilePath(pipeline.path);
  if (!existsSync(file)) return undefined;
  try {
    return parseLockFile(readFileSync(file, 'utf8'), file);
  } catch {
    return undefined; // a damaged lock file only loses the comparison; the next run rewrites it
  }
}

export interface StepKey {
  readonly key: string;
  readonly components: KeyComponents;
}

/** What the store remembers of a pipeline's last run of each step, to explain why a step is stale. */
export interface PipelineState {
  readonly path: string;
  readonly name: string;
  readonly lastRunId: string;
  readonly steps: Readonly<Record<string, { key: string; version: string; codeDigest?: string; paramsDigest: string; params: Record<string, unknown>; inputs: Record<string, string>; files: Record<string, string>; lineageDigest?: string; outputs: Record<string, OutputRecord> }>>;
}

/** Ancestors of a step whose outputs are not known yet (a lineage step's key needs them all). */
function unknownAncestors(step: PipelineStep, pipeline: Pipeline, known: ReadonlyMap<string, unknown>): string[] {
  return [...withAncestors(pipeline.steps, [step.id])].filter((id) => id !== step.id && !known.has(id));
}

/**
 * What a lineage step is told of its ancestors, without their keys: the key covers it, and the
 * engine builds `ctx.run.upstream` from it, so the two cannot disagree. In the order of the
 * dependency walk from the step (inputs, fan-in ports, needs), which is the order it receives.
 */
export function lineageOf(step: PipelineStep, pipeline: Pipeline, known: ReadonlyMap<string, Readonly<Record<string, OutputRecord>>>): [string, LineageNode][] {
  return [...withAncestors(pipeline.steps, [step.id])]
    .filter((id) => id !== step.id)
    .map((id) => {
      const up = pipeline.steps.get(id) as PipelineStep;
      const outs = known.get(id);
      if (!outs) throw new Error(`internal: outputs of ${id} are not known before ${step.id}`);
      return [id, { stepType: up.type.id, params: up.params, outputs: Object.fromEntries(Object.entries(outs).map(([port, o]) => [port, o.digest])), dependsOn: dependenciesOf(up) }];
    });
}

/** The digest of a key's lineage component, kept in the pipeline state so `status` can name it. */
export function lineageDigest(c: KeyComponents): string | undefined {
  return c.lineage ? sha256(canonicalJson(c.lineage)) : undefined;
}

export function pipelineStatePath(pipeline: Pipeline): string {
  return `pipelines/${sha256(pipeline.path).slice(0, 20)}.json`;
}

/** The key of a step whose inputs are known. Throws DataError when a data file named in `with:` is missing. */
export async function stepKey(step: PipelineStep, pipeline: Pipeline, store: Store, upstream: ReadonlyMap<string, Readonly<Record<string, OutputRecord>>>): Promise<StepKey> {
  const inputs: Record<string, string> = {};
  for (const [port, ref] of Object.entries(step.inputs)) {
    const out = upstream.get(ref.step)?.[ref.port];
    if (!out) throw new Error(`internal: output ${ref.step}.${ref.port} is not known before ${step.id}`);
    inputs[port] = out.digest;
  }
  for (const [port, refs] of Object.entries(step.fanIn)) {
    inputs[port] = refs
      .map((ref) => {
        const out = upstream.get(ref.step)?.[ref.port];
        if (!out) throw new Error(`internal: output ${ref.step}.${ref.port} is not known before ${step.id}`);
        return out.digest;
      })
      .join(',');
  }
  const files: Record<string, string> = {};
  for (const name of step.type.fileParams ?? []) {
    const value = step.params[name];
    if (typeof value !== 'string') continue;
    const path = isAbsolute(value) ? value : resolve(pipeline.dir, value);
    if (!existsSync(path)) throw new DataError(`with.${name}: file not found: ${path}`, { file: pipeline.file, hint: `step "${step.id}": check the path; relative paths are resolved against the pipeline file's folder` });
    files[name] = await store.fileDigest(path);
  }
  const lineage = step.type.lineage ? lineageOf(step, pipeline, upstream) : undefined;
  const components: KeyComponents = { stepType: step.type.id, version: step.type.version, codeDigest: step.custom?.codeDigest, params: step.params, inputs, files, lineage };
  return { key: cacheKey(components), components };
}

/**
 * `lock`: how the step's current key compares with the pipeline's lock file (what produced the
 * committed metrics): the same key, a different one, not in the lock, or not computable yet.
 */
export type LockAgreement = 'matches' | 'differs' | 'absent' | 'unknown';

/**
 * `damaged`: cached, but an artifact of the entry no longer matches its digest (found only when
 * planStatus is asked to verify); a run recomputes it when a step reads it, `cache verify` at once.
 */
export type StepStatus = ({ step: string; state: 'cached'; key: string } | { step: string; state: 'stale'; reason: string; key?: string } | { step: string; state: 'damaged'; reason: string; key: string }) & { lock: LockAgreement };

/** Why a step's key differs from the one it had on the pipeline's last run. */
export function staleReason(step: PipelineStep, key: StepKey, previous: PipelineState['steps'][string] | undefined): string {
  if (!previous) return 'never run';
  const c = key.components;
  const reasons: string[] = [];
  if (previous.version !== c.version) reasons.push(`code version changed (${previous.version} -> ${c.version})`);
  if ((previous.codeDigest ?? '') !== (c.codeDigest ?? '')) reasons.push('step code changed');
  if (previous.paramsDigest !== paramsDigest(c.params)) {
    const names = [...new Set([...Object.keys(previous.params), ...Object.keys(c.params)])].filter((k) => JSON.stringify(previous.params[k]) !== JSON.stringify(c.params[k]));
    reasons.push(`params changed (${names.join(', ') || 'values'})`);
  }
  const changedInputs = [...new Set([...Object.keys(previous.inputs), ...Object.keys(c.inputs)])].filter((p) => previous.inputs[p] !== c.inputs[p]);
  if (changedInputs.length) reasons.push(`input changed (${changedInputs.join(', ')})`);
  const changedFiles = [...new Set([...Object.keys(previous.files), ...Object.keys(c.files)])].filter((f) => previous.files[f] !== c.files[f]);
  if (changedFiles.length) reasons.push(`data file changed (${changedFiles.map((f) => String(step.params[f])).join(', ')})`);
  if ((previous.lineageDigest ?? '') !== (lineageDigest(c) ?? '')) reasons.push('lineage changed (the ids, parameters or wiring of upstream steps)');
  return reasons.join('; ') || 'outputs missing from the store';
}

/** Each step's state as a run would find it now, without running anything; `verify` hashes the artifacts of cached steps too. */
export async function planStatus(pipeline: Pipeline, store: Store, options: { verify?: boolean } = {}): Promise<StepStatus[]> {
  const state = store.readJson<PipelineState>(pipelineStatePath(pipeline));
  const lock = readLock(pipeline);
  const known = new Map<string, Readonly<Record<string, OutputRecord>>>();
  const result = new Map<string, StepStatus>();
  for (const id of topologicalOrder(pipeline.steps)) {
    const step = pipeline.steps.get(id);
    if (!step) continue;
    let staleUpstream = [...Object.values(step.inputs), ...Object.values(step.fanIn).flat()].map((r) => r.step).filter((s) => !known.has(s));
    if (!staleUpstream.length && step.type.lineage) staleUpstream = unknownAncestors(step, pipeline, known);
    if (staleUpstream.length) {
      result.set(id, { step: id, state: 'stale', reason: `upstream will re-run (${[...new Set(staleUpstream)].join(', ')})`, lock: 'unknown' });
      continue;
    }
    let key: StepKey;
    try {
      key = await stepKey(step, pipeline, store, known);
    } catch (e) {
      result.set(id, { step: id, state: 'stale', reason: (e as Error).message, lock: 'unknown' });
      continue;
    }
    const locked = lock?.steps[id];
    const agreement: LockAgreement = !locked ? 'absent' : locked.key === key.key ? 'matches' : 'differs';
    const found = store.lookupEntry(key.key);
    if (found.state === 'hit') {
      known.set(id, found.entry.outputs);
      const damage = options.verify ? await damagedOutput(store, found.entry.outputs) : undefined;
      result.set(id, damage ? { step: id, state: 'damaged', reason: `${damage}; a run recomputes it when a step reads it, medpipe cache verify sets it aside now`, key: key.key, lock: agreement } : { step: id, state: 'cached', key: key.key, lock: agreement });
    } else if (found.state === 'damaged') {
      result.set(id, { step: id, state: 'stale', reason: `${found.problem}; the next run sets it aside and recomputes the step`, key: key.key, lock: agreement });
    } else if (agreement === 'matches' && !state?.steps[id]) {
      // A fresh clone: nothing is in this store, but the committed lock file was produced by this
      // exact key. Steps are deterministic, so its outputs would be the ones the lock records, and
      // the steps after it can be compared with the lock file too.
      known.set(id, Object.fromEntries(Object.entries((locked as NonNullable<typeof locked>).outputs).map(([port, digest]) => [port, { digest, size: 0, kind: step.type.outputs[port]?.kind ?? 'report' }])));
      result.set(id, { step: id, state: 'stale', reason: 'not in this store; the lock file records this exact key', key: key.key, lock: agreement });
    } else result.set(id, { step: id, state: 'stale', reason: staleReason(step, key, state?.steps[id]), key: key.key, lock: agreement });
  }
  store.saveFileDigests();
  return [...pipeline.steps.keys()].map((id) => result.get(id) as StepStatus);
}

/** The first output of an entry whose artifact does not match its digest, described, or undefined. */
async function damagedOutput(store: Store, outs: Readonly<Record<string, OutputRecord>>): Promise<string | undefined> {
  for (const [port, out] of Object.entries(outs)) {
    const found = await store.verifyObject(out.digest);
    if (found.state === 'damaged') return `artifact ${out.digest.slice(0, 12)}… (output "${port}") does not match its digest`;
  }
  return undefined;
}

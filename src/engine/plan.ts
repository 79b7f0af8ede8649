/**
 * Planning: the cache key of each step from its resolved parameters and the digests of what
 * flows into it, and the RunPlan: what a run selects and, per step, its decision (decision.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { findPointer, pointerPathFor } from './data-pointer.js';
import { cacheKey, canonicalJson, sha256, type KeyComponents, type LineageNode } from './fingerprint.js';
import { selectSteps, topologicalOrder, withAncestors, type StepSelection } from './graph.js';
import { decideStep, type BlockReason, type KeyResult, type OutputDamage, type StepDecision } from './decision.js';
import { dependenciesOf, type Pipeline, type PipelineStep } from './pipeline.js';
import type { CacheEntry, OutputRecord, Store } from './store.js';
import { lockFilePath, parseLockFile, type LockedStep, type LockFile } from '../metrics/lock-file.js';

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
  /** The last run that changed this state (a run whose every step was cached leaves it as it was). */
  readonly lastRunId: string;
  readonly steps: Readonly<
    Record<
      string,
      {
        key: string;
        version: string;
        codeDigest?: string;
        paramsDigest: string;
        params: Record<string, unknown>;
        inputs: Record<string, string>;
        files: Record<string, string>;
        lineageDigest?: string;
        outputs: Record<string, OutputRecord>;
      }
    >
  >;
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
      return [
        id,
        {
          stepType: up.type.id,
          params: up.params,
          outputs: Object.fromEntries(Object.entries(outs).map(([port, o]) => [port, o.digest])),
          dependsOn: dependenciesOf(up),
        },
      ];
    });
}

/** The digest of a key's lineage component, kept in the pipeline state so `status` can name it. */
export function lineageDigest(c: KeyComponents): string | undefined {
  return c.lineage ? sha256(canonicalJson(c.lineage)) : undefined;
}

export function pipelineStatePath(pipeline: Pick<Pipeline, 'path'>): string {
  return `pipelines/${sha256(pipeline.path).slice(0, 20)}.json`;
}

/** The key of a step whose inputs and data files are known (see keyFor). */
async function stepKey(
  step: PipelineStep,
  pipeline: Pipeline,
  store: Store,
  upstream: ReadonlyMap<string, Readonly<Record<string, OutputRecord>>>,
): Promise<StepKey> {
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
  for (const { param, path } of dataFiles(step, pipeline)) files[param] = await dataFileDigest(path, store);
  if (step.type.paramDigests) Object.assign(files, await step.type.paramDigests(step.params, store.root));
  const lineage = step.type.lineage ? lineageOf(step, pipeline, upstream) : undefined;
  // The same inputs give the same key: a run's plan keys every step and the run keys each again
  // once its inputs are known, which for a cached pipeline are the same ones.
  const given = lineage ? undefined : JSON.stringify([inputs, files]);
  const known = computedKeys.get(step);
  if (given !== undefined && known?.given === given) return known.key;
  const components: KeyComponents = {
    stepType: step.type.id,
    version: step.type.version,
    codeDigest: step.custom?.codeDigest,
    params: step.params,
    inputs,
    files,
    lineage,
  };
  const key = { key: cacheKey(components), components };
  if (given !== undefined) computedKeys.set(step, { given, key });
  return key;
}

/** The last key computed for a step (a step's other key components are fixed for its lifetime). */
const computedKeys = new WeakMap<PipelineStep, { given: string; key: StepKey }>();

/**
 * The digest a data file enters a step's key with: its pointer's when it has one (data-pointer.ts),
 * so a clone without the file (only the committed pointer) keys the step as one with it does, and
 * finds it cached; else the file's own.
 */
async function dataFileDigest(path: string, store: Store): Promise<string> {
  return findPointer(path)?.digest ?? store.fileDigest(path);
}

/** The data files a step's `with:` names (its type's fileParams), resolved against the pipeline file's folder. */
export function dataFiles(step: PipelineStep, pipeline: Pipeline): { param: string; path: string }[] {
  return (step.type.fileParams ?? []).flatMap((param) => {
    const value = step.params[param];
    return typeof value === 'string' ? [{ param, path: isAbsolute(value) ? value : resolve(pipeline.dir, value) }] : [];
  });
}

/** The key of a step whose inputs are known, or why it cannot be computed (a data file named in `with:` is missing). */
export async function keyFor(
  step: PipelineStep,
  pipeline: Pipeline,
  store: Store,
  upstream: ReadonlyMap<string, Readonly<Record<string, OutputRecord>>>,
): Promise<KeyResult> {
  // A data file kept out of git is there when its pointer is: its bytes come from the store or the remote.
  const missing = dataFiles(step, pipeline).find(({ path }) => !existsSync(pointerPathFor(path) ?? path));
  if (missing) return { blocked: { kind: 'data-file-missing', ...missing } };
  return { key: await stepKey(step, pipeline, store, upstream) };
}

/** What a blocked step is told, by a run that fails it and by `status` and `--dry-run` alike. */
export function blockedMessage(reason: BlockReason): string {
  return `with.${reason.param}: file not found: ${reason.path}`;
}

/** The error a run fails a blocked step with. */
export function blockedError(step: PipelineStep, pipeline: Pipeline, reason: BlockReason): DataError {
  return new DataError(blockedMessage(reason), {
    file: pipeline.file,
    hint: `step "${step.id}": check the path; relative paths are resolved against the pipeline file's folder`,
  });
}

/** What the plan was asked: the selection of a run, and for `status`, whether to hash every cached artifact. */
export interface PlanOptions extends StepSelection {
  readonly verify?: boolean;
  /**
   * Which steps are compared with the lock file: every one (status, --dry-run), or only those
   * not cached (a run: it needs the lock file only to say why a step runs, and a fully cached run
   * then does not parse it; its cached steps' `lock` is `unknown`).
   */
  readonly lockAgreement?: 'every-step' | 'stale-steps';
}

/** The decision for one step, with the key when it could be computed. */
export interface PlannedStep {
  readonly step: string;
  readonly decision: StepDecision;
}

/**
 * A run worked out before it starts: which steps it selects (--only, --from, --force, decided
 * here once) and what it would do with each and why. `status`, `--dry-run` and the run read it;
 * the run decides again, with the same `decideStep`, for the steps whose upstream runs first.
 */
export interface RunPlan {
  readonly selected: ReadonlySet<string>;
  readonly forced: ReadonlyMap<string, 'force' | 'from'>;
  /** In the pipeline file's order. */
  readonly steps: readonly PlannedStep[];
  /** What the store remembers of the pipeline's last run. */
  readonly previous: PipelineState | undefined;
  /** What the committed lock file records of a step, when there is a readable one (read on first use). */
  readonly locked: (stepId: string) => LockedStep | undefined;
  /**
   * The cache entries the plan found, by step: a run takes a step whose key is unchanged from
   * here rather than reading its entry again (it still checks what it publishes, and verifies
   * every artifact before a step reads it).
   */
  readonly found: ReadonlyMap<string, CacheEntry>;
}

/** Direct upstream steps, and for a lineage step every ancestor, whose outputs are not known. */
export function unknownUpstream(step: PipelineStep, pipeline: Pipeline, known: ReadonlyMap<string, unknown>): string[] {
  const direct = [...Object.values(step.inputs), ...Object.values(step.fanIn).flat()].map((r) => r.step).filter((s) => !known.has(s));
  return [...new Set(direct.length || !step.type.lineage ? direct : unknownAncestors(step, pipeline, known))];
}

/** The plan of a run (or, without a selection, of `status`), without running anything. */
export async function plan(pipeline: Pipeline, store: Store, options: PlanOptions = {}): Promise<RunPlan> {
  const { selected, forced } = selectSteps(pipeline.steps, options);
  const previous = store.readJson<PipelineState>(pipelineStatePath(pipeline));
  let lock: LockFile | undefined | null = null;
  const locked = (id: string): LockedStep | undefined => (lock === null ? (lock = readLock(pipeline)) : lock)?.steps[id];
  const onlyStale = options.lockAgreement === 'stale-steps';
  const known = new Map<string, Readonly<Record<string, OutputRecord>>>();
  const decisions = new Map<string, StepDecision>();
  const found = new Map<string, CacheEntry>();
  for (const id of topologicalOrder(pipeline.steps)) {
    const step = pipeline.steps.get(id);
    if (!step) continue;
    const base = { selected: selected.has(id), forced: forced.get(id), previous: previous?.steps[id] };
    const upstreamUnknown = unknownUpstream(step, pipeline, known);
    if (!base.selected || upstreamUnknown.length) {
      // No key, so nothing to compare with the lock file.
      decisions.set(id, decideStep({ ...base, upstreamUnknown, locked: 'unread' }));
      continue;
    }
    const key = await keyFor(step, pipeline, store, known);
    const lookup = 'key' in key ? store.lookupEntry(key.key.key) : undefined;
    const damage = lookup?.state === 'hit' && options.verify ? await damagedOutput(store, lookup.entry.outputs) : undefined;
    const lockedStep = onlyStale && lookup?.state === 'hit' && !base.forced ? 'unread' : locked(id);
    const decision = decideStep({ ...base, locked: lockedStep, upstreamUnknown, key, lookup, check: { state: 'ok', ...(damage ? { damage } : {}) } });
    decisions.set(id, decision);
    // A forced step recomputes what is cached (steps are deterministic), so its dependants see the same outputs.
    if (lookup?.state === 'hit') {
      known.set(id, lookup.entry.outputs);
      found.set(id, lookup.entry);
    } else if (decision.action === 'run' && decision.reasons[0].kind === 'lock-records-key') {
      // A fresh clone: its outputs would be the ones the lock records, so the steps after it can
      // be compared with the lock file too.
      known.set(
        id,
        Object.fromEntries(
          Object.entries((lockedStep as LockedStep).outputs).map(([port, digest]) => [
            port,
            { digest, size: 0, kind: step.type.outputs[port]?.kind ?? 'report' },
          ]),
        ),
      );
    }
  }
  store.saveFileDigests();
  return {
    selected,
    forced,
    steps: [...pipeline.steps.keys()].map((id) => ({ step: id, decision: decisions.get(id) as StepDecision })),
    previous,
    locked,
    found,
  };
}

/** The first output of an entry whose artifact does not match its digest, or undefined. */
async function damagedOutput(store: Store, outs: Readonly<Record<string, OutputRecord>>): Promise<OutputDamage | undefined> {
  for (const [port, out] of Object.entries(outs)) {
    const found = await store.verifyObject(out.digest);
    if (found.state === 'damaged') return { port, digest: out.digest };
  }
  return undefined;
}

/**
 * The lock file `<pipeline>.lock.yaml`: per step, what produced the committed metrics (its step
 * type, cache key and output digests). Deterministic text: steps and ports sorted, no timestamps,
 * no run ids, so it changes in git only when a result changes.
 */
import { basename, dirname, join } from 'node:path';
import { yaml } from '../yaml.js';
import { DataError } from '../errors.js';

export const LOCK_FORMAT = 1;

export interface LockedStep {
  readonly uses: string;
  readonly key: string;
  /** Port -> artifact digest. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface LockFile {
  readonly pipeline: string;
  /** Step id -> what its last run produced. */
  readonly steps: Readonly<Record<string, LockedStep>>;
}

/** What the lock file needs of a Pipeline (src/engine/pipeline.ts), structurally. */
export interface LockablePipeline {
  readonly name: string;
  readonly steps: ReadonlyMap<string, { readonly uses: string }>;
}

/** What the lock file needs of a PipelineState (src/engine/plan.ts), structurally. */
export interface LockableState {
  readonly steps: Readonly<Record<string, { readonly key: string; readonly outputs: Readonly<Record<string, { readonly digest: string }>> }>>;
}

/** `pipelines/breast-cancer.yaml` -> `pipelines/breast-cancer.lock.yaml` (next to the pipeline file). */
export function lockFilePath(pipelineFile: string): string {
  return join(dirname(pipelineFile), `${basename(pipelineFile).replace(/\.ya?ml$/i, '')}.lock.yaml`);
}

/** Code-unit order, not locale order: the same bytes on every machine. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The lock file text for a pipeline and its state after a run. Steps of the pipeline that have no
 * state yet (never run) are left out; state of steps no longer in the pipeline is ignored.
 */
export function lockFileFor(pipeline: LockablePipeline, state: LockableState): string {
  const steps: Record<string, { uses: string; key: string; outputs: Record<string, string> }> = {};
  for (const id of [...pipeline.steps.keys()].sort(byCodeUnit)) {
    const s = state.steps[id];
    const step = pipeline.steps.get(id);
    if (!s || !step) continue;
    const outputs: Record<string, string> = {};
    for (const port of Object.keys(s.outputs).sort(byCodeUnit)) outputs[port] = s.outputs[port].digest;
    steps[id] = { uses: step.uses, key: s.key, outputs };
  }
  const header = "# Written by medpipe run: what produced this pipeline's outputs and metrics. Do not edit; commit it with the metrics files.\n";
  // Written line by line, not by yaml's stringify: the same text (a test holds them equal), in a
  // tenth of the time a no-op run of a thousand steps spent on it.
  const lines = [`medpipe_lock: ${LOCK_FORMAT}`, `pipeline: ${scalar(pipeline.name)}`];
  const ids = Object.keys(steps);
  if (!ids.length) lines.push('steps: {}');
  else lines.push('steps:');
  for (const id of ids) {
    const step = steps[id];
    lines.push(`  ${scalar(id)}:`, `    uses: ${scalar(step.uses)}`, `    key: ${scalar(step.key)}`);
    const ports = Object.keys(step.outputs);
    if (!ports.length) lines.push('    outputs: {}');
    else lines.push('    outputs:', ...ports.map((port) => `      ${scalar(port)}: ${scalar(step.outputs[port])}`));
  }
  return `${header}${lines.join('\n')}\n`;
}

/** A string that YAML's core schema reads as a string when written plain, and that needs no quotes (a custom step's `./steps/x.js` among them). */
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
const NOT_A_STRING =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$/;

/** Quoted scalars already written: a thousand steps of one scoped step package (`uses: '@lab/steps'`) quote one value (a path such as ./step.mjs is plain). */
const quoted = new Map<string, string>();

/** A string as yaml's stringify writes it: plain when it can be, otherwise as yaml quotes it. */
function scalar(value: string): string {
  if (PLAIN.test(value) && !NOT_A_STRING.test(value)) return value;
  let text = quoted.get(value);
  if (text === undefined) {
    text = yaml().stringify(value, { lineWidth: 0 }).trimEnd();
    quoted.set(value, text);
  }
  return text;
}

/** Reads lock file text back; DataError naming the file and the key when it is not one. */
export function parseLockFile(text: string, file: string): LockFile {
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (e) {
    throw new DataError(`not valid YAML (${(e as Error).message.split('\n')[0]})`, { file, hint: 'delete it; the next medpipe run writes it again' });
  }
  const bad = (what: string): DataError => new DataError(`not a medpipe lock file: ${what}`, { file, hint: 'delete it; the next medpipe run writes it again' });
  const root = doc as { medpipe_lock?: unknown; pipeline?: unknown; steps?: unknown } | null;
  if (root?.medpipe_lock !== LOCK_FORMAT) throw bad(`medpipe_lock must be ${LOCK_FORMAT}`);
  if (typeof root.pipeline !== 'string') throw bad('pipeline must be a name');
  const rawSteps = root.steps ?? {};
  if (typeof rawSteps !== 'object' || Array.isArray(rawSteps)) throw bad('steps must be a mapping');
  const steps: Record<string, LockedStep> = {};
  for (const [id, raw] of Object.entries(rawSteps as Record<string, unknown>)) {
    const s = raw as { uses?: unknown; key?: unknown; outputs?: unknown } | null;
    if (typeof s?.uses !== 'string' || typeof s.key !== 'string') throw bad(`step ${id} needs uses and key`);
    const outputs = s.outputs ?? {};
    if (typeof outputs !== 'object' || Array.isArray(outputs) || Object.values(outputs).some((d) => typeof d !== 'string'))
      throw bad(`step ${id}: outputs must map ports to digests`);
    steps[id] = { uses: s.uses, key: s.key, outputs: outputs as Record<string, string> };
  }
  return { pipeline: root.pipeline, steps };
}

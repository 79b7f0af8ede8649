/**
 * What a run does with one step and why, as values: the plan (status, --dry-run) and the run
 * itself decide through the one function here, `decideStep`, from facts gathered about the step.
 * Reasons are typed, never prose; the CLI puts them into words (src/cli/plan-reasons.ts).
 */
import { paramsDigest } from './fingerprint.js';
import type { PipelineState, StepKey } from './plan.js';
import { lineageDigest } from './plan.js';
import type { EntryLookup } from './store.js';
import type { LockedStep } from '../metrics/lock-file.js';

/** Why a step is computed (rather than taken from the store). */
export type RunReason =
  /** The pipeline's state has no earlier run of the step. */
  | { readonly kind: 'never-run' }
  /** The step type's version, or a custom step's code, differs from its last run. */
  | { readonly kind: 'code-changed'; readonly version?: { readonly from: string; readonly to: string }; readonly customCode: boolean }
  | { readonly kind: 'params-changed'; readonly names: readonly string[] }
  | { readonly kind: 'input-changed'; readonly ports: readonly string[] }
  /** `params`: the file parameters whose content changed; `files`: their values as written. */
  | { readonly kind: 'data-file-changed'; readonly params: readonly string[]; readonly files: readonly string[] }
  /** The ids, parameters or wiring of upstream steps a lineage step records. */
  | { readonly kind: 'lineage-changed' }
  /** The key is the one of the last run, but its entry or artifacts are gone (collected, never pushed). */
  | { readonly kind: 'outputs-missing' }
  /** The entry under the key cannot be used as it is (the store says how); the run sets it aside. */
  | { readonly kind: 'entry-damaged'; readonly problem: string }
  /** A cached output the run checks before using it (the one it publishes) is missing or damaged. */
  | { readonly kind: 'output-damaged'; readonly port: string; readonly digest: string; readonly state: 'missing' | 'damaged' }
  /** What the cached step did outside the store (a registered model) is gone; the step type says what. */
  | { readonly kind: 'effect-missing'; readonly problem: string }
  /** `--force` / `--force-steps` (`by: 'force'`) or downstream of `--from` (`by: 'from'`). */
  | { readonly kind: 'forced'; readonly by: 'force' | 'from' }
  /** Upstream steps that will run first: the step's key is known only once they have. */
  | { readonly kind: 'upstream-will-run'; readonly steps: readonly string[] }
  /** Not in this store (a fresh clone), but the lock file records exactly this key. */
  | { readonly kind: 'lock-records-key' };

/** Why a step cannot run at all. */
export type BlockReason =
  /** A data file named in `with:` does not exist, so the key cannot be computed. */
  { readonly kind: 'data-file-missing'; readonly param: string; readonly path: string };

/** A cached output whose artifact does not match its digest (found when the plan verifies). */
export interface OutputDamage {
  readonly port: string;
  readonly digest: string;
}

/**
 * How the step's current key compares with the pipeline's lock file (what produced the committed
 * metrics): the same key, a different one, not in the lock, or not computable yet.
 */
export type LockAgreement = 'matches' | 'differs' | 'absent' | 'unknown';

export type StepDecision =
  | { readonly action: 'run'; readonly reasons: readonly [RunReason, ...RunReason[]]; readonly key?: string; readonly lock: LockAgreement }
  /** `damage`: cached, but an artifact no longer matches its digest (see OutputDamage). */
  | { readonly action: 'cached'; readonly key: string; readonly lock: LockAgreement; readonly damage?: OutputDamage }
  /** Not selected by --only. */
  | { readonly action: 'skipped'; readonly reason: { readonly kind: 'not-selected' }; readonly lock: LockAgreement }
  | { readonly action: 'blocked'; readonly reason: BlockReason; readonly lock: LockAgreement };

/** A step's key, or why it cannot be computed. */
export type KeyResult = { readonly key: StepKey } | { readonly blocked: BlockReason };

/**
 * What is known of a cache entry beyond its lookup: `ok`, with `damage` when the plan verified
 * its artifacts and one no longer matches its digest; or `unusable`, when a run read back what it
 * is about to use (the output it publishes, its effect outside the store) and found it wanting.
 */
export type EntryCheck =
  | { readonly state: 'ok'; readonly damage?: OutputDamage }
  | { readonly state: 'unusable'; readonly reason: Extract<RunReason, { kind: 'output-damaged' | 'effect-missing' }> };

/** Everything the decision depends on, gathered by the plan before the run or by the run when the step is ready. */
export interface StepFacts {
  readonly selected: boolean;
  readonly forced: 'force' | 'from' | undefined;
  /** Upstream steps whose outputs are not known (they will run first). */
  readonly upstreamUnknown: readonly string[];
  /** Absent when upstream outputs are unknown. */
  readonly key?: KeyResult;
  readonly lookup?: EntryLookup;
  readonly check?: EntryCheck;
  readonly previous: PipelineState['steps'][string] | undefined;
  /** What the lock file records of the step; `unread` when the plan did not compare it (see PlanOptions.lockAgreement). */
  readonly locked: LockedStep | undefined | 'unread';
}

function lockAgreement(key: StepKey | undefined, locked: LockedStep | undefined | 'unread'): LockAgreement {
  if (!key || locked === 'unread') return 'unknown';
  if (!locked) return 'absent';
  return locked.key === key.key ? 'matches' : 'differs';
}

/** The one rule: what to do with a step, given what is known of it. Pure. */
export function decideStep(facts: StepFacts): StepDecision {
  const key = facts.key && 'key' in facts.key ? facts.key.key : undefined;
  const lock = lockAgreement(key, facts.locked);
  if (!facts.selected) return { action: 'skipped', reason: { kind: 'not-selected' }, lock };
  if (facts.upstreamUnknown.length) return { action: 'run', reasons: [{ kind: 'upstream-will-run', steps: facts.upstreamUnknown }], lock: 'unknown' };
  if (!facts.key) throw new Error('internal: a step whose inputs are known is decided without its key');
  if ('blocked' in facts.key) return { action: 'blocked', reason: facts.key.blocked, lock: 'unknown' };
  const k = facts.key.key;
  if (facts.forced) return { action: 'run', reasons: [{ kind: 'forced', by: facts.forced }], key: k.key, lock };
  const lookup = facts.lookup ?? { state: 'miss' };
  if (lookup.state === 'damaged') return { action: 'run', reasons: [{ kind: 'entry-damaged', problem: lookup.problem }], key: k.key, lock };
  if (lookup.state === 'hit') {
    const check = facts.check ?? { state: 'ok' };
    if (check.state === 'unusable') return { action: 'run', reasons: [check.reason], key: k.key, lock };
    return { action: 'cached', key: k.key, lock, ...(check.damage ? { damage: check.damage } : {}) };
  }
  if (lock === 'matches' && !facts.previous) return { action: 'run', reasons: [{ kind: 'lock-records-key' }], key: k.key, lock };
  return { action: 'run', reasons: staleReasons(k, facts.previous), key: k.key, lock };
}

/** Why a step's key differs from the one it had on the pipeline's last run (the step's previous state). */
export function staleReasons(key: StepKey, previous: PipelineState['steps'][string] | undefined): [RunReason, ...RunReason[]] {
  if (!previous) return [{ kind: 'never-run' }];
  const c = key.components;
  const reasons: RunReason[] = [];
  const versionChanged = previous.version !== c.version;
  const customCode = (previous.codeDigest ?? '') !== (c.codeDigest ?? '');
  if (versionChanged || customCode)
    reasons.push({ kind: 'code-changed', ...(versionChanged ? { version: { from: previous.version, to: c.version } } : {}), customCode });
  if (previous.paramsDigest !== paramsDigest(c.params)) {
    const names = [...new Set([...Object.keys(previous.params), ...Object.keys(c.params)])].filter(
      (k) => JSON.stringify(previous.params[k]) !== JSON.stringify(c.params[k]),
    );
    reasons.push({ kind: 'params-changed', names });
  }
  const ports = changedKeys(previous.inputs, c.inputs);
  if (ports.length) reasons.push({ kind: 'input-changed', ports });
  const files = changedKeys(previous.files, c.files);
  if (files.length) reasons.push({ kind: 'data-file-changed', params: files, files: files.map((f) => String(c.params[f] ?? previous.params[f])) });
  if ((previous.lineageDigest ?? '') !== (lineageDigest(c) ?? '')) reasons.push({ kind: 'lineage-changed' });
  const [first, ...rest] = reasons;
  return first ? [first, ...rest] : [{ kind: 'outputs-missing' }];
}

function changedKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}

/**
 * Whether a step that must run for this reason is looked up on the remote cache first, when the run
 * has one: its key has no usable local entry. Not when forced (--force computes), nor when the
 * local entry is there but its effect outside the store is missing (the remote's copy of that
 * entry would not bring it back).
 */
export function mayComeFromRemote(reason: RunReason): boolean {
  return reason.kind !== 'forced' && reason.kind !== 'effect-missing';
}

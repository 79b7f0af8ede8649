/**
 * The words for the plan's typed decisions (engine/decision.ts): what `status`, `run --dry-run`
 * and their --json `why`/`reason` strings say. The engine decides; only this module phrases it.
 */
import { mayComeFromRemote, type RunReason, type StepDecision } from '../engine/decision.js';
import { blockedMessage } from '../engine/plan.js';

const short = (digest: string): string => `${digest.slice(0, 12)}…`;

export function runReasonText(r: RunReason): string {
  switch (r.kind) {
    case 'never-run':
      return 'never run';
    case 'code-changed':
      return [r.version ? `code version changed (${r.version.from} -> ${r.version.to})` : undefined, r.customCode ? 'step code changed' : undefined]
        .filter(Boolean)
        .join('; ');
    case 'params-changed':
      return `params changed (${r.names.join(', ') || 'values'})`;
    case 'input-changed':
      return `input changed (${r.ports.join(', ')})`;
    case 'data-file-changed':
      return `data file changed (${r.files.join(', ')})`;
    case 'lineage-changed':
      return 'lineage changed (the ids, parameters or wiring of upstream steps)';
    case 'outputs-missing':
      return 'outputs missing from the store';
    case 'entry-damaged':
      return `${r.problem}; the next run sets it aside and recomputes the step`;
    case 'output-damaged':
      return `artifact ${short(r.digest)} (output "${r.port}") ${r.state === 'missing' ? 'is missing from the store' : 'does not match its digest'}; a run recomputes the step`;
    case 'effect-missing':
      return `${r.problem}; a run runs it again`;
    case 'forced':
      return r.by === 'force' ? 'forced' : 'forced (downstream of --from)';
    case 'upstream-will-run':
      return `upstream will re-run (${r.steps.join(', ')})`;
    case 'lock-records-key':
      return 'not in this store; the lock file records this exact key';
  }
}

/** Why a step is what it is, in words; empty for a plain cached step. */
export function decisionText(d: StepDecision): string {
  switch (d.action) {
    case 'run':
      return d.reasons.map(runReasonText).join('; ');
    case 'cached':
      return d.damage
        ? `artifact ${short(d.damage.digest)} (output "${d.damage.port}") does not match its digest; a run recomputes it when a step reads it, medpipe cache verify sets it aside now`
        : '';
    case 'skipped':
      return 'not selected';
    case 'blocked':
      return blockedMessage(d.reason);
  }
}

/** The state `status` shows: cached, damaged (cached, an artifact no longer matching its digest), stale, or blocked. */
export function statusState(d: StepDecision): 'cached' | 'damaged' | 'stale' | 'blocked' | 'skipped' {
  if (d.action === 'cached') return d.damage ? 'damaged' : 'cached';
  if (d.action === 'run') return 'stale';
  return d.action;
}

/** For `run --dry-run` and `status` with a remote cache: what a run does first with a step it would compute (see mayComeFromRemote). */
export function remoteLookupText(d: StepDecision, remote: string): string | undefined {
  return d.action === 'run' && mayComeFromRemote(d.reasons[0]) ? `looked up on ${remote} first` : undefined;
}

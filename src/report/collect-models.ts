/**
 * The register steps of a run, with what a clinician asks first about each model: its card
 * (intended use, limitations, what it predicts from what), the version registered, and which
 * evaluation vouches for it (its metrics and gates are drawn from the evaluations collect.ts read).
 */
import { readArtifactText } from './artifacts.js';
import { parseModelCard } from './card-text.js';
import { stepTypeOf, type CollectContext } from './collect-context.js';
import type { RegisteredModel } from './report-data.js';

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Why a register step registered nothing, in its status's words. */
function notRegistered(status: string, error: string | undefined): string {
  if (status === 'failed') return `not registered: the register step failed${error ? ` (${error.split('\n')[0]})` : ''}`;
  if (status === 'cancelled') return 'not registered: the run was stopped while the register step ran';
  if (status === 'skipped') return 'not registered: a step it depends on failed, so it did not run';
  return `not registered: the register step is ${status}`;
}

/** In the pipeline file's order (the order its author wrote the models in), else the run's. */
export function registeredModels(ctx: CollectContext): RegisteredModel[] {
  const out: RegisteredModel[] = [];
  const fileOrder = [...(ctx.pipeline?.steps.keys() ?? [])];
  const position = (id: string): number => (fileOrder.includes(id) ? fileOrder.indexOf(id) : fileOrder.length);
  for (const step of [...ctx.steps].sort((a, b) => position(a.id) - position(b.id))) {
    if (stepTypeOf(ctx, step.id) !== 'register') continue;
    const rec = ctx.record.steps[step.id];
    const p = ctx.pipeline?.steps.get(step.id);
    const summary = (rec?.summary ?? {}) as { name?: unknown; version?: unknown };
    const name = text(p?.params.name) ?? text(summary.name);
    const alias = text(p?.params.alias);
    const model: RegisteredModel = {
      step: step.id,
      status: step.status,
      ...(name ? { name } : {}),
      ...(typeof summary.version === 'number' ? { version: summary.version } : {}),
      ...(alias ? { alias } : {}),
      ...(p?.inputs.model ? { modelStep: p.inputs.model.step } : {}),
      ...(p?.inputs.evaluation ? { evaluationStep: p.inputs.evaluation.step } : {}),
    };
    const digest = rec?.outputs?.card;
    if (step.status !== 'done' && step.status !== 'cached') model.missing = notRegistered(step.status, step.error);
    else if (!digest) model.missing = 'the run record has no model card for it';
    else {
      const read = readArtifactText(ctx.store, digest, { what: 'its model card', content: 'its text' });
      if ('missing' in read) model.missing = read.missing;
      else model.card = parseModelCard(read.value);
    }
    out.push(model);
  }
  return out;
}

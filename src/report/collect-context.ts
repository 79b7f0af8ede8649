/**
 * What every collector reads from: the run record, the pipeline graph when its file still loads,
 * the store, and the run's steps in dependency order; and two questions they all ask of it.
 */
import { dependenciesOf, type Pipeline } from '../engine/pipeline.js';
import type { RunRecord } from '../engine/record.js';
import type { Store } from '../engine/store.js';
import type { ReportStep } from './report-data.js';

export interface CollectContext {
  record: RunRecord;
  /** undefined when the pipeline file is gone or no longer loads (collect.ts warns about it). */
  pipeline: Pipeline | undefined;
  store: Store;
  steps: readonly ReportStep[];
}

/** The step's type: from the pipeline when it loaded, else as the run record wrote it. */
export function stepTypeOf(ctx: CollectContext, id: string): string | undefined {
  return ctx.pipeline?.steps.get(id)?.type.id ?? ctx.record.steps[id]?.uses;
}

/** Every step the given one depends on, directly or not (from the pipeline graph; empty without it). */
export function ancestorsOf(ctx: CollectContext, id: string): Set<string> {
  const seen = new Set<string>();
  const walk = (at: string): void => {
    const step = ctx.pipeline?.steps.get(at);
    if (!step) return;
    for (const dep of dependenciesOf(step)) if (!seen.has(dep)) seen.add(dep), walk(dep);
  };
  walk(id);
  return seen;
}

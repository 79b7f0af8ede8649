/**
 * The graph of a pipeline: cycle detection (returned as the chain, so the message can name it),
 * topological order, and the subsets `--only` and `--from` select.
 */
import { dependenciesOf, type PipelineStep } from './pipeline.js';

/** A cycle as its chain of step ids ending where it started (`a, b, c, a`), or undefined. */
export function findCycle(steps: ReadonlyMap<string, PipelineStep>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    const step = steps.get(id);
    for (const dep of step ? dependenciesOf(step) : []) {
      if (!steps.has(dep)) continue;
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of steps.keys()) {
    const c = visit(id);
    // Found walking dependencies (b needs a): print it in data-flow order, a -> b.
    if (c) return c.reverse();
  }
  return undefined;
}

/** Steps in an order where each comes after everything it depends on (file order otherwise). */
export function topologicalOrder(steps: ReadonlyMap<string, PipelineStep>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const step = steps.get(id);
    if (step) for (const dep of dependenciesOf(step)) visit(dep);
    order.push(id);
  };
  for (const id of steps.keys()) visit(id);
  return order;
}

/** `ids` and everything they depend on, transitively. */
export function withAncestors(steps: ReadonlyMap<string, PipelineStep>, ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (id: string): void => {
    if (out.has(id)) return;
    out.add(id);
    const step = steps.get(id);
    if (step) for (const dep of dependenciesOf(step)) visit(dep);
  };
  for (const id of ids) visit(id);
  return out;
}

/** `ids` and everything that depends on them, transitively. */
export function withDescendants(steps: ReadonlyMap<string, PipelineStep>, ids: Iterable<string>): Set<string> {
  const dependants = new Map<string, string[]>();
  for (const step of steps.values()) for (const dep of dependenciesOf(step)) dependants.set(dep, [...(dependants.get(dep) ?? []), step.id]);
  const out = new Set<string>();
  const visit = (id: string): void => {
    if (out.has(id)) return;
    out.add(id);
    for (const d of dependants.get(id) ?? []) visit(d);
  };
  for (const id of ids) visit(id);
  return out;
}

/** What a run is asked to do: `--only`, `--force` (all: true), `--from`. */
export interface StepSelection {
  readonly only?: readonly string[];
  readonly force?: true | readonly string[];
  readonly from?: string | readonly string[];
}

/**
 * The steps a run works on and those it recomputes even when cached: `only` narrows to those
 * steps and what they need; `force` and `from` (with everything downstream of it) recompute. One
 * rule for a run and for its --dry-run; only the plan (plan.ts) calls it. `forced` says which
 * option forced each step.
 */
export function selectSteps(
  steps: ReadonlyMap<string, PipelineStep>,
  selection: StepSelection,
): { selected: Set<string>; forced: Map<string, 'force' | 'from'> } {
  const selected = selection.only?.length ? withAncestors(steps, selection.only) : new Set(steps.keys());
  const forced = new Map<string, 'force' | 'from'>();
  for (const id of selection.force === true ? selected : (selection.force ?? [])) forced.set(id, 'force');
  const from = typeof selection.from === 'string' ? [selection.from] : selection.from;
  if (from?.length) for (const id of withDescendants(steps, from)) if (selected.has(id) && !forced.has(id)) forced.set(id, 'from');
  return { selected, forced };
}

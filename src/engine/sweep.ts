/**
 * Parameter sweeps: a step with `matrix: { C: [0.1, 1, 10], kernel: [linear, rbf] }` becomes one
 * step per combination (`svm[C=0.1,kernel=linear]`, …), each cached on its own and run in
 * parallel. Steps that consume a swept step's output are expanded along the same combinations
 * (so each model gets its own evaluation), until a fan-in port (`many: true`, e.g. select-best's)
 * gathers every combination's artifact into one step.
 */
import { topologicalOrder } from './graph.js';
import type { OutputRef, PipelineStep } from './pipeline.js';

export type MatrixValues = Readonly<Record<string, unknown>>;

/** Every combination of the matrix, the first key varying slowest (as written). */
export function combinations(matrix: Readonly<Record<string, readonly unknown[]>>): MatrixValues[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) out = out.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
  return out;
}

export function combinationLabel(values: MatrixValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(',');
}

/** A swept step's combinations, each with its own validated parameters. */
export interface Sweep {
  readonly combos: readonly { readonly values: MatrixValues; readonly params: Readonly<Record<string, unknown>> }[];
}

interface Expansion {
  origin: string;
  labels: string[];
  values: MatrixValues[];
}

export interface ExpandResult {
  steps: Map<string, PipelineStep>;
  problems: { step: string; message: string }[];
}

export function expandSweeps(steps: ReadonlyMap<string, PipelineStep>, sweeps: ReadonlyMap<string, Sweep>): ExpandResult {
  if (sweeps.size === 0) return { steps: new Map(steps), problems: [] };
  const out = new Map<string, PipelineStep>();
  const expanded = new Map<string, Expansion>();
  const problems: ExpandResult['problems'] = [];
  const idOf = (step: string, label: string): string => `${step}[${label}]`;
  const allOf = (ref: OutputRef): OutputRef[] => {
    const e = expanded.get(ref.step);
    return e ? e.labels.map((l) => ({ step: idOf(ref.step, l), port: ref.port })) : [ref];
  };

  for (const id of topologicalOrder(steps)) {
    const step = steps.get(id) as PipelineStep;
    const fanIn = Object.fromEntries(Object.entries(step.fanIn).map(([port, refs]) => [port, refs.flatMap(allOf)]));
    const needs = step.needs.flatMap((n) => (expanded.has(n) ? (expanded.get(n) as Expansion).labels.map((l) => idOf(n, l)) : [n]));
    const origins = [
      ...new Set(
        Object.values(step.inputs)
          .map((r) => expanded.get(r.step)?.origin)
          .filter((o): o is string => o !== undefined),
      ),
    ];
    const own = sweeps.get(id);

    if (origins.length > 1) {
      problems.push({
        step: id,
        message: `depends on two different sweeps (${origins.join(', ')}); put their parameters in one matrix, or gather each with a fan-in step first`,
      });
      continue;
    }
    if (own && origins.length) {
      problems.push({ step: id, message: `has a matrix and also depends on the sweep of "${origins[0]}"; give the matrix to one step only` });
      continue;
    }
    if (own) {
      const labels = own.combos.map((c) => combinationLabel(c.values));
      own.combos.forEach((c, i) =>
        out.set(idOf(id, labels[i]), { ...step, id: idOf(id, labels[i]), params: c.params, fanIn, needs, sweep: { origin: id, values: c.values } }),
      );
      expanded.set(id, { origin: id, labels, values: own.combos.map((c) => c.values) });
      continue;
    }
    if (origins.length === 1) {
      const source = [...expanded.values()].find((e) => e.origin === origins[0]) as Expansion;
      source.labels.forEach((label, i) => {
        const inputs = Object.fromEntries(
          Object.entries(step.inputs).map(([port, ref]) => [port, expanded.has(ref.step) ? { step: idOf(ref.step, label), port: ref.port } : ref]),
        );
        out.set(idOf(id, label), { ...step, id: idOf(id, label), inputs, fanIn, needs, sweep: { origin: origins[0], values: source.values[i] } });
      });
      expanded.set(id, { ...source });
      continue;
    }
    out.set(id, { ...step, fanIn, needs });
  }
  return { steps: out, problems };
}

/**
 * The step ids a user's names select: an exact id, or a swept step's name for all of its
 * combinations. Unknown names are returned separately.
 */
export function resolveStepNames(steps: ReadonlyMap<string, PipelineStep>, names: readonly string[]): { ids: string[]; unknown: string[] } {
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if (steps.has(name)) ids.push(name);
    else {
      const family = [...steps.keys()].filter((k) => k.startsWith(`${name}[`));
      if (family.length) ids.push(...family);
      else unknown.push(name);
    }
  }
  return { ids, unknown };
}

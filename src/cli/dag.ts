/**
 * `medpipe dag FILE --format ascii|mermaid|dot`: the pipeline's graph for a terminal, a README or
 * pull request (Mermaid), or Graphviz. Edges are labelled with the ports they connect.
 */
import { dependenciesOf, type Pipeline } from '../engine/pipeline.js';

interface Edge {
  from: string;
  to: string;
  label: string;
}

function edges(pipeline: Pipeline): Edge[] {
  const out: Edge[] = [];
  for (const step of pipeline.steps.values()) {
    const byUpstream = new Map<string, string[]>();
    for (const [port, ref] of Object.entries(step.inputs))
      byUpstream.set(ref.step, [...(byUpstream.get(ref.step) ?? []), ref.port === port ? port : `${ref.port} → ${port}`]);
    for (const refs of Object.entries(step.fanIn))
      for (const ref of refs[1]) byUpstream.set(ref.step, [...(byUpstream.get(ref.step) ?? []), `${ref.port} → ${refs[0]}[]`]);
    for (const need of step.needs) if (!byUpstream.has(need)) byUpstream.set(need, ['needs']);
    for (const [from, labels] of byUpstream) out.push({ from, to: step.id, label: labels.join(', ') });
  }
  return out;
}

export function renderMermaid(pipeline: Pipeline): string {
  const id = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');
  const lines = ['flowchart LR'];
  for (const step of pipeline.steps.values()) lines.push(`  ${id(step.id)}["${step.id}<br/><small>${step.uses}</small>"]`);
  for (const e of edges(pipeline)) lines.push(`  ${id(e.from)} -->|${e.label}| ${id(e.to)}`);
  return lines.join('\n');
}

export function renderDot(pipeline: Pipeline): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [`digraph ${q(pipeline.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const step of pipeline.steps.values()) lines.push(`  ${q(step.id)} [label=${q(`${step.id}\n${step.uses}`)}];`);
  for (const e of edges(pipeline)) lines.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(e.label)}];`);
  lines.push('}');
  return lines.join('\n');
}

/**
 * A tree drawn from the steps with no dependencies. A step with several upstream steps is drawn
 * once, under the deepest of them (the one furthest from a root, so the tree reads in the order
 * steps can run; on a tie, the first it names), and its other upstream steps are named on its
 * line (`← also select`): every step appears once, every edge once.
 */
export function renderAscii(pipeline: Pipeline): string {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    let d = depth.get(id);
    if (d === undefined) {
      const step = pipeline.steps.get(id);
      d = step ? Math.max(-1, ...dependenciesOf(step).map(depthOf)) + 1 : 0;
      depth.set(id, d);
    }
    return d;
  };
  const children = new Map<string, string[]>();
  const others = new Map<string, string[]>();
  for (const step of pipeline.steps.values()) {
    const deps = dependenciesOf(step);
    if (!deps.length) continue;
    const parent = deps.reduce((best, d) => (depthOf(d) > depthOf(best) ? d : best));
    children.set(parent, [...(children.get(parent) ?? []), step.id]);
    others.set(
      step.id,
      deps.filter((d) => d !== parent),
    );
  }
  const lines: string[] = [];
  const draw = (id: string, prefix: string, connector: string, childPrefix: string): void => {
    const also = others.get(id) ?? [];
    lines.push(`${prefix}${connector}${id} (${pipeline.steps.get(id)?.uses ?? '?'})${also.length ? ` ← also ${also.join(', ')}` : ''}`);
    const kids = children.get(id) ?? [];
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      draw(k, prefix + childPrefix, last ? '└─ ' : '├─ ', last ? '   ' : '│  ');
    });
  };
  for (const step of pipeline.steps.values()) if (dependenciesOf(step).length === 0) draw(step.id, '', '', '');
  return lines.join('\n');
}

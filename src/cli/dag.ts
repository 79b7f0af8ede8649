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
    for (const [port, ref] of Object.entries(step.inputs)) byUpstream.set(ref.step, [...(byUpstream.get(ref.step) ?? []), ref.port === port ? port : `${ref.port} → ${port}`]);
    for (const refs of Object.entries(step.fanIn)) for (const ref of refs[1]) byUpstream.set(ref.step, [...(byUpstream.get(ref.step) ?? []), `${ref.port} → ${refs[0]}[]`]);
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
 * under the first and referred to under the others, so every edge appears once.
 */
export function renderAscii(pipeline: Pipeline): string {
  const children = new Map<string, string[]>();
  for (const step of pipeline.steps.values()) for (const dep of dependenciesOf(step)) children.set(dep, [...(children.get(dep) ?? []), step.id]);
  const drawn = new Set<string>();
  const lines: string[] = [];
  const draw = (id: string, prefix: string, connector: string, childPrefix: string): void => {
    const step = pipeline.steps.get(id);
    const label = `${id} (${step?.uses ?? '?'})`;
    if (drawn.has(id)) {
      lines.push(`${prefix}${connector}${id} ↑ (drawn above)`);
      return;
    }
    drawn.add(id);
    lines.push(`${prefix}${connector}${label}`);
    const kids = children.get(id) ?? [];
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      draw(k, prefix + childPrefix, last ? '└─ ' : '├─ ', last ? '   ' : '│  ');
    });
  };
  for (const step of pipeline.steps.values()) if (dependenciesOf(step).length === 0) draw(step.id, '', '', '');
  return lines.join('\n');
}

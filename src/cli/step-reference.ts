/**
 * The reference of a step type, for a terminal (`medpipe steps NAME`) and as Markdown
 * (docs/steps.md, written by `medpipe steps --markdown FILE`): what it does, its ports, and its
 * parameters with their types, defaults, allowed values and descriptions (see step-params.ts).
 */
import type { Port, StepType } from '../engine/step-type.js';
import { paramRows, type ParamRow } from './step-params.js';

interface PortRow {
  name: string;
  kind: string;
  /** optional, fan-in (many), or the default output. */
  notes: string[];
  description: string;
}

function portRows(ports: Readonly<Record<string, Port>>, defaultOutput?: string): PortRow[] {
  return Object.entries(ports).map(([name, p]) => ({
    name,
    kind: p.kind,
    notes: [...(p.optional ? ['optional'] : []), ...(p.many ? ['many (fan-in)'] : []), ...(name === defaultOutput ? ['default'] : [])],
    description: p.description,
  }));
}

/** `integer; default 100; allowed: a whole number >= 1`: everything about a parameter but its description. */
function paramSummary(r: ParamRow): string {
  return [
    r.type,
    ...(r.required ? ['required'] : []),
    ...(r.default !== undefined ? [`default ${r.default}`] : []),
    ...(r.allowed ? [`allowed: ${r.allowed}`] : []),
  ].join('; ');
}

export function stepReferenceText(type: StepType): string {
  const lines = [`${type.id} (version ${type.version})`, type.description, ''];
  const ports = (title: string, rows: PortRow[]): void => {
    lines.push(`${title}:`);
    if (!rows.length) lines.push('  (none)');
    const name = Math.max(...rows.map((r) => r.name.length));
    const kind = Math.max(...rows.map((r) => [r.kind, ...r.notes].join(', ').length));
    for (const r of rows) lines.push(`  ${r.name.padEnd(name)}  ${[r.kind, ...r.notes].join(', ').padEnd(kind)}  ${r.description}`);
    lines.push('');
  };
  ports('inputs (in:)', portRows(type.inputs));
  ports('outputs', portRows(type.outputs, type.defaultOutput));
  const params = paramRows(type);
  lines.push('parameters (with:):');
  if (!params.length) lines.push('  (none)');
  const width = Math.max(...params.map((r) => r.name.length));
  for (const r of params) {
    lines.push(`  ${r.name.padEnd(width)}  ${paramSummary(r)}`);
    if (r.description) lines.push(`  ${' '.repeat(width)}  ${r.description}`);
  }
  return lines.join('\n');
}

/** A table cell: one line, `|` escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``;
}

/** The anchor GitHub gives a heading: lower case, punctuation other than - and _ dropped. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function markdownPorts(title: string, rows: PortRow[]): string[] {
  if (!rows.length) return [`${title}: none.`, ''];
  return [
    title,
    '',
    '| port | kind | | description |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${code(r.name)} | ${r.kind} | ${r.notes.join(', ')} | ${cell(r.description)} |`),
    '',
  ];
}

function markdownStep(type: StepType): string[] {
  const params = paramRows(type);
  return [
    `## ${type.id}`,
    '',
    `${cell(type.description)} (version ${type.version})`,
    '',
    ...markdownPorts('**Inputs** (`in:`)', portRows(type.inputs)),
    ...markdownPorts('**Outputs**', portRows(type.outputs, type.defaultOutput)),
    ...(params.length
      ? [
          '**Parameters** (`with:`)',
          '',
          '| parameter | type | default | allowed | description |',
          '|---|---|---|---|---|',
          ...params.map(
            (r) =>
              `| ${code(r.name)} | ${cell(r.type)} | ${r.required ? 'required' : r.default !== undefined ? code(r.default) : ''} | ${cell(r.allowed ?? '')} | ${cell(r.description)} |`,
          ),
          '',
        ]
      : ['Parameters: none.', '']),
  ];
}

/** docs/steps.md: every built-in step type, generated (a test fails when the committed file is out of date). */
export function stepsMarkdown(types: readonly StepType[]): string {
  return [
    '# Step types',
    '',
    "<!-- Generated from the step types' schemas by `npm run schema` (medpipe steps --markdown docs/steps.md): do not edit by hand. -->",
    '',
    'Every step type medpipe ships, with its ports and its `with:` parameters. `medpipe steps NAME` prints the same on a terminal, also for a custom step (`medpipe steps ./steps/my-step.js`).',
    '',
    ...types.map((t) => `- [${t.id}](#${anchor(t.id)}): ${cell(t.description)}`),
    '',
    ...types.flatMap(markdownStep),
  ].join('\n');
}

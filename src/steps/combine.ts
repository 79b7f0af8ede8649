/**
 * Step `combine`: the rows of two to four datasets as one table (a row-wise union), e.g. held-out
 * molecules of a series mixed with a screening library's for a retrospective screen. Columns are
 * matched by name: every column any input has (missing where an input lacks it), or only those
 * all share. A `source` column says which input each row came from; rows repeating an id (the same
 * molecule under two inputs) fail the step, or only the first is kept, as the pipeline says.
 */
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { Column, ColumnData, Dataset, TargetInfo } from '../data/dataset.js';

const PORTS = ['a', 'b', 'c', 'd'] as const;
type PortName = (typeof PORTS)[number];

interface Params {
  columns: 'all' | 'shared';
  rename: Partial<Record<PortName, Record<string, string>>>;
  source: string | null;
  labels: Partial<Record<PortName, string>>;
  id: string | null;
  duplicates: 'error' | 'first' | 'keep';
}

interface Part {
  port: PortName;
  label: string;
  ds: Dataset;
}

/** Up to this many duplicate rows named in the error. */
const ROWS_NAMED = 3;

/** The input's columns under their new names (rename:), checked against the input. */
function renamed(part: Part, rename: Record<string, string>): Dataset {
  const names = part.ds.columns.map((c) => c.name);
  for (const from of Object.keys(rename))
    if (!names.includes(from)) throw new StepInputError(`rename.${part.port}: in.${part.port} has no column "${from}"${didYouMean(from, names)}`);
  const columns = part.ds.columns.map((c) => (rename[c.name] ? { ...c, name: rename[c.name] } : c));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name))
      throw new StepInputError(`rename.${part.port}: in.${part.port} would have two columns "${c.name}"; rename to a name it does not have`);
    seen.add(c.name);
  }
  const target = part.ds.target && rename[part.ds.target.column] ? { ...part.ds.target, column: rename[part.ds.target.column] } : part.ds.target;
  return { columns, rowCount: part.ds.rowCount, ...(target ? { target } : {}) };
}

/** A column's values as text, for a column that is text in one input and categorical in another. */
function asText(d: ColumnData): (string | null)[] {
  if (d.type === 'text') return [...d.values];
  if (d.type === 'categorical') return Array.from(d.codes, (k) => (k < 0 ? null : d.categories[k]));
  return Array.from(d.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

/** One output column from the inputs' pieces (undefined where an input lacks it: missing values). */
function stack(name: string, pieces: readonly { part: Part; column: Column | undefined }[]): ColumnData {
  const present = pieces.filter((p) => p.column);
  const types = new Set(present.map((p) => p.column!.data.type));
  if (types.has('numeric') && types.size > 1) {
    const numeric = present.find((p) => p.column!.data.type === 'numeric')!;
    const other = present.find((p) => p.column!.data.type !== 'numeric')!;
    throw new StepInputError(
      `column "${name}" is numeric in in.${numeric.part.port} but ${other.column!.data.type} in in.${other.part.port}: give one of them another name (rename: { ${other.part.port}: { ${name}: NEW } })`,
    );
  }
  const n = pieces.reduce((k, p) => k + p.part.ds.rowCount, 0);
  if (types.has('numeric')) {
    const values = new Float64Array(n).fill(Number.NaN);
    let at = 0;
    for (const p of pieces) {
      if (p.column?.data.type === 'numeric') values.set(p.column.data.values, at);
      at += p.part.ds.rowCount;
    }
    return { type: 'numeric', values };
  }
  if (types.has('text')) {
    // concat, not push(...): a spread of a million values would overflow the call stack.
    const values = pieces.reduce<(string | null)[]>(
      (all, p) => all.concat(p.column ? asText(p.column.data) : new Array<null>(p.part.ds.rowCount).fill(null)),
      [],
    );
    return { type: 'text', values };
  }
  // Categorical everywhere: the categories in order of first appearance, codes remapped.
  const categories: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(n).fill(-1);
  let at = 0;
  for (const p of pieces) {
    const d = p.column?.data;
    if (d?.type === 'categorical') {
      const map = d.categories.map((c) => {
        if (!index.has(c)) index.set(c, categories.push(c) - 1);
        return index.get(c)!;
      });
      for (let i = 0; i < d.codes.length; i++) if (d.codes[i] >= 0) codes[at + i] = map[d.codes[i]];
    }
    at += p.part.ds.rowCount;
  }
  return { type: 'categorical', codes, categories };
}

/** The target of the output: the first input's, if its column is kept. */
function targetOf(parts: readonly Part[], names: ReadonlySet<string>): TargetInfo | undefined {
  const t = parts.find((p) => p.ds.target)?.ds.target;
  return t && names.has(t.column) ? t : undefined;
}

/** The id column duplicates are judged by: the one named, or the one id column every input has. */
function idColumn(parts: readonly Part[], params: Params, names: readonly string[]): string {
  if (params.id !== null) {
    if (!names.includes(params.id)) throw new StepInputError(`id: no column "${params.id}"${didYouMean(params.id, names)} in the combined table`);
    return params.id;
  }
  const shared = parts[0].ds.columns.filter((c) => c.kind === 'id' && parts.every((p) => p.ds.columns.some((x) => x.name === c.name && x.kind === 'id')));
  if (shared.length === 1) return shared[0].name;
  throw new StepInputError(
    `duplicates: ${params.duplicates} needs the column that identifies a row, and the inputs share ${shared.length ? `${shared.length} id columns (${shared.map((c) => c.name).join(', ')})` : 'no id column'}: set id: to one (e.g. canonical_smiles for the same molecule under two ids; rename: gives columns one name), or duplicates: keep`,
  );
}

/** Row indices to keep: all, or the first of each id; duplicates as an error naming rows and inputs (never the values). */
function dedupe(values: readonly (string | null)[], parts: readonly Part[], params: Params, id: string): { keep: number[]; dropped: number } {
  const where = (row: number): string => {
    let at = row;
    for (const p of parts) {
      if (at < p.ds.rowCount) return `row ${at + 1} of in.${p.port}`;
      at -= p.ds.rowCount;
    }
    return `row ${row + 1}`;
  };
  const first = new Map<string, number>();
  const keep: number[] = [];
  const repeats: [number, number][] = [];
  values.forEach((v, row) => {
    // A row without an id is no one's duplicate.
    if (v === null) return keep.push(row);
    const seen = first.get(v);
    if (seen === undefined) {
      first.set(v, row);
      keep.push(row);
    } else repeats.push([row, seen]);
  });
  if (repeats.length && params.duplicates === 'error') {
    const named = repeats
      .slice(0, ROWS_NAMED)
      .map(([row, seen]) => `${where(row)} repeats ${where(seen)}`)
      .join('; ');
    const more = repeats.length > ROWS_NAMED ? ` (and ${repeats.length - ROWS_NAMED} more)` : '';
    throw new StepInputError(
      `${repeats.length} row${repeats.length === 1 ? '' : 's'} repeat the ${id} of a row already combined: ${named}${more}. Set duplicates: first to keep only the first, or keep to keep them all`,
    );
  }
  return { keep, dropped: repeats.length };
}

export default defineStep<Params>({
  id: 'combine',
  version: '1',
  description: 'Stack the rows of 2 to 4 datasets into one (columns matched by name), with a column naming where each row came from.',
  inputs: {
    a: { kind: 'dataset', description: 'The first rows.' },
    b: { kind: 'dataset', description: 'Rows added after a.' },
    c: { kind: 'dataset', optional: true, description: 'Rows added after b.' },
    d: { kind: 'dataset', optional: true, description: 'Rows added after c.' },
  },
  outputs: { data: { kind: 'dataset', description: "Every input's rows, in input order (a, b, c, d), each input's in its own order." } },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: {
        enum: ['all', 'shared'],
        default: 'all',
        description:
          "all: every column any input has, missing in the rows of inputs without it; shared: only the columns every input has. A column's kind is that of the first input with it.",
      },
      rename: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(PORTS.map((p) => [p, { type: 'object', additionalProperties: { type: 'string', minLength: 1 } }])),
        default: {},
        description: 'Columns renamed before matching, per input, e.g. { b: { nci_id: compound_id } } so two id columns become one.',
      },
      source: {
        type: ['string', 'null'],
        minLength: 1,
        default: 'source',
        description: 'Name of the added column saying which input each row came from (an id column, never a feature); null: no such column.',
      },
      labels: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(PORTS.map((p) => [p, { type: 'string', minLength: 1 }])),
        default: {},
        description: 'What the source column says for each input, e.g. { a: series, b: library }; default the input names a, b, c, d.',
      },
      id: {
        type: ['string', 'null'],
        default: null,
        description:
          'The column that identifies a row for duplicates (after rename:); null = the one id column every input has. Any column works, e.g. canonical_smiles for the same molecule under two ids.',
      },
      duplicates: {
        enum: ['error', 'first', 'keep'],
        default: 'error',
        description: 'Rows whose id an earlier row already has: error (the step fails, naming the rows), first (only the first is kept), keep (all are kept).',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { makeDataset, takeRows } = await import('../data/dataset.js');

    const parts: Part[] = [];
    for (const port of PORTS) {
      const path = ctx.input(port);
      if (!path) continue;
      const part: Part = { port, label: params.labels[port] ?? port, ds: await readDatasetFile(path) };
      parts.push({ ...part, ds: renamed(part, params.rename[port] ?? {}) });
    }
    for (const port of Object.keys(params.labels) as PortName[])
      if (!parts.some((p) => p.port === port)) throw new StepInputError(`labels.${port}: in.${port} is not wired`);
    for (const port of Object.keys(params.rename) as PortName[])
      if (!parts.some((p) => p.port === port)) throw new StepInputError(`rename.${port}: in.${port} is not wired`);

    const order: string[] = [];
    for (const p of parts) for (const c of p.ds.columns) if (!order.includes(c.name)) order.push(c.name);
    const names = params.columns === 'all' ? order : order.filter((n) => parts.every((p) => p.ds.columns.some((c) => c.name === n)));
    if (!names.length) throw new StepInputError('the inputs share no column: use columns: all, or rename: columns to match');
    if (params.source !== null && names.includes(params.source))
      throw new StepInputError(`source: the inputs already have a column "${params.source}": choose another name for the source column, or null for none`);

    const columns: Column[] = names.map((name) => {
      const pieces = parts.map((part) => ({ part, column: part.ds.columns.find((c) => c.name === name) }));
      const kind = pieces.find((p) => p.column)!.column!.kind;
      return { name, kind, data: stack(name, pieces) };
    });
    if (params.source !== null) {
      const labels = parts.map((p) => p.label);
      const categories = [...new Set(labels)];
      const codes = new Int32Array(parts.reduce((k, p) => k + p.ds.rowCount, 0));
      let at = 0;
      for (const p of parts) {
        codes.fill(categories.indexOf(p.label), at, at + p.ds.rowCount);
        at += p.ds.rowCount;
      }
      columns.push({ name: params.source, kind: 'id', data: { type: 'categorical', codes, categories } });
    }
    const target = targetOf(parts, new Set(names));
    let combined = makeDataset(columns, target);

    let dropped = 0;
    if (params.duplicates !== 'keep') {
      const id = idColumn(parts, params, names);
      const result = dedupe(asText(combined.columns.find((c) => c.name === id)!.data), parts, params, id);
      dropped = result.dropped;
      if (dropped) combined = takeRows(combined, result.keep);
      if (dropped) ctx.log(`${dropped} rows repeat the ${id} of an earlier row: only the first is kept`);
    }
    await writeDatasetFile(ctx.output('data'), combined);

    const others = parts.filter((p) => p.ds.target && p.ds.target.column !== target?.column);
    if (others.length)
      ctx.log(
        `target: ${target ? `"${target.column}" (in.${parts.find((p) => p.ds.target)!.port})` : 'none'} kept; in.${others[0].port} names "${others[0].ds.target!.column}"`,
      );
    const leftOut = order.filter((n) => !names.includes(n));
    if (leftOut.length) ctx.log(`${leftOut.length} columns not in every input left out (columns: shared)`);
    ctx.log(
      `${combined.rowCount} rows: ${parts.map((p) => `${p.ds.rowCount} from ${p.port === p.label ? `in.${p.port}` : `${p.label} (in.${p.port})`}`).join(', ')}`,
    );
    return {
      rows: combined.rowCount,
      columns: combined.columns.length,
      inputs: Object.fromEntries(parts.map((p) => [p.label, p.ds.rowCount])),
      ...(params.duplicates !== 'keep' ? { duplicates_dropped: dropped } : {}),
    };
  },
});

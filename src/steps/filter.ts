/**
 * Step `filter`: keeps the rows of a dataset that meet every condition, e.g. the actives of a
 * compound series (`pic50 >= 7`) to train a generator on, or one site's patients. Columns, kinds
 * and the target are unchanged.
 */
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';

type Op = '>=' | '>' | '<=' | '<' | '==' | '!=' | 'in' | 'not in';

export interface Condition {
  column: string;
  op: Op;
  value: number | string | boolean | (number | string)[];
}

interface Params {
  where: Condition[];
  allow_empty: boolean;
}

const NUMERIC_OPS = new Set<Op>(['>=', '>', '<=', '<']);

/** A predicate over one row index, checked against the column's type before any row is read (also evaluate.screening's `active:` rule). */
export function rowTest(c: Condition, column: import('../data/dataset.js').Column): (r: number) => boolean {
  const d = column.data;
  const list = Array.isArray(c.value) ? c.value : [c.value];
  if ((c.op === 'in' || c.op === 'not in') !== Array.isArray(c.value)) {
    throw new StepInputError(
      `where: ${c.column} ${c.op}: ${c.op === 'in' || c.op === 'not in' ? 'the value must be a list' : 'a list value needs op "in" or "not in"'}`,
    );
  }
  if (d.type === 'numeric') {
    const nums = list.map((v) => (typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : Number.NaN));
    if (nums.some(Number.isNaN))
      throw new StepInputError(`where: column "${c.column}" is numeric, so its value must be a number, got ${JSON.stringify(c.value)}`);
    const v = d.values;
    const x = nums[0];
    switch (c.op) {
      case '>=':
        return (r) => v[r] >= x;
      case '>':
        return (r) => v[r] > x;
      case '<=':
        return (r) => v[r] <= x;
      case '<':
        return (r) => v[r] < x;
      case '==':
        return (r) => v[r] === x;
      case '!=':
        return (r) => !Number.isNaN(v[r]) && v[r] !== x;
      case 'in': {
        const s = new Set(nums);
        return (r) => s.has(v[r]);
      }
      case 'not in': {
        const s = new Set(nums);
        return (r) => !Number.isNaN(v[r]) && !s.has(v[r]);
      }
    }
  }
  if (NUMERIC_OPS.has(c.op)) throw new StepInputError(`where: column "${c.column}" is ${d.type}, so ${c.op} does not apply: use ==, !=, in or not in`);
  const wanted = new Set(list.map(String));
  const negate = c.op === '!=' || c.op === 'not in';
  if (d.type === 'categorical') {
    const hit = Uint8Array.from(d.categories, (k) => (wanted.has(k) ? 1 : 0));
    return (r) => d.codes[r] >= 0 && (hit[d.codes[r]] === 1) !== negate;
  }
  return (r) => d.values[r] !== null && wanted.has(d.values[r] as string) !== negate;
}

/** One condition's JSON Schema, for every step that takes a row condition (filter's where, evaluate.screening's active). */
export const CONDITION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['column', 'op', 'value'],
  properties: {
    column: { type: 'string' },
    op: { enum: ['>=', '>', '<=', '<', '==', '!=', 'in', 'not in'] },
    value: {
      anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['number', 'string'] }, minItems: 1 }],
    },
  },
} as const;

export default defineStep<Params>({
  id: 'filter',
  version: '1',
  description: 'Keep the rows that meet every condition (e.g. pic50 >= 7). Missing values never match.',
  inputs: { data: { kind: 'dataset', description: 'The table to filter.' } },
  outputs: { data: { kind: 'dataset', description: 'The rows that meet every condition, in input order.' } },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['where'],
    properties: {
      where: {
        type: 'array',
        minItems: 1,
        items: CONDITION_SCHEMA,
        description: 'Conditions, all of which a row must meet, e.g. [{ column: pic50, op: ">=", value: 7 }].',
      },
      allow_empty: {
        type: 'boolean',
        default: false,
        description: 'Whether no row matching is acceptable (by default it fails the step, since an empty table downstream is almost always a mistake).',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { takeRows } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    const ds = await readDatasetFile(ctx.input('data')!);
    const names = new Set(ds.columns.map((c) => c.name));
    const tests = params.where.map((c) => {
      const column = ds.columns.find((k) => k.name === c.column);
      if (!column) throw new StepInputError(`where: no column "${c.column}"${didYouMean(c.column, names)} in in.data`);
      return rowTest(c, column);
    });
    const kept: number[] = [];
    for (let r = 0; r < ds.rowCount; r++) if (tests.every((t) => t(r))) kept.push(r);
    const describe = params.where.map((c) => `${c.column} ${c.op} ${JSON.stringify(c.value)}`).join(' and ');
    if (!kept.length && !params.allow_empty)
      throw new StepInputError(`no row meets ${describe} (of ${ds.rowCount} rows): check the condition, or set allow_empty: true`);
    await writeDatasetFile(ctx.output('data'), takeRows(ds, kept));
    ctx.log(`${kept.length} of ${ds.rowCount} rows meet ${describe}`);
    return { rows: kept.length, of: ds.rowCount };
  },
});

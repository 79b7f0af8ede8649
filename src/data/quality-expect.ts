/**
 * Declared expectations of check.data: `expect: { age: { min: 0, max: 120 }, patient_id: unique,
 * bmi: { missing: "<= 0.1" }, sex: { levels: [female, male] } }`. Each rule that does not hold is
 * a violation named by column, rule, number of rows and the first row numbers, never by value.
 */
import { StepInputError } from '../errors.js';
import { parseGates } from '../ml/metrics/gates.js';
import { closest } from '../suggest.js';
import { missingMask, type Column, type Dataset } from './dataset.js';
import { EXAMPLE_ROWS, repeatedRows, stringsOf } from './quality.js';

export interface ColumnExpectation {
  min?: number;
  max?: number;
  unique?: boolean;
  /** A condition on the fraction of rows missing, e.g. "<= 0.1". */
  missing?: string;
  levels?: string[];
}

/** As written under `expect:`: a rule object, or the shorthand `unique`. */
export type ExpectationSpec = ColumnExpectation | 'unique';

export interface ExpectationResult {
  column: string;
  /** The rule as written, e.g. "max 120", "unique", "missing <= 0.1", "levels". */
  rule: string;
  passed: boolean;
  /** Rows that break the rule (for `missing`: the missing rows). */
  rows: number;
  /** The first row numbers (1-based) that break it. */
  examples: number[];
}

function rowsWhere(n: number, test: (i: number) => boolean): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (test(i)) rows.push(i + 1);
  return rows;
}

const result = (column: string, rule: string, rows: number[], passed = rows.length === 0): ExpectationResult => ({
  column,
  rule,
  passed,
  rows: rows.length,
  examples: rows.slice(0, EXAMPLE_ROWS),
});

function findColumn(ds: Dataset, name: string): Column {
  const c = ds.columns.find((x) => x.name === name);
  if (c) return c;
  const names = ds.columns.map((x) => x.name);
  const near = closest(name, names);
  const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  throw new StepInputError(`expect: column "${name}" is not in the data${near ? `: did you mean "${near}"?` : ''} (columns: ${shown})`);
}

function compare(x: number, op: string, bound: number): boolean {
  return op === '>=' ? x >= bound : op === '>' ? x > bound : op === '<=' ? x <= bound : op === '<' ? x < bound : x === bound;
}

export function checkExpectations(ds: Dataset, expect: Readonly<Record<string, ExpectationSpec>>): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const [name, spec] of Object.entries(expect)) {
    const c = findColumn(ds, name);
    const rules: ColumnExpectation = spec === 'unique' ? { unique: true } : spec;
    const n = ds.rowCount;
    if (rules.min !== undefined || rules.max !== undefined) {
      if (c.data.type !== 'numeric') throw new StepInputError(`expect: "${name}" is ${c.data.type}, so min/max do not apply (use levels: for categories)`);
      const v = c.data.values;
      if (rules.min !== undefined) {
        const min = rules.min;
        out.push(
          result(
            name,
            `min ${min}`,
            rowsWhere(n, (i) => v[i] < min),
          ),
        );
      }
      if (rules.max !== undefined) {
        const max = rules.max;
        out.push(
          result(
            name,
            `max ${max}`,
            rowsWhere(n, (i) => v[i] > max),
          ),
        );
      }
    }
    if (rules.unique) out.push(result(name, 'unique', repeatedRows(stringsOf(c.data)).rows));
    if (rules.missing !== undefined) {
      const [gate] = parseGates({ [`${name}.missing`]: rules.missing });
      const mask = missingMask(c.data);
      const rows = rowsWhere(n, (i) => mask[i] === 1);
      out.push(result(name, `missing ${gate.condition}`, rows, compare(n ? rows.length / n : 0, gate.operator, gate.bound)));
    }
    if (rules.levels !== undefined) {
      if (c.data.type === 'numeric') throw new StepInputError(`expect: "${name}" is numeric, so levels: does not apply (use min/max)`);
      const allowed = new Set(rules.levels);
      const values = stringsOf(c.data);
      out.push(
        result(
          name,
          'levels',
          rowsWhere(n, (i) => values[i] !== null && !allowed.has(values[i] as string)),
        ),
      );
    }
  }
  return out;
}

/** One line per failed expectation: column, rule, how many rows and which (numbers only). */
export function violationLines(results: readonly ExpectationResult[]): string[] {
  return results
    .filter((r) => !r.passed)
    .map(
      (r) =>
        `expectation failed: column "${r.column}" ${r.rule}: ${r.rows} row${r.rows === 1 ? '' : 's'}${r.examples.length ? ` (row${r.examples.length === 1 ? '' : 's'} ${r.examples.join(', ')}${r.rows > r.examples.length ? ', …' : ''})` : ''}`,
    );
}

/**
 * Quality gates: `{ roc_auc: ">= 0.97", "roc_auc.ci_low": ">= 0.9" }`. A key is a metric name,
 * optionally with `.value`, `.ci_low` or `.ci_high`; a condition is one of >=, >, <=, <, == and a
 * number. A gate on a metric that could not be computed fails, with the reason.
 */
import { StepInputError } from '../../errors.js';
import type { MetricEstimate } from './bootstrap.js';

export type GateOperator = '>=' | '>' | '<=' | '<' | '==';
type Part = 'value' | 'ci_low' | 'ci_high';

export interface Gate {
  key: string;
  metric: string;
  part: Part;
  operator: GateOperator;
  bound: number;
  /** The condition as written, e.g. ">= 0.97". */
  condition: string;
}

export interface GateResult {
  gate: string;
  required: string;
  actual: number | null;
  passed: boolean;
  message?: string;
}

const CONDITION = /^\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

export function parseGates(gates: Readonly<Record<string, string>>): Gate[] {
  return Object.entries(gates).map(([key, condition]) => {
    const m = CONDITION.exec(String(condition));
    if (!m)
      throw new StepInputError(
        `gate "${key}": cannot read condition "${condition}" (write an operator and a number, e.g. ">= 0.9"; operators: >=, >, <=, <, ==)`,
      );
    const dot = key.lastIndexOf('.');
    const suffix = dot >= 0 ? key.slice(dot + 1) : '';
    const isPart = suffix === 'value' || suffix === 'ci_low' || suffix === 'ci_high';
    const metric = isPart ? key.slice(0, dot) : key;
    return { key, metric, part: isPart ? (suffix as Part) : 'value', operator: m[1] as GateOperator, bound: Number(m[2]), condition: `${m[1]} ${m[2]}` };
  });
}

function holds(x: number, op: GateOperator, bound: number): boolean {
  switch (op) {
    case '>=':
      return x >= bound;
    case '>':
      return x > bound;
    case '<=':
      return x <= bound;
    case '<':
      return x < bound;
    case '==':
      return x === bound;
  }
}

/** x with 3 significant digits, or more when needed so the printed number fails the gate as x does. */
export function formatAgainst(x: number, op: GateOperator, bound: number): string {
  for (let digits = 3; digits < 17; digits++) {
    const s = String(Number(x.toPrecision(digits)));
    if (holds(Number(s), op, bound) === holds(x, op, bound)) return s;
  }
  return String(x);
}

const short = (x: number): string => String(Number(x.toPrecision(3)));

function describeCi(e: MetricEstimate, confidence: number): string {
  return e.ci_low !== null && e.ci_high !== null ? ` (${short(confidence * 100)}% CI ${short(e.ci_low)}–${short(e.ci_high)})` : '';
}

export function checkGates(
  gates: readonly Gate[],
  metrics: Readonly<Record<string, MetricEstimate>>,
  unavailable: Readonly<Record<string, string>>,
  confidence: number,
): GateResult[] {
  return gates.map((g) => {
    const e = metrics[g.metric];
    const actual = e ? e[g.part] : null;
    if (actual === null) {
      const why = unavailable[g.metric] ?? (g.part === 'value' ? 'it is undefined on these rows' : 'no bootstrap resample gave a value');
      return { gate: g.key, required: g.condition, actual, passed: false, message: `gate failed: ${g.key} is not available (${why}), required ${g.condition}` };
    }
    const passed = holds(actual, g.operator, g.bound);
    if (passed) return { gate: g.key, required: g.condition, actual, passed };
    const shown = formatAgainst(actual, g.operator, g.bound);
    const context =
      g.part === 'value'
        ? describeCi(e, confidence)
        : ` (${g.metric} ${e.value === null ? 'n/a' : short(e.value)}${describeCi(e, confidence).replace(/^ \(/, ', ').replace(/\)$/, '')})`;
    return { gate: g.key, required: g.condition, actual, passed, message: `gate failed: ${g.key} = ${shown}${context}, required ${g.condition}` };
  });
}

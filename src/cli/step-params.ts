/**
 * A step type's `with:` parameters as rows of a reference: name, type, default, allowed values
 * and description, read from the JSON Schema the engine validates with, so the reference cannot
 * drift from what a pipeline may say. The keys of a mapping parameter get rows of their own
 * (`bootstrap.resamples`), as do the keys of a list's items (`subgroups[].column`).
 */
import { acceptedValues, showValue, type SchemaLike } from '../engine/param-errors.js';
import type { StepType } from '../engine/step-type.js';

export interface ParamRow {
  /** As written under `with:`: `trees`, `bootstrap.resamples`, `subgroups[].column`. */
  name: string;
  /** `integer`, `string | number`, `list of string`, `mapping`. */
  type: string;
  required: boolean;
  /** The default as YAML would read it (`"rbf"`, `1000`, `null`); undefined when there is none. */
  default?: string;
  /** What values are accepted, beyond the type (`"linear", "rbf" or "poly"`, `a number > 0`); undefined when any value of the type is. */
  allowed?: string;
  description: string;
}

/** The schema keywords this reference reads, beyond those error messages read. */
interface ParamSchema extends SchemaLike {
  anyOf?: ParamSchema[];
  items?: ParamSchema;
  properties?: Record<string, ParamSchema>;
  required?: readonly string[];
  default?: unknown;
  description?: string;
  pattern?: string;
  minLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

const TYPE_WORDS: Record<string, string> = { object: 'mapping', array: 'list' };

function typeOf(s: ParamSchema): string {
  const names = new Set<string>();
  if (s.anyOf) for (const b of s.anyOf) for (const t of typeOf(b).split(' | ')) names.add(t);
  else if (s.enum) for (const v of s.enum) names.add(v === null ? 'null' : typeof v);
  else if ('const' in s) names.add(s.const === null ? 'null' : typeof s.const);
  else
    for (const t of s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type])
      names.add(t === 'array' && s.items ? `list of ${typeOf(s.items)}` : (TYPE_WORDS[t] ?? t));
  return names.size ? [...names].join(' | ') : 'any';
}

function hasBounds(s: ParamSchema): boolean {
  return s.minimum !== undefined || s.maximum !== undefined || s.exclusiveMinimum !== undefined || s.exclusiveMaximum !== undefined;
}

/** What a value must be beyond its type, or undefined when the type says it all. */
function allowedOf(s: ParamSchema): string | undefined {
  const parts: string[] = [];
  if (s.anyOf || s.enum || 'const' in s || hasBounds(s)) parts.push(acceptedValues(s));
  if (s.pattern) parts.push(s.patternErrorMessage ?? `matching /${s.pattern}/`);
  if (s.minLength) parts.push(s.minLength === 1 ? 'not empty' : `at least ${s.minLength} characters`);
  if (s.minItems) parts.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems} item${s.maxItems === 1 ? '' : 's'}`);
  if (s.uniqueItems) parts.push('no repeats');
  const items = s.items && !s.items.properties ? allowedOf(s.items) : undefined;
  if (items) parts.push(`each ${items}`);
  return parts.length ? parts.join('; ') : undefined;
}

/** The mappings whose keys get rows of their own under this parameter, with the suffix their names take. */
function nestedObjects(s: ParamSchema, suffix = ''): { suffix: string; schema: ParamSchema }[] {
  const out: { suffix: string; schema: ParamSchema }[] = [];
  if (s.properties) out.push({ suffix, schema: s });
  for (const b of s.anyOf ?? []) out.push(...nestedObjects(b, suffix));
  if (s.items) out.push(...nestedObjects(s.items, `${suffix}[]`));
  return out;
}

function rowsOf(properties: Record<string, ParamSchema>, required: readonly string[], prefix: string): ParamRow[] {
  const rows: ParamRow[] = [];
  for (const [key, s] of Object.entries(properties)) {
    const name = `${prefix}${key}`;
    const allowed = allowedOf(s);
    rows.push({
      name,
      type: typeOf(s),
      required: required.includes(key),
      ...('default' in s ? { default: showValue(s.default) } : {}),
      ...(allowed ? { allowed } : {}),
      description: s.description ?? '',
    });
    const seen = new Set<string>();
    for (const nested of nestedObjects(s)) {
      // The same keys reached through two branches (a strategy name, or a mapping of it) are listed once.
      const fresh = Object.fromEntries(Object.entries(nested.schema.properties ?? {}).filter(([k]) => !seen.has(`${nested.suffix}.${k}`)));
      for (const k of Object.keys(fresh)) seen.add(`${nested.suffix}.${k}`);
      rows.push(...rowsOf(fresh, nested.schema.required ?? [], `${name}${nested.suffix}.`));
    }
  }
  return rows;
}

export function paramRows(type: StepType): ParamRow[] {
  const schema = type.params as unknown as ParamSchema;
  return rowsOf(schema.properties ?? {}, schema.required ?? [], '');
}

/**
 * How ajv's errors about a step's `with:` values read to a user: one message per problem, in
 * the pipeline's terms (`with.C must be a finite number (got .inf)`), rather than ajv's one
 * message per branch of every `anyOf`.
 */
import type { ErrorObject } from 'ajv';
import type { StepType } from './step-type.js';
import { didYouMean } from '../suggest.js';

/** A schema as far as messages (and the step reference, src/cli/step-params.ts) need it. */
export interface SchemaLike {
  type?: string | string[];
  anyOf?: SchemaLike[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /** The reason a pattern exists, in words (also shown by editors that support it). */
  patternErrorMessage?: string;
  /** JSON Schema's examples: a value of the wrong type is told the shape expected, e.g. `{ column: sex }`. */
  examples?: unknown[];
}

/** A value as the user wrote it in YAML: `.inf` rather than JSON's `null` for Infinity. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  return JSON.stringify(value) ?? String(value);
}

/**
 * ajv reports a value that fits no branch of an `anyOf` once per branch and once for the
 * `anyOf`. When the value got past a branch's type and failed inside it (a mapping with a bad
 * entry), that branch's inner errors say what is wrong; otherwise one message lists what the
 * branches accept.
 */
export function collapseAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  let out = [...errors];
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    const inside = (e: ErrorObject): boolean => e.schemaPath.startsWith(`${anyOf.schemaPath}/`);
    const deeper = out.some((e) => inside(e) && e.instancePath !== anyOf.instancePath);
    const replacement = deeper ? [] : [{ ...anyOf, message: `must be ${alternatives(anyOf.schema as SchemaLike[])} (got ${showValue(anyOf.data)})` }];
    out = out.flatMap((e) => (e === anyOf ? replacement : inside(e) && e.instancePath === anyOf.instancePath ? [] : [e]));
  }
  return out;
}

/** `"scale", "auto" or a number > 0`: what a schema accepts, in the words its error messages use. */
export function acceptedValues(schema: SchemaLike): string {
  return alternatives(schema.anyOf ?? [schema]);
}

/** `"scale", "auto" or a number > 0`: what the branches of an anyOf accept. */
function alternatives(branches: readonly SchemaLike[]): string {
  const all = [...new Set(branches.flatMap(describe))];
  return all.length > 1 ? `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}` : (all[0] ?? 'valid');
}

function describe(schema: SchemaLike): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(describe);
  if (schema.enum) return schema.enum.map(showValue);
  if ('const' in schema) return [showValue(schema.const)];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.map((t) => {
    switch (t) {
      case 'number':
        return `a number${bounds(schema)}`;
      case 'integer':
        return `a whole number${bounds(schema)}`;
      case 'object':
        return 'a mapping';
      case 'array':
        return 'a list';
      case 'boolean':
        return 'true or false';
      case 'null':
        return 'null';
      default:
        return `a ${t}`;
    }
  });
}

function bounds(s: SchemaLike): string {
  const parts = [
    s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined ? `>= ${s.minimum}` : undefined,
    s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : s.maximum !== undefined ? `<= ${s.maximum}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** A value as a user would write it in YAML's flow style: `{ column: age, bins: [0, 40] }`. */
export function flowYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowYaml).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${flowYaml(v)}`)
      .join(', ')} }`;
  if (typeof value === 'string' && /^[A-Za-z_][\w.-]*$/.test(value)) return value;
  return showValue(value);
}

/** `{ column: sex } (or { column: age, bins: [0, 40, 65, 120] })`. */
function likeExamples(examples: readonly unknown[]): string {
  const [first, ...rest] = examples.map(flowYaml);
  return rest.length ? `${first} (or ${rest.join(', or ')})` : first;
}

function dotted(prefix: string, path: readonly string[]): string {
  return [prefix, ...path].join('.');
}

/**
 * `with.n_estimators is not a known parameter`, with the nearest name when one is a plausible
 * typo, and the names that are valid there: a name from another library (scikit-learn's
 * n_estimators for medpipe's trees) is no typo of anything, and then only the list helps.
 */
export function unknownParameter(path: readonly string[], known: readonly string[]): { text: string; hint?: string } {
  const prop = path[path.length - 1];
  const text = `${dotted('with', path)} is not a known parameter${didYouMean(prop, known)}`;
  if (!known.length) return { text };
  return { text, hint: `${path.length === 1 ? 'its parameters are' : `${dotted('with', path.slice(0, -1))} takes`}: ${known.join(', ')}` };
}

/** The message for one (collapsed) ajv error about `with:`, whether it points at the key or the value, and what would be valid. */
export function paramMessage(e: ErrorObject, path: string[], type: StepType): { text: string; at: 'key' | 'value'; hint?: string } {
  const name = dotted('with', path);
  const parent = (e.parentSchema ?? {}) as SchemaLike;
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = path.length === 0 ? Object.keys(type.params.properties) : Object.keys((parent as { properties?: object }).properties ?? {});
      return { ...unknownParameter([...path, prop], known), at: 'key' };
    }
    case 'required':
      return {
        text: `${name === 'with' ? 'with' : name} is missing the required parameter "${(e.params as { missingProperty: string }).missingProperty}"`,
        at: 'key',
      };
    case 'type':
      // YAML's .inf and .nan are numbers to JavaScript; the schemas only accept finite ones.
      if (typeof e.data === 'number' && !Number.isFinite(e.data)) return { text: `${name} must be a finite number (got ${showValue(e.data)})`, at: 'value' };
      if (parent.examples?.length) return { text: `${name} must be ${describe(parent).join(' or ')} like ${likeExamples(parent.examples)}`, at: 'value' };
      return { text: `${name} must be ${(e.params as { type: string }).type}`, at: 'value' };
    case 'enum':
      return {
        text: `${name} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
        at: 'value',
      };
    case 'pattern': {
      const rule = parent.patternErrorMessage ? `is ${parent.patternErrorMessage}` : (e.message ?? 'is invalid');
      if (e.propertyName !== undefined) return { text: `${name} key "${e.propertyName}" ${rule}`, at: 'key' };
      return { text: `${name} ${showValue(e.data)} ${rule}`, at: 'value' };
    }
    default:
      return { text: `${name} ${e.message ?? 'is invalid'}`, at: 'value' };
  }
}

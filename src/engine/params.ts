/**
 * Pipeline parameters: `${params.NAME}` interpolation and `--set KEY=VALUE` overrides.
 * A string that is exactly `${params.x}` takes the parameter's value with its type (a number
 * stays a number); inside a longer string the value is spliced in as text.
 */
import { yaml } from '../yaml.js';
import { UsageError, type SourceLocation } from '../errors.js';

const PARAM_REF = /\$\{params\.([A-Za-z_][A-Za-z0-9_-]*)\}/g;
const WHOLE_PARAM_REF = /^\$\{params\.([A-Za-z_][A-Za-z0-9_-]*)\}$/;

export interface Override {
  /** As typed, for messages: `svm.C=10`. */
  readonly raw: string;
  /** `[name]` for a pipeline parameter, `[step, key, …]` for a step's `with:` value. */
  readonly path: readonly string[];
  readonly value: unknown;
}

/** Parses `--set KEY=VALUE`; the value is read as a YAML scalar or flow value (10, true, [1, 2]). */
export function parseOverride(raw: string): Override {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${raw}: expected KEY=VALUE, e.g. --set seed=7 or --set svm.C=10`);
  const key = raw.slice(0, eq);
  const text = raw.slice(eq + 1);
  let value: unknown;
  try {
    value = text === '' ? '' : yaml().parse(text);
  } catch {
    value = text;
  }
  return { raw, path: key.split('.'), value };
}

/** A `${params.NAME}` reference and where in the value it is. */
export type ParamRef = { path: (string | number)[]; name: string };
export type Unresolved = ParamRef;

/**
 * Replaces parameter references in a value (recursively). Unknown names are collected, not
 * thrown, so every one of them can be reported together; the references resolved are collected
 * in `used`, so a value a `--set` of the parameter made invalid can be blamed on the override.
 */
export function interpolate(
  value: unknown,
  params: Readonly<Record<string, unknown>>,
  path: (string | number)[],
  unknown: Unresolved[],
  used: ParamRef[] = [],
): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PARAM_REF.exec(value);
    if (whole) {
      if (!Object.hasOwn(params, whole[1])) {
        unknown.push({ path, name: whole[1] });
        return value;
      }
      used.push({ path, name: whole[1] });
      return params[whole[1]];
    }
    return value.replace(PARAM_REF, (ref, name: string) => {
      if (!Object.hasOwn(params, name)) {
        unknown.push({ path, name });
        return ref;
      }
      used.push({ path, name });
      const v = params[name];
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, params, [...path, i], unknown, used));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, params, [...path, k], unknown, used)]));
  }
  return value;
}

/**
 * Sets `value` at `path` in a copy of `obj`, creating objects along the way. Keys are defined,
 * not assigned, so even a `__proto__` key is a plain property (validation refuses it first).
 */
export function setIn(obj: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = { ...obj };
  const child = copy[path[0]];
  const next =
    path.length === 1
      ? value
      : setIn(
          child !== null && typeof child === 'object' && !Array.isArray(child) && Object.hasOwn(copy, path[0]) ? (child as Record<string, unknown>) : {},
          path.slice(1),
          value,
        );
  Object.defineProperty(copy, path[0], { value: next, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Which part of a `--set` a problem is about: the whole key, one of its names, or the value. */
export type OverridePart = 'key' | 'value' | { readonly name: number };

/**
 * The `--set` on the command line, as a location for diagnostics: the argument as typed, with
 * the part a problem is about underlined (`--set svm.nn=3` with `nn` marked).
 */
export function overrideLocation(o: Override, part: OverridePart): SourceLocation {
  const file = `--set ${o.raw}`;
  const keyLength = o.raw.indexOf('=');
  let start = 0;
  let end = keyLength;
  if (part === 'value') [start, end] = [keyLength + 1, o.raw.length];
  else if (part !== 'key') {
    start = o.path.slice(0, part.name).reduce((n, name) => n + name.length + 1, 0);
    end = start + (o.path[part.name]?.length ?? 0);
  }
  // An empty part (`--set a..b=1`, `--set a=`) is marked by one column where it would be.
  const column = (offset: number): number => '--set '.length + offset + 1;
  return { file, commandLine: true, range: { start: { line: 1, column: column(start) }, end: { line: 1, column: column(Math.max(end, start + 1)) } } };
}

/** A command-line argument `FLAG VALUE` as a location for diagnostics, with VALUE underlined. */
export function argumentLocation(flag: string, value: string): SourceLocation {
  const start = flag.length + 2;
  return {
    file: `${flag} ${value}`,
    commandLine: true,
    range: { start: { line: 1, column: start }, end: { line: 1, column: start + Math.max(1, value.length) } },
  };
}

/**
 * One step's `with:` values: interpolated from the pipeline's parameters, overridden by `--set`,
 * checked against its step type's schema (each combination of its `matrix:` on its own), and the
 * data files it names checked to exist. A problem is reported where the value came from: a
 * `--set` (pointing at the step in the file too), the matrix, or the file.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { DataError, type Diagnostic, type RelatedLocation } from '../errors.js';
import { dataFileName, POINTER_SUFFIX, pointerPathFor, readPointer } from './data-pointer.js';
import { collapseAnyOf, paramMessage, showValue, unknownParameter } from './param-errors.js';
import { interpolate, setIn, type Override, type OverridePart, type ParamRef, type Unresolved } from './params.js';
import { combinations, type Sweep } from './sweep.js';
import { diagnosticAt, existsAt, locationAt, type PathSegment, type PipelineSource } from './source.js';
import type { StepType } from './step-type.js';
import { didYouMean } from '../suggest.js';
import { overrideDiagnostic } from './validate-overrides.js';
import { schemaValidator } from './schema-validators.js';

/** A step of the file as far as its parameters go. */
export interface StepParamsInput {
  readonly id: string;
  /** Undefined when `uses:` names no step type: only the interpolation is checked. */
  readonly type: StepType | undefined;
  readonly with: Readonly<Record<string, unknown>>;
  readonly matrix: Readonly<Record<string, unknown>> | undefined;
}

/** The pipeline-wide context every step's parameters are checked in. */
export interface ParamsContext {
  readonly source: PipelineSource;
  /** Folder of the pipeline file: data paths are relative to it. */
  readonly dir: string;
  /** The pipeline's parameters, --set applied. */
  readonly params: Readonly<Record<string, unknown>>;
  /** `--set NAME=…` of pipeline parameters. */
  readonly paramOverrides: readonly Override[];
  /** `--set STEP.NAME=…`, of every step. */
  readonly stepOverrides: readonly Override[];
  /** The store where compiled validators of custom steps' schemas are kept (schema-validators.ts). */
  readonly storeDir?: string;
}

export interface CheckedParams {
  /** Final when nothing was reported (a swept step's final values are its sweep's). */
  readonly params: Record<string, unknown>;
  readonly sweep?: Sweep;
  /** Reports a later problem with one with: value (a published file in the way) where the value came from. */
  readonly report: (name: string, message: string, hint?: string) => void;
}

export function checkStepParams(step: StepParamsInput, ctx: ParamsContext, diagnostics: Diagnostic[]): CheckedParams {
  const problems = new ParamProblems(step, ctx, diagnostics);
  let values = interpolate(step.with, ctx.params, [], problems.unresolved, problems.used) as Record<string, unknown>;
  for (const u of problems.unresolved)
    problems.inFile(['with', ...u.path], `\${params.${u.name}} refers to an unknown pipeline parameter${didYouMean(u.name, Object.keys(ctx.params))}`);
  for (const o of problems.own) values = setIn(values, o.path.slice(1), o.value);
  let sweep: Sweep | undefined;
  if (step.matrix) sweep = checkMatrix(step.matrix, values, problems, diagnostics);
  else values = problems.checkSchema(values) ?? values;
  checkDataFiles(step.type, values, ctx.dir, problems);
  return { params: values, ...(sweep ? { sweep } : {}), report: (name, message, hint) => problems.param(name, message, hint) };
}

/** A matrix: each combination checked with its own values, the same message once; undefined unless every combination is valid. */
function checkMatrix(
  matrix: Readonly<Record<string, unknown>>,
  values: Record<string, unknown>,
  problems: ParamProblems,
  diagnostics: Diagnostic[],
): Sweep | undefined {
  for (const [key, list] of Object.entries(matrix)) {
    const seen = new Set<string>();
    for (const v of Array.isArray(list) ? list : []) {
      const text = JSON.stringify(v);
      if (seen.has(text)) problems.inFile(['matrix', key], `matrix: ${key} lists ${text} more than once`, 'key');
      seen.add(text);
    }
  }
  for (const o of problems.own) {
    if (Object.hasOwn(matrix, o.path[1]))
      problems.override(o, { name: 1 }, `with.${o.path[1]} is swept by matrix:, so --set cannot change it; edit the matrix values in the file`);
  }
  const before = diagnostics.length;
  const lists = Object.fromEntries(Object.entries(matrix).map(([k, v]) => [k, Array.isArray(v) ? v : []]));
  const combos = combinations(lists).map((combo) => ({ values: combo, params: problems.checkSchema({ ...values, ...combo }, Object.keys(combo)) }));
  const seen = new Set<string>();
  const fresh = diagnostics.splice(before).filter((d) => !seen.has(d.message) && seen.add(d.message));
  diagnostics.push(...fresh);
  if (!combos.every((c): c is { values: typeof c.values; params: Record<string, unknown> } => c.params !== undefined)) return undefined;
  return { combos };
}

/**
 * Data files the step reads must exist, or have a valid pointer (data-pointer.ts; the bytes then
 * come from the store or the remote): said now, at the line that names them, not mid-run.
 */
function checkDataFiles(type: StepType | undefined, values: Record<string, unknown>, dir: string, problems: ParamProblems): void {
  for (const name of type?.fileParams ?? []) {
    const value = values[name];
    if (typeof value !== 'string') continue;
    const path = resolve(dir, value);
    const pointer = pointerPathFor(path);
    if (pointer && existsSync(pointer)) {
      try {
        readPointer(pointer, value === dataFileName(value) ? value + POINTER_SUFFIX : value);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        problems.param(name, `with.${name}: ${e.message}`);
      }
      continue;
    }
    if (existsSync(path) && statSync(path).isFile()) continue;
    problems.param(
      name,
      `with.${name}: ${existsSync(path) ? 'is a folder, not a file' : 'file not found'}: ${path}`,
      "relative paths are resolved against the pipeline file's folder",
    );
  }
}

/** Reports one step's parameter problems where each value came from. */
class ParamProblems {
  readonly unresolved: Unresolved[] = [];
  /** The `${params.NAME}` references resolved, to blame a value on a --set of the parameter. */
  readonly used: ParamRef[] = [];
  /** This step's `--set STEP.NAME=…` that name a parameter it declares. */
  readonly own: Override[] = [];

  constructor(
    private readonly step: StepParamsInput,
    private readonly ctx: ParamsContext,
    private readonly diagnostics: Diagnostic[],
  ) {
    for (const o of ctx.stepOverrides.filter((o) => o.path[0] === step.id)) {
      // Checked here, not left to the schema: a step type may accept any parameter in its file, but --set of one it does not declare is a typo.
      const declared = step.type ? Object.keys(step.type.params.properties ?? {}) : [o.path[1]];
      if (declared.includes(o.path[1])) this.own.push(o);
      else {
        const unknown = unknownParameter([o.path[1]], declared);
        this.override(o, { name: 1 }, unknown.text, unknown.hint);
      }
    }
  }

  /** A problem at `path` under the step in the file. */
  inFile(path: PathSegment[], message: string, where: 'key' | 'value' = 'value', hint?: string): void {
    this.diagnostics.push(diagnosticAt(this.ctx.source, ['steps', this.step.id, ...path], `step "${this.step.id}": ${message}`, where, hint));
  }

  /** A problem with a --set: at the argument, and at what it changes in the file (`target`: the with: value the problem is about). */
  override(o: Override, part: OverridePart, message: string, hint?: string, target: readonly string[] = []): void {
    this.diagnostics.push(overrideDiagnostic(o, part, `step "${this.step.id}": ${message}`, hint, this.changedInFile(o, target)));
  }

  /** A problem with with.NAME where its value comes from: a --set, the matrix or the file. */
  param(name: string, message: string, hint?: string): void {
    const override = this.overrideFor([name]);
    if (override) this.override(override, 'value', message, undefined, [name]);
    else if (this.step.matrix && Object.hasOwn(this.step.matrix, name)) this.inFile(['matrix', name], `matrix: ${message}`, 'key', hint);
    else this.inFile(['with', name], message, 'value', hint);
  }

  /** The values checked against the step type's schema; undefined (and reported) when they fail it. */
  checkSchema(values: Record<string, unknown>, matrixKeys: readonly string[] = []): Record<string, unknown> | undefined {
    const type = this.step.type;
    if (!type) return undefined;
    const validate = schemaValidator(type.params, this.ctx.storeDir);
    const candidate = structuredClone(values);
    if (validate(candidate)) return candidate;
    // A propertyNames error only summarises the errors about each name, and an if error ("must
    // match "then" schema") the errors of its then/else branch: those are reported themselves.
    for (const e of collapseAnyOf(validate.errors ?? []).filter((e) => e.keyword !== 'propertyNames' && e.keyword !== 'if'))
      this.schemaError(e, type, values, matrixKeys);
    return undefined;
  }

  private schemaError(e: ErrorObject, type: StepType, values: Record<string, unknown>, matrixKeys: readonly string[]): void {
    const path = instancePath(e);
    // A value that is still an unresolved ${params.x} has been reported already.
    if (this.unresolved.some((u) => u.path.length === path.length && samePrefix(u.path.map(String), path))) return;
    const target = errorTarget(e, path);
    const message = paramMessage(e, path, type);
    const override = this.overrideFor(target);
    const inMatrix = matrixKeys.find((k) => k === target[0]);
    if (override) this.override(override, overridePart(override, target, message.at), message.text, message.hint, target);
    else if (inMatrix !== undefined)
      this.inFile(
        ['matrix', inMatrix],
        `matrix: ${message.text}${e.keyword === 'additionalProperties' ? '' : ` (value ${showValue(values[inMatrix])})`}`,
        'key',
        message.hint,
      );
    else this.inFile(['with', ...target], message.text, message.at, message.hint);
  }

  /** The --set behind the value at `target` of with:, directly (STEP.NAME=…) or through a ${params.NAME} it set. */
  private overrideFor(target: readonly string[]): Override | undefined {
    if (target.length === 0) return undefined;
    return (
      this.own.find((o) => samePrefix(o.path.slice(1), target)) ??
      this.ctx.paramOverrides.find((o) => this.used.some((u) => u.name === o.path[0] && samePrefix(u.path.map(String), target)))
    );
  }

  /**
   * Where a --set lands in the file: for STEP.NAME=…, the value it replaces, or the step when the
   * file does not set it; for a pipeline parameter, the values of this step that use it (those at
   * `target` when there are any).
   */
  private changedInFile(o: Override, target: readonly string[]): RelatedLocation[] {
    const { source } = this.ctx;
    const id = this.step.id;
    if (o.path[0] !== id) {
      const uses = this.used.filter((u) => u.name === o.path[0]);
      const there = uses.filter((u) => samePrefix(u.path.map(String), target));
      return (there.length ? there : uses).map((u) => ({
        ...locationAt(source, ['steps', id, 'with', ...u.path]),
        message: `step "${id}" uses \${params.${u.name}} here`,
      }));
    }
    const withPath = ['steps', id, 'with', ...o.path.slice(1)];
    if (existsAt(source, withPath)) return [{ ...locationAt(source, withPath), message: 'the value in the file, which this --set replaces' }];
    return [{ ...locationAt(source, ['steps', id], 'key'), message: `step "${id}", which this --set changes` }];
  }
}

/**
 * The part of a --set a schema error is about: one of its names when the error is about a key
 * the override itself names (`--set svm.opts.nx=1`), else its value.
 */
function overridePart(o: Override, target: readonly string[], at: 'key' | 'value'): OverridePart {
  if (at === 'key' && o.path.length > 1 && target.length > 0 && target.length <= o.path.length - 1) return { name: target.length };
  return 'value';
}

/** The path of the value an ajv error is about, as names. */
export function instancePath(e: ErrorObject): string[] {
  return e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The path a problem is about: for an unknown property, the property itself. */
function errorTarget(e: ErrorObject, path: string[]): string[] {
  if (e.keyword === 'additionalProperties') return [...path, String((e.params as { additionalProperty: string }).additionalProperty)];
  if (e.propertyName !== undefined) return [...path, e.propertyName];
  return path;
}

function samePrefix(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

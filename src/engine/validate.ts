/**
 * Turns a parsed pipeline file into a Pipeline, or into the full list of what is wrong with it:
 * schema checks (ajv) with positions, each step's `with:` against its step type's schema, `--set`
 * overrides checked like the file, then graph checks (unknown steps and ports, kinds that do not
 * fit, cycles). Never stops at the first problem.
 */
import { readParamsFile } from './params-file.js';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PipelineError, type Diagnostic } from '../errors.js';
import { builtinSteps } from '../steps/index.js';
import { isCustomStepRef, loadCustomStep, resolveStepPackage } from '../steps/custom.js';
import { findCycle } from './graph.js';
import { collapseAnyOf, paramMessage, showValue, unknownParameter } from './param-errors.js';
import { publishConflicts } from './published-files.js';
import { combinations, expandSweeps, type Sweep } from './sweep.js';
import { MAX_NESTING_DEPTH, sourceToJS } from './load.js';
import { interpolate, setIn, type Override, type ParamRef, type Unresolved } from './params.js';
import type { OutputRef, Pipeline, PipelineStep } from './pipeline.js';
import { isReservedName, MAX_SWEPT_STEP_ID_LENGTH, pipelineBaseSchema, reservedNameMessage, STEP_FIELDS, TOP_LEVEL_KEYS } from './schema.js';
import { diagnosticAt, type PathSegment, type PipelineSource } from './source.js';
import type { StepType } from './step-type.js';
import { closest, didYouMean } from '../suggest.js';

// strictNumbers: YAML's .inf and .nan are numbers to JavaScript, and no parameter means them.
// verbose: errors carry the value and the schema, for messages that name them.
const ajv = new Ajv({ allErrors: true, strict: false, strictNumbers: true, verbose: true, useDefaults: true });
let baseValidator: ValidateFunction | undefined;
const paramValidators = new WeakMap<StepType, ValidateFunction>();

function paramValidator(type: StepType): ValidateFunction {
  let v = paramValidators.get(type);
  if (!v) {
    v = ajv.compile(type.params);
    paramValidators.set(type, v);
  }
  return v;
}

type RawStep = { uses: string; in?: Record<string, string>; with?: Record<string, unknown>; matrix?: Record<string, unknown[]>; needs?: string[]; description?: string };
type RawPipeline = { medpipe: 1; name: string; description?: string; params?: Record<string, unknown>; params_file?: string; steps: Record<string, RawStep> };

export interface ValidateOptions {
  overrides?: readonly Override[];
  /** `--params FILE`: parameter files applied after the pipeline's own, in order (paths as the user gave them). */
  paramsFiles?: readonly string[];
}

/** Validates and resolves; throws PipelineError listing every problem. */
export async function validatePipeline(source: PipelineSource, options: ValidateOptions = {}): Promise<Pipeline> {
  const diagnostics: Diagnostic[] = [];
  const raw = sourceToJS(source);
  baseValidator ??= ajv.compile(pipelineBaseSchema());
  if (!baseValidator(raw)) {
    diagnostics.push(...schemaDiagnostics(source, baseValidator.errors ?? [], []));
    // Without a sound structure the step checks below would only add noise.
    const steps = raw !== null && typeof raw === 'object' ? (raw as RawPipeline).steps : undefined;
    if (steps === null || typeof steps !== 'object' || Array.isArray(steps)) throw new PipelineError(sortDiagnostics(diagnostics));
  }
  const pipelineFile = resolve(source.file);
  const dir = dirname(pipelineFile);
  const doc = raw as RawPipeline;
  const overrides = options.overrides ?? [];

  // Pipeline parameters: params:, then its params_file, then --params files, then --set.
  const fromFiles = pipelineParams(doc, dir, options.paramsFiles ?? [], diagnostics);
  const { params, paramOverrides, stepOverrides } = applyOverrides(doc, fromFiles.params, overrides, diagnostics);

  // One module load per custom step file, however many steps use it.
  const customSteps = new Map<string, ReturnType<typeof loadCustomStep>>();
  // Per step of the file: reports a problem with one of its with: values where the value came from.
  const paramReporters = new Map<string, (name: string, message: string, hint?: string) => void>();
  const steps = new Map<string, PipelineStep>();
  const sweeps = new Map<string, Sweep>();
  const stepIds = Object.keys(doc.steps ?? {});
  for (const id of stepIds) {
    const rawStep = doc.steps[id];
    if (rawStep === null || typeof rawStep !== 'object' || typeof rawStep.uses !== 'string') continue; // reported by the schema
    const at = (path: PathSegment[], message: string, where: 'key' | 'value' = 'value', hint?: string): void => {
      diagnostics.push(diagnosticAt(source, ['steps', id, ...path], `step "${id}": ${message}`, where, hint));
    };

    // The step type.
    let type: StepType | undefined;
    let custom: PipelineStep['custom'];
    if (isCustomStepRef(rawStep.uses) || (!builtinSteps.has(rawStep.uses) && resolveStepPackage(rawStep.uses, dir))) {
      const modulePath = resolveStepPackage(rawStep.uses, dir)?.entry ?? resolve(dir, rawStep.uses);
      if (!customSteps.has(modulePath)) customSteps.set(modulePath, loadCustomStep(rawStep.uses, dir));
      const loaded = await (customSteps.get(modulePath) as ReturnType<typeof loadCustomStep>);
      if ('error' in loaded) at(['uses'], loaded.error);
      else {
        type = loaded.type;
        custom = { modulePath: loaded.modulePath, codeDigest: loaded.codeDigest };
      }
    } else {
      type = builtinSteps.get(rawStep.uses);
      if (!type) at(['uses'], `unknown step type "${rawStep.uses}"${didYouMean(rawStep.uses, builtinSteps.keys())}`, 'value', 'run `medpipe steps` to list the step types');
    }

    // Parameters: interpolate, override, then check against the step type's schema.
    const unresolved: Unresolved[] = [];
    const used: ParamRef[] = [];
    let withValues = interpolate(rawStep.with ?? {}, params, [], unresolved, used) as Record<string, unknown>;
    for (const u of unresolved) at(['with', ...u.path], `\${params.${u.name}} refers to an unknown pipeline parameter${didYouMean(u.name, Object.keys(params))}`);
    const mine: Override[] = [];
    for (const o of stepOverrides.filter((o) => o.path[0] === id)) {
      // Checked here, not left to the schema: a step type may accept any parameter in its file, but --set of one it does not declare is a typo.
      const declared = type ? Object.keys(type.params.properties ?? {}) : [o.path[1]];
      if (declared.includes(o.path[1])) mine.push(o);
      else {
        const unknown = unknownParameter([o.path[1]], declared);
        diagnostics.push(overrideDiagnostic(o, `step "${id}": ${unknown.text}`, unknown.hint));
      }
    }
    for (const o of mine) withValues = setIn(withValues, o.path.slice(1), o.value);
    /** The --set behind the value at `target` of with:, directly (STEP.NAME=…) or through a ${params.NAME} it set. */
    const overrideFor = (target: readonly (string | number)[]): Override | undefined => {
      const path = target.map(String);
      if (path.length === 0) return undefined;
      return mine.find((o) => samePrefix(o.path.slice(1), path)) ?? paramOverrides.find((o) => used.some((u) => u.name === o.path[0] && samePrefix(u.path.map(String), path)));
    };
    const matrix = rawStep.matrix && typeof rawStep.matrix === 'object' ? rawStep.matrix : undefined;
    /** Reports a problem with with.NAME where its value comes from: a --set, the matrix or the file. */
    const reportParam = (name: string, message: string, hint?: string): void => {
      const override = overrideFor([name]);
      if (override) diagnostics.push(overrideDiagnostic(override, `step "${id}": ${message}`));
      else if (matrix && Object.hasOwn(matrix, name)) at(['matrix', name], `matrix: ${message}`, 'key', hint);
      else at(['with', name], message, 'value', hint);
    };
    paramReporters.set(id, reportParam);
    // Checks one set of parameters; a problem in a value the matrix sets is reported at the matrix key.
    const checkParams = (values: Record<string, unknown>, matrixKeys: readonly string[] = []): Record<string, unknown> | undefined => {
      if (!type) return undefined;
      const validate = paramValidator(type);
      const candidate = structuredClone(values);
      if (validate(candidate)) return candidate;
      // A propertyNames error only summarises the errors about each name, reported themselves.
      for (const e of collapseAnyOf(validate.errors ?? []).filter((e) => e.keyword !== 'propertyNames')) {
        const path = instancePath(e);
        // A value that is still an unresolved ${params.x} has been reported already.
        if (unresolved.some((u) => samePrefix(u.path.map(String), path) && u.path.length === path.length)) continue;
        const target = errorTarget(e, path);
        const override = overrideFor(target);
        const message = paramMessage(e, path, type);
        const inMatrix = matrixKeys.find((k) => k === target[0]);
        if (override) diagnostics.push(overrideDiagnostic(override, `step "${id}": ${message.text}`, message.hint));
        else if (inMatrix !== undefined) at(['matrix', inMatrix], `matrix: ${message.text}${e.keyword === 'additionalProperties' ? '' : ` (value ${showValue(values[inMatrix])})`}`, 'key', message.hint);
        else at(['with', ...target], message.text, message.at, message.hint);
      }
      return undefined;
    };
    if (matrix) {
      for (const [key, values] of Object.entries(matrix)) {
        const seen = new Set<string>();
        for (const v of Array.isArray(values) ? values : []) {
          const text = JSON.stringify(v);
          if (seen.has(text)) at(['matrix', key], `matrix: ${key} lists ${text} more than once`, 'key');
          seen.add(text);
        }
      }
      for (const o of mine) {
        if (Object.hasOwn(matrix, o.path[1])) diagnostics.push(overrideDiagnostic(o, `step "${id}": with.${o.path[1]} is swept by matrix:, so --set cannot change it; edit the matrix values in the file`));
      }
      // Each combination is checked with its own values; the same message once per key is enough.
      const before = diagnostics.length;
      const combos = combinations(matrix).map((values) => ({ values, params: checkParams({ ...withValues, ...values }, Object.keys(values)) }));
      const seen = new Set<string>();
      diagnostics.splice(before, diagnostics.length - before, ...diagnostics.slice(before).filter((d) => !seen.has(d.message) && seen.add(d.message)));
      if (combos.every((c) => c.params)) sweeps.set(id, { combos: combos as Sweep['combos'] });
    } else withValues = checkParams(withValues) ?? withValues;

    // Data files the step reads must exist: say so now, at the line that names them, not mid-run.
    for (const name of type?.fileParams ?? []) {
      const value = withValues[name];
      if (typeof value !== 'string') continue;
      const isFile = existsSync(resolve(dir, value)) && statSync(resolve(dir, value)).isFile();
      if (isFile) continue;
      reportParam(name, `with.${name}: ${existsSync(resolve(dir, value)) ? 'is a folder, not a file' : 'file not found'}: ${resolve(dir, value)}`, 'relative paths are resolved against the pipeline file\'s folder');
    }

    // Inputs.
    const inputs: Record<string, OutputRef> = {};
    const fanIn: Record<string, OutputRef[]> = {};
    // A malformed `in:` (not a mapping) is reported by the schema; here it wires nothing.
    const rawIn = typeof rawStep.in === 'object' && rawStep.in !== null ? rawStep.in : {};
    for (const [port, ref] of Object.entries(rawIn)) {
      if (typeof ref !== 'string') continue;
      // hasOwn, not `in`: a port named "constructor" must not find Object.prototype's.
      if (type && !Object.hasOwn(type.inputs, port)) {
        at(['in', port], `"${port}" is not an input of ${type.id}${didYouMean(port, Object.keys(type.inputs))}`, 'key', `its inputs are: ${Object.keys(type.inputs).join(', ') || 'none'}`);
        continue;
      }
      const [refStep, refPort] = ref.split('.');
      inputs[port] = { step: refStep, port: refPort ?? '' };
    }
    if (type) {
      for (const [port, spec] of Object.entries(type.inputs)) {
        if (!spec.optional && !(port in inputs) && !(typeof rawStep.in === 'object' && rawStep.in !== null && Object.hasOwn(rawStep.in, port))) at(rawStep.in ? ['in'] : ['uses'], `input "${port}" (${spec.kind}) is not wired`, 'key', `add in: { ${port}: STEP }`);
      }
    }
    const needs = Array.isArray(rawStep.needs) ? rawStep.needs.filter((n): n is string => typeof n === 'string') : [];
    if (type) steps.set(id, { id, uses: rawStep.uses, type, custom, inputs, fanIn, needs, params: withValues, description: rawStep.description });
  }

  // References between steps: unknown steps and ports, kinds that do not fit.
  for (const step of steps.values()) {
    for (const [port, ref] of Object.entries(step.inputs)) {
      const where: PathSegment[] = ['steps', step.id, 'in', port];
      if (!stepIds.includes(ref.step)) {
        diagnostics.push(diagnosticAt(source, where, `step "${step.id}": in.${port} refers to unknown step "${ref.step}"${didYouMean(ref.step, stepIds)}`));
        continue;
      }
      const upstream = steps.get(ref.step);
      if (!upstream) continue; // its own problem is reported already
      const outPort = ref.port || upstream.type.defaultOutput;
      const out = Object.hasOwn(upstream.type.outputs, outPort) ? upstream.type.outputs[outPort] : undefined;
      if (!out) {
        diagnostics.push(diagnosticAt(source, where, `step "${step.id}": in.${port}: step "${ref.step}" (${upstream.type.id}) has no output "${outPort}"${didYouMean(outPort, Object.keys(upstream.type.outputs))}`, 'value', `its outputs are: ${Object.keys(upstream.type.outputs).join(', ')}`));
        continue;
      }
      const want = step.type.inputs[port];
      if (want && want.kind !== out.kind) {
        diagnostics.push(diagnosticAt(source, where, `step "${step.id}": in.${port} wants a ${want.kind}, but ${ref.step}.${outPort} is a ${out.kind}`));
      }
      if (want?.many) {
        // A fan-in port: the sweep expansion below turns this one reference into all combinations.
        delete (step.inputs as Record<string, OutputRef>)[port];
        (step.fanIn as Record<string, OutputRef[]>)[port] = [{ step: ref.step, port: outPort }];
      } else (step.inputs as Record<string, OutputRef>)[port] = { step: ref.step, port: outPort };
    }
    step.needs.forEach((n, i) => {
      if (!stepIds.includes(n)) diagnostics.push(diagnosticAt(source, ['steps', step.id, 'needs', i], `step "${step.id}": needs unknown step "${n}"${didYouMean(n, stepIds)}`));
    });
  }

  const cycle = findCycle(steps);
  if (cycle) diagnostics.push(diagnosticAt(source, ['steps', cycle[0]], `cycle: ${cycle.join(' -> ')}`, 'key', 'a step cannot depend, directly or not, on itself'));
  let finalSteps: ReadonlyMap<string, PipelineStep> = steps;
  if (!cycle && diagnostics.length === 0) {
    const expansion = expandSweeps(steps, sweeps);
    for (const p of expansion.problems) diagnostics.push(diagnosticAt(source, ['steps', p.step], `step "${p.step}": ${p.message}`, 'key'));
    for (const [id, longest] of longestSweptIds(expansion.steps)) {
      if (longest.length <= MAX_SWEPT_STEP_ID_LENGTH) continue;
      diagnostics.push(diagnosticAt(source, ['steps', id], `step "${id}": its sweep's step ids are up to ${longest.length} characters long (${abbreviate(longest)}): at most ${MAX_SWEPT_STEP_ID_LENGTH}, as they become part of folder names`, 'key', 'use shorter matrix values'));
    }
    finalSteps = expansion.steps;
  }
  for (const c of publishConflicts(finalSteps.values(), pipelineFile, dir)) paramReporters.get(c.step)?.(c.param, c.message, c.hint);

  if (diagnostics.length) throw new PipelineError(sortDiagnostics(diagnostics));
  return {
    file: source.file,
    path: pipelineFile,
    dir,
    name: doc.name,
    digest: createHash('sha256').update(source.text).digest('hex'),
    params,
    overrides: overrides.map((o) => o.raw),
    ...(fromFiles.paramsFile ? { paramsFile: fromFiles.paramsFile } : {}),
    paramsOverrides: options.paramsFiles ?? [],
    steps: finalSteps,
  };
}

/**
 * The pipeline's parameters before --set: `params:`, replaced by the values of its `params_file`,
 * then by each `--params` file's. A --params file may only set parameters the pipeline has (a
 * typo would otherwise be a silent no-op); the pipeline's own params_file may declare new ones.
 */
function pipelineParams(doc: RawPipeline, dir: string, extraFiles: readonly string[], diagnostics: Diagnostic[]): { params: Record<string, unknown>; paramsFile?: string } {
  let params: Record<string, unknown> = { ...(doc.params ?? {}) };
  let paramsFile: string | undefined;
  if (typeof doc.params_file === 'string') {
    paramsFile = resolve(dir, doc.params_file);
    const values = readParamsFile(paramsFile, relative(process.cwd(), paramsFile) || paramsFile, diagnostics);
    if (values) params = { ...params, ...values };
  }
  for (const file of extraFiles) {
    const values = readParamsFile(resolve(file), `--params ${file}`, diagnostics);
    if (!values) continue;
    for (const [name, value] of Object.entries(values)) {
      if (Object.hasOwn(params, name)) params = setIn(params, [name], value);
      else diagnostics.push({ file: `--params ${file}`, line: 0, column: 0, message: `"${name}" is not a pipeline parameter${didYouMean(name, Object.keys(params))}`, hint: 'declare it under params: (or in the pipeline\'s params_file) first' });
    }
  }
  return { params, ...(paramsFile ? { paramsFile } : {}) };
}

/** A long name cut to its first 20 characters, for messages. */
function abbreviate(name: string): string {
  return name.length > 20 ? `${name.slice(0, 20)}…` : name;
}

/** For each step of the file that a sweep expanded (`svm` -> `svm[C=1]`, …): its longest expanded id. */
function longestSweptIds(steps: ReadonlyMap<string, PipelineStep>): Map<string, string> {
  const longest = new Map<string, string>();
  for (const step of steps.values()) {
    if (!step.sweep) continue;
    const fileId = step.id.slice(0, step.id.indexOf('['));
    if (step.id.length > (longest.get(fileId)?.length ?? 0)) longest.set(fileId, step.id);
  }
  return longest;
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.line === 0 ? 1 : 0) - (b.line === 0 ? 1 : 0) || a.line - b.line || a.column - b.column);
}

/**
 * Splits the --set overrides into pipeline parameters (applied here) and steps' values (applied
 * per step), reporting keys that name nothing: a reserved or empty name, an undeclared parameter,
 * a step that does not exist.
 */
function applyOverrides(doc: RawPipeline, base: Record<string, unknown>, overrides: readonly Override[], diagnostics: Diagnostic[]): { params: Record<string, unknown>; paramOverrides: Override[]; stepOverrides: Override[] } {
  let params: Record<string, unknown> = { ...base };
  const stepIds = Object.keys(doc.steps ?? {});
  const paramOverrides: Override[] = [];
  const stepOverrides: Override[] = [];
  for (const o of overrides) {
    const [first] = o.path;
    const problem = overrideKeyProblem(o);
    if (problem) diagnostics.push(overrideDiagnostic(o, problem));
    else if (o.path.length === 1) {
      if (!Object.hasOwn(params, first)) diagnostics.push(overrideDiagnostic(o, `"${first}" is not a pipeline parameter${didYouMean(first, [...Object.keys(params), ...stepIds])}`, 'to set a step\'s parameter use STEP.NAME=VALUE'));
      else {
        params = setIn(params, o.path, o.value);
        paramOverrides.push(o);
      }
    } else if (stepIds.includes(first)) stepOverrides.push(o);
    else if (Object.hasOwn(params, first)) diagnostics.push(overrideDiagnostic(o, `"${first}" is a pipeline parameter, not a step`, `set it with --set ${first}=VALUE`));
    else diagnostics.push(overrideDiagnostic(o, `there is no step "${first}"${didYouMean(first, stepIds)}`));
  }
  return { params, paramOverrides, stepOverrides };
}

/** What is wrong with a --set key whatever the pipeline says. */
function overrideKeyProblem(o: Override): string | undefined {
  const reserved = o.path.find(isReservedName);
  if (reserved !== undefined) return reservedNameMessage(reserved);
  if (o.path.includes('')) return `"${o.path.join('.')}" has an empty name: write NAME or STEP.NAME, separated by single dots`;
  if (o.path.length > MAX_NESTING_DEPTH) return `the key is ${o.path.length} names deep: at most ${MAX_NESTING_DEPTH}`;
  return undefined;
}

function overrideDiagnostic(o: Override, message: string, hint?: string): Diagnostic {
  return { file: `--set ${o.raw}`, line: 0, column: 0, message, hint };
}

function instancePath(e: ErrorObject): string[] {
  return e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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

/** Diagnostics for the structural schema (top level and step fields). */
function schemaDiagnostics(source: PipelineSource, errors: readonly ErrorObject[], base: PathSegment[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of errors) {
    const path = instancePath(e);
    const inStep = path[0] === 'steps' && path.length >= 2 ? path[1] : undefined;
    const prefix = inStep ? `step "${inStep}": ` : '';
    const rel = inStep ? path.slice(2) : path;
    if (e.keyword === 'additionalProperties') {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = path.length === 0 ? TOP_LEVEL_KEYS : inStep && rel.length === 0 ? STEP_FIELDS : [];
      const what = path.length === 0 ? `unknown top-level key "${prop}"` : `unknown field "${[...rel, prop].join('.')}"`;
      const suggestion = closest(prop, known);
      out.push(diagnosticAt(source, [...base, ...path, prop], `${prefix}${what}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, 'key', known.length ? `allowed: ${known.join(', ')}` : undefined));
    } else if (e.keyword === 'required') {
      out.push(diagnosticAt(source, [...base, ...path], `${prefix}missing required key "${(e.params as { missingProperty: string }).missingProperty}"`, 'key'));
    } else if (e.keyword === 'propertyNames' || e.keyword === 'pattern' && path.length === 0) {
      // Reported through the pattern error on the name itself.
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      out.push(diagnosticAt(source, [...base, ...path, e.propertyName], `${prefix}"${e.propertyName}" is not a valid name: use letters, digits, "_" and "-", starting with a letter or "_"`, 'key'));
    } else if (e.keyword === 'maxLength' && e.propertyName !== undefined) {
      const limit = (e.params as { limit: number }).limit;
      out.push(diagnosticAt(source, [...base, ...path, e.propertyName], `${prefix}step id "${abbreviate(e.propertyName)}" is ${e.propertyName.length} characters long: step ids are at most ${limit} (they become part of folder names)`, 'key'));
    } else if (e.keyword === 'not' && e.propertyName !== undefined) {
      const what = path[0] === 'steps' ? 'step id' : 'parameter name';
      out.push(diagnosticAt(source, [...base, ...path, e.propertyName], `${prefix}${what} ${reservedNameMessage(e.propertyName)}`, 'key', 'choose another name'));
    } else if (e.keyword === 'const' && path[0] === 'medpipe') {
      out.push(diagnosticAt(source, path, `medpipe: this version of medpipe reads pipeline format 1`, 'value', 'write medpipe: 1'));
    } else {
      const name = rel.length ? rel.join('.') : path.join('.') || 'the file';
      const detail = e.keyword === 'type' ? `must be ${(e.params as { type: string }).type}` : e.keyword === 'pattern' ? `is not a valid reference: use STEP or STEP.PORT` : e.message ?? 'is invalid';
      out.push(diagnosticAt(source, [...base, ...path], `${prefix}${name} ${detail}`, 'value'));
    }
  }
  return out;
}

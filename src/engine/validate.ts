/**
 * Turns a parsed pipeline file into a Pipeline, or into the full list of what is wrong with it:
 * schema checks (ajv) with positions, each step's `with:` against its step type's schema, `--set`
 * overrides checked like the file, then graph checks (unknown steps and ports, kinds that do not
 * fit, cycles). Never stops at the first problem.
 *
 * The stages, each a function below: the structure, the parameters (pipeline's, then --set), each
 * step of the file on its own (type, parameters, declared inputs), the references between steps,
 * cycles, sweeps; a PipelineStep is built once, complete, when its references are known.
 */
import { createHash } from 'node:crypto';
import { dirname, relative, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { PipelineError, type Diagnostic, type RelatedLocation } from '../errors.js';
import { isCustomStepRef, loadCustomStep, resolveStepPackage, type LoadedCustomStep } from './custom-step.js';
import { findCycle } from './graph.js';
import { argumentLocation, setIn, type Override } from './params.js';
import { readParamsFile } from './params-file.js';
import type { OutputRef, Pipeline, PipelineStep } from './pipeline.js';
import { publishConflicts } from './published-files.js';
import { MAX_SWEPT_STEP_ID_LENGTH, pipelineBaseSchema, reservedNameMessage, STEP_FIELDS, TOP_LEVEL_KEYS } from './schema.js';
import { diagnosticAt, locationAt, type PathSegment, type PipelineSource } from './source.js';
import type { StepCatalogue } from './step-catalogue.js';
import { placementFieldMessage, RESOURCE_FIELDS, type StepResources } from './step-resources.js';
import type { StepType } from './step-type.js';
import { expandSweeps, type Sweep } from './sweep.js';
import { checkStepParams, instancePath, type CheckedParams, type ParamsContext } from './validate-params.js';
import { schemaValidator } from './schema-validators.js';
import { sortOverrides } from './validate-overrides.js';
import { closest, didYouMean } from '../suggest.js';

/** The structural schema, made once. */
let baseSchema: object | undefined;

type RawStep = {
  uses: string;
  in?: Record<string, string>;
  with?: Record<string, unknown>;
  matrix?: Record<string, unknown[]>;
  needs?: string[];
  resources?: StepResources;
  labels?: string[];
  description?: string;
};
type RawPipeline = { medpipe: 1; name: string; description?: string; params?: Record<string, unknown>; params_file?: string; steps: Record<string, RawStep> };

export interface ValidateOptions {
  /** The step types `uses:` may name (custom steps aside). */
  catalogue: StepCatalogue;
  overrides?: readonly Override[];
  /** `--params FILE`: parameter files applied after the pipeline's own, in order (paths as the user gave them). */
  paramsFiles?: readonly string[];
  /** The folder the source's file name and --params files are relative to (the CLI's working folder); default process.cwd(). */
  cwd?: string;
  /** The store where compiled validators of custom steps' schemas are kept (schema-validators.ts). */
  storeDir?: string;
}

/** A step of the file once checked on its own: everything but the references to other steps. */
interface StepDraft {
  readonly id: string;
  readonly uses: string;
  readonly type: StepType;
  readonly custom?: PipelineStep['custom'];
  readonly checked: CheckedParams;
  /** `in:` as written, for ports the type has: the step referenced and its port ('' for its default output). */
  readonly wired: Readonly<Record<string, OutputRef>>;
  readonly needs: readonly string[];
  /** `resources:` and `labels:` as written (checked by the schema); not part of the cache key. */
  readonly placement: Pick<PipelineStep, 'resources' | 'labels'>;
  readonly description?: string;
}

/** Validates and resolves; throws PipelineError listing every problem. */
export async function validatePipeline(source: PipelineSource, options: ValidateOptions): Promise<Pipeline> {
  const diagnostics: Diagnostic[] = [];
  const doc = checkStructure(source, diagnostics, options.storeDir);
  const cwd = options.cwd ?? process.cwd();
  const pipelineFile = resolve(cwd, source.file);
  const dir = dirname(pipelineFile);
  const overrides = options.overrides ?? [];
  const stepIds = Object.keys(doc.steps ?? {});

  // Pipeline parameters: params:, then its params_file, then --params files, then --set.
  const fromFiles = pipelineParams(doc, dir, options.paramsFiles ?? [], cwd, diagnostics);
  const sorted = sortOverrides(source, stepIds, fromFiles.params, overrides, diagnostics);
  const ctx: ParamsContext = { source, dir, ...sorted, ...(options.storeDir ? { storeDir: options.storeDir } : {}) };

  const drafts = await draftSteps(doc, ctx, options.catalogue, diagnostics);
  const steps = wireSteps(drafts, new Set(stepIds), source, diagnostics);
  const cycle = findCycle(steps);
  if (cycle) diagnostics.push(cycleDiagnostic(source, doc, cycle));
  const finalSteps = !cycle && diagnostics.length === 0 ? expand(source, steps, drafts, diagnostics) : steps;
  for (const c of publishConflicts(finalSteps.values(), pipelineFile, dir)) drafts.get(c.step)?.checked.report(c.param, c.message, c.hint);

  if (diagnostics.length) throw new PipelineError(sortDiagnostics(diagnostics));
  return {
    file: source.file,
    path: pipelineFile,
    dir,
    name: doc.name,
    digest: createHash('sha256').update(source.text).digest('hex'),
    params: sorted.params,
    overrides: overrides.map((o) => o.raw),
    ...(fromFiles.paramsFile ? { paramsFile: fromFiles.paramsFile } : {}),
    paramsOverrides: options.paramsFiles ?? [],
    steps: finalSteps,
    catalogue: options.catalogue,
  };
}

/** The file against the structural schema; throws when there are no steps to check further. */
function checkStructure(source: PipelineSource, diagnostics: Diagnostic[], storeDir: string | undefined): RawPipeline {
  const raw = source.value;
  baseSchema ??= pipelineBaseSchema();
  const validate = schemaValidator(baseSchema, storeDir);
  if (!validate(raw)) {
    diagnostics.push(...schemaDiagnostics(source, validate.errors ?? []));
    // Without a sound structure the step checks would only add noise.
    const steps = raw !== null && typeof raw === 'object' ? (raw as RawPipeline).steps : undefined;
    if (steps === null || typeof steps !== 'object' || Array.isArray(steps)) throw new PipelineError(sortDiagnostics(diagnostics));
  }
  return raw as RawPipeline;
}

/** Each step of the file checked on its own, by id; steps whose type could not be found are left out (and reported). */
async function draftSteps(doc: RawPipeline, ctx: ParamsContext, catalogue: StepCatalogue, diagnostics: Diagnostic[]): Promise<Map<string, StepDraft>> {
  // One module load per custom step file, however many steps use it.
  const loads = new Map<string, Promise<LoadedCustomStep | { error: string }>>();
  const drafts = new Map<string, StepDraft>();
  for (const [id, rawStep] of Object.entries(doc.steps ?? {})) {
    if (rawStep === null || typeof rawStep !== 'object' || typeof rawStep.uses !== 'string') continue; // reported by the schema
    const at = (path: PathSegment[], message: string, where: 'key' | 'value' = 'value', hint?: string): void => {
      diagnostics.push(diagnosticAt(ctx.source, ['steps', id, ...path], `step "${id}": ${message}`, where, hint));
    };
    const resolved = await resolveStepType(rawStep.uses, ctx.dir, catalogue, loads);
    if ('error' in resolved) at(['uses'], resolved.error, 'value', resolved.hint);
    const type = 'error' in resolved ? undefined : resolved.type;
    const matrix = rawStep.matrix && typeof rawStep.matrix === 'object' ? rawStep.matrix : undefined;
    const checked = checkStepParams({ id, type, with: rawStep.with ?? {}, matrix }, ctx, diagnostics);
    if (!type) continue;
    const wired = declaredInputs(rawStep, type, at);
    const needs = Array.isArray(rawStep.needs) ? rawStep.needs.filter((n): n is string => typeof n === 'string') : [];
    const custom = 'custom' in resolved ? resolved.custom : undefined;
    const placement = placementOf(rawStep);
    drafts.set(id, { id, uses: rawStep.uses, type, ...(custom ? { custom } : {}), checked, wired, needs, placement, description: rawStep.description });
  }
  return drafts;
}

/** A step's `resources:` and `labels:`, when present (their values are checked by the schema). */
function placementOf(rawStep: RawStep): Pick<PipelineStep, 'resources' | 'labels'> {
  const resources = rawStep.resources !== null && typeof rawStep.resources === 'object' && !Array.isArray(rawStep.resources) ? rawStep.resources : undefined;
  const labels = Array.isArray(rawStep.labels) ? rawStep.labels.filter((l): l is string => typeof l === 'string') : undefined;
  return { ...(resources ? { resources: { ...resources } } : {}), ...(labels ? { labels } : {}) };
}

/**
 * What `uses:` names: a custom step (a path, or an installed package the catalogue does not
 * shadow), else a step type of the catalogue.
 */
async function resolveStepType(
  uses: string,
  dir: string,
  catalogue: StepCatalogue,
  loads: Map<string, Promise<LoadedCustomStep | { error: string }>>,
): Promise<{ type: StepType; custom?: PipelineStep['custom'] } | { error: string; hint?: string }> {
  if (isCustomStepRef(uses) || (!catalogue.has(uses) && resolveStepPackage(uses, dir))) {
    const modulePath = resolveStepPackage(uses, dir)?.entry ?? resolve(dir, uses);
    if (!loads.has(modulePath)) loads.set(modulePath, loadCustomStep(uses, dir));
    const loaded = await (loads.get(modulePath) as Promise<LoadedCustomStep | { error: string }>);
    if ('error' in loaded) return loaded;
    return { type: loaded.type, custom: { modulePath: loaded.modulePath, codeDigest: loaded.codeDigest } };
  }
  const type = await catalogue.load(uses);
  if (type) return { type };
  return {
    error: `unknown step type "${uses}"${didYouMean(uses, catalogue.ids())}`,
    hint: 'run `medpipe steps` to list the step types',
  };
}

/** The step's `in:` as written, for the ports its type has; unknown ports and unwired required ones are reported. */
function declaredInputs(
  rawStep: RawStep,
  type: StepType,
  at: (path: PathSegment[], message: string, where?: 'key' | 'value', hint?: string) => void,
): Record<string, OutputRef> {
  const wired: Record<string, OutputRef> = {};
  // A malformed `in:` (not a mapping) is reported by the schema; here it wires nothing.
  const rawIn = typeof rawStep.in === 'object' && rawStep.in !== null ? rawStep.in : undefined;
  for (const [port, ref] of Object.entries(rawIn ?? {})) {
    if (typeof ref !== 'string') continue;
    // hasOwn, not `in`: a port named "constructor" must not find Object.prototype's.
    if (!Object.hasOwn(type.inputs, port)) {
      at(
        ['in', port],
        `"${port}" is not an input of ${type.id}${didYouMean(port, Object.keys(type.inputs))}`,
        'key',
        `its inputs are: ${Object.keys(type.inputs).join(', ') || 'none'}`,
      );
      continue;
    }
    const [step, refPort] = ref.split('.');
    wired[port] = { step, port: refPort ?? '' };
  }
  for (const [port, spec] of Object.entries(type.inputs)) {
    if (!spec.optional && !(rawIn && Object.hasOwn(rawIn, port)))
      at(rawStep.in ? ['in'] : ['uses'], `input "${port}" (${spec.kind}) is not wired`, 'key', `add in: { ${port}: STEP }`);
  }
  return wired;
}

/**
 * The steps with their references to each other resolved: a port-less reference gets the
 * upstream type's default output, a fan-in port its list. Unknown steps and ports and kinds that
 * do not fit are reported; such a reference is kept as written, so that cycle detection sees it.
 */
function wireSteps(
  drafts: ReadonlyMap<string, StepDraft>,
  stepIds: ReadonlySet<string>,
  source: PipelineSource,
  diagnostics: Diagnostic[],
): Map<string, PipelineStep> {
  const steps = new Map<string, PipelineStep>();
  for (const draft of drafts.values()) {
    const inputs: Record<string, OutputRef> = {};
    const fanIn: Record<string, OutputRef[]> = {};
    for (const [port, ref] of Object.entries(draft.wired)) {
      const resolved = resolveReference(draft, port, ref, drafts, stepIds, source, diagnostics) ?? ref;
      // A fan-in port: the sweep expansion turns this one reference into all combinations.
      if (resolved !== ref && draft.type.inputs[port]?.many) fanIn[port] = [resolved];
      else inputs[port] = resolved;
    }
    draft.needs.forEach((n, i) => {
      if (!stepIds.has(n))
        diagnostics.push(diagnosticAt(source, ['steps', draft.id, 'needs', i], `step "${draft.id}": needs unknown step "${n}"${didYouMean(n, [...stepIds])}`));
    });
    const { id, uses, type, custom, needs, placement, description } = draft;
    steps.set(id, { id, uses, type, ...(custom ? { custom } : {}), inputs, fanIn, needs, params: draft.checked.params, ...placement, description });
  }
  return steps;
}

/** The output `ref` names, with its port made explicit; undefined when it names none (reported, unless its step's own problem was). */
function resolveReference(
  draft: StepDraft,
  port: string,
  ref: OutputRef,
  drafts: ReadonlyMap<string, StepDraft>,
  stepIds: ReadonlySet<string>,
  source: PipelineSource,
  diagnostics: Diagnostic[],
): OutputRef | undefined {
  const where: PathSegment[] = ['steps', draft.id, 'in', port];
  if (!stepIds.has(ref.step)) {
    diagnostics.push(diagnosticAt(source, where, `step "${draft.id}": in.${port} refers to unknown step "${ref.step}"${didYouMean(ref.step, [...stepIds])}`));
    return undefined;
  }
  const upstream = drafts.get(ref.step)?.type;
  if (!upstream) return undefined; // its own problem is reported already
  const outPort = ref.port || upstream.defaultOutput;
  const out = Object.hasOwn(upstream.outputs, outPort) ? upstream.outputs[outPort] : undefined;
  // The step referenced, whose type decides its outputs; located only for a diagnostic (finding a node in the document is not free, and a valid reference needs none).
  const related = (): RelatedLocation[] => [{ ...locationAt(source, ['steps', ref.step, 'uses']), message: `step "${ref.step}" is a ${upstream.id}` }];
  if (!out) {
    diagnostics.push({
      ...diagnosticAt(
        source,
        where,
        `step "${draft.id}": in.${port}: step "${ref.step}" (${upstream.id}) has no output "${outPort}"${didYouMean(outPort, Object.keys(upstream.outputs))}`,
        'value',
        `its outputs are: ${Object.keys(upstream.outputs).join(', ')}`,
      ),
      related: related(),
    });
    return undefined;
  }
  const want = draft.type.inputs[port];
  if (want && want.kind !== out.kind)
    diagnostics.push({
      ...diagnosticAt(source, where, `step "${draft.id}": in.${port} wants a ${want.kind}, but ${ref.step}.${outPort} is a ${out.kind}`),
      related: related(),
    });
  return { step: ref.step, port: outPort };
}

/**
 * A cycle, at its first step, pointing at every edge of it: each `in:` or `needs:` reference
 * by which one step of the cycle depends on the one before it.
 */
function cycleDiagnostic(source: PipelineSource, doc: RawPipeline, cycle: readonly string[]): Diagnostic {
  const related: RelatedLocation[] = [];
  for (let i = 1; i < cycle.length; i++) {
    const [from, to] = [cycle[i - 1], cycle[i]];
    const raw = doc.steps[to];
    const port = Object.entries(typeof raw.in === 'object' && raw.in !== null ? raw.in : {}).find(
      ([, ref]) => typeof ref === 'string' && ref.split('.')[0] === from,
    )?.[0];
    const need = Array.isArray(raw.needs) ? raw.needs.indexOf(from) : -1;
    if (port !== undefined) related.push({ ...locationAt(source, ['steps', to, 'in', port]), message: `"${to}" reads "${from}" (in.${port})` });
    else if (need >= 0) related.push({ ...locationAt(source, ['steps', to, 'needs', need]), message: `"${to}" needs "${from}"` });
  }
  return { ...diagnosticAt(source, ['steps', cycle[0]], `cycle: ${cycle.join(' -> ')}`, 'key', 'a step cannot depend, directly or not, on itself'), related };
}

/** The steps with every sweep expanded into one step per combination; problems of the expansion are reported. */
function expand(
  source: PipelineSource,
  steps: ReadonlyMap<string, PipelineStep>,
  drafts: ReadonlyMap<string, StepDraft>,
  diagnostics: Diagnostic[],
): ReadonlyMap<string, PipelineStep> {
  const sweeps = new Map<string, Sweep>();
  for (const d of drafts.values()) if (d.checked.sweep) sweeps.set(d.id, d.checked.sweep);
  const expansion = expandSweeps(steps, sweeps);
  for (const p of expansion.problems) diagnostics.push(diagnosticAt(source, ['steps', p.step], `step "${p.step}": ${p.message}`, 'key'));
  for (const [id, longest] of longestSweptIds(expansion.steps)) {
    if (longest.length <= MAX_SWEPT_STEP_ID_LENGTH) continue;
    diagnostics.push(
      diagnosticAt(
        source,
        ['steps', id],
        `step "${id}": its sweep's step ids are up to ${longest.length} characters long (${abbreviate(longest)}): at most ${MAX_SWEPT_STEP_ID_LENGTH}, as they become part of folder names`,
        'key',
        'use shorter matrix values',
      ),
    );
  }
  return expansion.steps;
}

/**
 * The pipeline's parameters before --set: `params:`, replaced by the values of its `params_file`,
 * then by each `--params` file's. A --params file may only set parameters the pipeline has (a
 * typo would otherwise be a silent no-op); the pipeline's own params_file may declare new ones.
 */
function pipelineParams(
  doc: RawPipeline,
  dir: string,
  extraFiles: readonly string[],
  cwd: string,
  diagnostics: Diagnostic[],
): { params: Record<string, unknown>; paramsFile?: string } {
  let params: Record<string, unknown> = { ...(doc.params ?? {}) };
  let paramsFile: string | undefined;
  if (typeof doc.params_file === 'string') {
    paramsFile = resolve(dir, doc.params_file);
    const values = readParamsFile(paramsFile, relative(cwd, paramsFile) || paramsFile, diagnostics);
    if (values) params = { ...params, ...values };
  }
  for (const file of extraFiles) {
    const values = readParamsFile(resolve(cwd, file), `--params ${file}`, diagnostics);
    if (!values) continue;
    for (const [name, value] of Object.entries(values)) {
      if (Object.hasOwn(params, name)) params = setIn(params, [name], value);
      else
        diagnostics.push({
          severity: 'error',
          ...argumentLocation('--params', file),
          message: `"${name}" is not a pipeline parameter${didYouMean(name, Object.keys(params))}`,
          hint: "declare it under params: (or in the pipeline's params_file) first",
          related: [],
        });
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

/** In the file's order; problems on the command line, or with a file as a whole, after them. */
function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic): [number, number, number] => (d.range && !d.commandLine ? [0, d.range.start.line, d.range.start.column] : [1, 0, 0]);
  return [...ds].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** Diagnostics for the structural schema (top level and step fields). */
function schemaDiagnostics(source: PipelineSource, errors: readonly ErrorObject[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  // resources.cpu may break several rules of its anyOf at once: one message per place.
  const placementReported = new Set<string>();
  for (const e of errors) {
    const path = instancePath(e);
    const inStep = path[0] === 'steps' && path.length >= 2 ? path[1] : undefined;
    const prefix = inStep ? `step "${inStep}": ` : '';
    const rel = inStep ? path.slice(2) : path;
    const placement = inStep && e.keyword !== 'additionalProperties' ? placementFieldMessage(rel, e.keyword, e.params) : undefined;
    if (placement) {
      if (placementReported.has(e.instancePath)) continue;
      placementReported.add(e.instancePath);
      // A label's index is a position in a YAML sequence: a number, for the source lookup.
      const at = rel[0] === 'labels' && rel.length === 2 ? [...path.slice(0, -1), Number(rel[1])] : path;
      out.push(diagnosticAt(source, at, `${prefix}${placement}`, 'value'));
    } else if (e.keyword === 'additionalProperties') {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const known =
        path.length === 0 ? TOP_LEVEL_KEYS : inStep && rel.length === 0 ? STEP_FIELDS : inStep && rel.join('.') === 'resources' ? RESOURCE_FIELDS : [];
      const what = path.length === 0 ? `unknown top-level key "${prop}"` : `unknown field "${[...rel, prop].join('.')}"`;
      const suggestion = closest(prop, known);
      out.push(
        diagnosticAt(
          source,
          [...path, prop],
          `${prefix}${what}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
          'key',
          known.length ? `allowed: ${known.join(', ')}` : undefined,
        ),
      );
    } else if (e.keyword === 'required') {
      out.push(diagnosticAt(source, path, `${prefix}missing required key "${(e.params as { missingProperty: string }).missingProperty}"`, 'key'));
    } else if (e.keyword === 'propertyNames' || (e.keyword === 'pattern' && path.length === 0)) {
      // Reported through the pattern error on the name itself.
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      out.push(
        diagnosticAt(
          source,
          [...path, e.propertyName],
          `${prefix}"${e.propertyName}" is not a valid name: use letters, digits, "_" and "-", starting with a letter or "_"`,
          'key',
        ),
      );
    } else if (e.keyword === 'maxLength' && e.propertyName !== undefined) {
      const limit = (e.params as { limit: number }).limit;
      out.push(
        diagnosticAt(
          source,
          [...path, e.propertyName],
          `${prefix}step id "${abbreviate(e.propertyName)}" is ${e.propertyName.length} characters long: step ids are at most ${limit} (they become part of folder names)`,
          'key',
        ),
      );
    } else if (e.keyword === 'not' && e.propertyName !== undefined) {
      const what = path[0] === 'steps' ? 'step id' : 'parameter name';
      out.push(diagnosticAt(source, [...path, e.propertyName], `${prefix}${what} ${reservedNameMessage(e.propertyName)}`, 'key', 'choose another name'));
    } else if (e.keyword === 'const' && path[0] === 'medpipe') {
      out.push(diagnosticAt(source, path, `medpipe: this version of medpipe reads pipeline format 1`, 'value', 'write medpipe: 1'));
    } else {
      const name = rel.length ? rel.join('.') : path.join('.') || 'the file';
      const detail =
        e.keyword === 'type'
          ? `must be ${(e.params as { type: string }).type}`
          : e.keyword === 'pattern'
            ? `is not a valid reference: use STEP or STEP.PORT`
            : (e.message ?? 'is invalid');
      out.push(diagnosticAt(source, path, `${prefix}${name} ${detail}`, 'value'));
    }
  }
  return out;
}

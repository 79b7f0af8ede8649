/**
 * `--set` overrides sorted against the pipeline: pipeline parameters (applied here), steps'
 * `with:` values (applied per step, validate-params.ts), and keys that name nothing. A problem
 * points at the argument on the command line with the wrong part underlined and, where the key
 * names a step of the file, at that step too.
 */
import type { Diagnostic, RelatedLocation } from '../errors.js';
import { MAX_NESTING_DEPTH } from './load.js';
import { overrideLocation, setIn, type Override, type OverridePart } from './params.js';
import { isReservedName, reservedNameMessage } from './schema.js';
import { locationAt, type PipelineSource } from './source.js';
import { didYouMean } from '../suggest.js';

export interface SortedOverrides {
  /** The pipeline's parameters with every valid `--set NAME=…` applied. */
  readonly params: Record<string, unknown>;
  readonly paramOverrides: readonly Override[];
  /** `--set STEP.NAME=…` of steps that exist; checked against each step's type later. */
  readonly stepOverrides: readonly Override[];
}

export function overrideDiagnostic(o: Override, part: OverridePart, message: string, hint?: string, related: readonly RelatedLocation[] = []): Diagnostic {
  return { severity: 'error', ...overrideLocation(o, part), message, ...(hint ? { hint } : {}), related };
}

export function sortOverrides(
  source: PipelineSource,
  stepIds: readonly string[],
  base: Readonly<Record<string, unknown>>,
  overrides: readonly Override[],
  diagnostics: Diagnostic[],
): SortedOverrides {
  let params: Record<string, unknown> = { ...base };
  const paramOverrides: Override[] = [];
  const stepOverrides: Override[] = [];
  for (const o of overrides) {
    const [first] = o.path;
    const problem = keyProblem(o);
    if (problem) diagnostics.push(overrideDiagnostic(o, problem.part, problem.message));
    else if (o.path.length === 1) {
      if (stepIds.includes(first) && !Object.hasOwn(params, first))
        diagnostics.push(
          overrideDiagnostic(o, { name: 0 }, `"${first}" is a step, not a pipeline parameter`, `set one of its parameters with --set ${first}.NAME=VALUE`, [
            stepLocation(source, first),
          ]),
        );
      else if (!Object.hasOwn(params, first))
        diagnostics.push(
          overrideDiagnostic(
            o,
            { name: 0 },
            `"${first}" is not a pipeline parameter${didYouMean(first, [...Object.keys(params), ...stepIds])}`,
            "to set a step's parameter use STEP.NAME=VALUE",
          ),
        );
      else {
        params = setIn(params, o.path, o.value);
        paramOverrides.push(o);
      }
    } else if (stepIds.includes(first)) stepOverrides.push(o);
    else if (Object.hasOwn(params, first))
      diagnostics.push(overrideDiagnostic(o, { name: 0 }, `"${first}" is a pipeline parameter, not a step`, `set it with --set ${first}=VALUE`));
    else diagnostics.push(overrideDiagnostic(o, { name: 0 }, `there is no step "${first}"${didYouMean(first, stepIds)}`));
  }
  return { params, paramOverrides, stepOverrides };
}

/** What is wrong with a --set key whatever the pipeline says, and which part of it. */
function keyProblem(o: Override): { part: OverridePart; message: string } | undefined {
  const reserved = o.path.findIndex(isReservedName);
  if (reserved >= 0) return { part: { name: reserved }, message: reservedNameMessage(o.path[reserved]) };
  const empty = o.path.indexOf('');
  if (empty >= 0) return { part: { name: empty }, message: `"${o.path.join('.')}" has an empty name: write NAME or STEP.NAME, separated by single dots` };
  if (o.path.length > MAX_NESTING_DEPTH) return { part: 'key', message: `the key is ${o.path.length} names deep: at most ${MAX_NESTING_DEPTH}` };
  return undefined;
}

function stepLocation(source: PipelineSource, id: string): RelatedLocation {
  return { ...locationAt(source, ['steps', id], 'key'), message: `step "${id}" is defined here` };
}

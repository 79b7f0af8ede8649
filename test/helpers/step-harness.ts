/**
 * Runs one step type directly, without the engine, for unit tests of step files: inputs are
 * artifact files, outputs are written to a fresh temporary directory. The context is built by the
 * same function the engine's worker uses (engine/step-context.ts), and the params are checked and
 * completed with the step type's schema defaults by the validator pipeline validation uses
 * (schemaValidator in engine/validate-params.ts): a step gets what it would get in a pipeline.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaValidator } from '../../src/engine/schema-validators.js';
import { makeStepContext } from '../../src/engine/step-context.js';
import type { RunInfo, StepSummary, StepType } from '../../src/engine/step-type.js';

export interface StepRunResult {
  outputs: Record<string, string>;
  summary: StepSummary | void;
  logs: string[];
}

export interface StepRunOptions {
  /** Where the outputs go (default a fresh temporary folder), for tests that read them after the step threw. */
  readonly outputDir?: string;
  /** Aborting it cancels the step, as the engine does on --fail-fast or Ctrl-C. */
  readonly signal?: AbortSignal;
  /** What the engine tells a step of its run (store folder, step key), for steps that use it. */
  readonly run?: RunInfo;
  /** Called with each progress line, e.g. to interrupt a fit part-way. */
  readonly onProgress?: (message: string) => void;
}

/**
 * A copy of `params` with the step type's schema defaults filled in, as a pipeline's step gets
 * them. Throws when they do not fit the schema: such params never reach a step in a pipeline.
 */
export function withParamDefaults(step: StepType, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const completed = structuredClone(params) as Record<string, unknown>;
  const validate = schemaValidator(step.params);
  if (!validate(completed))
    throw new Error(
      `invalid params for step type ${step.id}: ${(validate.errors ?? []).map((e) => `${e.instancePath || 'params'} ${e.message ?? ''}`).join(', ')}`,
    );
  return completed;
}

export async function runStep(
  step: StepType,
  inputs: Record<string, string | string[]>,
  params: Record<string, unknown>,
  pipelineDir = process.cwd(),
  options: string | StepRunOptions = {},
): Promise<StepRunResult> {
  const opts: StepRunOptions = typeof options === 'string' ? { outputDir: options } : options;
  const dir = opts.outputDir ?? mkdtempSync(join(tmpdir(), `medpipe-step-${step.id}-`));
  const outputs: Record<string, string> = {};
  const logs: string[] = [];
  const single: Record<string, string> = {};
  const fanIn: Record<string, string[]> = {};
  for (const [port, v] of Object.entries(inputs)) {
    if (Array.isArray(v)) fanIn[port] = v;
    else single[port] = v;
  }
  const ctx = makeStepContext({
    type: step,
    stepId: step.id,
    pipelineDir,
    inputs: single,
    fanIn,
    outputDir: dir,
    outputs,
    progress: (message) => {
      logs.push(`progress: ${message}`);
      opts.onProgress?.(message);
    },
    log: (message) => logs.push(message),
    signal: opts.signal ?? new AbortController().signal,
    ...(opts.run ? { run: opts.run } : {}),
  });
  // Invalid params throw here, as validation would refuse the pipeline before any step ran.
  const summary = await step.run(ctx, withParamDefaults(step, params));
  return { outputs, summary, logs };
}

/**
 * Runs one step type directly, without the engine, for unit tests of step files: inputs are
 * artifact files, outputs are written to a fresh temporary directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepContext, StepSummary, StepType } from '../../src/engine/step-type.js';

export interface StepRunResult {
  outputs: Record<string, string>;
  summary: StepSummary | void;
  logs: string[];
}

/** `outputDir`: where the outputs go (default a fresh temporary folder), for tests that read them after the step threw. */
export async function runStep(step: StepType, inputs: Record<string, string | string[]>, params: Record<string, unknown>, pipelineDir = process.cwd(), outputDir?: string): Promise<StepRunResult> {
  const dir = outputDir ?? mkdtempSync(join(tmpdir(), `medpipe-step-${step.id}-`));
  const outputs: Record<string, string> = {};
  const logs: string[] = [];
  const ctx: StepContext = {
    stepId: step.id,
    pipelineDir,
    input: (port) => {
      const v = inputs[port];
      return Array.isArray(v) ? undefined : v;
    },
    inputs: (port) => {
      const v = inputs[port];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
    output: (port) => {
      if (!(port in step.outputs)) throw new Error(`step ${step.id} has no output port "${port}"`);
      return (outputs[port] ??= join(dir, port));
    },
    progress: (message) => logs.push(`progress: ${message}`),
    log: (message) => logs.push(message),
  };
  const summary = await step.run(ctx, params);
  return { outputs, summary, logs };
}

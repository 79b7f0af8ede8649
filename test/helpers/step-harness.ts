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

export async function runStep(step: StepType, inputs: Record<string, string | string[]>, params: Record<string, unknown>, pipelineDir = process.cwd()): Promise<StepRunResult> {
  const dir = mkdtempSync(join(tmpdir(), `medpipe-step-${step.id}-`));
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

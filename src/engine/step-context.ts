/**
 * The one way a StepContext is built: by the worker thread that runs a step for the engine, and by
 * the test harness that runs a step type directly. Both must hand a step the same context, or unit
 * tests would exercise a context no pipeline ever sees.
 */
import { join } from 'node:path';
import type { RunInfo, StepContext, StepType } from './step-type.js';

/** The error a step throws when its run is cancelled (`signal.throwIfAborted()` throws it). */
export class Cancelled extends Error {
  override readonly name = 'Cancelled';
  constructor(message = 'cancelled') {
    super(message);
  }
}

export interface StepContextParts {
  readonly type: Pick<StepType, 'id' | 'outputs'>;
  readonly stepId: string;
  readonly pipelineDir: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly fanIn: Readonly<Record<string, readonly string[]>>;
  /** Where output artifacts are written; `outputs` collects the path of each port the step asked for. */
  readonly outputDir: string;
  readonly outputs: Record<string, string>;
  /** File parameter -> the local file with its data pointer's bytes (see StepContext.dataFile). */
  readonly dataFiles?: Readonly<Record<string, string>>;
  readonly progress: (message: string, fraction?: number) => void;
  readonly log: (message: string) => void;
  readonly signal: AbortSignal;
  readonly run?: RunInfo;
}

export function makeStepContext(parts: StepContextParts): StepContext {
  const { type, outputs } = parts;
  return {
    stepId: parts.stepId,
    pipelineDir: parts.pipelineDir,
    input: (port) => parts.inputs[port],
    inputs: (port) => parts.fanIn[port] ?? (parts.inputs[port] ? [parts.inputs[port]] : []),
    output: (port) => {
      if (!(port in type.outputs)) throw new Error(`step type ${type.id} has no output port "${port}"`);
      return (outputs[port] ??= join(parts.outputDir, port));
    },
    dataFile: (param) => parts.dataFiles?.[param],
    progress: parts.progress,
    log: parts.log,
    signal: parts.signal,
    ...(parts.run ? { run: parts.run } : {}),
  };
}

/**
 * The body of a worker thread: runs one step at a time for the engine's worker pool. Input and
 * output artifacts are files, so nothing but paths, parameters and small messages crosses threads.
 */
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { builtinSteps } from '../steps/index.js';
import { checkStepShape } from '../steps/custom.js';
import type { RunInfo, StepType } from './step-type.js';
import { Cancelled, makeStepContext } from './step-context.js';

export interface StepTask {
  /** A built-in step type id, or a custom step's module path with its code digest. */
  readonly stepType: string;
  readonly custom?: { modulePath: string; codeDigest: string };
  readonly stepId: string;
  readonly pipelineDir: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly fanIn: Readonly<Record<string, readonly string[]>>;
  readonly outputDir: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly run: RunInfo;
}

/** What the engine sends a worker: a step to run, or the abort of the one it is running. */
export type WorkerRequest = { type: 'run'; task: StepTask } | { type: 'abort' };

export type WorkerMessage =
  | { type: 'progress'; message: string; fraction?: number }
  | { type: 'log'; message: string }
  | { type: 'done'; summary: unknown; outputs: Record<string, string> }
  | { type: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

async function loadStepType(task: StepTask): Promise<StepType> {
  if (!task.custom) {
    const t = builtinSteps.get(task.stepType);
    if (!t) throw new Error(`unknown step type ${task.stepType}`);
    return t;
  }
  // Only the entry carries the digest in its URL; the modules it imports are cached by plain URL.
  // That is safe here because a worker's module cache lives as long as the worker, and the
  // engine's pool (with its workers) lives for one run, during which the code digest is fixed.
  const mod = (await import(`${pathToFileURL(task.custom.modulePath).href}?v=${task.custom.codeDigest.slice(0, 16)}`)) as { default?: unknown };
  const problem = checkStepShape(mod.default);
  if (problem) throw new Error(`custom step ${task.custom.modulePath}: ${problem}`);
  return mod.default as StepType;
}

async function runTask(task: StepTask, signal: AbortSignal, post: (m: WorkerMessage) => void): Promise<void> {
  const type = await loadStepType(task);
  const outputs: Record<string, string> = {};
  const ctx = makeStepContext({
    type,
    stepId: task.stepId,
    pipelineDir: task.pipelineDir,
    inputs: task.inputs,
    fanIn: task.fanIn,
    outputDir: task.outputDir,
    outputs,
    progress: (message, fraction) => post({ type: 'progress', message, fraction }),
    log: (message) => post({ type: 'log', message }),
    signal,
    run: task.run,
  });
  const summary = await type.run(ctx, task.params as Record<string, unknown>);
  post({ type: 'done', summary: summary ?? null, outputs });
}

if (parentPort) {
  const port = parentPort;
  /** The running step's abort; a worker runs one step at a time. */
  let current: AbortController | undefined;
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'abort') {
      current?.abort(new Cancelled());
      return;
    }
    const controller = new AbortController();
    current = controller;
    runTask(request.task, controller.signal, (m) => port.postMessage(m))
      .catch((e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ type: 'error', error: { name: err.name, message: err.message, stack: err.stack } } satisfies WorkerMessage);
      })
      .finally(() => {
        if (current === controller) current = undefined;
      });
  });
}

/**
 * The body of a worker thread: runs one step at a time for the engine's worker pool. Input and
 * output artifacts are files, so nothing but paths, parameters and small messages crosses threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { importCustomStep } from './custom-step.js';
import { importCatalogue, type StepCatalogue } from './step-catalogue.js';
import type { RunInfo, StepType } from './step-type.js';
import { Cancelled, makeStepContext } from './step-context.js';

/** What the pool gives each worker when it starts it (`workerData`): functions cannot cross threads, module URLs can. */
export interface WorkerSetup {
  /** The module exporting the step catalogue the pipeline was validated against (see step-catalogue.ts). */
  readonly catalogueUrl: string;
}

export interface StepTask {
  /** A step type id of the catalogue, or a custom step's module path with its code digest. */
  readonly stepType: string;
  readonly custom?: { modulePath: string; codeDigest: string };
  readonly stepId: string;
  readonly pipelineDir: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly fanIn: Readonly<Record<string, readonly string[]>>;
  readonly outputDir: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** File parameter -> the local file with its data pointer's bytes (StepContext.dataFile). */
  readonly dataFiles?: Readonly<Record<string, string>>;
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

/** Imported once per worker, on its first step. */
let catalogue: Promise<StepCatalogue> | undefined;

async function loadStepType(task: StepTask): Promise<StepType> {
  // Only a custom entry carries the digest in its URL; the modules it imports are cached by plain
  // URL. That is safe here because a worker's module cache lives as long as the worker, and the
  // engine's pool (with its workers) lives for one run, during which the code digest is fixed.
  if (task.custom) return importCustomStep(task.custom);
  catalogue ??= importCatalogue((workerData as WorkerSetup).catalogueUrl);
  const t = await (await catalogue).load(task.stepType);
  if (!t) throw new Error(`unknown step type ${task.stepType}`);
  return t;
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
    ...(task.dataFiles ? { dataFiles: task.dataFiles } : {}),
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

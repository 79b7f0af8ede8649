/**
 * A pool of worker threads for step bodies, so CPU-heavy steps really run in parallel. Workers
 * are started on demand (a fully cached run starts none) and reused between steps.
 */
import { Worker } from 'node:worker_threads';
import type { SerializedError, StepTask, WorkerMessage, WorkerRequest, WorkerSetup } from './step-worker.js';

export interface TaskHandlers {
  onProgress(message: string, fraction?: number): void;
  onLog(message: string): void;
}

export class StepFailure extends Error {
  readonly detail: SerializedError;
  constructor(cause: SerializedError) {
    super(cause.message);
    this.name = cause.name;
    this.detail = cause;
  }
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private closed = false;

  /** `catalogueUrl`: the module exporting the step catalogue (StepCatalogue.moduleUrl), which each worker imports. */
  constructor(
    private readonly catalogueUrl: string,
    private readonly workerUrl: URL = new URL('./step-worker.js', import.meta.url),
  ) {}

  private startWorker(): Worker {
    return new Worker(this.workerUrl, { workerData: { catalogueUrl: this.catalogueUrl } satisfies WorkerSetup });
  }

  run(task: StepTask, handlers: TaskHandlers): Promise<{ summary: unknown; outputs: Record<string, string> }> {
    if (this.closed) return Promise.reject(new StepFailure({ name: 'Cancelled', message: 'cancelled' }));
    const worker = this.idle.pop() ?? this.startWorker();
    this.busy.add(worker);
    return new Promise((resolvePromise, reject) => {
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        this.busy.delete(worker);
      };
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === 'progress') handlers.onProgress(m.message, m.fraction);
        else if (m.type === 'log') handlers.onLog(m.message);
        else {
          cleanup();
          if (this.closed) void worker.terminate();
          else this.idle.push(worker);
          if (m.type === 'done') resolvePromise({ summary: m.summary, outputs: m.outputs });
          else reject(new StepFailure(m.error));
        }
      };
      const onError = (e: Error): void => {
        cleanup();
        void worker.terminate();
        reject(new StepFailure({ name: e.name, message: `the step's worker crashed: ${e.message}`, stack: e.stack }));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new StepFailure({ name: 'Cancelled', message: this.closed ? 'cancelled' : `the step's worker exited with code ${code}` }));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'run', task } satisfies WorkerRequest);
    });
  }

  /** Stops every worker; running tasks fail as cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/**
 * The local executor: a pool of worker threads for step bodies, so CPU-heavy steps really run in
 * parallel. Workers are started on demand (a fully cached run starts none) and reused between
 * steps. A cancelled job's worker is asked to stop (the step's ctx.signal is aborted) and, if the
 * step does not stop within a grace period, terminated.
 */
import { Worker } from 'node:worker_threads';
import { StepFailure, type Executor, type JobHandlers, type JobResult, type StepJob } from './executor.js';
import type { WorkerMessage, WorkerRequest, WorkerSetup } from './step-worker.js';

export { StepFailure } from './executor.js';

/**
 * How long a step has to honour its abort before its worker is terminated: short enough that a
 * run stops within a second of Ctrl-C, long enough for a step checking its signal between units
 * of work to stop on its own and keep its worker for reuse.
 */
export const ABORT_GRACE_MS = 400;

export class WorkerPool implements Executor {
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

  run(job: StepJob, handlers: JobHandlers, signal: AbortSignal): Promise<JobResult> {
    if (this.closed || signal.aborted) return Promise.reject(new StepFailure({ name: 'Cancelled', message: 'cancelled' }));
    const worker = this.idle.pop() ?? this.startWorker();
    this.busy.add(worker);
    return new Promise((resolvePromise, reject) => {
      let terminator: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        worker.postMessage({ type: 'abort' } satisfies WorkerRequest);
        terminator = setTimeout(() => void worker.terminate(), ABORT_GRACE_MS);
      };
      const cleanup = (): void => {
        clearTimeout(terminator);
        signal.removeEventListener('abort', onAbort);
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
        const stopped = this.closed || signal.aborted;
        reject(new StepFailure({ name: 'Cancelled', message: stopped ? 'cancelled' : `the step's worker exited with code ${code}` }));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ type: 'run', task: job } satisfies WorkerRequest);
    });
  }

  /** Stops every worker; running jobs fail as cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}

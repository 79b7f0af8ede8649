/**
 * The forest's worker threads, kept for the life of the thread that uses them (the process, or
 * the engine's step worker) and reused from fit to fit.
 *
 * Why kept: a worker starts in ~40 ms, then compiles the tree grower's module and grows its first
 * trees on the baseline compiler's code; started afresh for every fit, that cost made two threads
 * slower than one on small data (breast cancer, digits) and was paid again by every
 * cross-validation fold. Idle workers are unref'd, so
 * they never keep a process alive; a fit refs the workers it holds until it gives them back.
 *
 * A worker that was busy when a fit stopped early (abort, error) is terminated, never reused: it
 * may still be growing a tree of the stopped fit.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerRequest } from './forest-worker.js';

const WORKER_URL = new URL('./forest-worker.js', import.meta.url);

/** Started, not holding a fit: handed out last in, first out (the most recently warm first). */
const idle: Worker[] = [];

function start(): Worker {
  const w = new Worker(WORKER_URL);
  // An idle worker that fails or exits leaves the pool; without a listener an 'error' would crash the thread.
  const drop = (): void => {
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
  };
  w.on('error', drop);
  w.on('exit', drop);
  return w;
}

/** Workers that have finished a fit: their tree grower is compiled. */
const warm = new WeakSet<Worker>();

/**
 * Takes `n` workers for one fit, idle ones first; they keep the thread alive until given back.
 * `cold` counts those that never grew a tree before (just started or prestarted).
 */
export function takeWorkers(n: number): { workers: Worker[]; cold: number } {
  const workers: Worker[] = [];
  let cold = 0;
  while (workers.length < n) {
    const w = idle.pop() ?? start();
    if (!warm.has(w)) cold++;
    w.ref();
    workers.push(w);
  }
  return { workers, cold };
}

/** Gives back workers that finished every request they were sent; beyond the core count they are stopped. */
export async function returnWorkers(workers: readonly Worker[]): Promise<void> {
  const extra: Worker[] = [];
  for (const w of workers) {
    if (w.threadId < 0) continue; // already exited
    warm.add(w);
    if (idle.length < availableParallelism()) {
      w.unref();
      idle.push(w);
    } else extra.push(w);
  }
  await Promise.all(extra.map((w) => w.terminate()));
}

/** Stops workers that may still be busy (an aborted or failed fit). */
export async function discardWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.terminate()));
}

/**
 * Starts workers ahead of a fit (e.g. while its step reads its input), so that their start-up
 * overlaps other work. They wait idle and unref'd; a later takeWorkers uses them. With `warmUp`
 * each new worker first grows a few throw-away trees (forest-worker.ts), worth it when the fit is
 * ~0.1 s away; a fit that arrives sooner waits for that (some 10 ms) on that worker.
 */
export function prestartWorkers(n: number, warmUp = false): void {
  for (let i = idle.length; i < Math.min(n, availableParallelism()); i++) {
    const w = start();
    if (warmUp) w.postMessage({ type: 'warm-up' } satisfies WorkerRequest);
    w.unref();
    idle.push(w);
  }
}

/** Idle workers in the pool now (for tests). */
export function idleWorkerCount(): number {
  return idle.length;
}

/** Stops every idle worker (for tests, and for a host that wants its threads back). */
export async function closeIdleWorkers(): Promise<void> {
  await discardWorkers(idle.splice(0, idle.length));
}

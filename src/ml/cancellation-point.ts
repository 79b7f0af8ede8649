/**
 * Where a long fit may stop: called between units of work (a tree, a GAN step, an ALS iteration,
 * a molecule), it throws the signal's reason once the signal is aborted.
 *
 * Why it also yields: the engine runs a step in a worker thread and aborts it by a message to that
 * thread, and a message is only delivered when the thread returns to its event loop. A fit that is
 * one synchronous loop would never see the abort, so the point lets the event loop run (see
 * `pollPhase`) once at least `sliceMs` of work have passed since the last time. 25 ms keeps the
 * cost negligible (a pass of the loop took about 10 µs, against 25 ms of work) and the reaction well under the
 * second the engine allows.
 *
 * Without a signal nothing can abort the fit, so the point neither yields nor reads the clock: a
 * caller that does not cancel runs exactly as before. The clock is read only to pace the yields
 * (never for a result), so it is read here rather than through the engine's clock.
 */

/** Awaited between units of work; rejects with the signal's reason once it is aborted. */
export type CancellationPoint = () => Promise<void>;

/** The default slice of work between two turns of the event loop. */
export const YIELD_EVERY_MS = 25;

const none: CancellationPoint = () => Promise.resolve();

/**
 * Resolves once the event loop has passed through its poll phase, where messages from other
 * threads (and MessagePorts) are delivered. One setImmediate is not enough: scheduled while the
 * loop is in its poll phase (after a file read, say), it runs in the check phase right after,
 * before the next poll; the second immediate, scheduled from the check phase, runs only after one.
 */
export function pollPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

export function cancellationPoint(signal: AbortSignal | undefined, sliceMs = YIELD_EVERY_MS): CancellationPoint {
  if (!signal) return none;
  let last = performance.now();
  return async () => {
    signal.throwIfAborted();
    if (performance.now() - last < sliceMs) return;
    await pollPhase();
    last = performance.now();
    signal.throwIfAborted();
  };
}

/**
 * Runs a fit written as a generator (one `yield` after each unit of work) to its end, stopping at
 * a cancellation point between units. The same generator run by `runUnits` gives a synchronous
 * fit for callers that do not cancel, so both share one body.
 */
export async function runUnitsCancellable<T>(units: Generator<void, T, void>, signal: AbortSignal | undefined): Promise<T> {
  const point = cancellationPoint(signal);
  for (;;) {
    await point();
    const next = units.next();
    if (next.done) return next.value;
  }
}

/** Runs a generator-shaped fit to its end on the calling thread, without pauses. */
export function runUnits<T>(units: Generator<void, T, void>): T {
  for (;;) {
    const next = units.next();
    if (next.done) return next.value;
  }
}

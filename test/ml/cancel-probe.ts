/**
 * Cancels a running fit the way the engine does, for the cancellation tests of the long steps
 * (test/ml, test/gan, test/recommender, test/chem).
 *
 * The engine runs a step in a worker thread and aborts it by posting a message to that thread, so
 * the abort only happens when the step gives its event loop a turn. The probe does the same on one
 * thread: when the step reports the progress line it waits for, it posts "abort" on a
 * MessageChannel whose other end aborts the signal. A fit that never yields would never receive
 * it and would run to its end (and the test would fail on its "fewer units than asked" check).
 */
import { MessageChannel } from 'node:worker_threads';
import { Cancelled } from '../../src/engine/step-context.js';

export interface CancelProbe {
  readonly signal: AbortSignal;
  /** What the signal is aborted with; a cancelled fit must reject with exactly this. */
  readonly reason: Cancelled;
  /** Every progress line the step reported, in order. */
  readonly lines: string[];
  /** Pass as the step's (or the library's) progress callback. */
  onProgress(message: string): void;
  /** Sends the abort now (for steps without progress lines to wait for). */
  send(): void;
  /**
   * Milliseconds from the abort being sent to now (call it when the fit has rejected): how long a
   * user waits, including the wait for the message to be delivered at the fit's next turn of the
   * event loop.
   */
  sinceAbort(): number;
  /** Whether the abort message arrived at all. */
  readonly aborted: boolean;
}

/** A probe that sends the abort on the first progress line that `when` accepts (default: the first line). */
export function cancelOnProgress(when: (message: string) => boolean = () => true): CancelProbe {
  const controller = new AbortController();
  const reason = new Cancelled();
  const lines: string[] = [];
  const { port1, port2 } = new MessageChannel();
  let sentAt: number | undefined;
  let abortedAt: number | undefined;
  port2.on('message', () => {
    abortedAt = performance.now();
    controller.abort(reason);
    port1.close();
  });
  // The channel must not keep the test process alive if the abort is never sent.
  port2.unref();
  const send = (): void => {
    if (sentAt !== undefined) return;
    sentAt = performance.now();
    port1.postMessage('abort');
  };
  return {
    signal: controller.signal,
    reason,
    lines,
    onProgress(message) {
      lines.push(message);
      if (when(message)) send();
    },
    send,
    sinceAbort() {
      if (sentAt === undefined || abortedAt === undefined) throw new Error('the abort message never arrived: the fit did not yield to its event loop');
      return performance.now() - sentAt;
    },
    get aborted() {
      return abortedAt !== undefined;
    },
  };
}

/** Threads of this process (Linux): a fit that leaked a worker thread would leave the count higher. */
export async function threadCount(): Promise<number> {
  const { readdirSync } = await import('node:fs');
  return readdirSync('/proc/self/task').length;
}

/**
 * Ctrl-C (SIGINT) during `medpipe run`. The first one aborts the run's signal: the engine
 * cancels the running steps, starts no other and records the run as `interrupted`; the command
 * then exits 130 (128 + SIGINT, what shells report for a command stopped by Ctrl-C). The
 * handler is removed after the first, so a second Ctrl-C, for a run that does not stop, ends
 * the process at once (Node's default once no listener is left).
 */

export const INTERRUPTED_EXIT_CODE = 130;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening for Ctrl-C: call when the run is over. */
  dispose(): void;
}

export function interruptOnCtrlC(onInterrupt: () => void): Interrupt {
  const controller = new AbortController();
  const onSigint = (): void => {
    onInterrupt();
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

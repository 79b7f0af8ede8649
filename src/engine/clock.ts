/** Every clock read in the engine goes through here, so tests and records can rely on one source. */
export const clock = {
  now: (): number => Date.now(),
  iso: (): string => new Date().toISOString(),
  /** Monotonic milliseconds, for durations. */
  mono: (): number => performance.now(),
};

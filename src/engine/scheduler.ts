/**
 * Ready-set scheduling: a step is ready when every step it depends on has succeeded; ready steps
 * start in the pipeline's order, up to the concurrency limit. A failed step's dependants never
 * become ready, and once the run stops nothing new starts. Steps left unstarted are the caller's
 * to mark (skipped), since only it knows why.
 *
 * Written here rather than with p-graph, which the engine used before: p-graph rejects its run on
 * the first failure and hides which steps were ready, while the engine needs to keep independent
 * branches going after a failure, stop starting steps on --fail-fast or Ctrl-C, and (for an
 * executor on other machines) see the ready set.
 */

export interface ScheduleOptions {
  readonly concurrency: number;
  /** Runs one step; resolves true when it succeeded. A rejection counts as a failure. */
  readonly run: (id: string) => Promise<boolean>;
  /** Asked before each start: true once the run stops (nothing more starts). */
  readonly stopped: () => boolean;
}

/** `dependencies`: each step id (in the pipeline's order) with the ids it waits for, all of them keys of the map. */
export function schedule(dependencies: ReadonlyMap<string, readonly string[]>, options: ScheduleOptions): Promise<void> {
  const waiting = new Set(dependencies.keys());
  const succeeded = new Set<string>();
  let running = 0;
  return new Promise((resolveAll) => {
    const ready = (): string[] => [...waiting].filter((id) => (dependencies.get(id) ?? []).every((d) => succeeded.has(d)));
    const pump = (): void => {
      if (!options.stopped()) {
        for (const id of ready()) {
          if (running >= options.concurrency) break;
          waiting.delete(id);
          running++;
          options
            .run(id)
            .catch(() => false)
            .then((ok) => {
              running--;
              if (ok) succeeded.add(id);
              pump();
            });
        }
      }
      if (running === 0) resolveAll();
    };
    pump();
  });
}

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
  const order = new Map([...dependencies.keys()].map((id, i) => [id, i]));
  /** How many dependencies of each step have not succeeded yet. */
  const unmet = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const [id, deps] of dependencies) {
    unmet.set(id, deps.length);
    for (const d of deps) dependants.set(d, [...(dependants.get(d) ?? []), id]);
  }
  /** Steps whose dependencies all succeeded, in the pipeline's order. */
  const ready = [...dependencies.keys()].filter((id) => unmet.get(id) === 0);
  const becameReady = (id: string): void => {
    const at = order.get(id) ?? 0;
    let i = ready.length;
    while (i > 0 && (order.get(ready[i - 1]) ?? 0) > at) i--;
    ready.splice(i, 0, id);
  };
  let running = 0;
  return new Promise((resolveAll) => {
    const pump = (): void => {
      while (!options.stopped() && running < options.concurrency && ready.length) {
        const id = ready.shift() as string;
        running++;
        options
          .run(id)
          .catch(() => false)
          .then((ok) => {
            running--;
            if (ok) {
              for (const d of dependants.get(id) ?? []) {
                const left = (unmet.get(d) ?? 0) - 1;
                unmet.set(d, left);
                if (left === 0) becameReady(d);
              }
            }
            pump();
          });
      }
      if (running === 0) resolveAll();
    };
    pump();
  });
}

/**
 * The step types a pipeline's `uses:` names resolve to. The engine is given one by its caller
 * (the CLI and the public API pass medpipe's built-in steps, src/steps/index.ts; a test may pass
 * its own): it never imports step types itself. Custom steps (`uses: ./my-step.js`, a package)
 * are loaded by the engine from their own modules (custom-step.ts), outside any catalogue.
 */
import type { StepType } from './step-type.js';

export interface StepCatalogue {
  /**
   * The URL of a module that exports this catalogue as `catalogue`. Worker threads, which cannot
   * receive functions, import it to find the step types they run.
   */
  readonly moduleUrl: string;
  /** The step type with this id (`uses: load.csv`), if the catalogue has one. */
  get(id: string): StepType | undefined;
  /** Every step type, in the catalogue's order. */
  list(): readonly StepType[];
}

/** A catalogue of `types`, exported as `catalogue` by the module at `moduleUrl` (pass `import.meta.url`). */
export function stepCatalogue(moduleUrl: string, types: readonly StepType[]): StepCatalogue {
  const byId = new Map(types.map((t) => [t.id, t]));
  if (byId.size !== types.length) throw new Error(`step catalogue ${moduleUrl}: two step types share an id`);
  return { moduleUrl, get: (id) => byId.get(id), list: () => types };
}

/** The catalogue a module exports as `catalogue`, checked: a worker finds its step types here. */
export async function importCatalogue(moduleUrl: string): Promise<StepCatalogue> {
  const mod = (await import(moduleUrl)) as { catalogue?: Partial<StepCatalogue> };
  const c = mod.catalogue;
  if (!c || typeof c.get !== 'function' || typeof c.list !== 'function') throw new Error(`${moduleUrl} does not export a step catalogue as "catalogue"`);
  return c as StepCatalogue;
}

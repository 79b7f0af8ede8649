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
  /** The ids of its step types, in the catalogue's order. */
  ids(): readonly string[];
  has(id: string): boolean;
  /** The step type with this id (`uses: load.csv`), loaded on first use; undefined when the catalogue has none. */
  load(id: string): Promise<StepType | undefined>;
}

/** A catalogue of `types`, exported as `catalogue` by the module at `moduleUrl` (pass `import.meta.url`). */
export function stepCatalogue(moduleUrl: string, types: readonly StepType[]): StepCatalogue {
  const byId = new Map(types.map((t) => [t.id, t]));
  if (byId.size !== types.length) throw new Error(`step catalogue ${moduleUrl}: two step types share an id`);
  return { moduleUrl, ids: () => [...byId.keys()], has: (id) => byId.has(id), load: async (id) => byId.get(id) };
}

/**
 * A catalogue whose step types are modules imported when a pipeline first names one: a run
 * loads the few types it uses, not every one (each step module brings its schema and helpers;
 * all of them were a tenth of a cached re-run's start-up). `modules` maps each id to an import
 * of the module whose default export is that step type; the module's own id is checked.
 */
export function lazyStepCatalogue(moduleUrl: string, modules: Readonly<Record<string, () => Promise<{ default: StepType }>>>): StepCatalogue {
  const loaded = new Map<string, Promise<StepType>>();
  const ids = Object.keys(modules);
  return {
    moduleUrl,
    ids: () => ids,
    has: (id) => Object.hasOwn(modules, id),
    load(id) {
      if (!Object.hasOwn(modules, id)) return Promise.resolve(undefined);
      let type = loaded.get(id);
      if (!type) {
        type = modules[id]().then(({ default: t }) => {
          if (t.id !== id) throw new Error(`internal: step catalogue ${moduleUrl}: the module of "${id}" defines "${t.id}"`);
          return t;
        });
        loaded.set(id, type);
      }
      return type;
    },
  };
}

/** The catalogue a module exports as `catalogue`, checked: a worker finds its step types here. */
export async function importCatalogue(moduleUrl: string): Promise<StepCatalogue> {
  const mod = (await import(moduleUrl)) as { catalogue?: Partial<StepCatalogue> };
  const c = mod.catalogue;
  if (!c || typeof c.load !== 'function' || typeof c.ids !== 'function') throw new Error(`${moduleUrl} does not export a step catalogue as "catalogue"`);
  return c as StepCatalogue;
}

/**
 * Every built-in step type, loaded, by id in the catalogue's order: for what describes them all
 * (`medpipe steps`, the editor schema, the validators compiled at build time). A run takes them
 * from the catalogue (steps/index.ts), one module at a time as its pipeline names them.
 */
import type { StepType } from './engine/step-type.js';
import { catalogue } from './steps/index.js';

export const builtinSteps: ReadonlyMap<string, StepType> = new Map(
  await Promise.all(
    catalogue.ids().map(async (id): Promise<[string, StepType]> => {
      const type = await catalogue.load(id);
      if (!type) throw new Error(`internal: the step catalogue lists "${id}" but cannot load it`);
      return [id, type];
    }),
  ),
);

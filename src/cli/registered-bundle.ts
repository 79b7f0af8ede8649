/**
 * A registered version's bundle, for the commands that use one (`predict`, `recommend`): resolves
 * NAME@VERSION|ALIAS in the store's registry and reads the bundle, checked against its registered digest. An unknown name or alias is
 * reported (exit 1) rather than thrown, as `models show` does.
 */
import { UsageError } from '../errors.js';
import type { ModelBundle } from '../bundle/bundle.js';

export type RegisteredBundle = { bundle: ModelBundle; label: string } | { problem: string };

export async function readRegisteredBundle(ref: string, storeDir: string): Promise<RegisteredBundle> {
  const { Registry, RegistryError, readVerifiedBundle } = await import('../registry/index.js');
  if (!Registry.exists(storeDir)) throw new UsageError(`no model registry in ${storeDir}: run a pipeline with a register step first`);
  let registry: ReturnType<typeof Registry.open> | undefined;
  try {
    registry = Registry.open(storeDir);
    const v = registry.getVersion(ref);
    return { bundle: JSON.parse(readVerifiedBundle(v).toString('utf8')) as ModelBundle, label: `${v.name}@${v.version}` };
  } catch (e) {
    if (e instanceof RegistryError) return { problem: e.message };
    throw e;
  } finally {
    registry?.close();
  }
}

/**
 * A registered version's bundle for a command that runs its model on rows (`predict`, `explain`):
 * a recommender or generator is refused with what to use instead; `verb` is what the command does.
 */
export async function readRegisteredPredictor(ref: string, storeDir: string, verb: string): Promise<RegisteredBundle> {
  const found = await readRegisteredBundle(ref, storeDir);
  if ('problem' in found) return found;
  const { modelKindOf, usageOf } = await import('../bundle/model-kind.js');
  const kind = modelKindOf(found.bundle.model);
  if (kind !== 'predictor') throw new UsageError(`${found.label} cannot ${verb} rows: ${usageOf(kind)}`);
  return found;
}

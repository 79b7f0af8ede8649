/** `medpipe predict NAME@ALIAS --input rows.csv --output out.csv`: predictions from a registered bundle. */
import { readFileSync } from 'node:fs';
import { writeAtomic } from '../engine/store.js';
import { UsageError } from '../errors.js';
import type { ModelBundle } from '../bundle/bundle.js';
import { dirname } from 'node:path';

export interface PredictArgs {
  ref: string;
  input: string;
  output?: string;
  storeDir: string;
}

export async function predictCommand(a: PredictArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const { Registry, RegistryError } = await import('../registry/index.js');
  if (!Registry.exists(a.storeDir)) throw new UsageError(`no model registry in ${a.storeDir}: run a pipeline with a register step first`);
  const registry = Registry.open(a.storeDir);
  let bundle: ModelBundle;
  let label: string;
  try {
    const v = registry.getVersion(a.ref);
    label = `${v.name}@${v.version}`;
    bundle = JSON.parse(readFileSync(v.bundlePath, 'utf8')) as ModelBundle;
  } catch (e) {
    if (e instanceof RegistryError) {
      io.err(`medpipe: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    registry.close();
  }
  const { modelKindOf, usageOf } = await import('../bundle/model-kind.js');
  const kind = modelKindOf(bundle.model);
  if (kind !== 'predictor') throw new UsageError(`${label} cannot predict rows: ${usageOf(kind)}`);
  const { predictBundle, predictionsCsv, readRowsForBundle } = await import('../bundle/predict.js');
  const rows = await readRowsForBundle(a.input, bundle);
  const predictions = await predictBundle(bundle, rows, a.input);
  const csv = predictionsCsv(rows, predictions);
  if (a.output) {
    writeAtomic(a.output, csv, dirname(a.output));
    io.err(`medpipe: ${label}: ${predictions.rowCount} predictions written to ${a.output}`);
  } else io.out(csv.trimEnd());
  return 0;
}

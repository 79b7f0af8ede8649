/** `medpipe predict NAME@ALIAS --input rows.csv --output out.csv`: predictions from a registered bundle. */
import { writeAtomic } from '../engine/store.js';
import { UsageError } from '../errors.js';
import { readRegisteredBundle } from './registered-bundle.js';
import { dirname } from 'node:path';

export interface PredictArgs {
  ref: string;
  input: string;
  output?: string;
  storeDir: string;
}

export async function predictCommand(a: PredictArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const found = await readRegisteredBundle(a.ref, a.storeDir);
  if ('problem' in found) {
    io.err(`medpipe: ${found.problem}`);
    return 1;
  }
  const { bundle, label } = found;
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

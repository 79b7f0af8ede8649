/**
 * The training summary `register` puts in the bundle from its `train` input: the raw training
 * rows, read from the store, checked to have the signature's columns, summarised with the
 * model's scores on them (src/monitor/training-summary.ts).
 */
import type { ModelBundle } from '../bundle/bundle.js';
import { readDatasetFile } from '../data/arrow.js';
import { StepInputError } from '../errors.js';
import { shortList } from '../suggest.js';
import { applyBundle } from './bundle-model.js';
import { summariseTraining, type TrainingSummary } from './training-summary.js';

export async function trainingSummaryFor(bundle: ModelBundle, trainFile: string): Promise<TrainingSummary> {
  const ds = await readDatasetFile(trainFile);
  const have = new Set(ds.columns.map((c) => c.name));
  const missing = bundle.signature.columns.filter((c) => !have.has(c.name)).map((c) => `"${c.name}"`);
  if (missing.length)
    throw new StepInputError(
      `in.train lacks the model's input column${missing.length > 1 ? 's' : ''} ${shortList(missing)}: wire the raw training rows the model was fitted on, before preprocessing (e.g. in: { train: split.train })`,
    );
  const applied = await applyBundle(bundle, ds, 'in.train');
  return summariseTraining(bundle, ds, applied.scores && applied.scoreName ? { name: applied.scoreName, values: applied.scores } : undefined);
}

/**
 * Step `generate`: n rows sampled from a `train.gan` generator, as a dataset with the training
 * table's generated columns (same names, order and kinds; 0/1 columns stay 0/1) plus, for a
 * generator conditioned on a label, that label column. Seeded: the same seed gives the same bytes.
 */
import { readFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import type { Column } from '../data/dataset.js';
import type { GanModel } from '../ml/gan/model.js';
import { MAX_ROWS } from '../engine/param-limits.js';

interface Params {
  n: number;
  seed: number;
  condition: string | null;
  binary: 'sample' | 'threshold';
}

export default defineStep<Params>({
  id: 'generate',
  version: '1',
  description: 'Samples rows from a trained generator (train.gan) as a dataset with the training columns; optionally for one condition label (e.g. active).',
  inputs: { model: { kind: 'model', description: 'A generator from train.gan.' } },
  outputs: { data: { kind: 'dataset', description: 'The generated rows.' } },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      n: { type: 'integer', minimum: 1, maximum: MAX_ROWS, default: 1000, description: 'Rows to generate.' },
      seed: { type: 'integer', default: 0, description: 'Seed of the noise (and of 0/1 draws): same seed, same rows.' },
      condition: {
        type: ['string', 'null'],
        default: null,
        description: 'For a conditional generator: the label (or bin name) to generate; null draws labels with their training frequencies.',
      },
      binary: {
        enum: ['sample', 'threshold'],
        default: 'sample',
        description: '0/1 columns: draw each bit with the generated probability (keeps bit frequencies), or threshold it at 0.5.',
      },
    },
  },
  async run(ctx, params) {
    const { writeDatasetFile } = await import('../data/arrow.js');
    const { makeDataset } = await import('../data/dataset.js');
    const { GAN_MODEL_FORMAT, sampleGan } = await import('../ml/gan/model.js');

    const path = ctx.input('model')!;
    const model = JSON.parse(await readFile(path, 'utf8')) as GanModel;
    if (model.format !== GAN_MODEL_FORMAT)
      throw new StepInputError(`model ${path} is not a generator (format ${String(model.format)}): wire a train.gan step into generate`);
    if (params.condition !== null && !model.condition)
      throw new StepInputError('condition is set but this generator was trained without one: remove condition, or add condition to train.gan');
    if (params.condition !== null && !model.condition!.labels.includes(params.condition)) {
      throw new StepInputError(
        `condition "${params.condition}" is not a label of the generator's condition "${model.condition!.column}": use one of ${model.condition!.labels.map((l) => `"${l}"`).join(', ')}`,
      );
    }
    const out = sampleGan(model, { n: params.n, seed: params.seed, condition: params.condition, binary: params.binary });
    const byName = new Map<string, Column>();
    model.columns.forEach((c, j) => byName.set(c.name, { name: c.name, kind: c.kind, data: { type: 'numeric', values: out.values[j] } }));
    const cond = model.condition;
    if (cond && cond.type === 'categorical' && out.cond) {
      byName.set(cond.column, { name: cond.column, kind: cond.kind, data: { type: 'categorical', codes: out.cond, categories: cond.labels } });
    }
    const columns = model.tableOrder.map((name) => byName.get(name)!);
    const target =
      model.target && byName.has(model.target) ? { column: model.target, ...(model.positive !== undefined ? { positive: model.positive } : {}) } : undefined;
    await writeDatasetFile(ctx.output('data'), makeDataset(columns, target));
    ctx.log(
      `generated ${params.n} rows x ${columns.length} columns${params.condition !== null ? ` for condition "${params.condition}"` : ''} (generator trained on the ${model.backend} backend)`,
    );
    return { rows: params.n, columns: columns.length, condition: params.condition, generator_backend: model.backend };
  },
});

/**
 * Step `train.gan`: a tabular GAN (WGAN-GP by default) trained on a dataset's numeric and 0/1
 * columns, optionally conditioned on a label or on bins of a numeric property: by medpipe's own
 * compiled WebAssembly kernels (backend: kernels, auto's choice) or TensorFlow.js.
 * Outputs the generator (medpipe.gan/1 JSON, for `generate`) and the training curves.
 *
 * An interrupted fit resumes: every checkpoint_every steps the full training state is written to
 * <store>/checkpoints/<this step's cache key>.json (atomically), read back when the same step
 * starts again, and deleted when the fit completes. Training draws every random number from the
 * seed and the step index, so a resumed fit ends with the same weights as an uninterrupted one.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../engine/durable.js';
import { scratchDir, STORE_FOLDERS } from '../engine/store-layout.js';
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import type { ConditionParam } from '../ml/gan/encode.js';
import type { GanBackendName, GanModel } from '../ml/gan/model.js';
import type { Tf } from '../ml/tf/backend.js';
import type { GanCheckpoint } from '../ml/gan/train.js';
import { MAX_ROWS } from '../engine/param-limits.js';

interface Params {
  columns: string[] | null;
  exclude: string[];
  condition: ConditionParam | null;
  loss: 'wgan-gp' | 'standard';
  numeric_transform: 'standard' | 'quantile';
  noise_dim: number;
  generator_hidden: number[];
  critic_hidden: number[];
  lr_generator: number;
  lr_critic: number;
  beta1: number;
  beta2: number;
  batch_size: number;
  steps: number;
  critic_iters: number;
  pac: number;
  gp_weight: number;
  seed: number;
  backend: 'auto' | 'kernels' | 'node' | 'wasm' | 'cpu';
  log_every: number;
  checkpoint_every: number;
}

const hidden = (what: string) => ({
  type: 'array',
  items: { type: 'integer', minimum: 1, maximum: 4096 },
  minItems: 1,
  maxItems: 8,
  default: [128, 128],
  description: `Hidden layer widths of the ${what} (ReLU).`,
});

async function readCheckpoint(path: string): Promise<{ backend: string; checkpoint: GanCheckpoint } | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { backend: string; checkpoint: GanCheckpoint };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A damaged checkpoint costs only the steps it saved: start afresh rather than fail.
    return undefined;
  }
}

export default defineStep<Params>({
  id: 'train.gan',
  version: '3',
  description:
    "Tabular GAN (WGAN-GP, or the standard GAN), on medpipe's compiled WebAssembly kernels or TensorFlow.js: numeric columns standardised, 0/1 columns through a sigmoid, optional condition (a label or bins of a property); resumes from its checkpoint.",
  inputs: { train: { kind: 'dataset', description: 'Training rows: the numeric and 0/1 columns to learn (impute missing values first).' } },
  outputs: {
    model: {
      kind: 'model',
      description: 'The generator with its column metadata, scaling, condition labels, seed and training backend (medpipe.gan/1 JSON).',
    },
    curves: { kind: 'report', description: 'Training losses every log_every steps (JSON).' },
  },
  defaultOutput: 'model',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: {
        type: ['array', 'null'],
        items: { type: 'string' },
        default: null,
        description: 'Columns to generate; null = every numeric column that is not an id, minus exclude.',
      },
      exclude: { type: 'array', items: { type: 'string' }, default: [], description: 'Columns left out when columns is null.' },
      condition: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['column'],
        properties: {
          column: { type: 'string', description: 'A categorical column (condition on its labels) or a numeric one (condition on its bins).' },
          bins: { type: 'array', items: { type: 'number' }, minItems: 1, description: 'Numeric column: ascending bin edges, e.g. [7] for "< 7" and ">= 7".' },
          labels: {
            type: 'array',
            items: { type: 'string' },
            minItems: 2,
            description: 'Numeric column: one name per bin (edges + 1), e.g. [inactive, active].',
          },
        },
        default: null,
        description: 'Conditional GAN: a one-hot condition is given to the generator and the critic, and `generate` can ask for one label.',
      },
      loss: {
        enum: ['wgan-gp', 'standard'],
        default: 'wgan-gp',
        description: 'wgan-gp: Wasserstein loss with gradient penalty (stable); standard: sigmoid cross-entropy (non-saturating).',
      },
      numeric_transform: {
        enum: ['standard', 'quantile'],
        default: 'standard',
        description:
          'standard: numeric columns standardised (whole-number columns dequantised, generated values rounded); quantile: each column mapped to normal scores of its ranks and generated values mapped back to values the column took in training (for skewed, spiky or gridded columns such as descriptors; the model then stores up to 1,000 quantiles per column).',
      },
      noise_dim: { type: 'integer', minimum: 1, maximum: 4096, default: 32, description: "Width of the generator's noise input." },
      generator_hidden: hidden('generator'),
      critic_hidden: hidden('critic (discriminator)'),
      lr_generator: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.0001, description: 'Adam learning rate of the generator.' },
      lr_critic: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.0001, description: 'Adam learning rate of the critic.' },
      beta1: {
        type: 'number',
        minimum: 0,
        exclusiveMaximum: 1,
        default: 0,
        description: 'Adam beta1. 0 (as in the WGAN-GP paper): with momentum (0.5) small tabular GANs oscillate and can lose modes (test/gan/mixture.test.ts).',
      },
      beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'Adam beta2.' },
      batch_size: { type: 'integer', minimum: 1, maximum: 65536, default: 64, description: 'Rows per batch (drawn with replacement).' },
      steps: { type: 'integer', minimum: 1, maximum: MAX_ROWS, default: 2000, description: 'Generator updates.' },
      critic_iters: { type: 'integer', minimum: 1, maximum: 100, default: 5, description: 'Critic updates per generator update.' },
      pac: {
        type: 'integer',
        minimum: 1,
        maximum: 64,
        default: 1,
        description:
          'PacGAN packing: the critic scores groups of this many rows at once, which lets it see and punish too little variety (mode collapse); CTGAN uses 10. Must divide batch_size. 1: off.',
      },
      gp_weight: { type: 'number', minimum: 0, default: 10, description: 'WGAN-GP gradient-penalty weight (lambda).' },
      seed: {
        type: 'integer',
        default: 0,
        description: 'Seed of every random number (weights, batches, noise): same seed, same generator on the same backend.',
      },
      backend: {
        enum: ['auto', 'kernels', 'node', 'wasm', 'cpu'],
        default: 'auto',
        description:
          "What trains the networks. kernels: medpipe's own WebAssembly (built with medpipe; one call per critic or generator update, the fastest on these small networks; the same weights on every machine). node, wasm, cpu: that TensorFlow.js backend. auto: the TensorFlow.js backend MEDPIPE_TF_BACKEND forces if it is set, else kernels. Weights for one seed differ slightly between backends; naming one here makes it part of the cache key.",
      },
      log_every: { type: 'integer', minimum: 1, default: 50, description: 'Record the losses (and report progress) every this many steps.' },
      checkpoint_every: { type: 'integer', minimum: 0, default: 500, description: 'Save a resumable checkpoint every this many steps (0: never).' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { loadTf, TF_BACKEND_ENV } = await import('../ml/tf/backend.js');
    const { encodeTable } = await import('../ml/gan/encode.js');
    const { fitGan, fitGanKernels } = await import('../ml/gan/train.js');
    const { floatsToBase64 } = await import('../ml/gan/mlp.js');
    const { GAN_MODEL_FORMAT } = await import('../ml/gan/model.js');

    if (params.batch_size % params.pac !== 0) throw new StepInputError(`pac (${params.pac}) must divide batch_size (${params.batch_size})`);
    const ds = await readDatasetFile(ctx.input('train')!);
    if (params.condition?.labels && !params.condition.bins) throw new StepInputError('condition.labels names bins: give condition.bins too');
    const enc = encodeTable(ds, {
      columns: params.columns,
      exclude: params.exclude,
      condition: params.condition,
      seed: params.seed,
      transform: params.numeric_transform,
    });
    const forcedTf = process.env[TF_BACKEND_ENV]?.trim();
    const useKernels = params.backend === 'kernels' || (params.backend === 'auto' && !forcedTf);
    let tf: Tf | undefined;
    let backend: GanBackendName;
    let reason: string;
    if (useKernels) {
      backend = 'kernels';
      reason = params.backend === 'kernels' ? 'backend: kernels' : `auto, ${TF_BACKEND_ENV} not set`;
      ctx.log(`training backend: medpipe's WebAssembly kernels (${reason})`);
    } else {
      ({ tf, backend, reason } = await loadTf(params.backend === 'auto' ? undefined : (params.backend as 'node' | 'wasm' | 'cpu')));
      ctx.log(`TensorFlow.js backend: ${backend} (${reason})`);
    }

    const checkpointPath = ctx.run ? join(ctx.run.storeDir, STORE_FOLDERS.checkpoints, `${ctx.run.stepKey}.json`) : undefined;
    const checkpointScratch = ctx.run && scratchDir(ctx.run.storeDir);
    const saved = checkpointPath ? await readCheckpoint(checkpointPath) : undefined;
    // A checkpoint written on another backend would mix two backends' arithmetic in one model.
    const resume = saved && saved.backend === backend ? saved.checkpoint : undefined;
    if (saved && !resume) ctx.log(`the checkpoint was written on the ${saved.backend} backend, not ${backend}: starting afresh`);
    if (resume) ctx.log(`resuming from the checkpoint at step ${resume.step}/${params.steps}`);
    const binary = enc.columns.length - enc.numericColumns;
    ctx.log(
      `${params.loss} on ${enc.nRows} rows: ${enc.numericColumns} numeric + ${binary} binary columns${enc.condition ? `, conditioned on "${enc.condition.column}" (${enc.condition.labels.length} labels)` : ''}`,
    );

    const fit = tf ? fitGan.bind(null, tf) : fitGanKernels;
    const result = await fit(
      { X: enc.X, nRows: enc.nRows, ...(enc.cond ? { cond: enc.cond } : {}) },
      {
        dataDim: enc.columns.length,
        numericColumns: enc.numericColumns,
        condDim: enc.condition ? enc.condition.labels.length : 0,
        noiseDim: params.noise_dim,
        generatorHidden: params.generator_hidden,
        criticHidden: params.critic_hidden,
        loss: params.loss,
        lrGenerator: params.lr_generator,
        lrCritic: params.lr_critic,
        beta1: params.beta1,
        beta2: params.beta2,
        batchSize: params.batch_size,
        steps: params.steps,
        criticIters: params.critic_iters,
        pac: params.pac,
        gpWeight: params.gp_weight,
        seed: params.seed,
        logEvery: params.log_every,
        checkpointEvery: params.checkpoint_every,
      },
      {
        ...(resume ? { resume } : {}),
        signal: ctx.signal,
        onLog: (point, total) =>
          ctx.progress(`step ${point.step}/${total}: critic ${point.critic_loss.toFixed(4)}, generator ${point.generator_loss.toFixed(4)}`, point.step / total),
        ...(checkpointPath
          ? {
              onCheckpoint: async (checkpoint: GanCheckpoint) => {
                writeFileDurably(checkpointPath, JSON.stringify({ backend, checkpoint }), { scratchDir: checkpointScratch });
              },
            }
          : {}),
      },
    );

    const target = ds.target && enc.tableOrder.includes(ds.target.column) ? ds.target : undefined;
    const model: GanModel = {
      format: GAN_MODEL_FORMAT,
      loss: params.loss,
      backend,
      seed: params.seed,
      steps: params.steps,
      noiseDim: params.noise_dim,
      generator: { sizes: [...result.generatorShape.sizes], weights: floatsToBase64(result.generator) },
      columns: enc.columns,
      tableOrder: enc.tableOrder,
      condition: enc.condition,
      ...(target ? { target: target.column, ...(target.positive !== undefined ? { positive: target.positive } : {}) } : {}),
    };
    await writeFile(ctx.output('model'), JSON.stringify(model));
    await writeFile(ctx.output('curves'), JSON.stringify({ kind: 'gan-curves', loss: params.loss, backend, points: result.curves }));
    if (checkpointPath) await rm(checkpointPath, { force: true });

    const last = result.curves[result.curves.length - 1];
    return {
      backend,
      backend_reason: reason,
      loss: params.loss,
      rows: enc.nRows,
      numeric_columns: enc.numericColumns,
      binary_columns: binary,
      condition: enc.condition ? { column: enc.condition.column, labels: enc.condition.labels } : null,
      steps: params.steps,
      resumed_from: result.resumedFrom,
      final: last ?? null,
    };
  },
});

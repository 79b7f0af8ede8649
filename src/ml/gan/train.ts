/**
 * Trains a tabular GAN: WGAN-GP (Gulrajani et al. 2017) by default, or the standard
 * non-saturating sigmoid-cross-entropy GAN. Optional conditioning: a one-hot label concatenated to
 * the generator's noise and to the critic's input; optional PacGAN packing.
 *
 * This module is the training loop: it draws the random numbers, fills the batch buffers, logs,
 * checkpoints and stops on cancellation. The arithmetic of each update is an engine's (engine.ts):
 * `fitGan` runs it as TensorFlow.js kernel calls (tf-engine.ts) on the loaded backend,
 * `fitGanKernels` as one call per update into medpipe's compiled WebAssembly (kernel-engine.ts),
 * which on these small networks removes the per-kernel dispatch cost that dominates tfjs.
 *
 * Every random number (initial weights, row sampling, noise, interpolation weights) comes from
 * medpipe's seeded RNG, derived from the seed and the step index: the same seed gives the same
 * weights on the same engine and backend, and a fit resumed from a checkpoint ends exactly where
 * an uninterrupted one does.
 */
import { createRng, type Rng } from '../../rng.js';
import { cancellationPoint } from '../cancellation-point.js';
import type { Tf } from '../tf/backend.js';
import type { AdamState } from './adam.js';
import type { GanEngine, GanEngineState } from './engine.js';
import { createKernelEngine } from './kernel-engine.js';
import { base64ToFloats, floatsToBase64, initMlp, paramCount, type MlpShape } from './mlp.js';
import { createTfEngine } from './tf-engine.js';

export type GanLoss = 'wgan-gp' | 'standard';

export interface GanTrainConfig {
  /** Generated columns; the first `numericColumns` are linear outputs, the rest binary (sigmoid). */
  dataDim: number;
  numericColumns: number;
  /** One-hot condition width (0: unconditional). */
  condDim: number;
  noiseDim: number;
  generatorHidden: readonly number[];
  criticHidden: readonly number[];
  loss: GanLoss;
  lrGenerator: number;
  lrCritic: number;
  beta1: number;
  beta2: number;
  batchSize: number;
  steps: number;
  /** Critic updates per generator update. */
  criticIters: number;
  /**
   * PacGAN (Lin et al. 2018, CTGAN's default of 10): the critic scores groups of this many rows
   * concatenated, so it can see a lack of variety within a group (mode collapse) that it cannot
   * see in one row. 1: plain GAN. Must divide batchSize.
   */
  pac?: number;
  gpWeight: number;
  seed: number;
  logEvery: number;
  /** 0: never. */
  checkpointEvery: number;
}

export interface GanTrainData {
  /** Row-major nRows x dataDim, already scaled, in the config's column order. */
  X: Float32Array;
  nRows: number;
  /** Condition index per row (required when condDim > 0). */
  cond?: Int32Array;
}

export interface CurvePoint {
  step: number;
  critic_loss: number;
  generator_loss: number;
  /** WGAN-GP: the critic's estimate of the Wasserstein distance (mean score real - fake). */
  wasserstein?: number;
  gradient_penalty?: number;
}

export const GAN_CHECKPOINT_FORMAT = 'medpipe.gan-checkpoint/1';

export interface GanCheckpoint {
  format: typeof GAN_CHECKPOINT_FORMAT;
  /** Steps completed. */
  step: number;
  /** The config the checkpoint belongs to, minus the step count (which may grow on a re-run). */
  config: string;
  generator: string;
  critic: string;
  adam: { generator: SerializedAdam; critic: SerializedAdam };
  curves: CurvePoint[];
}

interface SerializedAdam {
  m: string;
  v: string;
  t: number;
}

export interface GanTrainHooks {
  /** Continue from this checkpoint (it must belong to the same config). */
  resume?: GanCheckpoint;
  /** Called every checkpointEvery steps (not after the last); awaited. */
  onCheckpoint?: (checkpoint: GanCheckpoint) => Promise<void>;
  /** Called at every log point. */
  onLog?: (point: CurvePoint, total: number) => void;
  /**
   * Aborting it stops the fit between training steps (never inside onCheckpoint, so a checkpoint
   * is written whole or not at all); the fit rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface GanTrainResult {
  generator: Float32Array;
  generatorShape: MlpShape;
  curves: CurvePoint[];
  /** The step the fit resumed from, or null for a fresh fit. */
  resumedFrom: number | null;
}

export function generatorShape(c: Pick<GanTrainConfig, 'noiseDim' | 'condDim' | 'generatorHidden' | 'dataDim'>): MlpShape {
  return { sizes: [c.noiseDim + c.condDim, ...c.generatorHidden, c.dataDim] };
}

export function criticShape(c: Pick<GanTrainConfig, 'condDim' | 'criticHidden' | 'dataDim' | 'pac'>): MlpShape {
  return { sizes: [(c.pac ?? 1) * (c.dataDim + c.condDim), ...c.criticHidden, 1] };
}

function configKey(c: GanTrainConfig): string {
  const { steps: _steps, logEvery: _log, checkpointEvery: _ck, pac, ...rest } = c;
  // pac 1 is the plain GAN: keep the key of checkpoints written before pac existed.
  return JSON.stringify(pac !== undefined && pac !== 1 ? { ...rest, pac } : rest);
}

/** RNG streams: one for initial weights, one per training step (so a resumed fit draws the same numbers). */
const INIT_STREAM = 0x7fffffff;

type EngineFactory = (
  shapes: { generator: MlpShape; critic: MlpShape },
  init: Pick<GanEngineState, 'generator' | 'critic'> & { adam?: GanEngineState['adam'] },
) => GanEngine;

/** Trains with TensorFlow.js kernel calls on `tf`'s current backend. */
export function fitGan(tf: Tf, data: GanTrainData, config: GanTrainConfig, hooks: GanTrainHooks = {}): Promise<GanTrainResult> {
  return train((shapes, init) => createTfEngine(tf, config, shapes, init), data, config, hooks);
}

/** Trains with medpipe's compiled WebAssembly (one call per update); throws when the module is not built. */
export function fitGanKernels(data: GanTrainData, config: GanTrainConfig, hooks: GanTrainHooks = {}): Promise<GanTrainResult> {
  return train((shapes, init) => createKernelEngine(config, shapes, init), data, config, hooks);
}

async function train(makeEngine: EngineFactory, data: GanTrainData, config: GanTrainConfig, hooks: GanTrainHooks): Promise<GanTrainResult> {
  const { dataDim: d, condDim: k, noiseDim: nz, batchSize: B } = config;
  if (k > 0 && !data.cond) throw new Error('a conditional GAN needs a condition index per row');
  if (data.X.length !== data.nRows * d) throw new Error(`X has ${data.X.length} values, expected ${data.nRows} x ${d}`);
  const gShape = generatorShape(config);
  const cShape = criticShape(config);
  const pac = config.pac ?? 1;
  if (!(Number.isInteger(pac) && pac >= 1 && B % pac === 0)) throw new Error(`pac (${pac}) must divide the batch size (${B})`);
  if (config.generatorHidden.length === 0 || config.criticHidden.length === 0) throw new Error('the generator and the critic need at least one hidden layer');

  const resume = hooks.resume;
  if (resume && (resume.format !== GAN_CHECKPOINT_FORMAT || resume.config !== configKey(config))) {
    throw new Error('the checkpoint belongs to a different GAN configuration');
  }
  const initRng = createRng(config.seed).fork(INIT_STREAM);
  const adamState = (s: SerializedAdam): AdamState => ({ m: base64ToFloats(s.m), v: base64ToFloats(s.v), t: s.t });
  const engine = makeEngine(
    { generator: gShape, critic: cShape },
    resume
      ? {
          generator: base64ToFloats(resume.generator, paramCount(gShape)),
          critic: base64ToFloats(resume.critic, paramCount(cShape)),
          adam: { generator: adamState(resume.adam.generator), critic: adamState(resume.adam.critic) },
        }
      : { generator: initMlp(gShape, initRng), critic: initMlp(cShape, initRng) },
  );
  const { real: realBuf, noise: noiseBuf, cond: condBuf, eps: epsBuf } = engine.buffers;

  const fillReal = (rng: Rng): void => {
    realBuf.fill(0);
    if (k) condBuf.fill(0);
    for (let i = 0; i < B; i++) {
      const r = rng.int(data.nRows);
      realBuf.set(data.X.subarray(r * d, r * d + d), i * (d + k));
      if (k) {
        const c = data.cond![r];
        realBuf[i * (d + k) + d + c] = 1;
        condBuf[i * k + c] = 1;
      }
    }
  };
  /** Noise with the condition one-hot appended; conditions are taken from the real batch (or drawn anew). */
  const fillNoise = (rng: Rng, newConditions: boolean): void => {
    if (k && newConditions) {
      condBuf.fill(0);
      for (let i = 0; i < B; i++) condBuf[i * k + data.cond![rng.int(data.nRows)]] = 1;
    }
    for (let i = 0; i < B; i++) {
      const o = i * (nz + k);
      for (let j = 0; j < nz; j++) noiseBuf[o + j] = rng.normal();
      for (let j = 0; j < k; j++) noiseBuf[o + nz + j] = condBuf[i * k + j];
    }
  };

  const curves: CurvePoint[] = resume ? [...resume.curves] : [];
  const start = resume ? resume.step : 0;
  const root = createRng(config.seed);
  const point = cancellationPoint(hooks.signal);

  try {
    for (let step = start; step < config.steps; step++) {
      await point();
      const rng = root.fork(step);
      const done = step + 1;
      const log = done % config.logEvery === 0 || done === config.steps;
      for (let c = 0; c < config.criticIters; c++) {
        fillReal(rng);
        fillNoise(rng, false);
        // One interpolation weight per packed group, so each interpolated group lies on the segment between a real and a fake one.
        for (let i = 0; i < B; i++) epsBuf[i] = i % pac === 0 ? rng.next() : epsBuf[i - 1];
        engine.criticStep(log && c === config.criticIters - 1);
      }
      fillNoise(rng, true);
      engine.generatorStep(log);

      if (log) {
        const losses = engine.takeLosses();
        const point: CurvePoint = { step: done, critic_loss: losses.critic, generator_loss: losses.generator };
        if (losses.wasserstein !== undefined) point.wasserstein = losses.wasserstein;
        if (losses.gradientPenalty !== undefined) point.gradient_penalty = losses.gradientPenalty;
        curves.push(point);
        hooks.onLog?.(point, config.steps);
      }
      if (hooks.onCheckpoint && config.checkpointEvery > 0 && done % config.checkpointEvery === 0 && done < config.steps) {
        const state = engine.state();
        await hooks.onCheckpoint({
          format: GAN_CHECKPOINT_FORMAT,
          step: done,
          config: configKey(config),
          generator: floatsToBase64(state.generator),
          critic: floatsToBase64(state.critic),
          adam: { generator: serializeAdam(state.adam.generator), critic: serializeAdam(state.adam.critic) },
          curves,
        });
      }
    }
    return { generator: engine.state().generator, generatorShape: gShape, curves, resumedFrom: resume ? resume.step : null };
  } finally {
    engine.dispose();
  }
}

function serializeAdam(s: AdamState): SerializedAdam {
  return { m: floatsToBase64(s.m), v: floatsToBase64(s.v), t: s.t };
}

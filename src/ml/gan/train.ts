/**
 * Trains a tabular GAN with TensorFlow.js: WGAN-GP (Gulrajani et al. 2017) by default, or the
 * standard non-saturating sigmoid-cross-entropy GAN. Optional conditioning: a one-hot label
 * concatenated to the generator's noise and to the critic's input.
 *
 * Built for small networks, where the cost is per kernel call rather than arithmetic:
 * - each network is one flat parameter vector (mlp.ts) updated by a flat Adam (adam.ts);
 * - hidden layers are fused matmul+bias+ReLU kernels;
 * - gradients are written out as kernel calls (backprop.ts), not taken by tf.valueAndGrads: fewer
 *   kernels, no tape, and no transposed matmuls (which the wasm backend runs in a naive loop);
 * - one critic forward pass scores real, fake and interpolated rows stacked in one batch, and the
 *   gradient penalty's parameter gradient is a hand-written double backprop;
 * - each batch is filled into preallocated typed arrays and uploaded once; values are read back
 *   (dataSync) only at log and checkpoint steps.
 *
 * Every random number (initial weights, row sampling, noise, interpolation weights) comes from
 * medpipe's seeded RNG, derived from the seed and the step index: the same seed gives the same
 * weights on the same backend, and a fit resumed from a checkpoint ends exactly where an
 * uninterrupted one does.
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { createRng, type Rng } from '../../rng.js';
import { cancellationPoint } from '../cancellation-point.js';
import type { Tf } from '../tf/backend.js';
import { FlatAdam, type AdamState } from './adam.js';
import { Backprop, flatten, forward, type PenaltyConstants } from './backprop.js';
import { base64ToFloats, floatsToBase64, initMlp, paramCount, paramShapes, paramSizes, type MlpShape } from './mlp.js';

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

/** A network as one flat parameter tensor plus per-layer views of it (refreshed after each update). */
class Net {
  flat!: Tensor1D;
  layers: Tensor[] = [];
  private readonly sizes: number[];
  private readonly shapes: number[][];

  constructor(
    private readonly tf: Tf,
    readonly shape: MlpShape,
    init: Float32Array,
  ) {
    this.sizes = paramSizes(shape);
    this.shapes = paramShapes(shape);
    this.set(tf.tensor1d(init));
  }

  set(flat: Tensor1D): void {
    const tf = this.tf;
    const old = [this.flat, ...this.layers].filter((t): t is Tensor => t !== undefined);
    this.flat = tf.keep(flat);
    this.layers = tf.tidy(() => tf.split(flat, this.sizes).map((p, i) => tf.reshape(p, this.shapes[i])));
    for (const t of this.layers) tf.keep(t);
    tf.dispose(old);
  }

  dispose(): void {
    this.tf.dispose([this.flat, ...this.layers]);
  }
}

export async function fitGan(tf: Tf, data: GanTrainData, config: GanTrainConfig, hooks: GanTrainHooks = {}): Promise<GanTrainResult> {
  const { dataDim: d, numericColumns: nNum, condDim: k, noiseDim: nz, batchSize: B } = config;
  if (k > 0 && !data.cond) throw new Error('a conditional GAN needs a condition index per row');
  if (data.X.length !== data.nRows * d) throw new Error(`X has ${data.X.length} values, expected ${data.nRows} x ${d}`);
  const gShape = generatorShape(config);
  const cShape = criticShape(config);
  const wgan = config.loss === 'wgan-gp';
  const pac = config.pac ?? 1;
  if (!(Number.isInteger(pac) && pac >= 1 && B % pac === 0)) throw new Error(`pac (${pac}) must divide the batch size (${B})`);
  // Packed rows the critic scores per batch: every loss below averages over these.
  const P = B / pac;
  if (config.generatorHidden.length === 0 || config.criticHidden.length === 0) throw new Error('the generator and the critic need at least one hidden layer');

  const resume = hooks.resume;
  if (resume && (resume.format !== GAN_CHECKPOINT_FORMAT || resume.config !== configKey(config))) {
    throw new Error('the checkpoint belongs to a different GAN configuration');
  }
  const initRng = createRng(config.seed).fork(INIT_STREAM);
  const G = new Net(tf, gShape, resume ? base64ToFloats(resume.generator, paramCount(gShape)) : initMlp(gShape, initRng));
  const D = new Net(tf, cShape, resume ? base64ToFloats(resume.critic, paramCount(cShape)) : initMlp(cShape, initRng));
  const adamState = (s: SerializedAdam): AdamState => ({ m: base64ToFloats(s.m), v: base64ToFloats(s.v), t: s.t });
  const adamG = new FlatAdam(
    tf,
    paramCount(gShape),
    { lr: config.lrGenerator, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 },
    resume ? adamState(resume.adam.generator) : undefined,
  );
  const adamD = new FlatAdam(
    tf,
    paramCount(cShape),
    { lr: config.lrCritic, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 },
    resume ? adamState(resume.adam.critic) : undefined,
  );

  // Constant per-row weights over the stacked critic batch [real; fake; interpolated].
  const rowsD = wgan ? 3 * P : 2 * P;
  const wDiff = new Float32Array(rowsD); // WGAN: -1/P real, +1/P fake (the loss's gradient). Standard: the sign s of softplus(s * score).
  const gpRows = new Float32Array(rowsD);
  for (let i = 0; i < P; i++) {
    wDiff[i] = wgan ? -1 / P : -1;
    wDiff[P + i] = wgan ? 1 / P : 1;
    if (wgan) gpRows[2 * P + i] = config.gpWeight / P;
  }
  const kept: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    kept.push(tf.keep(t));
    return t;
  };
  const wDiffT = keep(tf.tensor2d(wDiff, [rowsD, 1]));
  const wDiffOverP = keep(
    tf.tensor2d(
      wDiff.map((w) => w / P),
      [rowsD, 1],
    ),
  );
  const one = keep(tf.scalar(1));
  const invP = keep(tf.scalar(1 / P));
  const negInvP = keep(tf.scalar(-1 / P));
  // WGAN generator loss -mean(score): its gradient is this constant.
  const meanG = keep(tf.fill([P, 1], -1 / P) as Tensor2D);
  let penalty: PenaltyConstants | undefined;
  if (wgan) {
    // With a condition, the penalty's input gradient covers the data columns only (each packed block is d data + k condition columns).
    let colMask: Tensor2D | undefined;
    if (k) {
      const mask = new Float32Array(pac * (d + k));
      for (let j = 0; j < pac; j++) mask.fill(1, j * (d + k), j * (d + k) + d);
      colMask = keep(tf.tensor2d(mask, [1, mask.length]));
    }
    penalty = {
      c: keep(tf.tensor2d(gpRows, [rowsD, 1])),
      twoC: keep(
        tf.tensor2d(
          gpRows.map((c) => 2 * c),
          [rowsD, 1],
        ),
      ),
      one,
      tiny: keep(tf.scalar(1e-12)),
      colMask,
    };
  }
  const packed = (x: Tensor2D): Tensor2D => (pac === 1 ? x : tf.reshape(x, [P, pac * (d + k)]));
  // Host-side batch buffers, reused every iteration.
  const realBuf = new Float32Array(B * (d + k));
  const noiseBuf = new Float32Array(B * (nz + k));
  const condBuf = new Float32Array(B * k);
  const epsBuf = new Float32Array(B);

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

  /** The generator's output: linear numeric columns, sigmoid binary ones; `back` maps d(output) to d(pre-activation). */
  const outputLayer = (pre: Tensor2D): { out: Tensor2D; back: (dOut: Tensor2D) => Tensor2D } => {
    if (nNum === d) return { out: pre, back: (g) => g };
    // d sigmoid = s (1 - s)
    const dSig = (s: Tensor2D, g: Tensor2D): Tensor2D => tf.mul(g, tf.mul(s, tf.sub(one, s)));
    if (nNum === 0) {
      const s = tf.sigmoid(pre);
      return { out: s, back: (g) => dSig(s, g) };
    }
    const s = tf.sigmoid(tf.slice(pre, [0, nNum], [B, d - nNum]));
    return {
      out: tf.concat([tf.slice(pre, [0, 0], [B, nNum]), s], 1),
      back: (g) => tf.concat([tf.slice(g, [0, 0], [B, nNum]), dSig(s, tf.slice(g, [0, nNum], [B, d - nNum]))], 1),
    };
  };
  const withCond = (fake: Tensor2D): Tensor2D => (k ? tf.concat([fake, tf.tensor2d(condBuf, [B, k])], 1) : fake);

  let logParts: { wass: Scalar; gp: Scalar } | undefined;

  const curves: CurvePoint[] = resume ? [...resume.curves] : [];
  const start = resume ? resume.step : 0;
  const root = createRng(config.seed);
  let lossD: Tensor | undefined;
  let lossG: Tensor | undefined;
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
        const logHere = log && c === config.criticIters - 1;
        const next = tf.tidy(() => {
          const real = tf.tensor2d(realBuf, [B, d + k]);
          const fakeIn = withCond(outputLayer(forward(tf, tf.tensor2d(noiseBuf, [B, nz + k]), G.layers).out).out);
          const parts = [real, fakeIn];
          // Interpolation between real and fake rows; the condition columns are equal in both, so they stay one-hot.
          if (wgan) parts.push(tf.add(fakeIn, tf.mul(tf.sub(real, fakeIn), tf.tensor2d(epsBuf, [B, 1]))));
          const fwd = forward(tf, tf.concat(parts.map(packed), 0), D.layers);
          const bp = new Backprop(tf, fwd, D.layers);
          if (!wgan) {
            // loss = (1/P) Σ softplus(s · score), s = -1 real, +1 fake; d/d score = s · sigmoid(s · score) / P.
            const signed = tf.mul(fwd.out, wDiffT);
            if (logHere) lossD = tf.keep(tf.mul(tf.sum(tf.softplus(signed)), invP));
            return adamD.update(D.flat, flatten(tf, bp.backward(tf.mul(tf.sigmoid(signed), wDiffOverP) as Tensor2D, { params: true, input: false }).params));
          }
          const grads = bp.backward(wDiffT, { params: true, input: false }).params;
          const gp = bp.gradientPenalty(penalty!, logHere);
          for (let l = 0; l < gp.weightGrads.length; l++) grads[2 * l] = tf.add(grads[2 * l], gp.weightGrads[l]);
          if (logHere) {
            const wass = tf.sum(tf.mul(fwd.out, wDiffT)) as Scalar;
            const gpSum = tf.sum(gp.perRow!) as Scalar;
            logParts = { wass: tf.keep(wass), gp: tf.keep(gpSum) };
            lossD = tf.keep(tf.add(wass, gpSum));
          }
          return adamD.update(D.flat, flatten(tf, grads));
        });
        D.set(next);
      }
      fillNoise(rng, true);
      const nextG = tf.tidy(() => {
        const gen = forward(tf, tf.tensor2d(noiseBuf, [B, nz + k]), G.layers);
        const outLayer = outputLayer(gen.out);
        const crit = forward(tf, packed(withCond(outLayer.out)), D.layers);
        const score = crit.out;
        // WGAN: loss = -mean(score). Standard: loss = mean softplus(-score), d/d score = -sigmoid(-score) / P.
        let dScore: Tensor2D;
        if (wgan) {
          dScore = meanG;
          if (log) lossG = tf.keep(tf.sum(tf.mul(score, meanG)));
        } else {
          const neg = tf.neg(score);
          dScore = tf.mul(tf.sigmoid(neg), negInvP);
          if (log) lossG = tf.keep(tf.mul(tf.sum(tf.softplus(neg)), invP));
        }
        let dX = new Backprop(tf, crit, D.layers).backward(dScore, { params: false, input: true }).input!;
        if (pac > 1) dX = tf.reshape(dX, [B, d + k]);
        if (k) dX = tf.slice(dX, [0, 0], [B, d]);
        const grads = new Backprop(tf, gen, G.layers).backward(outLayer.back(dX), { params: true, input: false }).params;
        return adamG.update(G.flat, flatten(tf, grads));
      });
      G.set(nextG);

      if (log) {
        const point: CurvePoint = { step: done, critic_loss: read(lossD), generator_loss: read(lossG) };
        if (logParts) {
          point.wasserstein = -logParts.wass.dataSync()[0];
          point.gradient_penalty = logParts.gp.dataSync()[0];
          tf.dispose([logParts.wass, logParts.gp]);
          logParts = undefined;
        }
        tf.dispose([lossD, lossG].filter((t): t is Tensor => t !== undefined));
        lossD = lossG = undefined;
        curves.push(point);
        hooks.onLog?.(point, config.steps);
      }
      if (hooks.onCheckpoint && config.checkpointEvery > 0 && done % config.checkpointEvery === 0 && done < config.steps) {
        await hooks.onCheckpoint({
          format: GAN_CHECKPOINT_FORMAT,
          step: done,
          config: configKey(config),
          generator: floatsToBase64(G.flat.dataSync() as Float32Array),
          critic: floatsToBase64(D.flat.dataSync() as Float32Array),
          adam: { generator: serializeAdam(adamG.state()), critic: serializeAdam(adamD.state()) },
          curves,
        });
      }
    }
    return { generator: Float32Array.from(G.flat.dataSync() as Float32Array), generatorShape: gShape, curves, resumedFrom: resume ? resume.step : null };
  } finally {
    G.dispose();
    D.dispose();
    adamG.dispose();
    adamD.dispose();
    tf.dispose(kept);
    tf.dispose([lossD, lossG].filter((t): t is Tensor => t !== undefined));
  }
}

function read(t: Tensor | undefined): number {
  return t ? t.dataSync()[0] : NaN;
}

function serializeAdam(s: AdamState): SerializedAdam {
  return { m: floatsToBase64(s.m), v: floatsToBase64(s.v), t: s.t };
}

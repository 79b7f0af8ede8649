/**
 * Trains a tabular GAN with TensorFlow.js: WGAN-GP (Gulrajani et al. 2017) by default, or the
 * standard non-saturating sigmoid-cross-entropy GAN. Optional conditioning: a one-hot label
 * concatenated to the generator's noise and to the critic's input.
 *
 * Built for small networks, where the cost is per kernel call rather than arithmetic:
 * - each network is one flat parameter vector (mlp.ts) updated by a flat Adam (adam.ts);
 * - hidden layers are fused matmul+bias+ReLU kernels;
 * - one critic forward pass scores real, fake and interpolated rows stacked in one batch, and the
 *   gradient penalty's input gradient is written out by hand (a few matmuls) instead of a nested
 *   tf.grad (which tfjs cannot differentiate again through ReLU);
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
import type { Tf } from '../tf/backend.js';
import { FlatAdam, type AdamState } from './adam.js';
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

/** Forward pass: fused matmul+bias+ReLU per hidden layer, linear output. Returns the hidden activations too. */
function mlp(tf: Tf, x: Tensor2D, layers: readonly Tensor[], hidden?: Tensor2D[]): Tensor2D {
  const n = layers.length / 2;
  let h = x;
  for (let l = 0; l < n; l++) {
    const last = l === n - 1;
    h = tf.fused.matMul({ a: h, b: layers[2 * l] as Tensor2D, bias: layers[2 * l + 1], activation: last ? 'linear' : 'relu' }) as Tensor2D;
    if (!last && hidden) hidden.push(h);
  }
  return h;
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

  const resume = hooks.resume;
  if (resume && (resume.format !== GAN_CHECKPOINT_FORMAT || resume.config !== configKey(config))) {
    throw new Error('the checkpoint belongs to a different GAN configuration');
  }
  const initRng = createRng(config.seed).fork(INIT_STREAM);
  const G = new Net(tf, gShape, resume ? base64ToFloats(resume.generator, paramCount(gShape)) : initMlp(gShape, initRng));
  const D = new Net(tf, cShape, resume ? base64ToFloats(resume.critic, paramCount(cShape)) : initMlp(cShape, initRng));
  const adamState = (s: SerializedAdam): AdamState => ({ m: base64ToFloats(s.m), v: base64ToFloats(s.v), t: s.t });
  const adamG = new FlatAdam(tf, paramCount(gShape), { lr: config.lrGenerator, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 }, resume ? adamState(resume.adam.generator) : undefined);
  const adamD = new FlatAdam(tf, paramCount(cShape), { lr: config.lrCritic, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 }, resume ? adamState(resume.adam.critic) : undefined);

  // Constant per-row weights: the losses are weighted sums over the stacked batch, one matmul each.
  const rowsD = wgan ? 3 * P : 2 * P;
  const wDiff = new Float32Array(rowsD); // WGAN: -1/P real, +1/P fake. Standard: -1 real, +1 fake (softplus(-s*l) sign).
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
  const gpRowsT = keep(tf.tensor2d(gpRows, [rowsD, 1]));
  const meanD = keep(tf.fill([rowsD, 1], 1 / P) as Tensor2D);
  const meanG = keep(tf.fill([P, 1], wgan ? -1 / P : 1 / P) as Tensor2D);
  const one = keep(tf.scalar(1));
  const tiny = keep(tf.scalar(1e-12));
  // The critic's first-layer rows that read data (not condition) columns: one block of d per packed row.
  // Slices, not tf.gather, whose gradient (UnsortedSegmentSum) the wasm backend lacks.
  const dataRows = (W0: Tensor2D): Tensor2D => {
    if (!k) return W0;
    const blocks = Array.from({ length: pac }, (_, j) => tf.slice(W0, [j * (d + k), 0], [d, W0.shape[1]]));
    return blocks.length === 1 ? blocks[0] : tf.concat(blocks, 0);
  };
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

  const generate = (z: Tensor2D, layers: readonly Tensor[]): Tensor2D => {
    const out = mlp(tf, z, layers);
    if (nNum === d) return out;
    if (nNum === 0) return tf.sigmoid(out);
    return tf.concat([tf.slice(out, [0, 0], [B, nNum]), tf.sigmoid(tf.slice(out, [0, nNum], [B, d - nNum]))], 1);
  };

  const flatGrads = (grads: Tensor[]): Tensor1D => tf.concat(grads.map((g) => tf.reshape(g, [-1]))) as Tensor1D;

  let logParts: { wass: Scalar; gp: Scalar } | undefined;

  /** Critic loss over the stacked batch [real; fake; interpolated]. */
  const criticLoss = (X: Tensor2D, layers: Tensor[], log: boolean): Tensor => {
    const hidden: Tensor2D[] = [];
    const out = mlp(tf, X, layers, hidden);
    if (!wgan) return tf.matMul(tf.softplus(tf.mul(out, wDiffT)), meanD, true, false);
    const wass = tf.matMul(out, wDiffT, true, false);
    // d out / d input, by hand: back through the ReLU masks to the data columns of the input.
    const n = layers.length / 2;
    const lastW = layers[2 * (n - 1)];
    let g = tf.mul(tf.step(hidden[n - 2]), tf.reshape(lastW, [1, lastW.shape[0]])) as Tensor2D;
    for (let l = n - 2; l >= 1; l--) g = tf.mul(tf.matMul(g, layers[2 * l] as Tensor2D, false, true), tf.step(hidden[l - 1]));
    const W0 = layers[0] as Tensor2D;
    const gx = tf.matMul(g, dataRows(W0), false, true);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(gx), 1, true), tiny));
    const gp = tf.matMul(tf.square(tf.sub(norm, one)), gpRowsT, true, false);
    if (log) logParts = { wass: tf.keep(tf.reshape(wass, [])), gp: tf.keep(tf.reshape(gp, [])) };
    return tf.add(wass, gp);
  };

  const curves: CurvePoint[] = resume ? [...resume.curves] : [];
  const start = resume ? resume.step : 0;
  const root = createRng(config.seed);
  let lossD: Tensor | undefined;
  let lossG: Tensor | undefined;

  try {
    for (let step = start; step < config.steps; step++) {
      const rng = root.fork(step);
      const done = step + 1;
      const log = done % config.logEvery === 0 || done === config.steps;
      for (let c = 0; c < config.criticIters; c++) {
        fillReal(rng);
        fillNoise(rng, false);
        // One interpolation weight per packed group, so each interpolated group lies on the segment between a real and a fake one.
        for (let i = 0; i < B; i++) epsBuf[i] = i % pac === 0 ? rng.next() : epsBuf[i - 1];
        const lastIter = c === config.criticIters - 1;
        const next = tf.tidy(() => {
          const real = tf.tensor2d(realBuf, [B, d + k]);
          const fake = generate(tf.tensor2d(noiseBuf, [B, nz + k]), G.layers);
          const fakeIn = k ? tf.concat([fake, tf.tensor2d(condBuf, [B, k])], 1) : fake;
          const parts = [real, fakeIn];
          // Interpolation between real and fake rows; the condition columns are equal in both, so they stay one-hot.
          if (wgan) parts.push(tf.add(fakeIn, tf.mul(tf.sub(real, fakeIn), tf.tensor2d(epsBuf, [B, 1]))));
          const X = tf.concat(parts.map(packed), 0);
          const { value, grads } = tf.valueAndGrads((...layers: Tensor[]) => criticLoss(X, layers, log && lastIter))(D.layers);
          if (log && lastIter) lossD = tf.keep(value);
          return adamD.update(D.flat, flatGrads(grads));
        });
        D.set(next);
      }
      fillNoise(rng, true);
      const nextG = tf.tidy(() => {
        const z = tf.tensor2d(noiseBuf, [B, nz + k]);
        const { value, grads } = tf.valueAndGrads((...layers: Tensor[]) => {
          const fake = generate(z, layers);
          const fakeIn = k ? tf.concat([fake, tf.tensor2d(condBuf, [B, k])], 1) : fake;
          const out = mlp(tf, packed(fakeIn), D.layers);
          return wgan ? tf.matMul(out, meanG, true, false) : tf.matMul(tf.softplus(tf.neg(out)), meanG, true, false);
        })(G.layers);
        if (log) lossG = tf.keep(value);
        return adamG.update(G.flat, flatGrads(grads));
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

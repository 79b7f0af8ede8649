/**
 * The GAN engine on TensorFlow.js (any backend): each update is a few dozen tfjs kernel calls.
 *
 * Built for small networks, where the cost is per kernel call rather than arithmetic:
 * - each network is one flat parameter vector (mlp.ts) updated by a flat Adam (adam.ts);
 * - hidden layers are fused matmul+bias+ReLU kernels;
 * - gradients are written out as kernel calls (backprop.ts), not taken by tf.valueAndGrads: fewer
 *   kernels, no tape, and no transposed matmuls (which the wasm backend runs in a naive loop);
 * - one critic forward pass scores real, fake and interpolated rows stacked in one batch, and the
 *   gradient penalty's parameter gradient is a hand-written double backprop;
 * - each batch is uploaded once from the loop's buffers; values are read back (dataSync) only at
 *   log and checkpoint steps.
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../tf/backend.js';
import { FlatAdam } from './adam.js';
import { Backprop, flatten, forward, type PenaltyConstants } from './backprop.js';
import type { GanBatchBuffers, GanEngine, GanEngineState, GanLosses } from './engine.js';
import { paramShapes, paramSizes, type MlpShape } from './mlp.js';
import type { GanTrainConfig } from './train.js';

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

export function createTfEngine(
  tf: Tf,
  config: GanTrainConfig,
  shapes: { generator: MlpShape; critic: MlpShape },
  init: Pick<GanEngineState, 'generator' | 'critic'> & { adam?: GanEngineState['adam'] },
): GanEngine {
  const { dataDim: d, numericColumns: nNum, condDim: k, noiseDim: nz, batchSize: B } = config;
  const wgan = config.loss === 'wgan-gp';
  const pac = config.pac ?? 1;
  const P = B / pac;
  const G = new Net(tf, shapes.generator, init.generator);
  const D = new Net(tf, shapes.critic, init.critic);
  const adamOptions = (lr: number) => ({ lr, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 });
  const adamG = new FlatAdam(tf, init.generator.length, adamOptions(config.lrGenerator), init.adam?.generator);
  const adamD = new FlatAdam(tf, init.critic.length, adamOptions(config.lrCritic), init.adam?.critic);

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
  const buffers: GanBatchBuffers = {
    real: new Float32Array(B * (d + k)),
    noise: new Float32Array(B * (nz + k)),
    cond: new Float32Array(B * k),
    eps: new Float32Array(B),
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
  const withCond = (fake: Tensor2D): Tensor2D => (k ? tf.concat([fake, tf.tensor2d(buffers.cond, [B, k])], 1) : fake);

  let lossD: Tensor | undefined;
  let lossG: Tensor | undefined;
  let logParts: { wass: Scalar; gp: Scalar } | undefined;
  const read = (t: Tensor | undefined): number => (t ? t.dataSync()[0] : NaN);

  return {
    buffers,
    criticStep(logHere: boolean): void {
      const next = tf.tidy(() => {
        const real = tf.tensor2d(buffers.real, [B, d + k]);
        const fakeIn = withCond(outputLayer(forward(tf, tf.tensor2d(buffers.noise, [B, nz + k]), G.layers).out).out);
        const parts = [real, fakeIn];
        // Interpolation between real and fake rows; the condition columns are equal in both, so they stay one-hot.
        if (wgan) parts.push(tf.add(fakeIn, tf.mul(tf.sub(real, fakeIn), tf.tensor2d(buffers.eps, [B, 1]))));
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
    },
    generatorStep(log: boolean): void {
      const nextG = tf.tidy(() => {
        const gen = forward(tf, tf.tensor2d(buffers.noise, [B, nz + k]), G.layers);
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
    },
    takeLosses(): GanLosses {
      const losses: GanLosses = { critic: read(lossD), generator: read(lossG) };
      if (logParts) {
        losses.wasserstein = -logParts.wass.dataSync()[0];
        losses.gradientPenalty = logParts.gp.dataSync()[0];
        tf.dispose([logParts.wass, logParts.gp]);
        logParts = undefined;
      }
      tf.dispose([lossD, lossG].filter((t): t is Tensor => t !== undefined));
      lossD = lossG = undefined;
      return losses;
    },
    state(): GanEngineState {
      return {
        generator: Float32Array.from(G.flat.dataSync() as Float32Array),
        critic: Float32Array.from(D.flat.dataSync() as Float32Array),
        adam: { generator: adamG.state(), critic: adamD.state() },
      };
    },
    dispose(): void {
      G.dispose();
      D.dispose();
      adamG.dispose();
      adamD.dispose();
      tf.dispose(kept);
      tf.dispose([lossD, lossG].filter((t): t is Tensor => t !== undefined));
      if (logParts) tf.dispose([logParts.wass, logParts.gp]);
    },
  };
}

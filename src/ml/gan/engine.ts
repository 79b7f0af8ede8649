/**
 * What the GAN training loop (train.ts) asks of the arithmetic that trains the networks: the loop
 * draws every random number and fills the batch buffers, logs, checkpoints and cancels; an engine
 * runs one critic or generator update on those buffers. Two engines: tfjs kernel calls
 * (tf-engine.ts, on whichever TensorFlow.js backend is loaded) and one compiled WebAssembly call
 * per update (kernel-engine.ts).
 */
import type { AdamState } from './adam.js';

/** Host-side batch buffers the loop fills before each update. */
export interface GanBatchBuffers {
  /** [batch x (data + condition)]: real rows with their condition one-hot. */
  readonly real: Float32Array;
  /** [batch x (noise + condition)]: the generator's input. */
  readonly noise: Float32Array;
  /** [batch x condition]: the condition one-hot of each row (unused when unconditional). */
  readonly cond: Float32Array;
  /** [batch]: WGAN-GP interpolation weight of each row (one per packed group). */
  readonly eps: Float32Array;
}

export interface GanLosses {
  critic: number;
  generator: number;
  wasserstein?: number;
  gradientPenalty?: number;
}

export interface GanEngineState {
  generator: Float32Array;
  critic: Float32Array;
  adam: { generator: AdamState; critic: AdamState };
}

export interface GanEngine {
  readonly buffers: GanBatchBuffers;
  /** One critic update from the buffers; records its losses when `wantLoss`. */
  criticStep(wantLoss: boolean): void;
  /** One generator update from the noise and condition buffers; records its loss when `wantLoss`. */
  generatorStep(wantLoss: boolean): void;
  /** The losses recorded since the last call. */
  takeLosses(): GanLosses;
  /** Copies of the parameters and the Adam state (for checkpoints and the result). */
  state(): GanEngineState;
  dispose(): void;
}

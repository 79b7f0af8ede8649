/**
 * Adam over one flat parameter vector: about a dozen kernel calls per network and update,
 * whatever the number of layers (tfjs's optimisers issue that many per variable, and on small
 * networks the per-call overhead, not arithmetic, is the cost).
 */
import type { Scalar, Tensor1D } from '@tensorflow/tfjs';
import type { Tf } from '../tf/backend.js';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  t: number;
}

export class FlatAdam {
  private m: Tensor1D;
  private v: Tensor1D;
  /** Updates applied so far (Adam's bias correction depends on it, so it is checkpointed). */
  t: number;
  private readonly oneMinusB1: Scalar;
  private readonly oneMinusB2: Scalar;
  private readonly eps: Scalar;

  constructor(
    private readonly tf: Tf,
    n: number,
    private readonly options: AdamOptions,
    state?: AdamState,
  ) {
    this.m = tf.keep(state ? tf.tensor1d(state.m) : tf.zeros([n]));
    this.v = tf.keep(state ? tf.tensor1d(state.v) : tf.zeros([n]));
    this.t = state?.t ?? 0;
    this.oneMinusB1 = tf.keep(tf.scalar(1 - options.beta1));
    this.oneMinusB2 = tf.keep(tf.scalar(1 - options.beta2));
    this.eps = tf.keep(tf.scalar(options.epsilon));
  }

  /**
   * The updated parameters (a new tensor; the caller disposes the old one). Call inside tf.tidy:
   * the moment estimates are kept, everything else is the tidy's.
   */
  update(params: Tensor1D, grad: Tensor1D): Tensor1D {
    const tf = this.tf;
    this.t += 1;
    const { lr, beta1, beta2 } = this.options;
    // Bias corrections folded into the step size (Kingma & Ba, section 2, last paragraph), as PyTorch does.
    const stepSize = (lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    const m = tf.keep(tf.add(this.m, tf.mul(tf.sub(grad, this.m), this.oneMinusB1)) as Tensor1D);
    const v = tf.keep(tf.add(this.v, tf.mul(tf.sub(tf.square(grad), this.v), this.oneMinusB2)) as Tensor1D);
    this.m.dispose();
    this.v.dispose();
    this.m = m;
    this.v = v;
    const denom = tf.add(tf.sqrt(v), this.eps);
    return tf.sub(params, tf.mul(tf.div(m, denom), tf.scalar(stepSize))) as Tensor1D;
  }

  state(): AdamState {
    return { m: this.m.dataSync() as Float32Array, v: this.v.dataSync() as Float32Array, t: this.t };
  }

  dispose(): void {
    this.tf.dispose([this.m, this.v, this.oneMinusB1, this.oneMinusB2, this.eps]);
  }
}

/**
 * Forward and backward passes of ReLU MLPs written out as tfjs kernel calls, instead of
 * tf.valueAndGrads: an MLP's gradients are a few matrix products (dW = Xᵀ·dY, dX = dY·Wᵀ, a ReLU
 * mask), and writing them out keeps the kernel count per step low and avoids the slow kernels
 * tfjs's autodiff picks.
 *
 * The reason that matters on the wasm backend: its BatchMatMul runs XNNPACK only when neither
 * operand is transposed; `matMul(a, b, true, false)` and `(a, b, false, true)`, which the
 * gradients of tf.matMul use, fall back to a naive triple loop that is 5-8x slower on 64-wide
 * layers (measured in the bench notes). Here every product is `matMul(transpose(x), y)`: a
 * transpose kernel plus an XNNPACK product.
 *
 * Layers are [W0, b0, W1, b1, ...] with W as [in, out]; hidden layers are ReLU, the last is linear.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../tf/backend.js';

export interface Forward {
  input: Tensor2D;
  /** Hidden activations (after ReLU), one per hidden layer. */
  hidden: Tensor2D[];
  out: Tensor2D;
}

/** Forward pass: a fused matmul+bias+ReLU kernel per hidden layer, linear output. */
export function forward(tf: Tf, x: Tensor2D, layers: readonly Tensor[]): Forward {
  const n = layers.length / 2;
  const hidden: Tensor2D[] = [];
  let h = x;
  for (let l = 0; l < n; l++) {
    const last = l === n - 1;
    h = tf.fused.matMul({ a: h, b: layers[2 * l] as Tensor2D, bias: layers[2 * l + 1], activation: last ? 'linear' : 'relu' }) as Tensor2D;
    if (!last) hidden.push(h);
  }
  return { input: x, hidden, out: h };
}

/**
 * What a backward pass reuses: ReLU masks (1 where the unit was active) and transposed weights,
 * each computed at most once.
 */
export class Backprop {
  private readonly masks: (Tensor2D | undefined)[] = [];
  private readonly wt: (Tensor2D | undefined)[] = [];

  constructor(
    private readonly tf: Tf,
    readonly fwd: Forward,
    readonly layers: readonly Tensor[],
  ) {}

  get depth(): number {
    return this.layers.length / 2;
  }

  mask(l: number): Tensor2D {
    return (this.masks[l] ??= this.tf.step(this.fwd.hidden[l]) as Tensor2D);
  }

  /** Wᵀ of layer l, [out, in]. */
  weightT(l: number): Tensor2D {
    return (this.wt[l] ??= this.tf.transpose(this.layers[2 * l] as Tensor2D));
  }

  private layerInput(l: number): Tensor2D {
    return l === 0 ? this.fwd.input : this.fwd.hidden[l - 1];
  }

  /**
   * Gradients of Σ dOut ⊙ out: parameter gradients in layer order (when `params`), and the
   * gradient with respect to the input (when `input`).
   */
  backward(dOut: Tensor2D, want: { params: boolean; input: boolean }): { params: Tensor[]; input?: Tensor2D } {
    const tf = this.tf;
    const params: Tensor[] = new Array<Tensor>(this.layers.length);
    let dy = dOut;
    for (let l = this.depth - 1; l >= 0; l--) {
      if (want.params) {
        params[2 * l] = tf.matMul(tf.transpose(this.layerInput(l)), dy);
        params[2 * l + 1] = tf.sum(dy, 0);
      }
      if (l > 0) dy = tf.mul(tf.matMul(dy, this.weightT(l)), this.mask(l - 1));
      else if (want.input) return { params, input: tf.matMul(dy, this.weightT(0)) };
    }
    return { params };
  }

  /**
   * WGAN-GP's penalty Σ_r c_r (‖∂out_r/∂x_r‖ − 1)², the input gradient taken over the columns
   * `colMask` keeps (all when absent), and its gradients with respect to the weight matrices
   * (the biases get none: the ReLU masks are locally constant). Needs at least one hidden layer
   * and a one-column output. Returns per-row penalties [R, 1] too when asked (for logging).
   *
   * The input gradient, for hidden masks m_l and a [H, 1] last layer:
   *   g_{L-2} = m_{L-2} ⊙ W_{L-1}ᵀ,  g_{l-1} = (g_l · W_lᵀ) ⊙ m_{l-1},  gx = g_0 · W_0ᵀ,
   * and the penalty's gradient runs back through those products in reverse (double backprop by hand).
   */
  gradientPenalty(k: PenaltyConstants, wantPerRow: boolean): { perRow?: Tensor2D; weightGrads: Tensor2D[] } {
    const tf = this.tf;
    const L = this.depth;
    const lastW = this.layers[2 * (L - 1)] as Tensor2D;
    const g: Tensor2D[] = new Array<Tensor2D>(L - 1);
    g[L - 2] = tf.mul(this.mask(L - 2), tf.reshape(lastW, [1, lastW.shape[0]]));
    for (let l = L - 2; l >= 1; l--) g[l - 1] = tf.mul(tf.matMul(g[l], this.weightT(l)), this.mask(l - 1));
    let gx = tf.matMul(g[0], this.weightT(0));
    if (k.colMask) gx = tf.mul(gx, k.colMask);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(gx), 1, true), k.tiny));
    const excess = tf.sub(norm, k.one);
    const perRow = wantPerRow ? (tf.mul(tf.square(excess), k.c) as Tensor2D) : undefined;
    // d/d gx of c (‖gx‖ − 1)² = 2c (‖gx‖ − 1) gx / ‖gx‖
    const dGx = tf.mul(gx, tf.div(tf.mul(excess, k.twoC), norm)) as Tensor2D;
    const weightGrads: Tensor2D[] = new Array<Tensor2D>(L);
    weightGrads[0] = tf.matMul(tf.transpose(dGx), g[0]);
    let dg = tf.matMul(dGx, this.layers[0] as Tensor2D);
    for (let l = 1; l <= L - 2; l++) {
      const dA = tf.mul(dg, this.mask(l - 1));
      weightGrads[l] = tf.matMul(tf.transpose(dA), g[l]);
      dg = tf.matMul(dA, this.layers[2 * l] as Tensor2D);
    }
    weightGrads[L - 1] = tf.reshape(tf.sum(tf.mul(dg, this.mask(L - 2)), 0), lastW.shape);
    return { perRow, weightGrads };
  }
}

/** Constant tensors of the gradient penalty, made once per fit. */
export interface PenaltyConstants {
  /** Per-row weight [R, 1] (0 for rows without a penalty). */
  c: Tensor2D;
  /** 2c. */
  twoC: Tensor2D;
  one: Tensor;
  /** Added under the square root, so a zero gradient has a finite derivative. */
  tiny: Tensor;
  /** [1, in]: 1 for the input columns the penalty's gradient norm covers, 0 for the others (absent: all). */
  colMask?: Tensor2D;
}

/** Parameter gradients (layer order) as one flat vector, the layout of mlp.ts. */
export function flatten(tf: Tf, grads: readonly Tensor[]): Tensor1D {
  return tf.concat(grads.map((g) => (g.rank === 1 ? g : tf.reshape(g, [-1])))) as Tensor1D;
}

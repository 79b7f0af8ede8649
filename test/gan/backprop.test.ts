/**
 * The hand-written backward passes of backprop.ts against tfjs's autodiff on the same random MLP:
 * parameter and input gradients of a weighted sum of the outputs, and the weight gradients of
 * WGAN-GP's gradient penalty (double backprop by hand), with and without a column mask, for one
 * and for two hidden layers. (The biases get no penalty gradient: the ReLU masks are locally constant.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { Backprop, forward } from '../../src/ml/gan/backprop.js';
import { initMlp, paramShapes, paramSizes } from '../../src/ml/gan/mlp.js';
import { selectTfBackend } from '../../src/ml/tf/backend.js';
import { createRng } from '../../src/rng.js';

const { tf } = await selectTfBackend({ override: 'wasm' });

function layersOf(sizes: number[], seed: number): Tensor[] {
  const shape = { sizes };
  const flat = initMlp(shape, createRng(seed));
  // Spread the weights so some ReLUs are off and the penalty's norms are away from 1.
  for (let i = 0; i < flat.length; i++) flat[i] *= 3;
  const shapes = paramShapes(shape);
  let o = 0;
  return paramSizes(shape).map((n, i) => tf.tensor(flat.subarray(o, (o += n)), shapes[i]));
}

function randomMatrix(rows: number, cols: number, seed: number): Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(
    Float32Array.from({ length: rows * cols }, () => rng.normal()),
    [rows, cols],
  );
}

function assertClose(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync(),
    e = expected.dataSync();
  const scale = Math.max(1e-3, ...Array.from(e, Math.abs));
  for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i] - e[i]) <= 1e-4 * scale, `${what}[${i}]: ${a[i]} vs autodiff ${e[i]}`);
}

/** The reference: a plain tfjs MLP differentiated by tf.grads. */
function mlp(x: Tensor2D, layers: readonly Tensor[]): Tensor2D {
  let h = x;
  for (let l = 0; l < layers.length / 2; l++) {
    h = tf.add(tf.matMul(h, layers[2 * l] as Tensor2D), layers[2 * l + 1]);
    if (l < layers.length / 2 - 1) h = tf.relu(h);
  }
  return h;
}

for (const sizes of [
  [5, 7, 3],
  [5, 8, 6, 1],
]) {
  test(`backward: parameter and input gradients equal autodiff's (layers ${sizes.join('→')})`, () => {
    tf.tidy(() => {
      const layers = layersOf(sizes, 1);
      const x = randomMatrix(9, sizes[0], 2);
      const dOut = randomMatrix(9, sizes[sizes.length - 1], 3);
      const got = new Backprop(tf, forward(tf, x, layers), layers).backward(dOut, { params: true, input: true });
      const want = tf.grads((...args: Tensor[]) => tf.sum(tf.mul(mlp(args[0] as Tensor2D, args.slice(1)), dOut)))([x, ...layers]);
      assertClose(got.input!, want[0], 'd input');
      layers.forEach((_, i) => assertClose(got.params[i], want[i + 1], `d param ${i}`));
    });
  });
}

for (const [sizes, masked] of [
  [[6, 8, 1], false],
  [[6, 8, 7, 1], false],
  [[6, 8, 7, 1], true],
] as const) {
  test(`gradient penalty: weight gradients equal autodiff's (layers ${sizes.join('→')}${masked ? ', column mask' : ''})`, () => {
    tf.tidy(() => {
      const layers = layersOf([...sizes], 4);
      const R = 10;
      const x = randomMatrix(R, sizes[0], 5);
      // Rows 0-3 carry no penalty, as the real and fake rows of the stacked critic batch.
      const c = tf.tensor2d(
        Array.from({ length: R }, (_, r) => (r < 4 ? 0 : 0.7)),
        [R, 1],
      );
      const colMask = masked ? tf.tensor2d([[1, 1, 0, 1, 0, 1]]) : undefined;
      const got = new Backprop(tf, forward(tf, x, layers), layers).gradientPenalty(
        { c, twoC: tf.mul(c, 2), one: tf.scalar(1), tiny: tf.scalar(1e-12), colMask },
        true,
      );
      // Reference: the input gradient written with tf ops (tfjs cannot take a second derivative
      // through relu's gradient), checked against tf.grad; then the penalty differentiated by tf.grads.
      const inputGrad = (ls: readonly Tensor[]): Tensor => {
        const hidden: Tensor[] = [];
        let h: Tensor = x;
        for (let l = 0; l < ls.length / 2 - 1; l++) hidden.push((h = tf.relu(tf.add(tf.matMul(h as Tensor2D, ls[2 * l] as Tensor2D), ls[2 * l + 1]))));
        const n = ls.length / 2;
        let g = tf.mul(tf.step(hidden[n - 2]), tf.reshape(ls[2 * (n - 1)], [1, -1]));
        for (let l = n - 2; l >= 1; l--) g = tf.mul(tf.matMul(g as Tensor2D, ls[2 * l] as Tensor2D, false, true), tf.step(hidden[l - 1]));
        return tf.matMul(g as Tensor2D, ls[0] as Tensor2D, false, true);
      };
      assertClose(inputGrad(layers), tf.grad((xx: Tensor) => tf.sum(mlp(xx as Tensor2D, layers)))(x), 'reference input gradient');
      // Differentiated with respect to the weight matrices only: the last bias does not reach the penalty at all.
      const penalty = (...ws: Tensor[]): Tensor => {
        let gx = inputGrad(layers.map((t, i) => (i % 2 === 0 ? ws[i / 2] : t)));
        if (colMask) gx = tf.mul(gx, colMask);
        const norm = tf.sqrt(tf.add(tf.sum(tf.square(gx), 1, true), 1e-12));
        return tf.sum(tf.mul(tf.square(tf.sub(norm, 1)), c));
      };
      const weights = layers.filter((_, i) => i % 2 === 0);
      assertClose(tf.sum(got.perRow!), penalty(...weights), 'penalty');
      const want = tf.grads(penalty)(weights);
      assert.equal(got.weightGrads.length, want.length);
      got.weightGrads.forEach((g, l) => assertClose(g, want[l], `d W${l}`));
    });
  });
}

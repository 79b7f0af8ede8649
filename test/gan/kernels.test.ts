/**
 * The compiled GAN kernels (src/ml/gan/wasm/gan.ts via kernel-engine.ts) against the tfjs engine
 * (whose hand-written gradients backprop.test.ts checks against tfjs autodiff): after one training
 * step the Adam first moments (which are (1 - beta1) x the gradient) and the updated parameters of
 * both networks agree to float32 rounding, for the standard GAN and WGAN-GP, with and without
 * PacGAN, a condition, binary (sigmoid) columns and several depths; after 30 steps the losses still
 * agree closely. And a missing or broken module is an error saying what to do, never a fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createKernelEngine, ganKernelsModule } from '../../src/ml/gan/kernel-engine.js';
import { base64ToFloats, paramCount } from '../../src/ml/gan/mlp.js';
import { criticShape, fitGan, fitGanKernels, generatorShape, type GanCheckpoint, type GanTrainConfig, type GanTrainData } from '../../src/ml/gan/train.js';
import { selectTfBackend } from '../../src/ml/tf/backend.js';
import { createRng } from '../../src/rng.js';
import { tempDir } from './helpers.js';

const { tf } = await selectTfBackend({ override: 'wasm' });

interface Case {
  name: string;
  loss: GanTrainConfig['loss'];
  pac: number;
  condDim: number;
  numericColumns: number;
  hidden: number[];
}

const DATA_DIM = 5;
const cases: Case[] = [
  { name: 'standard', loss: 'standard', pac: 1, condDim: 0, numericColumns: 5, hidden: [16] },
  { name: 'standard, pac 4, condition, binary columns', loss: 'standard', pac: 4, condDim: 2, numericColumns: 2, hidden: [9, 7] },
  { name: 'WGAN-GP', loss: 'wgan-gp', pac: 1, condDim: 0, numericColumns: 5, hidden: [16, 8] },
  { name: 'WGAN-GP, pac 2, condition, binary columns, 3 hidden layers', loss: 'wgan-gp', pac: 2, condDim: 3, numericColumns: 3, hidden: [16, 12, 8] },
  { name: 'WGAN-GP, only binary columns, 64-wide', loss: 'wgan-gp', pac: 4, condDim: 0, numericColumns: 0, hidden: [64, 64] },
];

/** Random rows: normal numeric columns, 0/1 binary ones, a random condition per row. */
function randomData(c: Case, seed: number): GanTrainData {
  const rng = createRng(seed);
  const n = 120;
  const X = new Float32Array(n * DATA_DIM);
  for (let i = 0; i < n; i++) for (let j = 0; j < DATA_DIM; j++) X[i * DATA_DIM + j] = j < c.numericColumns ? rng.normal() : rng.next() < 0.3 ? 1 : 0;
  return c.condDim ? { X, nRows: n, cond: Int32Array.from({ length: n }, () => rng.int(c.condDim)) } : { X, nRows: n };
}

function configOf(c: Case, steps: number): GanTrainConfig {
  return {
    dataDim: DATA_DIM,
    numericColumns: c.numericColumns,
    condDim: c.condDim,
    noiseDim: 6,
    generatorHidden: c.hidden,
    criticHidden: c.hidden,
    loss: c.loss,
    lrGenerator: 1e-3,
    lrCritic: 1e-3,
    beta1: 0.5,
    beta2: 0.9,
    batchSize: 16,
    steps,
    criticIters: 2,
    pac: c.pac,
    gpWeight: 10,
    seed: 7,
    logEvery: 1,
    checkpointEvery: 1,
  };
}

/** The training state after the first step (the checkpoint a 2-step fit writes). */
async function afterOneStep(fit: typeof fitGanKernels, c: Case): Promise<GanCheckpoint> {
  let first: GanCheckpoint | undefined;
  await fit(randomData(c, 1), configOf(c, 2), {
    onCheckpoint: async (ck) => {
      first ??= ck;
    },
  });
  assert.ok(first);
  return first;
}

/** Every element within `rel` of the vector's largest magnitude: float32 rounding in sums of another order. */
function assertClose(actual: Float32Array, expected: Float32Array, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(scale > 0, `${what}: not all zero`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  assert.ok(worst <= rel, `${what}: largest difference ${worst.toExponential(2)} of the largest value (allowed ${rel})`);
}

for (const c of cases) {
  test(`kernels match tfjs after one step: ${c.name}`, async () => {
    const kernels = await afterOneStep(fitGanKernels, c);
    const reference = await afterOneStep((...args) => fitGan(tf, ...args), c);
    for (const net of ['generator', 'critic'] as const) {
      // Adam's first moment after this network's updates: the gradients (scaled by 1 - beta1, and for the critic's second update mixed with its first).
      assertClose(base64ToFloats(kernels.adam[net].m), base64ToFloats(reference.adam[net].m), 1e-4, `${net} gradient moment`);
      assertClose(base64ToFloats(kernels.adam[net].v), base64ToFloats(reference.adam[net].v), 1e-4, `${net} squared-gradient moment`);
      assertClose(base64ToFloats(kernels[net]), base64ToFloats(reference[net]), 1e-5, `${net} parameters`);
      assert.equal(kernels.adam[net].t, reference.adam[net].t);
    }
  });
}

test('kernels and tfjs losses stay close over 30 steps (WGAN-GP with pac and a condition, and the standard GAN)', async () => {
  for (const c of [cases[1], cases[3]]) {
    const config = { ...configOf(c, 30), logEvery: 10, checkpointEvery: 0 };
    const a = await fitGanKernels(randomData(c, 2), config);
    const b = await fitGan(tf, randomData(c, 2), config);
    assert.equal(a.curves.length, 3);
    for (let i = 0; i < a.curves.length; i++) {
      for (const key of ['critic_loss', 'generator_loss', 'wasserstein', 'gradient_penalty'] as const) {
        const [x, y] = [a.curves[i][key], b.curves[i][key]];
        assert.equal(x === undefined, y === undefined, key);
        if (x !== undefined && y !== undefined)
          assert.ok(Math.abs(x - y) <= 1e-3 * Math.max(1, Math.abs(y)), `${c.name} step ${a.curves[i].step} ${key}: ${x} vs ${y}`);
      }
    }
  }
});

test('the compiled module is built (npm run build:wasm) and loads', () => {
  assert.ok(ganKernelsModule() instanceof WebAssembly.Module, 'dist/src/ml/gan/gan-kernels.wasm missing: run npm run build');
});

test('a missing or broken module is a clear error, not a fallback', () => {
  const dir = tempDir('kernels-missing');
  assert.throws(
    () => ganKernelsModule(pathToFileURL(join(dir, 'gan-kernels.wasm'))),
    (e: Error) => /gan-kernels\.wasm could not be read \(ENOENT\): run `npm run build`/.test(e.message) && /backend: wasm/.test(e.message),
  );
  const broken = join(dir, 'broken.wasm');
  writeFileSync(broken, 'not WebAssembly');
  assert.throws(() => ganKernelsModule(pathToFileURL(broken)), /broken\.wasm does not compile here/);
});

test("a GAN too large for the kernels' 4 GB memory is a clear error naming the way out", () => {
  const config = { ...configOf(cases[2], 1), batchSize: 65536, noiseDim: 2, dataDim: 2, numericColumns: 2, generatorHidden: [4096], criticHidden: [4096] };
  const shapes = { generator: generatorShape(config), critic: criticShape(config) };
  const init = { generator: new Float32Array(paramCount(shapes.generator)), critic: new Float32Array(paramCount(shapes.critic)) };
  assert.throws(() => createKernelEngine(config, shapes, init), /needs more than the kernels' 4 GB of WebAssembly memory .*backend: wasm/);
});

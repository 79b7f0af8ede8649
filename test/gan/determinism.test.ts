/**
 * Seeded training and generation: the same seed gives the same generator bytes; a fit killed
 * after a checkpoint and resumed ends with exactly the weights of an uninterrupted fit (library
 * and step level, checkpoint file removed at the end); generation is deterministic per seed and
 * keeps the training table's columns and types (0/1 columns stay 0/1, a label condition is honoured).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetFile } from '../../src/data/arrow.js';
import { selectTfBackend } from '../../src/ml/tf/backend.js';
import { fitGan, fitGanKernels, type GanCheckpoint, type GanTrainConfig } from '../../src/ml/gan/train.js';
import { floatsToBase64 } from '../../src/ml/gan/mlp.js';
import { createRng } from '../../src/rng.js';
import trainGan from '../../src/steps/train.gan.js';
import generate from '../../src/steps/generate.js';
import { runStep } from '../helpers/step-harness.js';
import { mixture, runWithStore, TINY_GAN, tempDir, writeMixtureTable, writeTable } from './helpers.js';

const { tf } = await selectTfBackend({ override: 'wasm' });

const config: GanTrainConfig = {
  dataDim: 2,
  numericColumns: 2,
  condDim: 0,
  noiseDim: 4,
  generatorHidden: [16, 16],
  criticHidden: [16, 16],
  loss: 'wgan-gp',
  lrGenerator: 1e-3,
  lrCritic: 1e-3,
  beta1: 0.5,
  beta2: 0.9,
  batchSize: 32,
  steps: 40,
  criticIters: 2,
  gpWeight: 10,
  seed: 3,
  logEvery: 10,
  checkpointEvery: 20,
};
const m = mixture(300, 5);
const X = new Float32Array(600);
for (let i = 0; i < 300; i++) [X[2 * i], X[2 * i + 1]] = [m.x[i], m.y[i]];

const engines = [
  ['tfjs wasm', (...args: Parameters<typeof fitGanKernels>) => fitGan(tf, ...args)],
  ['kernels', fitGanKernels],
] as const;

for (const [engine, fit] of engines) {
  test(`${engine}: same seed, same generator bytes; another seed, other bytes`, async () => {
    const a = await fit({ X, nRows: 300 }, config);
    const b = await fit({ X, nRows: 300 }, config);
    const c = await fit({ X, nRows: 300 }, { ...config, seed: 4 });
    assert.equal(floatsToBase64(a.generator), floatsToBase64(b.generator));
    assert.deepEqual(a.curves, b.curves);
    assert.notEqual(floatsToBase64(a.generator), floatsToBase64(c.generator));
    assert.equal(a.curves.length, 4);
    assert.ok(a.curves.every((p) => Number.isFinite(p.critic_loss) && Number.isFinite(p.generator_loss) && Number.isFinite(p.gradient_penalty!)));
  });

  test(`${engine}: a fit killed after its checkpoint resumes to the same weights as an uninterrupted fit`, async () => {
    const full = await fit({ X, nRows: 300 }, config);
    let saved: GanCheckpoint | undefined;
    await assert.rejects(
      fit({ X, nRows: 300 }, config, {
        onCheckpoint: async (ck) => {
          saved = JSON.parse(JSON.stringify(ck)) as GanCheckpoint;
          throw new Error('killed');
        },
      }),
      /killed/,
    );
    assert.equal(saved?.step, 20);
    const resumed = await fit({ X, nRows: 300 }, config, { resume: saved! });
    assert.equal(resumed.resumedFrom, 20);
    assert.equal(floatsToBase64(resumed.generator), floatsToBase64(full.generator));
    assert.deepEqual(resumed.curves, full.curves);
    await assert.rejects(fit({ X, nRows: 300 }, { ...config, noiseDim: 5 }, { resume: saved! }), /different GAN configuration/);
  });
}

test('train.gan step: checkpoint under the store keyed by the step key, resumed after a kill, deleted at the end', async () => {
  const dir = tempDir('resume');
  const train = await writeMixtureTable(dir, m);
  const params = {
    steps: 40,
    ...TINY_GAN,
    checkpoint_every: 20,
    seed: 9,
  };
  const reference = await runWithStore(trainGan, { train }, params, { dir: join(dir, 'store-a'), key: 'k1' });
  const store = { dir: join(dir, 'store-b'), key: 'k2' };
  const checkpoint = join(store.dir, 'checkpoints', 'k2.json');
  await assert.rejects(
    runWithStore(trainGan, { train }, params, store, (message) => {
      if (message.startsWith('step 30/')) throw new Error('killed at step 30');
    }),
    /killed at step 30/,
  );
  assert.ok(existsSync(checkpoint), 'checkpoint written at step 20');
  const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { backend: string; checkpoint: GanCheckpoint };
  assert.equal(saved.checkpoint.step, 20);
  assert.equal(saved.backend, 'kernels');

  // A checkpoint from another backend is not mixed into this fit.
  writeFileSync(checkpoint, JSON.stringify({ ...saved, backend: 'wasm' }));
  const other = await runWithStore(trainGan, { train }, { ...params, steps: 20 }, { dir: join(dir, 'store-b'), key: 'k2' });
  assert.ok(other.logs.includes('the checkpoint was written on the wasm backend, not kernels: starting afresh'), other.logs.join('\n'));
  writeFileSync(checkpoint, JSON.stringify(saved));

  const resumed = await runWithStore(trainGan, { train }, params, store);
  assert.ok(
    resumed.logs.some((l) => l === 'resuming from the checkpoint at step 20/40'),
    resumed.logs.join('\n'),
  );
  assert.equal((resumed.summary as { resumed_from: number }).resumed_from, 20);
  assert.equal(readFileSync(resumed.outputs.model, 'utf8'), readFileSync(reference.outputs.model, 'utf8'));
  assert.equal(readFileSync(resumed.outputs.curves, 'utf8'), readFileSync(reference.outputs.curves, 'utf8'));
  assert.ok(!existsSync(checkpoint), 'checkpoint deleted when the fit completes');
  assert.ok(!existsSync(join(dir, 'store-a', 'checkpoints', 'k1.json')));
  const model = JSON.parse(readFileSync(reference.outputs.model, 'utf8')) as { backend: string; seed: number; format: string };
  assert.equal(model.format, 'medpipe.gan/1');
  assert.equal(model.backend, 'kernels');
  assert.equal(model.seed, 9);
  assert.equal((reference.summary as { backend: string }).backend, 'kernels');
  assert.ok(reference.logs.includes("training backend: medpipe's WebAssembly kernels (auto, MEDPIPE_TF_BACKEND not set)"), reference.logs.join('\n'));
});

test('generate: same seed same bytes; columns, kinds and 0/1 bits as in training; a label condition is honoured', async () => {
  const dir = tempDir('generate');
  const n = 300;
  const rng = createRng(11);
  const bit = new Float64Array(n).map(() => (rng.next() < 0.3 ? 1 : 0));
  const potency = new Float64Array(n).map((_, i) => 5 + 3 * rng.next() + bit[i]);
  const label = new Int32Array(n).map((_, i) => (m.label[i] === 2 ? 1 : 0));
  const train = await writeTable(dir, 'train.arrow', [
    { name: 'id', kind: 'id', data: { type: 'text', values: Array.from({ length: n }, (_, i) => `m${i}`) } },
    { name: 'x', kind: 'numeric', data: { type: 'numeric', values: m.x } },
    { name: 'fp_0', kind: 'numeric', data: { type: 'numeric', values: bit } },
    { name: 'class', kind: 'categorical', data: { type: 'categorical', codes: label, categories: ['inactive', 'active'] } },
    { name: 'pIC50', kind: 'numeric', data: { type: 'numeric', values: potency } },
  ]);
  const small = { steps: 20, critic_iters: 1, batch_size: 32, noise_dim: 4, generator_hidden: [16], critic_hidden: [16], log_every: 10, checkpoint_every: 0 };
  const byLabel = await runStep(trainGan, { train }, { ...small, condition: { column: 'class' } });
  const summary = byLabel.summary as { numeric_columns: number; binary_columns: number };
  assert.deepEqual([summary.numeric_columns, summary.binary_columns], [2, 1]);
  const gen = (seed: number, extra: Record<string, unknown> = {}) => runStep(generate, { model: byLabel.outputs.model }, { n: 500, seed, ...extra });
  const [a, b, c] = [await gen(1), await gen(1), await gen(2)];
  assert.deepEqual(readFileSync(a.outputs.data), readFileSync(b.outputs.data));
  assert.notDeepEqual(readFileSync(a.outputs.data), readFileSync(c.outputs.data));
  const ds = await readDatasetFile(a.outputs.data);
  assert.deepEqual(
    ds.columns.map((col) => [col.name, col.kind, col.data.type]),
    [
      ['x', 'numeric', 'numeric'],
      ['fp_0', 'numeric', 'numeric'],
      ['class', 'categorical', 'categorical'],
      ['pIC50', 'numeric', 'numeric'],
    ],
  );
  assert.equal(ds.rowCount, 500);
  const bits = (ds.columns[1].data as { values: Float64Array }).values;
  assert.ok(bits.every((v) => v === 0 || v === 1));
  const actives = await readDatasetFile((await gen(1, { condition: 'active' })).outputs.data);
  const codes = actives.columns[2].data as { codes: Int32Array; categories: readonly string[] };
  assert.ok(codes.codes.every((code) => codes.categories[code] === 'active'));
  await assert.rejects(gen(1, { condition: 'potent' }), /condition "potent" is not a label .* "inactive", "active"/);

  // A numeric property in bins: labels name the bins; the property itself stays a generated column.
  const byBin = await runStep(trainGan, { train }, { ...small, exclude: ['fp_0'], condition: { column: 'pIC50', bins: [7], labels: ['inactive', 'active'] } });
  const model = JSON.parse(readFileSync(byBin.outputs.model, 'utf8')) as { condition: { labels: string[]; frequencies: number[] }; tableOrder: string[] };
  assert.deepEqual(model.condition.labels, ['inactive', 'active']);
  assert.deepEqual(model.tableOrder, ['x', 'pIC50']);
  const share = potency.filter((v) => v >= 7).length / n;
  assert.ok(Math.abs(model.condition.frequencies[1] - share) < 1e-12);
  await assert.rejects(runStep(trainGan, { train }, { ...small, condition: { column: 'pIC50' } }), /give condition.bins/);
  await assert.rejects(runStep(trainGan, { train }, { ...small, condition: { column: 'pIC50', bins: [20] } }), /no training rows fall in ">= 20"/);
});

test('train.gan backend: cpu trains on the plain JavaScript backend and says so; auto is the kernels afterwards, and MEDPIPE_TF_BACKEND makes it a TensorFlow.js backend', async () => {
  const dir = tempDir('backend-param');
  const train = await writeMixtureTable(dir, m);
  const small = { steps: 5, critic_iters: 1, batch_size: 16, noise_dim: 2, generator_hidden: [8], critic_hidden: [8], log_every: 5, checkpoint_every: 0 };
  const onCpu = await runStep(trainGan, { train }, { ...small, backend: 'cpu' });
  assert.equal((JSON.parse(readFileSync(onCpu.outputs.model, 'utf8')) as { backend: string }).backend, 'cpu');
  assert.ok(onCpu.logs.includes('TensorFlow.js backend: cpu (forced by backend: cpu)'), onCpu.logs.join('\n'));
  const backendOf = (run: { outputs: Record<string, string> }): string => (JSON.parse(readFileSync(run.outputs.model, 'utf8')) as { backend: string }).backend;
  const auto = await runStep(trainGan, { train }, small);
  assert.equal(backendOf(auto), 'kernels');
  const kernels = await runStep(trainGan, { train }, { ...small, backend: 'kernels' });
  assert.equal(readFileSync(kernels.outputs.model, 'utf8'), readFileSync(auto.outputs.model, 'utf8'));
  assert.ok(kernels.logs.includes("training backend: medpipe's WebAssembly kernels (backend: kernels)"), kernels.logs.join('\n'));
  process.env.MEDPIPE_TF_BACKEND = 'wasm';
  try {
    // tfjs's backend is global: an auto step after the cpu one in the same worker must not inherit cpu.
    assert.equal(backendOf(await runStep(trainGan, { train }, small)), 'wasm');
    assert.equal(backendOf(await runStep(trainGan, { train }, { ...small, backend: 'kernels' })), 'kernels');
  } finally {
    delete process.env.MEDPIPE_TF_BACKEND;
  }
});

test('whole-number columns are generated as whole numbers inside the training range; continuous ones are not rounded', async () => {
  const dir = tempDir('integer');
  const n = m.x.length;
  const rng = createRng(21);
  const rings = Float64Array.from({ length: n }, () => 2 + Math.floor(rng.next() * 4)); // 2..5
  const train = await writeTable(dir, 'train.arrow', [
    { name: 'x', kind: 'numeric', data: { type: 'numeric', values: m.x } },
    { name: 'rings', kind: 'numeric', data: { type: 'numeric', values: rings } },
  ]);
  const small = {
    steps: 30,
    critic_iters: 1,
    batch_size: 64,
    noise_dim: 4,
    generator_hidden: [16],
    critic_hidden: [16],
    log_every: 10,
    checkpoint_every: 0,
    loss: 'standard',
    lr_generator: 1e-3,
    lr_critic: 1e-3,
  };
  const fit = await runStep(trainGan, { train }, small);
  const model = JSON.parse(readFileSync(fit.outputs.model, 'utf8')) as { columns: { name: string; integer?: { min: number; max: number } }[] };
  assert.deepEqual(model.columns.find((c) => c.name === 'rings')?.integer, { min: 2, max: 5 });
  assert.equal(model.columns.find((c) => c.name === 'x')?.integer, undefined);
  const out = await readDatasetFile((await runStep(generate, { model: fit.outputs.model }, { n: 500, seed: 3 })).outputs.data);
  const values = (name: string): Float64Array => (out.columns.find((c) => c.name === name)!.data as { values: Float64Array }).values;
  assert.ok(values('rings').every((v) => Number.isInteger(v) && v >= 2 && v <= 5));
  assert.ok(values('x').some((v) => !Number.isInteger(v)));
});

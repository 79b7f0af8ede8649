/**
 * The quantile transform of numeric columns (quantile.ts): Φ⁻¹ against published values; training
 * values survive the round trip to normal scores and back; scores are standard normal even for a
 * column with a point mass; a generator with that transform only emits values the column took.
 * PacGAN (pac > 1): seeded, resumable to the same weights, with and without a condition; pac must
 * divide the batch. And evaluate.generative's `train` input: the baseline draws from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import { encodeTable } from '../../src/ml/gan/encode.js';
import { floatsToBase64 } from '../../src/ml/gan/mlp.js';
import { fromNormalScore, knotBoundaries, normalQuantile, quantileKnots, toNormalScores, MAX_KNOTS } from '../../src/ml/gan/quantile.js';
import { fitGan, type GanCheckpoint, type GanTrainConfig } from '../../src/ml/gan/train.js';
import { selectTfBackend } from '../../src/ml/tf/backend.js';
import { createRng } from '../../src/rng.js';
import evaluateGenerative from '../../src/steps/evaluate.generative.js';
import generate from '../../src/steps/generate.js';
import trainGan from '../../src/steps/train.gan.js';
import { runStep } from '../helpers/step-harness.js';
import { mixture, tempDir, writeTable } from './helpers.js';

const { tf } = await selectTfBackend({ override: 'wasm' });

/** A descriptor-like column: a third exactly 0, the rest on a grid of multiples of 1/13 (like fraction_csp3). */
function spiky(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => (rng.next() < 1 / 3 ? 0 : (1 + rng.int(5)) / 13));
}

test('Φ⁻¹ matches published normal quantiles', () => {
  for (const [p, z] of [
    [0.5, 0],
    [0.975, 1.959963985],
    [0.025, -1.959963985],
    [0.841344746, 1],
    [0.001, -3.090232306],
    [0.9999, 3.719016485],
  ]) {
    assert.ok(Math.abs(normalQuantile(p) - z) < 1e-6, `Φ⁻¹(${p}) = ${normalQuantile(p)}, expected ${z}`);
  }
  assert.throws(() => normalQuantile(0), RangeError);
});

test('quantile transform: standard-normal scores, and every training value comes back from its score', () => {
  const values = spiky(600, 1);
  const z = toNormalScores(values, createRng(2));
  const mean = z.reduce((s, v) => s + v, 0) / z.length;
  const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
  assert.ok(Math.abs(mean) < 0.1 && Math.abs(sd - 1) < 0.1, `scores mean ${mean}, sd ${sd}`);
  const knots = quantileKnots(values);
  const bounds = knotBoundaries(knots.length);
  for (let i = 0; i < values.length; i++) assert.equal(fromNormalScore(z[i], knots, bounds), values[i]);
  // Any score maps to a value the column took; more knots than MAX_KNOTS are thinned to order statistics.
  const seen = new Set(values);
  for (let s = -6; s <= 6; s += 0.01) assert.ok(seen.has(fromNormalScore(s, knots, bounds)));
  const many = Float64Array.from({ length: 5000 }, (_, i) => i);
  assert.equal(quantileKnots(many).length, MAX_KNOTS);
});

test('train.gan with numeric_transform quantile generates only values each column took, deterministically', async () => {
  const dir = tempDir('quantile');
  const m = mixture(400, 3);
  const cols: Column[] = [
    { name: 'x', kind: 'numeric', data: { type: 'numeric', values: m.x } },
    { name: 'f', kind: 'numeric', data: { type: 'numeric', values: spiky(400, 4) } },
    { name: 'count', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(m.label, (l) => l + 2) } },
  ];
  const train = await writeTable(dir, 'train.arrow', cols);
  const enc = encodeTable(makeDataset(cols), { columns: null, exclude: [], condition: null, seed: 1, transform: 'quantile' });
  assert.ok(enc.columns.every((c) => c.quantiles?.length === 400 && c.mean === 0 && c.std === 1 && c.integer === undefined));
  const params = {
    numeric_transform: 'quantile',
    pac: 4,
    loss: 'standard',
    noise_dim: 4,
    generator_hidden: [16],
    critic_hidden: [16],
    batch_size: 32,
    steps: 60,
    seed: 1,
    checkpoint_every: 0,
  };
  const fit = await runStep(trainGan, { train }, params);
  const gen = await runStep(generate, { model: fit.outputs.model }, { n: 500, seed: 2 });
  const again = await runStep(generate, { model: (await runStep(trainGan, { train }, params)).outputs.model }, { n: 500, seed: 2 });
  assert.deepEqual(readFileSync(gen.outputs.data), readFileSync(again.outputs.data));
  const ds = await readDatasetFile(gen.outputs.data);
  for (const c of cols) {
    const seen = new Set((c.data as { values: Float64Array }).values);
    const out = (ds.columns.find((x) => x.name === c.name)!.data as { values: Float64Array }).values;
    assert.ok(
      out.every((v) => seen.has(v)),
      `column ${c.name}: a generated value the column never took`,
    );
  }
  await assert.rejects(runStep(trainGan, { train }, { ...params, pac: 5 }), /pac \(5\) must divide batch_size \(32\)/);
});

for (const condDim of [0, 2]) {
  test(`PacGAN (pac 4, wgan-gp${condDim ? ', conditional' : ''}): same seed same bytes, resumed fit ends where an uninterrupted one does`, async () => {
    const m = mixture(200, 5);
    const X = new Float32Array(400);
    for (let i = 0; i < 200; i++) [X[2 * i], X[2 * i + 1]] = [m.x[i], m.y[i]];
    const data = { X, nRows: 200, ...(condDim ? { cond: Int32Array.from(m.label, (l) => (l < 2 ? 0 : 1)) } : {}) };
    const config: GanTrainConfig = {
      dataDim: 2,
      numericColumns: 2,
      condDim,
      noiseDim: 4,
      generatorHidden: [16],
      criticHidden: [16],
      loss: 'wgan-gp',
      pac: 4,
      lrGenerator: 1e-3,
      lrCritic: 1e-3,
      beta1: 0,
      beta2: 0.9,
      batchSize: 32,
      steps: 30,
      criticIters: 2,
      gpWeight: 10,
      seed: 3,
      logEvery: 10,
      checkpointEvery: 10,
    };
    const full = await fitGan(tf, data, config);
    assert.ok(full.curves.every((p) => Number.isFinite(p.critic_loss) && Number.isFinite(p.gradient_penalty!)));
    assert.equal(floatsToBase64((await fitGan(tf, data, config)).generator), floatsToBase64(full.generator));
    assert.notEqual(floatsToBase64((await fitGan(tf, data, { ...config, pac: 1 })).generator), floatsToBase64(full.generator));
    let saved: GanCheckpoint | undefined;
    await assert.rejects(
      fitGan(tf, data, config, {
        onCheckpoint: async (ck) => {
          saved = structuredClone(ck);
          throw new Error('killed');
        },
      }),
      /killed/,
    );
    const resumed = await fitGan(tf, data, config, { resume: saved! });
    assert.equal(floatsToBase64(resumed.generator), floatsToBase64(full.generator));
    await assert.rejects(fitGan(tf, data, { ...config, pac: 2 }, { resume: saved! }), /different GAN configuration/);
    await assert.rejects(fitGan(tf, data, { ...config, pac: 3 }), /must divide the batch size/);
  });
}

test('evaluate.generative: with a train input, the baseline samples the training rows, not the held-out real ones', async () => {
  const dir = tempDir('baseline-source');
  const col = (name: string, v: Float64Array): Column => ({ name, kind: 'numeric', data: { type: 'numeric', values: v } });
  const rows = (n: number, seed: number, shift: number): Column[] => {
    const m = mixture(n, seed);
    return [
      col(
        'x',
        m.x.map((v) => v + shift),
      ),
      col('y', m.y),
    ];
  };
  const real = await writeTable(dir, 'real.arrow', rows(300, 1, 0));
  const synthetic = await writeTable(dir, 'synthetic.arrow', rows(300, 2, 0));
  // Training rows shifted by 5 (about 2 sd) in x: a baseline drawn from them has a far worse x marginal than one drawn from real.
  const train = await writeTable(dir, 'train.arrow', rows(300, 3, 5));
  const params = { seed: 0 };
  const report = async (inputs: Record<string, string>): Promise<{ columns: { column: string; baseline_ks: number }[]; notes: string[] }> =>
    JSON.parse(readFileSync((await runStep(evaluateGenerative, inputs, params)).outputs.metrics, 'utf8'));
  const fromReal = await report({ real, synthetic });
  const fromTrain = await report({ real, synthetic, train });
  const ks = (r: typeof fromReal, c: string): number => r.columns.find((x) => x.column === c)!.baseline_ks;
  assert.ok(ks(fromReal, 'x') < 0.15 && ks(fromTrain, 'x') > 0.5, `baseline KS on x: ${ks(fromReal, 'x')} from real, ${ks(fromTrain, 'x')} from train`);
  assert.ok(fromTrain.notes[0].includes("generator's 300 training rows"), fromTrain.notes[0]);
  const noY = await writeTable(dir, 'no-y.arrow', [col('x', new Float64Array(10))]);
  await assert.rejects(runStep(evaluateGenerative, { real, synthetic, train: noY }, params), /train dataset has no numeric column "y"/);
});

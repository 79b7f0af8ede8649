import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePatientTreatmentOutcomes } from '../../src/data/generators/patient-treatment-outcomes.js';
import { fitAls, fitAlsParallel, type AlsModel, type Interactions } from '../../src/ml/recommender/index.js';
import { alsWasmAvailable } from '../../src/ml/recommender/als-wasm.js';
import { StepInputError } from '../../src/errors.js';
import { toInteractions } from './helpers.js';

/** Bytes of every learned array: bit-identical means equal bytes (also telling -0 from 0). */
function bytesOf(m: AlsModel): Buffer[] {
  return [m.userFactors, m.itemFactors, m.userBias, m.itemBias].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

function assertSameModel(wasm: AlsModel, ts: AlsModel, what: string): void {
  assert.equal(wasm.mean, ts.mean);
  const a = bytesOf(wasm),
    b = bytesOf(ts);
  for (let j = 0; j < a.length; j++) assert.ok(a[j].equals(b[j]), `${what}: array ${j} differs between the WebAssembly and TypeScript paths`);
}

// 5 patients more than the generator uses: rows with no observation, which the solver zeroes.
const N_USERS = 605,
  N_ITEMS = 90;
const g = generatePatientTreatmentOutcomes({ patients: 600, treatments: N_ITEMS, observations: 12_000, rank: 4, noise: 0.5, seed: 31 });
const obs: Interactions = toInteractions(g);

test('the compiled ALS half-step is built and loadable', () => {
  assert.equal(alsWasmAvailable(), true, 'dist/src/ml/recommender/als.wasm missing or not loadable: run npm run build');
});

test('WebAssembly ALS gives bit-identical factors to the TypeScript solver (odd and even system sizes)', () => {
  for (const factors of [1, 2, 7, 8, 32]) {
    const options = { factors, iterations: 3, lambda: 0.05, seed: 4 };
    const ts = fitAls(obs, N_USERS, N_ITEMS, { ...options, solver: 'typescript' });
    const wasm = fitAls(obs, N_USERS, N_ITEMS, options);
    assertSameModel(wasm, ts, `${factors} factors`);
    for (let u = 600; u < N_USERS; u++) assert.equal(wasm.userBias[u], 0);
  }
});

test('ALS on 2 worker threads, WebAssembly (shared memory) and TypeScript, matches the single-threaded TypeScript solver', async () => {
  const options = { factors: 9, iterations: 3, lambda: 0.1, seed: 8 };
  const ts = fitAls(obs, N_USERS, N_ITEMS, { ...options, solver: 'typescript' });
  assertSameModel(await fitAlsParallel(obs, N_USERS, N_ITEMS, { ...options, threads: 2 }), ts, '2 threads, WebAssembly');
  assertSameModel(await fitAlsParallel(obs, N_USERS, N_ITEMS, { ...options, threads: 2, solver: 'typescript' }), ts, '2 threads, TypeScript');
});

test('both ALS paths reject a singular system with the same error', async () => {
  // lambda 0 and fewer observations per row than factors + 1: the normal equations are singular.
  const tiny: Interactions = { user: Int32Array.from([0, 1, 1, 2]), item: Int32Array.from([0, 0, 1, 1]), value: Float64Array.from([1, 2, 3, 4]) };
  const options = { factors: 3, iterations: 2, lambda: 0, seed: 1 };
  const expected = (e: unknown): boolean => e instanceof StepInputError && /not positive definite: increase lambda/.test(e.message);
  assert.throws(() => fitAls(tiny, 3, 2, { ...options, solver: 'typescript' }), expected);
  assert.throws(() => fitAls(tiny, 3, 2, options), expected);
  await assert.rejects(fitAlsParallel(tiny, 3, 2, { ...options, threads: 2 }), expected);
  await assert.rejects(fitAlsParallel(tiny, 3, 2, { ...options, threads: 2, solver: 'typescript' }), expected);
});

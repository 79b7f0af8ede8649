/**
 * TensorFlow.js backend selection (src/ml/tf/backend.ts): tfjs-node absent -> wasm, the
 * MEDPIPE_TF_BACKEND override, and clear errors when a forced backend cannot be loaded. The
 * "absent" case is simulated with an importer that fails like Node does for a missing package,
 * so the test means the same on a machine where tfjs-node is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf, selectTfBackend, TF_BACKEND_ENV } from '../../src/ml/tf/backend.js';

function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from test`), { code: 'ERR_MODULE_NOT_FOUND' });
}

/** Node's own import, except the named packages, which behave as if not installed. */
const without =
  (...missing: string[]) =>
  (specifier: string): Promise<unknown> =>
    missing.includes(specifier) ? Promise.reject(notFound(specifier)) : import(specifier);

test('tfjs-node absent: falls back to the wasm backend and says why', async () => {
  const { tf, backend, reason } = await selectTfBackend({ override: undefined, importModule: without('@tensorflow/tfjs-node') });
  assert.equal(backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(reason, /@tensorflow\/tfjs-node not installed/);
  // The backend computes: a small matmul gives the right numbers.
  assert.deepEqual(Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])).dataSync()), [1, 2, 3, 4]);
});

test('a native module that cannot be found (real importer) also falls back to wasm', async () => {
  const { backend } = await selectTfBackend({ override: undefined, nodeModule: '@tensorflow/tfjs-node-not-a-real-package' });
  assert.equal(backend, 'wasm');
});

test('neither tfjs-node nor the wasm package: the cpu backend', async () => {
  const { tf, backend, reason } = await selectTfBackend({
    override: undefined,
    importModule: without('@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'),
  });
  assert.equal(backend, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(reason, /tfjs-backend-wasm: not installed/);
});

test('MEDPIPE_TF_BACKEND=cpu forces the cpu backend (option and environment variable)', async () => {
  const forced = await selectTfBackend({ override: 'cpu', importModule: without('@tensorflow/tfjs-node') });
  assert.equal(forced.backend, 'cpu');
  assert.equal(forced.tf.getBackend(), 'cpu');
  assert.match(forced.reason, /forced by MEDPIPE_TF_BACKEND/);
  const saved = process.env[TF_BACKEND_ENV];
  process.env[TF_BACKEND_ENV] = 'cpu';
  try {
    assert.equal((await selectTfBackend({ importModule: without('@tensorflow/tfjs-node') })).backend, 'cpu');
    process.env[TF_BACKEND_ENV] = 'wasm';
    assert.equal((await selectTfBackend({ importModule: without('@tensorflow/tfjs-node') })).backend, 'wasm');
  } finally {
    if (saved === undefined) delete process.env[TF_BACKEND_ENV];
    else process.env[TF_BACKEND_ENV] = saved;
  }
});

test('forcing an unavailable backend is an error saying what to install, not a silent fallback', async () => {
  await assert.rejects(
    selectTfBackend({ override: 'node', importModule: without('@tensorflow/tfjs-node') }),
    (e: Error) =>
      e.name === 'StepInputError' &&
      /MEDPIPE_TF_BACKEND=node/.test(e.message) &&
      /npm install @tensorflow\/tfjs-node/.test(e.message) &&
      /not installed/.test(e.message),
  );
  await assert.rejects(
    selectTfBackend({ override: 'wasm', importModule: without('@tensorflow/tfjs-backend-wasm') }),
    (e: Error) => e.name === 'StepInputError' && /npm install @tensorflow\/tfjs-backend-wasm/.test(e.message),
  );
  await assert.rejects(selectTfBackend({ override: 'gpu' }), (e: Error) =>
    /MEDPIPE_TF_BACKEND=gpu is not a TensorFlow.js backend: use node, wasm or cpu/.test(e.message),
  );
});

test('loadTf chooses once per process', async () => {
  const a = await loadTf();
  const b = await loadTf();
  assert.equal(a, b);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(a.backend));
});

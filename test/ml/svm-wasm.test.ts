/**
 * The SMO solver compiled to WebAssembly (src/ml/svm/wasm/solver.ts) against the TypeScript
 * solver it was ported from: the same model, bit for bit, on every scikit-learn parity
 * configuration and on settings that exercise the kernel cache's eviction, shrinking's swaps,
 * no shrinking and the iteration limit. Prediction likewise: the compiled module's decision
 * values against predict.ts's JavaScript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../../src/errors.js';
import { fitSvm, type SvmModel, type SvmOptions } from '../../src/ml/svm/index.js';
import { rawDecisionValues } from '../../src/ml/svm/predict.js';
import { wasmDecisionValues, wasmSolverAvailable } from '../../src/ml/svm/wasm-solver.js';
import { loadConfigs, loadSplit, optionsOf } from './svm-fixtures.js';

function bytes(a: Float64Array | Int32Array | undefined): Buffer {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
}

/** Every number of the two models is the same double. */
function assertSameModel(a: SvmModel, b: SvmModel, what: string): void {
  assert.ok(Object.is(a.gamma, b.gamma), `${what}: gamma ${a.gamma} vs ${b.gamma}`);
  assert.deepEqual(a.nSupportPerClass, b.nSupportPerClass, `${what}: support vectors per class`);
  assert.ok(bytes(a.supportIndices).equals(bytes(b.supportIndices)), `${what}: support vector indices`);
  assert.ok(bytes(a.svCoef).equals(bytes(b.svCoef)), `${what}: dual coefficients`);
  assert.ok(bytes(a.rho).equals(bytes(b.rho)), `${what}: rho ${a.rho} vs ${b.rho}`);
  assert.ok(bytes(a.probA).equals(bytes(b.probA)) && bytes(a.probB).equals(bytes(b.probB)), `${what}: Platt parameters`);
  assert.equal(a.iterations, b.iterations, `${what}: iterations`);
  assert.equal(a.converged, b.converged, `${what}: converged`);
}

async function both(data: string, type: 'c-svc' | 'epsilon-svr', options: SvmOptions): Promise<[SvmModel, SvmModel]> {
  const s = loadSplit(data);
  const y = type === 'c-svc' ? Int32Array.from(s.ytr) : s.ytr;
  const wasm = await fitSvm(s.Xtr, s.nTrain, s.nCols, y, { ...options, type });
  const ts = await fitSvm(s.Xtr, s.nTrain, s.nCols, y, { ...options, type, solver: 'typescript' });
  return [wasm, ts];
}

test('the compiled solver is built and loads (npm run build:wasm)', () => {
  assert.equal(wasmSolverAvailable(), true, 'dist/src/ml/svm/svm-solver.wasm missing or not loadable: run npm run build');
});

test('WebAssembly and TypeScript solvers give bit-identical models on every parity configuration', async () => {
  const configs = loadConfigs();
  assert.ok(configs.length >= 17);
  for (const c of configs) {
    const [wasm, ts] = await both(c.data, c.type, optionsOf(c));
    assertSameModel(wasm, ts, c.name);
  }
});

test('bit-identical under cache eviction, no shrinking, the iteration limit and every kernel', async () => {
  const cases: [string, 'c-svc' | 'epsilon-svr', SvmOptions][] = [
    // 0.05 MB holds ~30 rows of 455: the LRU evicts, and shrinking's swaps drop cached rows.
    ['breast-cancer.csv', 'c-svc', { kernel: 'rbf', C: 10, cacheMb: 0.05 }],
    ['breast-cancer.csv', 'c-svc', { kernel: 'rbf', shrinking: false }],
    ['breast-cancer.csv', 'c-svc', { kernel: 'rbf', C: 100, maxIter: 50 }],
    ['breast-cancer.csv', 'c-svc', { kernel: 'sigmoid', gamma: 0.01, coef0: 0.5 }],
    ['breast-cancer.csv', 'c-svc', { kernel: 'poly', degree: 4, gamma: 0.02, coef0: 1, classWeight: { 0: 3 } }],
    ['wine.csv', 'c-svc', { kernel: 'linear', C: 0.5, cacheMb: 0.002, probability: true, seed: 3 }],
    ['diabetes.csv', 'epsilon-svr', { kernel: 'rbf', C: 50, epsilon: 0.05, cacheMb: 0.02 }],
    ['diabetes.csv', 'epsilon-svr', { kernel: 'poly', degree: 2, C: 2, maxIter: 200 }],
  ];
  for (const [data, type, options] of cases) {
    const [wasm, ts] = await both(data, type, options);
    assertSameModel(wasm, ts, `${data} ${JSON.stringify(options)}`);
  }
});

test('a non-finite feature is reported at the same row and column by both paths', async () => {
  const s = loadSplit('breast-cancer.csv');
  const X = s.Xtr.slice();
  X[7 * s.nCols + 4] = Number.NaN;
  const y = Int32Array.from(s.ytr);
  const errorOf = async (options: SvmOptions) => {
    try {
      await fitSvm(X, s.nTrain, s.nCols, y, options);
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const a = await errorOf({}),
    b = await errorOf({ solver: 'typescript' });
  assert.ok(a instanceof DataError && b instanceof DataError);
  assert.equal(a.message, b.message);
  assert.deepEqual({ ...a }, { ...b });
  assert.match(JSON.stringify({ ...a }), /feature 5/);
});

test('compiled and JavaScript prediction give bit-identical decision values for every kernel and model type', async () => {
  const configs = loadConfigs();
  const extra: [string, 'c-svc' | 'epsilon-svr', SvmOptions][] = [
    ['breast-cancer.csv', 'c-svc', { kernel: 'sigmoid', gamma: 0.01, coef0: 0.5 }],
    ['breast-cancer.csv', 'c-svc', { kernel: 'poly', degree: 4, gamma: 0.02, coef0: 1 }],
    ['diabetes.csv', 'epsilon-svr', { kernel: 'poly', degree: 2, C: 2, maxIter: 200 }],
  ];
  const cases: [string, 'c-svc' | 'epsilon-svr', SvmOptions][] = [
    ...configs.map((c): [string, 'c-svc' | 'epsilon-svr', SvmOptions] => [c.data, c.type, optionsOf(c)]),
    ...extra,
  ];
  for (const [data, type, options] of cases) {
    const s = loadSplit(data);
    const model = await fitSvm(s.Xtr, s.nTrain, s.nCols, type === 'c-svc' ? Int32Array.from(s.ytr) : s.ytr, { ...options, type });
    const compiled = wasmDecisionValues(model, s.Xte, s.nTest);
    assert.ok(compiled, 'the compiled module predicts');
    const js = rawDecisionValues(model, s.Xte, s.nTest, 'typescript');
    assert.equal(compiled.length, js.length);
    assert.ok(bytes(rawDecisionValues(model, s.Xte, s.nTest)).equals(bytes(compiled)), 'rawDecisionValues uses the compiled module');
    assert.ok(bytes(compiled).equals(bytes(js)), `${data} ${JSON.stringify(options)}: decision values differ`);
  }
});

test("a model's kept instance gives the bits of the JavaScript path on every call, for one row, a few, and more rows than it lays out at once", async () => {
  const s = loadSplit('breast-cancer.csv');
  const model = await fitSvm(s.Xtr, s.nTrain, s.nCols, Int32Array.from(s.ytr), { type: 'c-svc', kernel: 'rbf' });
  // 5,000 rows (the test rows repeated) is more than the 4,096 the kept instance takes at once.
  const many = 5000;
  const X = new Float64Array(many * s.nCols);
  for (let r = 0; r < many; r++) X.set(s.Xte.subarray((r % s.nTest) * s.nCols, ((r % s.nTest) + 1) * s.nCols), r * s.nCols);
  for (const rows of [1, 3, many, 1, s.nTest]) {
    const part = X.subarray(0, rows * s.nCols);
    const compiled = wasmDecisionValues(model, part, rows);
    assert.ok(compiled, 'the compiled module predicts');
    assert.ok(bytes(compiled).equals(bytes(rawDecisionValues(model, part, rows, 'typescript'))), `${rows} rows`);
  }
});

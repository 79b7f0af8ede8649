/**
 * Parity of medpipe's SVM with scikit-learn 1.2 (fixtures from test/fixtures/svm_fixtures.py),
 * plus determinism, save/load, gamma resolution and input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, StepInputError } from '../../src/errors.js';
import {
  decisionFunction,
  decisionFunctionOvr,
  fitSvm,
  predictProba,
  predictSvm,
  resolveGamma,
  svmFromJSON,
  svmToJSON,
  type SvmModel,
} from '../../src/ml/svm/index.js';
import { accuracy, loadConfigs, loadSplit, optionsOf, rmse, spearman, type FixtureConfig } from './svm-fixtures.js';

async function fit(c: FixtureConfig): Promise<SvmModel> {
  const s = loadSplit(c.data);
  return fitSvm(s.Xtr, s.nTrain, s.nCols, c.type === 'c-svc' ? Int32Array.from(s.ytr) : s.ytr, optionsOf(c));
}

for (const c of loadConfigs()) {
  test(`parity with scikit-learn: ${c.name}`, async () => {
    const s = loadSplit(c.data);
    const model = await fit(c);
    const pred = predictSvm(model, s.Xte, s.nTest);
    if (c.type === 'c-svc') {
      assert.ok(Math.abs(accuracy(pred, s.yte) - (c.accuracy as number)) <= 0.005, `accuracy ${accuracy(pred, s.yte)} vs sklearn ${c.accuracy}`);
      const dec = decisionFunction(model, s.Xte, s.nTest);
      const ref = (c.decisionOvo ?? c.decision) as number[];
      assert.equal(dec.length, ref.length);
      assert.ok(spearman(dec, ref) > 0.99, `Spearman ${spearman(dec, ref)}`);
      if (c.decisionOvo) {
        const ovr = decisionFunctionOvr(model, s.Xte, s.nTest);
        assert.ok(spearman(ovr, c.decision as number[]) > 0.99, 'ovr aggregate matches sklearn decision_function_shape=ovr');
      }
    } else {
      const ours = rmse(pred, s.yte),
        theirs = c.rmse as number;
      assert.ok(Math.abs(ours - theirs) <= 0.05 * theirs, `RMSE ${ours} vs sklearn ${theirs}`);
      assert.ok(spearman(pred, c.predictions) > 0.99);
    }
    assert.equal(model.gamma.toPrecision(10), c.gammaUsed.toPrecision(10), 'gamma resolved as sklearn');
    assert.equal(model.nSupportPerClass.length, c.nSupport.length);
    model.nSupportPerClass.forEach((n, i) => assert.ok(Math.abs(n - c.nSupport[i]) <= Math.max(2, 0.02 * c.nSupport[i]), `n_support ${n} vs ${c.nSupport[i]}`));
    if (c.proba) {
      const p = predictProba(model, s.Xte, s.nTest);
      const k = model.labels.length;
      for (let r = 0; r < s.nTest; r++) {
        let sum = 0;
        for (let j = 0; j < k; j++) sum += p[r * k + j];
        assert.ok(Math.abs(sum - 1) < 1e-9, 'probabilities sum to 1');
      }
      // Platt scaling is fitted on randomly folded decision values, so parity is loose here.
      let maxDiff = 0;
      for (let i = 0; i < p.length; i++) maxDiff = Math.max(maxDiff, Math.abs(p[i] - c.proba[i]));
      assert.ok(maxDiff < 0.1, `probabilities within 0.1 of sklearn (max diff ${maxDiff})`);
      assert.ok(spearman(p, c.proba) > 0.99);
    }
  });
}

test('probability fit is deterministic per seed and changes with it', async () => {
  const c = loadConfigs().find((x) => x.name === 'bc-rbf-proba') as FixtureConfig;
  const s = loadSplit(c.data);
  const [a, b, other] = await Promise.all([fit(c), fit(c), fitSvm(s.Xtr, s.nTrain, s.nCols, Int32Array.from(s.ytr), { ...optionsOf(c), seed: 7 })]);
  assert.deepEqual(svmToJSON(a), svmToJSON(b));
  assert.deepEqual(predictProba(a, s.Xte, s.nTest), predictProba(b, s.Xte, s.nTest));
  assert.notDeepEqual(Array.from(a.probA ?? []), Array.from(other.probA ?? []));
});

test('save/load round trip gives identical predictions and decision values', async () => {
  for (const name of ['bc-rbf-proba', 'wine-rbf-proba', 'diabetes-svr-rbf-C1', 'bc-poly']) {
    const c = loadConfigs().find((x) => x.name === name) as FixtureConfig;
    const s = loadSplit(c.data);
    const model = await fit(c);
    const loaded = svmFromJSON(JSON.parse(JSON.stringify(svmToJSON(model))));
    assert.deepEqual(predictSvm(loaded, s.Xte, s.nTest), predictSvm(model, s.Xte, s.nTest));
    assert.deepEqual(decisionFunction(loaded, s.Xte, s.nTest), decisionFunction(model, s.Xte, s.nTest));
    if (c.probability) assert.deepEqual(predictProba(loaded, s.Xte, s.nTest), predictProba(model, s.Xte, s.nTest));
  }
});

test('gamma scale and auto are computed as scikit-learn does', () => {
  const X = Float64Array.of(1, 2, 3, 4, 5, 6);
  // var of all entries = 35/12; scale = 1 / (nCols * var)
  const v = X.reduce((a, b) => a + b, 0) / 6;
  const variance = X.reduce((a, b) => a + (b - v) ** 2, 0) / 6;
  assert.equal(resolveGamma('scale', X, 2), 1 / (2 * variance));
  assert.equal(resolveGamma('auto', X, 2), 0.5);
  assert.equal(resolveGamma(0.25, X, 2), 0.25);
  assert.equal(resolveGamma('scale', new Float64Array(4).fill(3), 2), 1, 'constant X gives gamma 1 as sklearn');
  const c = loadConfigs().find((x) => x.name === 'bc-rbf-C1') as FixtureConfig;
  const s = loadSplit(c.data);
  assert.equal(resolveGamma('scale', s.Xtr, s.nCols).toPrecision(10), c.gammaUsed.toPrecision(10));
});

test('bad input gives clear errors', async () => {
  const X = Float64Array.of(0, 1, 1, 0, 2, 2, 3, 1);
  const y = Int32Array.of(0, 1, 0, 1);
  const withNaN = Float64Array.from(X);
  withNaN[5] = NaN;
  await assert.rejects(
    fitSvm(withNaN, 4, 2, y, {}),
    (e: unknown) => e instanceof DataError && /row 4/.test(e.message) && /feature 2/.test(e.message) && /impute/.test(e.message),
  );
  await assert.rejects(fitSvm(X, 4, 2, Int32Array.of(1, 1, 1, 1), {}), (e: unknown) => e instanceof DataError && /single class/.test(e.message));
  await assert.rejects(fitSvm(X, 4, 2, y, { C: 0 }), (e: unknown) => e instanceof StepInputError && /C must be a number > 0/.test(e.message));
  await assert.rejects(fitSvm(X, 4, 2, y, { C: -1 }), StepInputError);
  await assert.rejects(fitSvm(X, 4, 2, y, { gamma: -1 }), /gamma/);
  await assert.rejects(fitSvm(X, 3, 2, y, {}), /3 x 2 matrix/);
  await assert.rejects(fitSvm(X, 4, 2, Float64Array.of(0, 1, 0, 1), { type: 'epsilon-svr', probability: true }), /only for classification/);
  const model = await fitSvm(X, 4, 2, y, { kernel: 'linear' });
  assert.throws(() => predictProba(model, X, 4), /probability: true/);
  assert.throws(() => predictSvm(model, Float64Array.of(1, 2, 3), 1), /fitted on 2 features/);
});

test('class weights: balanced equals explicit n / (k * count) weights', async () => {
  const c = loadConfigs().find((x) => x.name === 'bc-rbf-balanced') as FixtureConfig;
  const s = loadSplit(c.data);
  const y = Int32Array.from(s.ytr);
  const counts = [0, 0];
  for (const v of y) counts[v]++;
  const explicit = { 0: s.nTrain / (2 * counts[0]), 1: s.nTrain / (2 * counts[1]) };
  const a = await fitSvm(s.Xtr, s.nTrain, s.nCols, y, { classWeight: 'balanced' });
  const b = await fitSvm(s.Xtr, s.nTrain, s.nCols, y, { classWeight: explicit });
  assert.deepEqual(decisionFunction(a, s.Xte, s.nTest), decisionFunction(b, s.Xte, s.nTest));
  await assert.rejects(fitSvm(s.Xtr, s.nTrain, s.nCols, y, { classWeight: { 5: 1 } }), /not in the training data/);
});

test('progress reports iterations and the WebAssembly and JavaScript dot products agree', async () => {
  const c = loadConfigs().find((x) => x.name === 'bc-linear-C10') as FixtureConfig;
  const s = loadSplit(c.data);
  const seen: number[] = [];
  const model = await fitSvm(s.Xtr, s.nTrain, s.nCols, Int32Array.from(s.ytr), { ...optionsOf(c), onProgress: (n) => seen.push(n) });
  assert.ok(seen.length > 0 && seen.every((n, i) => i === 0 || n > seen[i - 1]));
  assert.ok(model.iterations >= seen[seen.length - 1]);
  assert.equal(model.converged, true);
  const capped = await fitSvm(s.Xtr, s.nTrain, s.nCols, Int32Array.from(s.ytr), { ...optionsOf(c), maxIter: 50 });
  assert.equal(capped.converged, false, 'maxIter below what the problem needs is reported');
  assert.equal(capped.iterations, 50);
  const { DotEngine } = await import('../../src/ml/svm/wasm-dot.js');
  const wasm = new DotEngine(s.nTrain, s.nCols, true);
  const js = new DotEngine(s.nTrain, s.nCols, false);
  const order = Array.from({ length: s.nTrain }, (_, j) => s.nTrain - 1 - j);
  const y = Int8Array.from(order, (r) => (s.ytr[r] > 0 ? 1 : -1));
  for (const e of [wasm, js]) {
    e.load(s.Xtr, order, y);
    e.swap(2, 40);
    e.dots(3, 0, s.nTrain);
  }
  for (let j = 0; j < s.nTrain; j++) assert.ok(Math.abs(wasm.out[j] - js.out[j]) <= 1e-12 * (1 + Math.abs(js.out[j])), 'dot products');
  for (const e of [wasm, js]) e.rbf(3, 0, s.nTrain, 0.05);
  // float32 kernel values: the polynomial exp may differ from Math.exp in the last float32 bit at most.
  for (let j = 0; j < s.nTrain; j++) assert.ok(Math.abs(wasm.out32[j] - js.out32[j]) <= 1.2e-7 * Math.abs(js.out32[j]), 'RBF kernel row');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepInputError } from '../../src/errors.js';
import { fitAls, fitImplicitAls, fitItemKnn, fitPopularity, type Interactions } from '../../src/ml/recommender/index.js';

const ok: Interactions = { user: Int32Array.of(0, 0, 1, 2), item: Int32Array.of(0, 1, 1, 2), value: Float64Array.of(1, 2, 3, 4) };
const fits = {
  als: (o: Interactions, nU = 4, nI = 3) => fitAls(o, nU, nI, { factors: 2, iterations: 2, lambda: 0.1, seed: 1 }),
  'implicit-als': (o: Interactions, nU = 4, nI = 3) => fitImplicitAls(o, nU, nI, { factors: 2, iterations: 2, lambda: 0.1, alpha: 1, seed: 1 }),
  'item-knn': (o: Interactions, nU = 4, nI = 3) => fitItemKnn(o, nU, nI, { neighbours: 2, similarity: 'cosine' }),
  popularity: (o: Interactions, nU = 4, nI = 3) => fitPopularity(o, nU, nI),
};

for (const [method, fit] of Object.entries(fits)) {
  test(`${method}: bad input gives clear StepInputErrors`, () => {
    const dup = { user: Int32Array.of(0, 1, 0), item: Int32Array.of(1, 1, 1), value: Float64Array.of(1, 2, 3) };
    assert.throws(
      () => fit(dup),
      (e: unknown) => e instanceof StepInputError && /patient 0 .*treatment 1: duplicate/.test(e.message),
    );
    const outOfRange = { ...ok, item: Int32Array.of(0, 1, 1, 3) };
    assert.throws(
      () => fit(outOfRange),
      (e: unknown) => e instanceof StepInputError && /observation 3: treatment index 3 is out of range 0..2/.test(e.message),
    );
    const empty = { user: new Int32Array(0), item: new Int32Array(0), value: new Float64Array(0) };
    assert.throws(
      () => fit(empty),
      (e: unknown) => e instanceof StepInputError && /empty/.test(e.message),
    );
    const nan = { ...ok, value: Float64Array.of(1, NaN, 3, 4) };
    assert.throws(
      () => fit(nan),
      (e: unknown) => e instanceof StepInputError && /observation 1: outcome is not a finite number/.test(e.message),
    );
    const model = fit(ok);
    assert.throws(
      () => model.topK(4, 2),
      (e: unknown) => e instanceof StepInputError && /unknown patient index 4/.test(e.message),
    );
    assert.throws(
      () => model.predict(0, 7),
      (e: unknown) => e instanceof StepInputError && /unknown treatment index 7/.test(e.message),
    );
    if (method === 'popularity') {
      assert.equal(model.topK(3, 2).items.length, 2); // the baseline serves patients with no history
    } else {
      assert.throws(
        () => model.topK(3, 2),
        (e: unknown) => e instanceof StepInputError && /patient 3 has an empty treatment history/.test(e.message),
      );
    }
  });
}

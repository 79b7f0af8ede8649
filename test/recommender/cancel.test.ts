/**
 * Cancelling train.recommender's ALS on the treatment-recommendation pipeline's data (2,000
 * patients, 100 treatments, 30,000 outcomes; pipelines/treatment-recommendation.yaml): the step
 * rejects with the signal's reason after fewer iterations than asked, on the calling thread and
 * on worker threads (terminated, not leaked).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSteps } from '../../src/builtin-steps.js';
import { runStep } from '../helpers/step-harness.js';
import { cancelOnProgress, threadCount } from '../ml/cancel-probe.js';
import { FEATURES, generated, run } from './steps.js';

const ITERATIONS = 40;
const data = await generated({ patients: 2000, treatments: 100, observations: 30000, rank: 4, noise: 0.5, seed: 42 });
const split = await run('split.interactions', { data }, { method: 'leave-last-k', k: 2, order_by: 'visit', seed: 42 });

/** The iteration of the last progress line ("iteration 3/40"). */
function lastIteration(lines: readonly string[]): number {
  const m = /^iteration (\d+)\/\d+$/.exec(lines.at(-1) ?? '');
  assert.ok(m, `progress lines count iterations: ${lines.at(-1)}`);
  return Number(m[1]);
}

for (const threads of [1, 2]) {
  test(`train.recommender als (${threads} thread${threads > 1 ? 's' : ''}): cancelled after its first iteration, it rejects with the signal's reason before the last`, async (t) => {
    const before = await threadCount();
    const probe = cancelOnProgress();
    const params = { method: 'als', factors: 8, iterations: ITERATIONS, regularization: 0.1, hybrid: true, patient_features: FEATURES, seed: 42, threads };
    await assert.rejects(
      runStep(builtinSteps.get('train.recommender')!, { train: split.outputs.train }, params, process.cwd(), {
        signal: probe.signal,
        onProgress: probe.onProgress,
      }),
      (e) => e === probe.reason,
    );
    t.diagnostic(`rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent; last progress: ${probe.lines.at(-1)}`);
    assert.ok(lastIteration(probe.lines) < ITERATIONS, probe.lines.join(' | '));
    assert.equal(await threadCount(), before, 'the ALS worker threads are gone');
  });
}

test("train.recommender implicit-als: cancelled after its first iteration, it rejects with the signal's reason before the last", async (t) => {
  const probe = cancelOnProgress();
  const params = { method: 'implicit-als', factors: 8, iterations: ITERATIONS, regularization: 0.1, alpha: 1, seed: 42 };
  await assert.rejects(
    runStep(builtinSteps.get('train.recommender')!, { train: split.outputs.train }, params, process.cwd(), {
      signal: probe.signal,
      onProgress: probe.onProgress,
    }),
    (e) => e === probe.reason,
  );
  t.diagnostic(`rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent; last progress: ${probe.lines.at(-1)}`);
  assert.ok(lastIteration(probe.lines) < ITERATIONS, probe.lines.join(' | '));
});

test('evaluate.recommender cancelled during its bootstrap: rejects with the reason before its metrics are computed', async (t) => {
  const model = (await run('train.recommender', { train: split.outputs.train }, { method: 'item-knn', neighbours: 20, seed: 42 })).outputs.model;
  const probe = cancelOnProgress(() => false);
  const params = { k: 10, relevance: 5.5, bootstrap: { resamples: 5000 }, seed: 42 };
  const evaluation = runStep(
    builtinSteps.get('evaluate.recommender')!,
    { model, train: split.outputs.train, test: split.outputs.test },
    params,
    process.cwd(),
    { signal: probe.signal, onProgress: probe.onProgress },
  );
  setTimeout(probe.send, 200);
  await assert.rejects(evaluation, (e) => e === probe.reason);
  t.diagnostic(`rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent`);
  assert.deepEqual(probe.lines, [], 'no "metrics computed" line');
});

/**
 * Cancelling the random forest on the shipped breast-cancer table (300 trees, as in
 * pipelines/breast-cancer.yaml): the step rejects with the signal's reason after fewer trees than
 * asked, on one thread (a synchronous loop that must yield for the abort to arrive) and on worker
 * threads (which must be terminated, not leaked).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readDatasetFile } from '../../src/data/arrow.js';
import { featureMatrix, targetVector } from '../../src/data/matrix.js';
import { fitForest } from '../../src/ml/forest/index.js';
import loadCsv from '../../src/steps/load.csv.js';
import trainForest from '../../src/steps/train.random-forest.js';
import { runStep } from '../helpers/step-harness.js';
import { cancelOnProgress, threadCount } from './cancel-probe.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TREES = 300;

const loaded = await runStep(loadCsv, {}, { path: `${ROOT}data/breast-cancer-wisconsin.csv`, target: 'diagnosis', positive: 'malignant' });
const train = loaded.outputs.data;

/** Trees built according to the last progress line ("k/300 trees"). */
function treesReported(lines: readonly string[]): number {
  const last = lines.at(-1) ?? '';
  const m = /^(\d+)\/(\d+) trees$/.exec(last);
  assert.ok(m, `a progress line counts trees: ${last}`);
  return Number(m[1]);
}

for (const threads of [1, 2]) {
  test(`train.random-forest (${threads} thread${threads > 1 ? 's' : ''}): cancelled after its first progress line, it rejects with the signal's reason before growing every tree`, async (t) => {
    const before = await threadCount();
    const probe = cancelOnProgress();
    const params = { trees: TREES, seed: 42, threads };
    await assert.rejects(runStep(trainForest, { train }, params, ROOT, { signal: probe.signal, onProgress: probe.onProgress }), (e) => e === probe.reason);
    const latency = probe.sinceAbort();
    t.diagnostic(`rejected ${latency.toFixed(1)} ms after the abort was sent; last progress: ${probe.lines.at(-1)}`);
    assert.ok(treesReported(probe.lines) < TREES, `stopped early: ${probe.lines.join(' | ')}`);
    assert.equal(await threadCount(), before, "the forest's worker threads are gone");
  });
}

test('fitForest on worker threads: an abort terminates the workers mid-tree, and no tree is reported after the rejection', async () => {
  const ds = await readDatasetFile(train);
  const { X, nRows, nCols } = featureMatrix(ds);
  const y = targetVector(ds).y;
  const before = await threadCount();
  const probe = cancelOnProgress();
  let reportedAfter = 0;
  let rejected = false;
  const fit = fitForest(X, nRows, nCols, y, {
    task: 'classification',
    trees: TREES,
    seed: 1,
    threads: 2,
    signal: probe.signal,
    onProgress: (built, total) => {
      if (rejected) reportedAfter++;
      probe.onProgress(`${built}/${total} trees`);
    },
  });
  await assert.rejects(
    fit.finally(() => (rejected = true)),
    (e) => e === probe.reason,
  );
  assert.ok(treesReported(probe.lines) < TREES);
  assert.equal(await threadCount(), before, 'workers terminated before fitForest rejected');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(reportedAfter, 0);
});

test('a signal aborted before the fit starts: fitForest rejects at once, without starting workers', async () => {
  const ds = await readDatasetFile(train);
  const { X, nRows, nCols } = featureMatrix(ds);
  const controller = new AbortController();
  const reason = new Error('stop');
  controller.abort(reason);
  let progress = 0;
  await assert.rejects(
    fitForest(X, nRows, nCols, targetVector(ds).y, { task: 'classification', trees: 10, threads: 2, signal: controller.signal, onProgress: () => progress++ }),
    (e) => e === reason,
  );
  assert.equal(progress, 0);
});

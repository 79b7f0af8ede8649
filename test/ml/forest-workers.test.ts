/**
 * The forest's pooled worker threads (src/ml/forest/tree-workers.ts): kept between fits and reused,
 * never keeping a process alive, dropped when a fit stops early, started ahead of a fit when asked,
 * and never changing a model's bytes (1, 2 or 3 threads; workers cold or warm). Also the fit's
 * timings, which say whether workers were started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitForest, forestToJSON, prestartForestWorkers } from '../../src/ml/forest/index.js';
import type { FitOptions, FitTimings } from '../../src/ml/forest/index.js';
import { closeIdleWorkers, idleWorkerCount, prestartWorkers } from '../../src/ml/forest/tree-workers.js';
import { threadCount } from './cancel-probe.js';
import { readSplit } from './forest-fixtures.js';

const { train } = readSplit('three-class');
const labels = Int32Array.from(train.y);

async function modelText(options: Partial<FitOptions>): Promise<string> {
  const m = await fitForest(train.X, train.nRows, train.nCols, labels, { task: 'classification', trees: 20, seed: 11, ...options });
  return JSON.stringify(forestToJSON(m));
}

test('the same model bytes on 1, 2 and 3 threads, with the workers started cold or reused warm', async () => {
  await closeIdleWorkers();
  const one = await modelText({ threads: 1 });
  assert.equal(idleWorkerCount(), 0, 'one thread starts no worker');
  assert.equal(await modelText({ threads: 2 }), one, 'a cold worker');
  assert.equal(idleWorkerCount(), 1, 'the worker waits in the pool after the fit');
  assert.equal(await modelText({ threads: 2 }), one, 'the same worker, warm');
  assert.equal(await modelText({ threads: 3 }), one, 'one warm worker and one new');
  const regression = readSplit('diabetes').train;
  const reg = (threads: number) =>
    fitForest(regression.X, regression.nRows, regression.nCols, regression.y, { task: 'regression', trees: 8, seed: 2, threads }).then((m) =>
      JSON.stringify(forestToJSON(m)),
    );
  // The calling thread grows the trees still queued on a slow (here: just started) worker itself, so
  // that worker may still be answering for the last fit when the next one starts: its late
  // classification trees must not end up in the regression forest.
  assert.equal(await reg(2), await reg(1), 'a worker that grew a classifier then grows a regression forest');
  for (let k = 0; k < 3; k++)
    assert.equal(await modelText({ threads: 2, seed: 11 + k }), await modelText({ threads: 1, seed: 11 + k }), `back-to-back fit ${k}`);
  await closeIdleWorkers();
});

test('a second fit reuses the pooled worker instead of starting a thread', async () => {
  await closeIdleWorkers();
  const before = await threadCount();
  await modelText({ threads: 2 });
  const afterFirst = await threadCount();
  assert.equal(afterFirst, before + 1, 'the first fit started one worker (the calling thread grows trees too) and kept it');
  await modelText({ threads: 2 });
  assert.equal(await threadCount(), afterFirst, 'no thread added or lost by the second fit');
  await closeIdleWorkers();
  assert.equal(await threadCount(), before, 'closing the pool stops its workers');
});

/**
 * A 2-thread fit given `options` rejects with `reason`; its worker (prestarted, so possibly busy
 * with the fit's trees) is terminated rather than given back to the pool, and the next fit makes
 * the same model as one thread.
 */
async function assertFailedFitTerminatesItsWorker(options: Partial<FitOptions>, reason: Error): Promise<void> {
  await closeIdleWorkers();
  const expected = await modelText({ threads: 1, trees: 200 });
  prestartWorkers(1);
  assert.equal(idleWorkerCount(), 1);
  const before = await threadCount();
  await assert.rejects(modelText({ threads: 2, trees: 200, ...options }), (e) => e === reason);
  assert.equal(idleWorkerCount(), 0, 'the possibly busy worker is not given back');
  assert.equal(await threadCount(), before - 1, 'and it is terminated');
  assert.equal(await modelText({ threads: 2, trees: 200 }), expected);
  await closeIdleWorkers();
}

test('an aborted fit terminates its workers rather than pooling them, and the next fit is unaffected', async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  await assertFailedFitTerminatesItsWorker(
    {
      signal: controller.signal,
      onProgress: (built) => {
        if (built === 3) controller.abort(reason);
      },
    },
    reason,
  );
});

for (const [whose, failAt] of [
  // The first tree is always the calling thread's: it grows one before it first yields.
  ['the calling thread', 1],
  // The calling thread holds on in the first callback while the worker starts and grows trees,
  // which then arrive, and fail, in the worker's message listener before this thread's second.
  ["a worker's", 2],
] as const) {
  test(`a fit whose onProgress fails on ${whose} tree rejects with that error and terminates its workers, which may still be growing its trees`, async () => {
    const reason = new Error('progress callback failed');
    await assertFailedFitTerminatesItsWorker(
      {
        onProgress: (built) => {
          if (failAt === 2 && built === 1) spinFor(1500);
          if (built === failAt) throw reason;
        },
      },
      reason,
    );
  });
}

/** Keeps this thread busy (no event loop turn) for `ms`. */
function spinFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('pooled workers do not keep a process alive after its fit', () => {
  const fitModule = fileURLToPath(new URL('../../src/ml/forest/index.js', import.meta.url));
  // A process that fits on two threads (so a worker is pooled) and then has nothing left to do must exit on its own.
  const script = `
    const { fitForest } = await import(${JSON.stringify(fitModule)});
    const X = Float64Array.from({ length: 400 }, (_, i) => (i * 7919) % 101);
    const y = Int32Array.from({ length: 100 }, (_, i) => i % 2);
    const m = await fitForest(X, 100, 4, y, { task: 'classification', trees: 10, seed: 0, threads: 2 });
    process.stdout.write(String(m.trees.length));
  `;
  const file = join(mkdtempSync(join(tmpdir(), 'medpipe-forest-exit-')), 'fit.mjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `the child did not exit by itself: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '10');
});

test('a fit whose data cannot be laid out in the grower lets go of its worker, so the process exits, and says why', () => {
  const fitModule = fileURLToPath(new URL('../../src/ml/forest/index.js', import.meta.url));
  const poolModule = fileURLToPath(new URL('../../src/ml/forest/tree-workers.js', import.meta.url));
  // Two million classes: the node values and histogram need more than the module's 4 GB, so the calling
  // thread's grower cannot be made after the worker was taken and sent the data.
  const script = `
    const { fitForest } = await import(${JSON.stringify(fitModule)});
    const { idleWorkerCount } = await import(${JSON.stringify(poolModule)});
    const X = Float64Array.from({ length: 400 }, (_, i) => (i * 7919) % 101);
    const y = Int32Array.from({ length: 100 }, (_, i) => i % 2);
    try {
      await fitForest(X, 100, 4, y, { task: 'classification', nClasses: 2e6, trees: 10, seed: 0, threads: 2 });
      process.stdout.write('fitted');
    } catch (e) {
      process.stdout.write(JSON.stringify({ name: e.name, message: e.message, idle: idleWorkerCount() }));
    }
  `;
  const file = join(mkdtempSync(join(tmpdir(), 'medpipe-forest-too-large-')), 'fit.mjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `the child did not exit by itself (a worker held by the failed fit): ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  const failed = JSON.parse(r.stdout) as { name: string; message: string; idle: number };
  assert.equal(failed.idle, 0, 'the worker, possibly still busy with the failed fit, is terminated rather than pooled');
  assert.equal(failed.name, 'StepInputError', 'a user error: its message is shown as it is, without a stack');
  assert.match(
    failed.message,
    /^the random forest's training data \(100 rows x 4 features, 2000000 classes\) needs \d+\.\d GB of the tree grower's WebAssembly memory/,
  );
});

test('prestartForestWorkers starts what the fit would use: none for a small forest, threads - 1 otherwise', async () => {
  await closeIdleWorkers();
  prestartForestWorkers(train.nRows * train.nCols, 20);
  assert.equal(idleWorkerCount(), 0, 'rows x features x trees below the default threshold: one thread, no worker');
  prestartForestWorkers(train.nRows * train.nCols, 20, 1);
  assert.equal(idleWorkerCount(), 0, 'threads: 1 asked for');
  // The prestarted worker grows throw-away trees on made-up data first; the fit's trees must not notice.
  prestartForestWorkers(train.nRows * train.nCols, 20, 2);
  assert.equal(idleWorkerCount(), 1);
  const timings = {} as FitTimings;
  const text = await modelText({ threads: 2, timings });
  assert.equal(timings.workersStarted, 1, 'the prestarted worker grows its first trees');
  assert.equal(idleWorkerCount(), 1, 'and gave it back');
  assert.equal(text, await modelText({ threads: 1 }));
  const again = {} as FitTimings;
  await modelText({ threads: 2, timings: again });
  assert.equal(again.workersStarted, 0, 'the second fit has it warm');
  await closeIdleWorkers();
  const cold = {} as FitTimings;
  await modelText({ threads: 2, timings: cold });
  assert.equal(cold.workersStarted, 1);
  for (const k of ['binningMs', 'growingMs', 'oobWalkMs', 'oobScoreMs', 'workerFirstTreeMs'] as const)
    assert.ok(Number.isFinite(cold[k]) && cold[k] >= 0, `${k} = ${cold[k]}`);
  const single = {} as FitTimings;
  await modelText({ threads: 1, timings: single });
  assert.equal(single.workersStarted, 0);
  assert.equal(single.workerFirstTreeMs, 0);
  await closeIdleWorkers();
});

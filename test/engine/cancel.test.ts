/**
 * Stopping a run while a long built-in step is running (Ctrl-C aborts RunOptions.signal): the
 * step stops within a second (on its own, checking ctx.signal, or else its worker is terminated
 * after a grace period), is recorded as cancelled, and the store is left as if it had never
 * started: nothing damaged, no temporary folder, no key lock; the next run computes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EngineEvent } from '../../src/engine/events.js';
import { runPipeline } from '../../src/engine/execute.js';
import { loadPipeline, openStore } from '../../src/engine/open.js';
import { verifyStore } from '../../src/engine/verify.js';
import { ABORT_GRACE_MS } from '../../src/engine/worker-pool.js';
import { ROOT } from '../helpers/cli.js';
import { catalogue } from '../../src/steps/index.js';
import { STORE_FOLDERS } from '../../src/engine/store-layout.js';

/**
 * Long enough that neither step can finish within the grace period after its first progress
 * report, even on a quiet machine (500 trees took 0.8 s here); the re-run pays for it once.
 */
const PIPELINE = `medpipe: 1
name: cancel
steps:
  load: { uses: load.csv, with: { path: data.csv, target: diagnosis, positive: malignant } }
  forest: { uses: train.random-forest, in: { train: load }, with: { trees: 2500, seed: 1 } }
  gan: { uses: train.gan, in: { train: load }, with: { steps: 150, log_every: 5, backend: wasm, seed: 1 } }
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-cancel-'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'p.yaml'), PIPELINE);
  copyFileSync(join(ROOT, 'data', 'breast-cancer-wisconsin.csv'), join(dir, 'data.csv'));
  return dir;
}

/** Files under a store folder (recursively); none when it does not exist. */
function filesIn(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name))
    : [];
}

for (const target of ['forest', 'gan']) {
  test(`a running ${target === 'forest' ? 'train.random-forest' : 'train.gan'} step is cancelled within 1 s of the signal, and the store stays consistent`, {
    timeout: 300_000,
  }, async (t) => {
    const dir = project();
    const pipeline = await loadPipeline(join(dir, 'p.yaml'), { catalogue });
    const store = openStore(dir);
    const controller = new AbortController();
    let abortedAt = 0;
    let cancelledAt = 0;
    const events: EngineEvent[] = [];
    const result = await runPipeline(pipeline, store, {
      concurrency: 1,
      only: [target],
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step:progress' && e.step === target && !abortedAt) {
          abortedAt = performance.now();
          controller.abort();
        }
        if (e.type === 'step:cancelled' && e.step === target) cancelledAt = performance.now();
      },
    });
    const returnedAt = performance.now();
    assert.ok(abortedAt > 0, `${target} reported no progress: ${JSON.stringify(events.slice(-3))}`);
    assert.ok(cancelledAt > 0, `no step:cancelled for ${target}: ${JSON.stringify(events.slice(-3))}`);
    const toStop = cancelledAt - abortedAt;
    t.diagnostic(`${target}: cancelled ${toStop.toFixed(0)} ms after the signal; the run returned after ${(returnedAt - abortedAt).toFixed(0)} ms`);
    assert.ok(toStop < 1000, `${target} took ${toStop.toFixed(0)} ms to stop`);
    assert.ok(returnedAt - abortedAt < 1500, `the run took ${(returnedAt - abortedAt).toFixed(0)} ms to return`);

    assert.equal(result.status, 'interrupted');
    assert.equal(result.record.steps[target].status, 'cancelled');
    assert.equal(result.record.steps.load.status, 'done');
    assert.deepEqual(
      events.filter((e) => e.type === 'run:done').map((e) => e.type === 'run:done' && e.counts),
      [{ done: 1, cached: 0, failed: 0, cancelled: 1, skipped: 0 }],
    );

    // Consistent: nothing damaged, no temporary file or folder, no key lock, no entry for the step.
    const verify = await verifyStore(store);
    assert.deepEqual(verify.damaged, []);
    assert.deepEqual(filesIn(join(store.root, STORE_FOLDERS.tmp)), []);
    assert.deepEqual(filesIn(join(store.root, STORE_FOLDERS.locks)), []);
    assert.deepEqual(
      filesIn(store.root).filter((f) => f.endsWith('.tmp')),
      [],
    );
    assert.equal(store.lookupEntry(result.record.steps[target].key as string).state, 'miss');

    // The next run computes it (and takes load from the store).
    const again = await runPipeline(await loadPipeline(join(dir, 'p.yaml'), { catalogue }), store, { concurrency: 1, only: [target] });
    assert.equal(again.status, 'ok');
    assert.deepEqual([again.record.steps.load.status, again.record.steps[target].status], ['cached', 'done']);
    assert.deepEqual((await verifyStore(store)).damaged, []);
  });
}

/** A step that checks its signal between units of work, as the long built-in steps do. */
const COOPERATIVE_STEP = `
import { writeFileSync } from 'node:fs';
export default {
  id: 'polite', version: '1', description: 'works until told to stop', defaultOutput: 'out',
  inputs: {}, outputs: { out: { kind: 'report', description: 'x' } },
  params: { type: 'object', properties: {} },
  async run(ctx) {
    for (let i = 0; i < 10000; i++) {
      ctx.signal.throwIfAborted();
      if (i === 1) ctx.progress('working', 0);
      await new Promise((r) => setTimeout(r, 5));
    }
    writeFileSync(ctx.output('out'), 'done');
  },
};
`;

test('a step that honours ctx.signal stops at once, without waiting for the grace period', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-cancel-'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'polite.mjs'), COOPERATIVE_STEP);
  writeFileSync(join(dir, 'p.yaml'), 'medpipe: 1\nname: polite\nsteps:\n  a: { uses: ./polite.mjs }\n');
  const controller = new AbortController();
  let abortedAt = 0;
  let cancelledAt = 0;
  const result = await runPipeline(await loadPipeline(join(dir, 'p.yaml'), { catalogue }), openStore(dir), {
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'step:progress' && !abortedAt) {
        abortedAt = performance.now();
        controller.abort();
      }
      if (e.type === 'step:cancelled') cancelledAt = performance.now();
    },
  });
  t.diagnostic(`cancelled ${(cancelledAt - abortedAt).toFixed(0)} ms after the signal`);
  assert.equal(result.record.steps.a.status, 'cancelled');
  assert.ok(cancelledAt - abortedAt < ABORT_GRACE_MS, `${(cancelledAt - abortedAt).toFixed(0)} ms: the worker was terminated rather than the step stopping`);
});

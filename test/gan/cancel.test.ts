/**
 * Cancelling train.gan: the step stops between training steps with the signal's reason, the
 * checkpoint it leaves in the store is whole and resumable (no partial or temporary file), and the
 * resumed fit ends with exactly the generator of an uninterrupted one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAN_CHECKPOINT_FORMAT, type GanCheckpoint } from '../../src/ml/gan/train.js';
import trainGan from '../../src/steps/train.gan.js';
import { runStep } from '../helpers/step-harness.js';
import { cancelOnProgress } from '../ml/cancel-probe.js';
import { mixture, runInfoWithStore, TINY_GAN, tempDir, writeMixtureTable } from './helpers.js';

/** The training step of the last progress line ("step 30/200: ..."). */
function lastStep(lines: readonly string[]): number {
  const m = /^step (\d+)\//.exec(lines.at(-1) ?? '');
  assert.ok(m, `progress lines name the training step: ${lines.at(-1)}`);
  return Number(m[1]);
}

for (const backend of ['wasm', 'kernels'] as const) {
  // The kernels run these tiny networks ~10x faster than tfjs: more steps, so the fit is still running when the abort arrives.
  const STEPS = backend === 'kernels' ? 1000 : 200;
  test(`train.gan on ${backend} cancelled mid-fit: rejects with the reason before the last step; its checkpoint resumes to the uninterrupted generator`, async (t) => {
    const dir = tempDir('cancel');
    const m = mixture(300, 5);
    const train = await writeMixtureTable(dir, m);
    const params = {
      steps: STEPS,
      ...TINY_GAN,
      checkpoint_every: 20,
      seed: 9,
      backend,
    };
    const reference = await runStep(trainGan, { train }, params, process.cwd(), { run: runInfoWithStore(join(dir, 'store-a'), 'a') });

    const storeDir = join(dir, 'store-b');
    const probe = cancelOnProgress((line) => line.startsWith('step 30/'));
    await assert.rejects(
      runStep(trainGan, { train }, params, process.cwd(), { run: runInfoWithStore(storeDir, 'b'), signal: probe.signal, onProgress: probe.onProgress }),
      (e) => e === probe.reason,
    );
    const latency = probe.sinceAbort();
    t.diagnostic(`rejected ${latency.toFixed(1)} ms after the abort was sent; last progress: ${probe.lines.at(-1)}`);
    const stoppedAt = lastStep(probe.lines);
    assert.ok(stoppedAt < STEPS, `stopped before step ${STEPS}: ${probe.lines.at(-1)}`);

    // The store holds one whole checkpoint from before the abort, and nothing half-written.
    const checkpoints = join(storeDir, 'checkpoints');
    assert.deepEqual(readdirSync(checkpoints), ['b.json']);
    const saved = JSON.parse(readFileSync(join(checkpoints, 'b.json'), 'utf8')) as { backend: string; checkpoint: GanCheckpoint };
    assert.equal(saved.checkpoint.format, GAN_CHECKPOINT_FORMAT);
    assert.equal(saved.checkpoint.step % 20, 0);
    assert.ok(saved.checkpoint.step >= 20 && saved.checkpoint.step <= stoppedAt, `checkpoint at step ${saved.checkpoint.step}, stopped at ${stoppedAt}`);

    const resumed = await runStep(trainGan, { train }, params, process.cwd(), { run: runInfoWithStore(storeDir, 'b') });
    assert.ok(resumed.logs.includes(`resuming from the checkpoint at step ${saved.checkpoint.step}/${STEPS}`), resumed.logs.join('\n'));
    assert.equal(readFileSync(resumed.outputs.model, 'utf8'), readFileSync(reference.outputs.model, 'utf8'));
    assert.equal(readFileSync(resumed.outputs.curves, 'utf8'), readFileSync(reference.outputs.curves, 'utf8'));
    assert.ok(!existsSync(join(checkpoints, 'b.json')), 'the checkpoint is deleted once the fit completes');
  });

  test(`train.gan on ${backend} without checkpoints (no file writes to wait on) still stops between steps when cancelled`, async (t) => {
    const dir = tempDir('cancel-plain');
    const m = mixture(300, 6);
    const train = await writeMixtureTable(dir, m);
    const steps = 10 * STEPS;
    const params = {
      steps,
      ...TINY_GAN,
      checkpoint_every: 0,
      seed: 9,
      backend,
    };
    const probe = cancelOnProgress();
    await assert.rejects(
      runStep(trainGan, { train }, params, process.cwd(), { signal: probe.signal, onProgress: probe.onProgress }),
      (e) => e === probe.reason,
    );
    t.diagnostic(`rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent; last progress: ${probe.lines.at(-1)}`);
    assert.ok(lastStep(probe.lines) < steps, probe.lines.at(-1));
  });
}

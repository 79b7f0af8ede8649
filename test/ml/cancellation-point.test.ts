/**
 * The cancellation point the long fits pause at (src/ml/cancellation-point.ts): it delivers an
 * abort message at the first pause wherever in the event loop the fit is, stops a generator-shaped
 * fit between units, and without a signal never gives the event loop a turn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { cancellationPoint, runUnits, runUnitsCancellable } from '../../src/ml/cancellation-point.js';

const thisFile = fileURLToPath(import.meta.url);

for (const after of ['a file read', 'a timer', 'nothing (a channel opened just now)']) {
  test(`one pause receives an abort message posted just before it, after ${after}`, async () => {
    if (after === 'a file read') await readFile(thisFile);
    if (after === 'a timer') await new Promise((resolve) => setTimeout(resolve, 1));
    const controller = new AbortController();
    const reason = new Error('cancelled by message');
    const { port1, port2 } = new MessageChannel();
    port2.on('message', () => controller.abort(reason));
    const point = cancellationPoint(controller.signal, 0);
    port1.postMessage('abort');
    try {
      await assert.rejects(point(), (e) => e === reason);
    } finally {
      port1.close();
    }
  });
}

test('a generator-shaped fit stops at the unit boundary after the abort, with the reason; run without a signal it completes', async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  let units = 0;
  function* fit(abortAfter: number): Generator<void, number, void> {
    for (let i = 0; i < 10; i++) {
      units++;
      if (units === abortAfter) controller.abort(reason);
      yield;
    }
    return units;
  }
  await assert.rejects(runUnitsCancellable(fit(3), controller.signal), (e) => e === reason);
  assert.equal(units, 3);
  units = 0;
  assert.equal(runUnits(fit(-1)), 10);
  units = 0;
  assert.equal(await runUnitsCancellable(fit(-1), undefined), 10);
});

test('without a signal the point never lets other work run; with one, only after its slice of work', async () => {
  let ran = false;
  setImmediate(() => (ran = true));
  const free = cancellationPoint(undefined);
  for (let i = 0; i < 100; i++) await free();
  assert.equal(ran, false);
  const slow = cancellationPoint(new AbortController().signal, 60_000);
  for (let i = 0; i < 100; i++) await slow();
  assert.equal(ran, false);
  const eager = cancellationPoint(new AbortController().signal, 0);
  await eager();
  assert.equal(ran, true);
});

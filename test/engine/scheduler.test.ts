/** The ready-set scheduler on its own: order, the concurrency limit, failures and stopping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedule } from '../../src/engine/scheduler.js';

/** a -> b -> d, a -> c -> d, e independent. */
const GRAPH = new Map<string, string[]>([
  ['a', []],
  ['b', ['a']],
  ['c', ['a']],
  ['d', ['b', 'c']],
  ['e', []],
]);

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

test('ready steps start in the pipeline order, never more at once than the limit, each after its dependencies', async () => {
  const started: string[] = [];
  const done = new Set<string>();
  let running = 0;
  let peak = 0;
  await schedule(GRAPH, {
    concurrency: 2,
    stopped: () => false,
    run: async (id) => {
      for (const dep of GRAPH.get(id) ?? []) assert.ok(done.has(dep), `${id} started before ${dep} finished`);
      started.push(id);
      peak = Math.max(peak, ++running);
      await tick();
      running--;
      done.add(id);
      return true;
    },
  });
  assert.deepEqual(started, ['a', 'e', 'b', 'c', 'd']);
  assert.equal(peak, 2);
});

test('a failed step (or one that throws) starts none of its dependants; independent steps go on', async () => {
  const started: string[] = [];
  await schedule(GRAPH, {
    concurrency: 1,
    stopped: () => false,
    run: async (id) => {
      started.push(id);
      if (id === 'c') throw new Error('boom');
      return id !== 'b';
    },
  });
  // b and c become ready when a succeeds, and come before e in the pipeline.
  assert.deepEqual(started, ['a', 'b', 'c', 'e']);
});

test('once stopped, nothing more starts; the running steps finish', async () => {
  const started: string[] = [];
  let stop = false;
  await schedule(GRAPH, {
    concurrency: 2,
    stopped: () => stop,
    run: async (id) => {
      started.push(id);
      stop = true;
      await tick();
      return true;
    },
  });
  assert.deepEqual(started, ['a']);
});

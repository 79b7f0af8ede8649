/**
 * `medpipe run --queue` with real `medpipe worker` processes and Debian's redis-server: the flagship
 * pipeline computed by two workers gives the committed metrics and lock file byte for byte, each
 * step's record names its worker, and a second run computes nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listRunRecords } from '../../src/engine/record.js';
import { openStore } from '../../src/engine/open.js';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { computedCounts, startWorker, type WorkerProcess } from './workers.js';

let redis: RedisServer;
let project: string;
const workers: WorkerProcess[] = [];

before(async () => {
  redis = await startRedis();
  project = shippedProjectCopy('queue');
  const remote = `file://${join(project, 'remote')}`;
  workers.push(await startWorker(project, redis.url, remote, 'w1', ['--concurrency', '2']));
  workers.push(await startWorker(project, redis.url, remote, 'w2', ['--concurrency', '2']));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
  rmSync(project, { recursive: true, force: true });
});

test('the flagship through the queue: committed metrics and lock file byte for byte, each step on a worker, a second run all cached', async () => {
  const remote = `file://${join(project, 'remote')}`;
  const r = await runCli(project, 'run', 'pipelines/breast-cancer.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(r.code, 0, r.out + r.err);
  for (const f of ['metrics/breast-cancer-svm.json', 'metrics/breast-cancer-forest.json', 'pipelines/breast-cancer.lock.yaml'])
    assert.equal(readFileSync(join(project, f), 'utf8'), readFileSync(join(ROOT, f), 'utf8'), f);
  assert.match(r.out, /queue redis:\/\/127\.0\.0\.1:\d+: 8 steps on [12] workers? \(/);

  const record = listRunRecords(openStore(project, undefined, project), 1)[0];
  assert.equal(record.queue?.steps, 8);
  for (const [id, step] of Object.entries(record.steps)) {
    // register writes this store's registry, so it runs on the coordinator.
    if (id.startsWith('register')) assert.equal(step.worker, undefined, id);
    else assert.match(step.worker ?? '', /^w[12]$/, id);
  }
  assert.ok(
    [...computedCounts(workers).values()].every((n) => n === 1),
    'each step computed once',
  );

  const again = await runCli(project, 'run', 'pipelines/breast-cancer.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(again.code, 0, again.out + again.err);
  assert.match(again.out, /10 cached/);
  assert.ok(
    [...computedCounts(workers).values()].every((n) => n === 1),
    'nothing computed again',
  );
});

test('a clone with an empty store takes every queued step from the remote', async () => {
  const remote = `file://${join(project, 'remote')}`;
  const r = await runCli(project, 'run', 'pipelines/breast-cancer.yaml', '--queue', redis.url, '--remote', remote, '--store', join(project, 'other-store'));
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /10 steps from the remote/);
  assert.match(r.out, /queue redis:\/\/127\.0\.0\.1:\d+: no step needed a worker/);
});

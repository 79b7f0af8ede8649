/**
 * The queue's faults, each with real processes: a worker killed mid-step, Redis restarted mid-run
 * (without persistence: every job is lost), the coordinator killed, two coordinators at once, and
 * a cancelled run. The chain a → b → c (slow-project.ts) has a slow b (and a slower-than-instant c) to act on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listRunRecords } from '../../src/engine/record.js';
import { openStore } from '../../src/engine/open.js';
import { runCli } from '../helpers/cli.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { slowProject } from './slow-project.js';
import { BIN, computedCounts, startWorker, trackStarted, type WorkerProcess } from './workers.js';

const started = trackStarted();

async function setup(workerCount: number, slowMs = 4000): Promise<{ dir: string; redis: RedisServer; remote: string; workers: WorkerProcess[] }> {
  const dir = slowProject(slowMs);
  started.dirs.push(dir);
  const redis = await startRedis();
  started.redis.push(redis);
  const remote = `file://${join(dir, 'remote')}`;
  const workers: WorkerProcess[] = [];
  for (let i = 1; i <= workerCount; i++) workers.push(await startWorker(dir, redis.url, remote, `w${i}`));
  started.workers.push(...workers);
  return { dir, redis, remote, workers };
}

/** The value c computed (its summary; its output stays on the remote until read): the chain's result, 1 + 2 + 3. */
function cValue(dir: string, store?: string): number {
  const record = listRunRecords(openStore(dir, store, dir), 1)[0];
  return (record.steps.c.summary as { value: number }).value;
}

async function firstToRun(workers: readonly WorkerProcess[], step: string): Promise<WorkerProcess> {
  const pattern = new RegExp(`running q/${step} `);
  await Promise.race(workers.map((w) => w.waitFor(pattern, 30_000)));
  return workers.find((w) => pattern.test(w.log())) as WorkerProcess;
}

test('a worker killed mid-step: the job is taken over by the other worker and the run completes with the same result', async () => {
  const { dir, redis, remote, workers } = await setup(2);
  const run = runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  const victim = await firstToRun(workers, 'b');
  await victim.stop();
  const r = await run;
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(cValue(dir), 6);
  const record = listRunRecords(openStore(dir, undefined, dir), 1)[0];
  const survivor = workers.find((w) => w !== victim) as WorkerProcess;
  assert.equal(record.steps.b.worker, survivor.name);
  assert.ok((record.steps.b.executions ?? 1) >= 2, `b executed ${record.steps.b.executions} times`);
  assert.ok((record.queue?.duplicateExecutions ?? 0) >= 1);
  assert.match(r.out, /duplicate execution/);
  // The same chain computed locally (no queue) gives the same bytes.
  const local = await runCli(dir, 'run', 'p.yaml', '--store', join(dir, 'local-store'));
  assert.equal(local.code, 0, local.err);
  const localRecord = listRunRecords(openStore(dir, join(dir, 'local-store'), dir), 1)[0];
  assert.deepEqual(localRecord.steps.c.outputs, record.steps.c.outputs);
});

test('Redis restarted mid-run (its jobs lost): workers and the coordinator reconnect and the run completes', async () => {
  const { dir, redis, remote, workers } = await setup(1);
  const run = runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  await firstToRun(workers, 'b');
  await redis.restart();
  const r = await run;
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(cValue(dir), 6);
  // b finished on the worker while its job was lost; queued again, it was found on the remote, not computed twice.
  assert.equal(computedCounts(workers).get('b'), 1);
});

test('Redis gone for good: the run fails with one clear line, and a re-run resumes from what finished', async () => {
  const { dir, redis, remote, workers } = await setup(1);
  // Read when the run opens its queue: Redis may be away this long before the waiting steps fail.
  process.env.MEDPIPE_QUEUE_LOST_MS = '2000';
  let r: Awaited<ReturnType<typeof runCli>>;
  try {
    const run = runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
    await workers[0].waitFor(/running q\/c /, 30_000);
    await redis.stop();
    r = await run;
  } finally {
    delete process.env.MEDPIPE_QUEUE_LOST_MS;
  }
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out + r.err, /lost the queue at redis:\/\/127\.0\.0\.1:\d+ .*run again once Redis is back: finished steps are on the remote/);
  await redis.restart();
  const again = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(again.code, 0, again.out + again.err);
  assert.equal(cValue(dir), 6);
  assert.deepEqual(Object.fromEntries(computedCounts(workers)), { a: 1, b: 1, c: 1 });
});

test('the coordinator killed: a re-run resumes without recomputing what finished', async () => {
  const { dir, redis, remote, workers } = await setup(1);
  const coordinator = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote], { cwd: dir, stdio: 'ignore' });
  await firstToRun(workers, 'b');
  coordinator.kill('SIGKILL');
  const r = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(cValue(dir), 6);
  assert.deepEqual(Object.fromEntries(computedCounts(workers)), { a: 1, b: 1, c: 1 });
});

test('two coordinators running the same pipeline: each step is computed once', async () => {
  const { dir, redis, remote, workers } = await setup(2, 1500);
  // Two clones (two people): runs in one checkout would take turns on its publishing lock.
  const clone = `${dir}-clone`;
  started.dirs.push(clone);
  cpSync(dir, clone, { recursive: true, filter: (src) => !src.includes('remote') && !src.includes('.store') });
  const [one, two] = await Promise.all([
    runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote),
    runCli(clone, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote),
  ]);
  assert.equal(one.code, 0, one.out + one.err);
  assert.equal(two.code, 0, two.out + two.err);
  assert.doesNotMatch(one.out + two.out, /waiting for run/, 'the two runs overlapped');
  assert.equal(cValue(dir), 6);
  assert.equal(cValue(clone), 6);
  assert.deepEqual(Object.fromEntries(computedCounts(workers)), { a: 1, b: 1, c: 1 });
});

test('Ctrl-C on the coordinator cancels the running job through the step’s AbortSignal', async () => {
  const { dir, redis, remote, workers } = await setup(1, 20_000);
  const coordinator = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote], { cwd: dir, stdio: 'ignore' });
  const exited = new Promise<number | null>((done) => coordinator.once('exit', (code) => done(code)));
  await firstToRun(workers, 'b');
  coordinator.kill('SIGINT');
  assert.equal(await exited, 130);
  await workers[0].waitFor(/cancelling .* at the coordinator's request/, 10_000);
  await workers[0].waitFor(/q\/b failed: cancelled/i, 10_000);
  assert.equal(computedCounts(workers).get('b'), undefined);
});

test('Ctrl-C on one of two coordinators sharing a job: the other still gets the step', async () => {
  const { dir, redis, remote, workers } = await setup(1, 6000);
  // Two clones (two people): runs in one checkout would take turns on its publishing lock.
  const clone = `${dir}-clone`;
  started.dirs.push(clone);
  cpSync(dir, clone, { recursive: true, filter: (src) => !src.includes('remote') && !src.includes('.store') });
  const coordinator = (where: string) => {
    const child = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--plain', '--queue', redis.url, '--remote', remote], { cwd: where });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { child, exited, out: () => out };
  };
  const first = coordinator(dir);
  await firstToRun(workers, 'b');
  const second = coordinator(clone);
  // The second run is waiting on the same job when the first is stopped.
  for (let i = 0; i < 200 && !/b: running/.test(second.out()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(second.out(), /b: running/);
  first.child.kill('SIGINT');
  assert.equal(await first.exited, 130);
  assert.equal(await second.exited, 0, second.out());
  assert.equal(cValue(clone), 6);
});

test('a worker stopped (SIGTERM) while Redis is gone still exits', async () => {
  const { redis, workers } = await setup(1);
  await redis.stop();
  const exited = new Promise<number | null>((done) => workers[0].child.once('exit', (code) => done(code)));
  workers[0].child.kill('SIGTERM');
  const timer = setTimeout(() => workers[0].child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, `the worker did not exit by itself:\n${workers[0].log()}`);
  assert.match(workers[0].log(), /worker w1 stopped/);
});

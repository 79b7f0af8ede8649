/**
 * What a worker runs and what a queued run reveals: Redis with a password (which never reaches a
 * log, a message or a run record), custom step code run only when it is the code the coordinator
 * planned, steps routed by their labels, and --fail-fast cancelling a running job.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listRunRecords } from '../../src/engine/record.js';
import { openStore } from '../../src/engine/open.js';
import { runCli } from '../helpers/cli.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { slowProject } from './slow-project.js';
import { BIN, startWorker, trackStarted, type WorkerProcess } from './workers.js';
import { spawn } from 'node:child_process';

const started = trackStarted();

function project(pipeline?: string): string {
  const dir = slowProject(300, undefined, pipeline);
  started.dirs.push(dir);
  return dir;
}

async function redisServer(password?: string, tls = false): Promise<RedisServer> {
  const r = await startRedis({ ...(password ? { password } : {}), tls });
  started.redis.push(r);
  return r;
}

async function worker(...args: Parameters<typeof startWorker>): Promise<WorkerProcess> {
  const w = await startWorker(...args);
  started.workers.push(w);
  return w;
}

/** Every file under a folder, as text (the store's run records, the lock file). */
function allText(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) text += allText(path);
    else if (statSync(path).size < 1_000_000) text += readFileSync(path, 'latin1');
  }
  return text;
}

test('a Redis password works and appears in no output, log or run record', async () => {
  const secret = 'pw-7f3a9c-not-for-logs';
  const redis = await redisServer(secret);
  const dir = project();
  const remote = `file://${join(dir, 'remote')}`;
  const w = await worker(dir, redis.url, remote, 'w1');
  const r = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: 3 steps on 1 worker \(w1\)/);
  for (const [what, text] of [
    ['run output', r.out + r.err],
    ['worker log', w.log()],
    ['store and project files', allText(dir)],
  ])
    assert.ok(!text.includes(secret), `the password is in the ${what}`);
  const record = listRunRecords(openStore(dir, undefined, dir), 1)[0];
  assert.equal(record.queue?.location, redis.url.replace(secret, '***'));
});

test('rediss:// (TLS, a private CA trusted through NODE_EXTRA_CA_CERTS) with a password', async () => {
  const redis = await redisServer('tls-secret', true);
  assert.match(redis.url, /^rediss:\/\//);
  const dir = project();
  const remote = `file://${join(dir, 'remote')}`;
  // Node reads extra CAs when a process starts: the coordinator runs as a process of its own here.
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: redis.caFile as string };
  await worker(dir, redis.url, remote, 'w1', [], { NODE_EXTRA_CA_CERTS: redis.caFile as string });
  const run = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote], { cwd: dir, env });
  let out = '';
  run.stdout.on('data', (d) => (out += d));
  run.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((done) => run.once('exit', done));
  assert.equal(code, 0, out);
  assert.match(out, /queue rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: 3 steps on 1 worker \(w1\)/);
  assert.ok(!out.includes('tls-secret'));
});

test('a wrong Redis password is one clear line naming the queue without the password, and the run ends', async () => {
  const redis = await redisServer('right-password');
  const dir = project();
  const wrong = redis.url.replace('right-password', 'wrong-password');
  // A process of its own: the run must end, not keep it alive retrying the refused connection.
  const run = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--queue', wrong, '--remote', join(dir, 'remote')], {
    cwd: dir,
    env: { ...process.env, MEDPIPE_QUEUE_LOST_MS: '1500' },
  });
  let out = '';
  run.stdout.on('data', (d) => (out += d));
  run.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => run.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((done) => run.once('exit', done));
  clearTimeout(timer);
  assert.equal(code, 1, `the run did not end by itself:\n${out}`);
  assert.match(out, /queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.*(WRONGPASS|invalid|password)/i);
  assert.ok(!out.includes('wrong-password'));
});

test('a worker refuses custom step code that is not what the coordinator planned', async () => {
  const redis = await redisServer();
  const dir = project();
  const elsewhere = `${dir}-worker-copy`;
  started.dirs.push(elsewhere);
  cpSync(dir, elsewhere, { recursive: true });
  writeFileSync(join(elsewhere, 'steps/slow.js'), `${readFileSync(join(dir, 'steps/slow.js'), 'utf8')}\n// edited on the worker\n`);
  const remote = `file://${join(dir, 'remote')}`;
  const w = await worker(elsewhere, redis.url, remote, 'w1');
  const r = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(
    r.out,
    /a: FAILED.*worker w1 refuses a: its copy of \.\/steps\/slow\.js is not the code the coordinator planned .*check out the same commit on the worker/,
  );
  assert.doesNotMatch(w.log(), /q\/a done in/);
});

test('a step with labels runs only on a worker with those labels', async () => {
  const redis = await redisServer();
  const dir = project(`medpipe: 1
name: q
steps:
  a: { uses: ./steps/slow.js, with: { n: 1 } }
  b: { uses: ./steps/slow.js, in: { x: a }, with: { n: 2 }, labels: [highmem] }
  c: { uses: ./steps/slow.js, in: { x: b }, with: { n: 3 }, resources: { gpu: 1 } }
`);
  const remote = `file://${join(dir, 'remote')}`;
  const plain = await worker(dir, redis.url, remote, 'plain');
  const big = await worker(dir, redis.url, remote, 'big', ['--labels', 'highmem,gpu']);
  assert.match(plain.log(), /\(medpipe-steps-[0-9a-f]{10}\)/);
  assert.match(big.log(), /\((medpipe-steps-[0-9a-f]{10})(, \1\.gpu, \1\.highmem, \1\.gpu\.highmem)\)/);
  const r = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
  assert.equal(r.code, 0, r.out + r.err);
  const record = listRunRecords(openStore(dir, undefined, dir), 1)[0];
  assert.equal(record.steps.b.worker, 'big');
  assert.equal(record.steps.c.worker, 'big');
  assert.equal((record.steps.c.summary as { value: number }).value, 6);
});

test('--fail-fast: a failed step cancels the running job of another through its AbortSignal', async () => {
  const redis = await redisServer();
  const dir = project(`medpipe: 1
name: q
steps:
  long: { uses: ./steps/slow.js, with: { n: 1, ms: 30000 } }
  broken: { uses: ./steps/slow.js, with: { n: 2, ms: 800, fail: true } }
`);
  const remote = `file://${join(dir, 'remote')}`;
  const w = await worker(dir, redis.url, remote, 'w1');
  const r = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote, '--fail-fast');
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /broken: FAILED.*asked to fail/);
  assert.match(r.out, /long: cancelled|long: CANCELLED|long: stopped/i);
  await w.waitFor(/cancelling .* at the coordinator's request/, 10_000);
  await w.waitFor(/q\/long failed: cancelled/i, 10_000);
});

test('one Redis, two remotes: each run is computed by its own remote’s workers, and an old finished job is never taken for a result', async () => {
  const redis = await redisServer();
  const dir = project();
  const remoteA = `file://${join(dir, 'remote-a')}`;
  const remoteB = `file://${join(dir, 'remote-b')}`;
  const wa = await worker(dir, redis.url, remoteA, 'wa');
  await worker(dir, redis.url, remoteB, 'wb');
  const first = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remoteA, '--store', join(dir, 'store-a'));
  assert.equal(first.code, 0, first.out + first.err);
  const second = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remoteB, '--store', join(dir, 'store-b'));
  assert.equal(second.code, 0, second.out + second.err);
  const record = listRunRecords(openStore(dir, join(dir, 'store-b'), dir), 1)[0];
  for (const id of ['a', 'b', 'c']) assert.equal(record.steps[id].worker, 'wb', id);
  assert.doesNotMatch(wa.log(), /for .*\n.*q\/a done in.*\n.*q\/a done in/);
  // Remote B now has every step: a fresh store computes nothing.
  const third = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remoteB, '--store', join(dir, 'store-c'));
  assert.equal(third.code, 0, third.out + third.err);
  assert.match(third.out, /3 steps from the remote/);

  // Remote A wiped (cleaned up, or lost): its finished jobs, still in Redis, are not results.
  rmSync(join(dir, 'remote-a'), { recursive: true, force: true });
  const again = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remoteA, '--store', join(dir, 'store-d'));
  assert.equal(again.code, 0, again.out + again.err);
  assert.equal((wa.log().match(/q\/c done in/g) ?? []).length, 2, 'c computed again for the wiped remote');
  const fresh = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remoteA, '--store', join(dir, 'store-e'));
  assert.match(fresh.out, /3 steps from the remote/);
});

test('many steps queued at once: no listener-leak warning', async () => {
  const redis = await redisServer();
  const steps = Array.from({ length: 16 }, (_, i) => `  s${i}: { uses: ./steps/slow.js, with: { n: ${i} } }`).join('\n');
  const dir = project(`medpipe: 1\nname: q\nsteps:\n${steps}\n`);
  const remote = `file://${join(dir, 'remote')}`;
  await worker(dir, redis.url, remote, 'w1', ['--concurrency', '4']);
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const r = await runCli(dir, 'run', 'p.yaml', '--queue', redis.url, '--remote', remote);
    assert.equal(r.code, 0, r.out + r.err);
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(
    warnings.filter((w) => /MaxListeners/.test(w)),
    [],
  );
});

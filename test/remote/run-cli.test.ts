/**
 * `medpipe run --remote …` as a user (or CI) runs it: the real CLI, in-process and as a child
 * process killed during its pushes; a real file:// remote folder. What it prints for steps taken
 * from the remote, a remote that is down (one warning, everything computed), --remote-required
 * (exit 1, one line), and a run killed while pushing (the remote never holds an entry whose
 * artifacts are missing; a rerun completes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../engine/project.js';
import { runCli } from '../helpers/cli.js';
import { clone, openRemote, outcomes, remoteFolder, STEPS } from './run-helpers.js';
import { RemoteError, type RemoteBackend } from '../../src/remote/backend.js';
import { keyOfEntryName } from '../../src/remote/remote-cache.js';
import { objectName, entryName } from '../../src/engine/store-layout.js';
import type { EngineEvent } from '../../src/engine/events.js';

const KILL_AT = new URL('../faults/kill-at.js', import.meta.url).pathname;

/** A remote URL whose folder cannot exist: its parent is a regular file (a mount that is not there). */
function downRemote(): string {
  const dir = remoteFolder('down');
  writeFileSync(join(dir, 'not-a-folder'), 'x');
  return `file://${join(dir, 'not-a-folder', 'remote')}`;
}

test('run --remote: a clone with an empty store says each step is cached (remote), and the summary says what moved', async () => {
  const remoteDir = remoteFolder('cli');
  const a = clone('cli-a');
  const first = await runCli(a.dir, 'run', 'p.yaml', '--remote', `file://${remoteDir}`, '--plain');
  assert.equal(first.code, 0, first.err + first.out);
  assert.match(first.out, /remote file:\/\/\S+: 0 steps from the remote, 0 B downloaded, [\d.]+ kB uploaded/);

  const b = clone('cli-b');
  const r = await runCli(b.dir, 'run', 'p.yaml', '--remote', `file://${remoteDir}`, '--plain');
  assert.equal(r.code, 0, r.err + r.out);
  for (const id of STEPS) assert.match(r.out, new RegExp(`^  ${id}: cached \\(remote\\)$`, 'm'));
  assert.match(r.out, /remote file:\/\/\S+: 5 steps from the remote, [\d.]+ kB downloaded, 0 B uploaded/);
  assert.deepEqual(b.read('metrics/forest.json'), a.read('metrics/forest.json'));
  assert.deepEqual(b.read('p.lock.yaml'), a.read('p.lock.yaml'));
  assert.equal(r.err, '');

  // The run pushed its record too: a third clone pulls the pipeline's outputs and then runs with no remote at all.
  const c = clone('cli-c');
  const pulled = await runCli(c.dir, 'pull', 'p.yaml', '--remote', `file://${remoteDir}`);
  assert.equal(pulled.code, 0, pulled.err + pulled.out);
  const local = await runCli(c.dir, 'run', 'p.yaml', '--plain');
  assert.equal(local.code, 0, local.err + local.out);
  for (const id of STEPS) assert.match(local.out, new RegExp(`^  ${id}: cached$`, 'm'));
});

test('a remote that is down is one warning: the run computes every step and succeeds', async () => {
  const c = clone('cli-down');
  const r = await runCli(c.dir, 'run', 'p.yaml', '--remote', downRemote(), '--plain');
  assert.equal(r.code, 0, r.err + r.out);
  const warnings = r.out.split('\n').filter((l) => l.includes('warning'));
  assert.equal(warnings.length, 1, r.out);
  assert.match(warnings[0], /^medpipe: warning: remote file:\/\/\S+ is not usable \(.*\); computing locally without it for the rest of this run$/);
  for (const id of STEPS) assert.match(r.out, new RegExp(`^  ${id}: done in`, 'm'));
  assert.match(r.out, /set aside after it failed, the rest was computed locally/);
});

test('a remote whose every request fails with a transient error is retried, then set aside with one warning', async () => {
  let calls = 0;
  const failing = (): never => {
    calls++;
    throw new RemoteError('remote: 503 Slow Down', true);
  };
  const flaky: RemoteBackend = {
    location: 'file:///flaky',
    download: async () => failing(),
    read: async () => failing(),
    write: async () => failing(),
    stat: async () => failing(),
    // biome-ignore lint/correctness/useYield: it fails before listing anything
    list: async function* () {
      failing();
    },
    remove: async () => failing(),
    close: () => {},
  };
  const { remote, warnings } = openRemote(flaky, { retries: 2, retryDelayMs: 1 });
  const d = clone('flaky');
  const { result, events } = await d.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { done: [...STEPS] });
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.equal(events.filter((e: EngineEvent) => e.type === 'run:warning').length, 1);
  assert.equal(calls, 3, 'the first request and two retries, then nothing more');
  assert.ok(result.record.remote?.unavailable?.includes('503 Slow Down'));
});

test('--remote-required with the remote down fails the run with exit 1 and one line naming the remote', async () => {
  const c = clone('cli-required');
  const url = downRemote();
  const r = await runCli(c.dir, 'run', 'p.yaml', '--remote', url, '--remote-required', '--plain');
  assert.equal(r.code, 1, r.err + r.out);
  const errLines = r.err.trim().split('\n');
  assert.equal(errLines.length, 1, r.err);
  assert.ok(errLines[0].startsWith(`medpipe: remote ${url} failed (reading a cache entry): `), r.err);
  assert.doesNotMatch(r.err + r.out, /internal error|\n\s+at /);
  assert.doesNotMatch(r.out, /: done in/, 'nothing was computed');
});

/** `medpipe run --remote` in a child process, SIGKILLed just before it renames a blob matching `pattern` into place. */
function killedRun(dir: string, remote: string, pattern: string): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', KILL_AT, BIN, 'run', 'p.yaml', '--remote', `file://${remote}`, '--plain'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1', MEDPIPE_FAULT_KILL_RENAME: pattern },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (_code, signal) => resolve({ signal, out }));
  });
}

function blobsUnder(root: string, folder: string): string[] {
  const walk = (rel: string): string[] =>
    readdirSync(join(root, rel)).flatMap((n) => (statSync(join(root, rel, n)).isDirectory() ? walk(`${rel}/${n}`) : [`${rel}/${n}`]));
  try {
    return walk(folder);
  } catch {
    return [];
  }
}

for (const point of ['artifact', 'entry'] as const) {
  test(`a run killed while pushing the forest's ${point} leaves no entry whose artifacts are missing, and a rerun completes`, async () => {
    // The forest's key and artifact, from a run without a remote (steps are deterministic).
    const reference = await clone('kill-ref').run(undefined);
    const forest = reference.result.record.steps.forest;
    const remoteDir = remoteFolder(`kill-${point}`);
    const target = point === 'artifact' ? objectName(forest.outputs?.model as string) : entryName(forest.key as string);
    const k = clone(`kill-${point}`);
    const killed = await killedRun(k.dir, remoteDir, ` -> ${remoteDir}/${target}$`);
    assert.equal(killed.signal, 'SIGKILL', `never pushed the forest's ${point}, so it was not killed there:\n${killed.out}`);

    // From a third store: every entry on the remote is complete (a hit), the forest's is not there.
    const { remote, warnings } = openRemote(remoteDir);
    const keys = blobsUnder(remoteDir, 'entries').map((n) => keyOfEntryName(n) as string);
    assert.ok(keys.length >= 1, 'the steps before the forest were pushed');
    assert.ok(!keys.includes(forest.key as string));
    for (const key of keys) assert.equal((await remote.lookupEntry(key)).state, 'hit');
    assert.deepEqual(warnings, []);

    const rerun = await runCli(k.dir, 'run', 'p.yaml', '--remote', `file://${remoteDir}`, '--plain');
    assert.equal(rerun.code, 0, rerun.err + rerun.out);
    // Everything is on the remote now, and the killed writer's temporary file is gone.
    const fresh = clone(`kill-${point}-after`);
    const { remote: again } = openRemote(remoteDir);
    const after = await fresh.run(again);
    assert.deepEqual(outcomes(after.result), { remote: [...STEPS] });
    assert.deepEqual(blobsUnder(remoteDir, 'tmp'), [], 'the next writer removed the temporary file of the killed one');
  });
}

test('run --dry-run with a remote says which steps a run would look up there first, without contacting it', async () => {
  const c = clone('dry');
  const url = downRemote(); // never read: a dry run would otherwise warn that it is down
  const r = await runCli(c.dir, 'run', 'p.yaml', '--dry-run', '--remote', url);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.match(r.out, new RegExp(`^load +run +never run; looked up on ${url} first$`, 'm'));
  const forced = await runCli(c.dir, 'run', 'p.yaml', '--dry-run', '--force', '--remote', url);
  assert.doesNotMatch(forced.out, /looked up/);
  const without = await runCli(c.dir, 'run', 'p.yaml', '--dry-run');
  assert.doesNotMatch(without.out, /looked up/);
});

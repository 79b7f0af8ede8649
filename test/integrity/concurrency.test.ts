/**
 * Concurrent and killed runs: runs that publish into one checkout never mix their files; a run
 * killed mid-way reads as interrupted, `report` takes the latest finished run, and `cache gc`
 * removes the locks a killed run left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { spawnCli, type Child } from '../faults/helpers.js';
import type { RunRecord } from '../../src/engine/record.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';

/** `medpipe run PIPELINE --plain …` as its own process (see the fault suite's spawnCli). */
function spawnRun(dir: string, ...args: string[]): Child {
  return spawnCli(dir, ['run', PIPELINE, '--plain', ...args]);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

test('concurrent runs with different seeds leave the lock file and the metrics files of one and the same run', async () => {
  // Runs that publish: the pipeline file itself differs between them (with --set they would be
  // experiments, which publish nothing). The copy is not a git repository, so none is an experiment.
  const dir = shippedProjectCopy('concurrent');
  const file = join(dir, PIPELINE);
  const original = readFileSync(file, 'utf8');
  const runs = [];
  for (const seed of [1, 2, 3, 4]) {
    const changed = original.replace(/^  seed: 42$/m, `  seed: ${seed}`);
    assert.notEqual(changed, original);
    writeFileSync(file, changed);
    const run = spawnRun(dir);
    await run.started;
    runs.push(run);
  }
  const results = await Promise.all(runs.map((r) => r.done));
  for (const r of results) assert.equal(r.code, 0, r.err + r.out);
  assert.ok(
    results.some((r) => /waiting for run \S+ \(pid \d+ on .+\), which publishes into this checkout/.test(r.out)),
    'the later runs waited',
  );

  const lock = parse(readFileSync(join(dir, PIPELINE.replace('.yaml', '.lock.yaml')), 'utf8')) as {
    steps: Record<string, { key: string; outputs: Record<string, string> }>;
  };
  const records = readdirSync(join(dir, '.medpipe', 'runs')).map((n) => JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', n), 'utf8')) as RunRecord);
  const producer = records.filter((r) => Object.entries(lock.steps).every(([id, s]) => r.steps[id]?.key === s.key));
  assert.equal(producer.length, 1, 'exactly one run has every key the lock file records');
  for (const [step, file] of [
    ['eval-svm', 'metrics/breast-cancer-svm.json'],
    ['eval-forest', 'metrics/breast-cancer-forest.json'],
  ]) {
    assert.equal(sha256(readFileSync(join(dir, file))), lock.steps[step].outputs.metrics, `${file} is the one the lock file records`);
    assert.equal(producer[0].steps[step].outputs?.metrics, lock.steps[step].outputs.metrics);
  }
});

test('a killed run reads as interrupted; report takes the latest finished run; cache gc removes the locks it left', async () => {
  const dir = shippedProjectCopy('killed');
  const first = await runCli(dir, 'run', PIPELINE);
  assert.equal(first.code, 0, first.err);
  const finishedId = /\(run (\S+)\)/.exec(first.out)?.[1] as string;

  const killed = spawnRun(dir, '--force');
  // Kill it once it has recorded itself and is computing.
  const runsDir = join(dir, '.medpipe', 'runs');
  for (let i = 0; i < 200 && readdirSync(runsDir).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 300));
  process.kill(killed.pid, 'SIGKILL');
  await killed.done;

  const listed = JSON.parse((await runCli(dir, 'runs', '--json')).out) as RunRecord[];
  assert.equal(listed.length, 2);
  assert.equal(listed[0].status, 'interrupted', 'the killed run, most recent first');
  assert.equal(listed[1].runId, finishedId);
  assert.match((await runCli(dir, 'runs')).out, /interrupted/);

  const report = await runCli(dir, 'report', '--output', join(dir, 'report.html'));
  assert.equal(report.code, 0, report.err);
  assert.match(report.out, new RegExp(`report of run ${finishedId} \\(breast-cancer-diagnosis, ok\\)`));

  // A lock as a killed run leaves it: its process is gone.
  mkdirSync(join(dir, '.medpipe', 'locks'), { recursive: true });
  const stale = join(dir, '.medpipe', 'locks', `${'a'.repeat(64)}.lock`);
  writeFileSync(stale, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: new Date().toISOString() }));
  const gc = await runCli(dir, 'cache', 'gc');
  assert.equal(gc.code, 0, gc.err);
  assert.match(gc.out, /removed [1-9]\d* locks? left by runs that were killed/);
  assert.equal(existsSync(stale), false);
});

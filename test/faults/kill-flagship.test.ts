/**
 * SIGKILL campaign on the flagship: runs killed at seeded points (some with --force, so there is
 * work to kill), then one uninterrupted run. Whatever instants the kills hit, that run succeeds
 * and its committed files and artifacts are byte-identical to an uninterrupted run's in another
 * copy; nothing damaged, locked or temporary is left behind; the registry holds each model once
 * and audits ok; and the killed runs read as interrupted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { committedFiles } from '../integrity/helpers.js';
import type { RunRecord } from '../../src/engine/record.js';
import { lockIsStale } from '../../src/engine/lock-file.js';
import { assertCommittedEqual, assertSameOutputs, filesUnder, type Finished, projectCopy, recordOf, spawnCli } from './helpers.js';
import { seeded, suiteSeed } from './seeded.js';

const SEED = suiteSeed(0x5eed0001);
const KILLS = 6;
const PIPELINE = 'pipelines/breast-cancer.yaml';

test(`runs of the flagship killed at seeded instants leave nothing that changes the next run (seed 0x${SEED.toString(16)})`, async (t) => {
  const rng = seeded(SEED);
  // The uninterrupted run, as a process like the killed ones: its committed files, its artifacts and how long it takes.
  const ref = projectCopy('kill-ref');
  const t0 = Date.now();
  const reference = await spawnCli(ref, ['run', PIPELINE, '--plain']).done;
  const duration = Date.now() - t0;
  assert.equal(reference.code, 0, reference.err + reference.out);
  const referenceRecord = recordOf(ref, reference.out);
  const referenceFiles = committedFiles(ref);
  assert.ok(referenceFiles.has('metrics/breast-cancer-svm.json') && referenceFiles.has('pipelines/breast-cancer.lock.yaml'));

  const dir = projectCopy('kill');
  const shippedPipelines = readdirSync(join(dir, 'pipelines')).sort();
  const log: string[] = [];
  const killed: { pid: number; result: Finished }[] = [];
  for (let i = 0; i < KILLS; i++) {
    // The first run starts on an empty store; later ones resume, or recompute everything.
    const force = i > 0 && rng.next() < 0.6;
    const delay = rng.int(100, duration);
    const child = spawnCli(dir, ['run', PIPELINE, '--plain', ...(force ? ['--force'] : [])]);
    const result = await child.killAfter(delay);
    log.push(`#${i + 1}: run${force ? ' --force' : ''}, SIGKILL after ${delay} ms: ${result.signal ?? `exit ${result.code}`}`);
    if (result.signal === 'SIGKILL') killed.push({ pid: child.pid, result });
    // A run that ended on its own before its kill must have succeeded.
    else assert.equal(result.code, 0, `${rng.label}, ${log.join('; ')}\n${result.err}${result.out}`);
  }
  const context = `${rng.label}, uninterrupted run ${duration} ms; ${log.join('; ')}`;
  t.diagnostic(context);
  assert.ok(killed.length > 0, `${context}: no run was killed, the campaign tested nothing`);

  const final = await spawnCli(dir, ['run', PIPELINE, '--plain']).done;
  assert.equal(final.code, 0, `${context}\n${final.err}${final.out}`);
  assert.doesNotMatch(final.out, /internal error/, context);
  assertCommittedEqual(dir, referenceFiles, context);
  assertSameOutputs(recordOf(dir, final.out), referenceRecord, context);
  assert.deepEqual(
    readdirSync(join(dir, 'pipelines')).sort(),
    shippedPipelines,
    `${context}: files left beside the pipelines (the shipped copy has the lock file already)`,
  );

  // Nothing damaged, locked or half-written is left in the store.
  const verify = await runCli(dir, 'cache', 'verify');
  assert.equal(verify.code, 0, `${context}: cache verify found damage:\n${verify.err}${verify.out}`);
  const store = join(dir, '.medpipe');
  assert.deepEqual(filesUnder(join(store, 'tmp')), [], `${context}: temporary files of the killed runs are left in .medpipe/tmp`);
  // A killed run's step lock protects nothing (its process is gone: the next run to need the key
  // takes it over) and `cache gc` removes it; the final run itself released all of its own.
  const locks = filesUnder(join(store, 'locks'));
  for (const lock of locks) assert.ok(lockIsStale(join(store, 'locks', lock)), `${context}: lock ${lock} is held by a live process`);
  assert.deepEqual(filesUnder(join(store, 'workspace-locks')), [], `${context}: the workspace lock is left`);
  assert.deepEqual(
    filesUnder(store).filter((f) => /(^|\/)\.[^/]*\.tmp$/.test(f)),
    [],
    `${context}: hidden temporary files are left in the store`,
  );

  // The registry: each model once, whatever registration a kill interrupted, and an intact history.
  const audit = await runCli(dir, 'models', 'audit');
  assert.equal(audit.code, 0, `${context}: ${audit.err}`);
  const models = JSON.parse((await runCli(dir, 'models', 'list', '--json')).out) as { name: string; versions: number; aliases: Record<string, number> }[];
  assert.deepEqual(
    models.map((m) => [m.name, m.versions, m.aliases]),
    [
      ['breast-cancer-forest', 1, { staging: 1 }],
      ['breast-cancer-svm', 1, { staging: 1 }],
    ],
    context,
  );

  const gc = await runCli(dir, 'cache', 'gc');
  assert.equal(gc.code, 0, `${context}: ${gc.err}`);
  assert.deepEqual(filesUnder(join(store, 'locks')), [], `${context}: cache gc left the locks of killed runs`);
  assert.equal((await runCli(dir, 'models', 'audit')).code, 0, `${context}: cache gc removed something the registry needs`);

  // The killed runs that had recorded themselves read as interrupted; none reads as running.
  const records = JSON.parse((await runCli(dir, 'runs', '--json', '--limit', '100')).out) as RunRecord[];
  assert.equal(records.filter((r) => r.status === 'running').length, 0, context);
  const killedPids = new Set(killed.map((k) => k.pid));
  const ofKilled = records.filter((r) => r.process && killedPids.has(r.process.pid));
  // A kill can land before the run recorded itself, or after it recorded its end.
  for (const r of ofKilled) assert.ok(r.status === 'interrupted' || r.status === 'ok', `${context}: killed run ${r.runId} reads as ${r.status}`);
  assert.equal(records[0].status, 'ok', 'the final run is the latest');
});

/**
 * SIGKILL at exact points of the flagship run, where a random kill lands only by luck: between
 * writing each kind of file in full under a temporary name and renaming it into place (see
 * kill-at.ts). After each, one uninterrupted run must write the repository's committed files
 * byte for byte, and nothing may be left behind: no temporary file in the store, among its
 * objects, or beside the files it publishes into the checkout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';
import { BIN } from '../engine/project.js';
import { committedFiles } from '../integrity/helpers.js';
import { assertCommittedEqual, filesUnder, projectCopy } from './helpers.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';
const KILL_AT = new URL('./kill-at.js', import.meta.url).pathname;

/** What is renamed into place, as "FROM -> TO" patterns (the first match is the kill point). */
const POINTS: [string, string][] = [
  ['the first artifact moved into the store', String.raw`/\.medpipe/tmp/\S+ -> \S+/\.medpipe/objects/`],
  ['the first cache entry', String.raw` -> \S+/\.medpipe/entries/`],
  ['a registered bundle written by the registry', String.raw`/\.medpipe/tmp/\S+-w-\S+ -> \S+/\.medpipe/objects/`],
  ['the registry head record', String.raw` -> \S+/registry\.head\.json$`],
  ['the registry pins', String.raw` -> \S+/pins/registry\.json$`],
  ['the published metrics file', String.raw` -> \S+/metrics/breast-cancer-svm\.json$`],
  ['the pipeline lock file', String.raw` -> \S+/pipelines/breast-cancer\.lock\.yaml$`],
  ['the pipeline state', String.raw` -> \S+/\.medpipe/pipelines/[0-9a-f]+\.json$`],
  ['file-digests.json', String.raw` -> \S+/file-digests\.json$`],
];

function killedRun(dir: string, pattern: string): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', KILL_AT, BIN, 'run', PIPELINE, '--plain'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MEDPIPE_FAULT_KILL_RENAME: pattern },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (_code, signal) => resolve({ signal, out }));
  });
}

for (const [point, pattern] of POINTS) {
  test(`killed just before renaming ${point} into place: the next run is the uninterrupted run, nothing is left behind`, async () => {
    const dir = projectCopy('point');
    // The repository's committed files of the flagship (it reproduces them byte for byte).
    const reference = committedFiles(dir);
    for (const f of ['breast-cancer-svm.json', 'breast-cancer-forest.json']) reference.set(`metrics/${f}`, readFileSync(join(ROOT, 'metrics', f)));
    const shipped = new Set(readdirSync(join(dir, 'pipelines')));
    // A run leaves a lock file that already holds its bytes alone: the copy's committed one gets a
    // stale line, so the run replaces it.
    if (point === 'the pipeline lock file') appendFileSync(join(dir, PIPELINE.replace(/\.yaml$/, '.lock.yaml')), '# stale\n');

    const killed = await killedRun(dir, pattern);
    assert.equal(killed.signal, 'SIGKILL', `the run never renamed ${point} into place (${pattern}), so it was not killed there:\n${killed.out}`);

    const final = await runCli(dir, 'run', PIPELINE);
    assert.equal(final.code, 0, `${point}: ${final.err}${final.out}`);
    assertCommittedEqual(dir, reference, point);
    assert.deepEqual(
      readdirSync(join(dir, 'pipelines')).filter((f) => !shipped.has(f)),
      [],
      `${point}: files left beside the pipelines`,
    );

    const verify = await runCli(dir, 'cache', 'verify');
    assert.equal(verify.code, 0, `${point}: cache verify:\n${verify.err}${verify.out}`);
    const audit = await runCli(dir, 'models', 'audit');
    assert.equal(audit.code, 0, `${point}: ${audit.err}`);
    const store = join(dir, '.medpipe');
    assert.deepEqual(filesUnder(join(store, 'tmp')), [], `${point}: temporary files left in .medpipe/tmp`);
    assert.deepEqual(
      filesUnder(store).filter((f) => /\.tmp$|(^|\/)\d+-h[0-9a-f]{8}-/.test(f) && !f.startsWith('quarantine/')),
      [],
      `${point}: temporary files left in the store`,
    );
  });
}

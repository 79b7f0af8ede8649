/**
 * What CI sees (issue 16's acceptance): the flagship pipeline committed to a git repository, run
 * once on a developer's clone with the team's S3 remote (s3rver on loopback) and entries signed with
 * MEDPIPE_CACHE_KEY; then a fresh `git clone`, as a CI runner starts, runs `medpipe run --ci` with
 * the same remote, read-only: every step is reported cached from the remote (the register steps
 * too, registering their cached versions here), the metrics files and lock file are byte-identical
 * to the committed ones (git sees no change), and only what the run reads is downloaded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { startS3Server, useS3rverCredentials, type S3TestServer } from '../helpers/s3-server.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';
const STEPS = ['load', 'split', 'prep', 'select', 'svm', 'forest', 'eval-svm', 'eval-forest', 'register-svm', 'register-forest'];

let server: S3TestServer;
before(async () => {
  useS3rverCredentials();
  process.env.MEDPIPE_CACHE_KEY = 'team-secret-for-this-test';
  server = await startS3Server({ prefix: 'ci' });
});
after(() => server.stop());

test('a fresh clone in CI with a warm remote reports every step cached and leaves the committed metrics and lock file unchanged', async () => {
  const developer = shippedProjectCopy('ci-dev');
  const ci = mkdtempSync(join(tmpdir(), 'medpipe-ci-clone-'));
  try {
    git(developer, 'init', '-q', '-b', 'main');
    writeFileSync(join(developer, '.gitignore'), '.medpipe/\n');
    assert.equal((await runCli(developer, 'remote', 'add', 'team', server.url, '--default')).code, 0);
    git(developer, 'add', '.');
    git(developer, 'commit', '-qm', 'pipelines and the team remote');
    const first = await runCli(developer, 'run', PIPELINE, '--plain');
    assert.equal(first.code, 0, first.err + first.out);
    assert.match(first.out, /10 ran, 0 cached/);
    // The lock file the run re-recorded is the shipped one; the metrics files are new here.
    assert.equal(git(developer, 'status', '--porcelain'), '?? metrics/\n');
    git(developer, 'add', 'metrics');
    git(developer, 'commit', '-qm', 'metrics');

    git(ci, 'clone', '-q', developer, '.');
    const r = await runCli(ci, 'run', PIPELINE, '--ci', '--remote-read-only', '--plain');
    assert.equal(r.code, 0, r.err + r.out);
    for (const id of STEPS) assert.match(r.out, new RegExp(`^ {2}${id}: cached \\(remote\\)$`, 'm'));
    assert.match(r.out, /0 ran, 10 cached/);
    assert.match(r.out, /10 steps from the remote, [\d.]+ kB downloaded, nothing uploaded \(read-only\)/);
    assert.match(r.out, /no regression/i);
    assert.equal(git(ci, 'status', '--porcelain'), '', 'metrics files and lock file byte-identical to the committed ones');
    assert.match((await runCli(ci, 'models', 'list')).out, /breast-cancer-forest\s+1\s+1\s+staging=1/);
  } finally {
    rmSync(developer, { recursive: true, force: true });
    rmSync(ci, { recursive: true, force: true });
  }
});

test('with MEDPIPE_CACHE_KEY set, entries signed with another key are ignored, said once, and the steps computed', async () => {
  const developer = shippedProjectCopy('ci-forger');
  const other = shippedProjectCopy('ci-reader');
  const url = server.url.replace('/ci?', '/forged?');
  try {
    process.env.MEDPIPE_CACHE_KEY = 'a-key-the-team-does-not-have';
    const forged = await runCli(developer, 'run', PIPELINE, '--only', 'split', '--remote', url, '--plain');
    assert.equal(forged.code, 0, forged.err + forged.out);
    process.env.MEDPIPE_CACHE_KEY = 'team-secret-for-this-test';
    const r = await runCli(other, 'run', PIPELINE, '--only', 'split', '--remote', url, '--remote-read-only', '--plain');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out + r.err, /signature that MEDPIPE_CACHE_KEY does not verify/);
    assert.match(r.out, /^ {2}split: done in/m);
    assert.match(r.out, /0 steps from the remote/);
  } finally {
    process.env.MEDPIPE_CACHE_KEY = 'team-secret-for-this-test';
    rmSync(developer, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

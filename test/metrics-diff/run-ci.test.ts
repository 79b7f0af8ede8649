/** `medpipe run --ci` end to end: the flagship pipeline in a git repository, against its committed metrics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

const cli = runCli;

test('run --ci passes against its own baseline and fails with a JUnit failure when a change makes the model worse', async () => {
  const dir = shippedProjectCopy('ci');
  writeFileSync(join(dir, '.gitignore'), '.medpipe/\n');
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=ci', '-c', 'user.email=ci@example.org', ...args], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  const first = await cli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(first.code, 0, first.err);
  assert.match(readFileSync(join(dir, 'pipelines/breast-cancer.lock.yaml'), 'utf8'), /medpipe_lock: 1/);
  git('add', '-A');
  git('commit', '-qm', 'baseline');

  const same = await cli(dir, 'run', 'pipelines/breast-cancer.yaml', '--ci');
  assert.equal(same.code, 0, same.out + same.err);
  assert.match(same.out, /no regression against main/);

  // A much smaller C underfits the SVM: its metrics fall beyond the tolerance.
  const worse = await cli(
    dir,
    'run',
    'pipelines/breast-cancer.yaml',
    '--ci',
    '--set',
    'svm.C=0.001',
    '--set',
    'eval-svm.gates={}',
    '--junit',
    'junit.xml',
    '--markdown',
    'diff.md',
  );
  assert.equal(worse.code, 1, worse.out + worse.err);
  assert.match(worse.out, /REGRESSED/);
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  assert.match(junit, /<failure /);
  assert.match(readFileSync(join(dir, 'diff.md'), 'utf8'), /\| roc_auc \|/);

  // Back to the committed configuration: every step is cached, and the metrics files are
  // republished from the cache, so they match the lock file and the baseline again.
  const back = await cli(dir, 'run', 'pipelines/breast-cancer.yaml', '--ci');
  assert.equal(back.code, 0, back.out + back.err);
  assert.match(back.out, /0 ran, \d+ cached/);
  assert.equal(git('status', '--porcelain', 'metrics', 'pipelines'), '');
});

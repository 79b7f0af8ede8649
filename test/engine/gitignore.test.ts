/** In the user's git repository, the first run keeps medpipe's store out of git, once, and says so. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

test('the first run in a git repository adds .medpipe/ to .gitignore; git status then shows no store files', async () => {
  const dir = shippedProjectCopy('gitignore');
  const git = (...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  git('init', '-q');
  writeFileSync(join(dir, '.gitignore'), 'node_modules/');
  const first = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml', '--only', 'load');
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /added \/\.medpipe\/ to \.gitignore: medpipe's store is machine-local and stays out of git/);
  assert.equal(
    readFileSync(join(dir, '.gitignore'), 'utf8'),
    "node_modules/\n# medpipe's store: artifacts, cache entries, run records, model registry (machine-local)\n/.medpipe/\n",
  );
  assert.doesNotMatch(git('status', '--porcelain', '--untracked-files=all'), /\.medpipe/);
  const second = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml', '--only', 'load');
  assert.doesNotMatch(second.err, /gitignore/);
  assert.equal((readFileSync(join(dir, '.gitignore'), 'utf8').match(/\.medpipe/g) ?? []).length, 1, 'added once');
});

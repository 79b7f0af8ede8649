/**
 * A run asks git whether the pipeline is committed and which commit it runs (experiment.ts,
 * git.ts). Outside a repository it must not start git processes only to be told there is none:
 * each costs a cached re-run milliseconds. A `git` first on PATH logs every call, then runs the
 * real one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitInfo } from '../../src/engine/git.js';
import { BIN, makeProject } from './project.js';

const PIPELINE = 'medpipe: 1\nname: g\nsteps:\n  a: { uses: ./steps/counter.js }\n';

/** A folder holding a `git` that appends its arguments to `log` and runs the real git. */
function loggingGit(): { bin: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), 'medpipe-git-'));
  const log = join(bin, 'calls.log');
  const real = execFileSync('which', ['git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, 'git'), 0o755);
  return { bin, log };
}

function run(dir: string, bin: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', PATH: `${bin}:${process.env.PATH}` };
  delete env.GIT_DIR;
  const r = spawnSync(process.execPath, [BIN, 'run', 'p.yaml'], { cwd: dir, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
}

test('outside a git repository a run starts no git process', () => {
  const p = makeProject({ 'p.yaml': PIPELINE });
  const git = loggingGit();
  run(p.dir, git.bin);
  run(p.dir, git.bin);
  assert.ok(!existsSync(git.log), existsSync(git.log) ? readFileSync(git.log, 'utf8') : '');
});

test('inside one it asks git, and the run record names the commit', () => {
  const p = makeProject({ 'p.yaml': PIPELINE });
  execFileSync('git', ['init', '-q'], { cwd: p.dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: p.dir });
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: p.dir, encoding: 'utf8' }).trim();
  const git = loggingGit();
  run(p.dir, git.bin);
  assert.match(readFileSync(git.log, 'utf8'), /rev-parse HEAD/);
  const runs = JSON.parse(execFileSync(process.execPath, [BIN, 'runs', '--json'], { cwd: p.dir, encoding: 'utf8' })) as { git: { commit: string } | null }[];
  assert.equal(runs[0].git?.commit, head);
});

test('a project reached through a symbolic link into a repository is in that repository, as git finds it', async () => {
  // git looks for .git from the physical folder (its getcwd), not the path as given.
  const repo = mkdtempSync(join(tmpdir(), 'medpipe-git-repo-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: repo });
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  mkdirSync(join(repo, 'project'));
  const link = join(mkdtempSync(join(tmpdir(), 'medpipe-git-link-')), 'project');
  symlinkSync(join(repo, 'project'), link);
  assert.equal((await gitInfo(link))?.commit, head);
});

/**
 * Parameters from files: a pipeline's params_file (DVC's params.yaml), and --params FILE for a
 * run, which like --set makes it an experiment; problems in either are named at their file:line:col.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeProject } from './project.js';
import { runOf } from '../integrity/helpers.js';

const PIPELINE = `medpipe: 1
name: params-file
params_file: params.yaml
params: { n: 1, label: inline }
steps:
  a: { uses: ./steps/counter.js, with: { n: "\${params.n}", label: "\${params.label}" } }
`;

test('params_file replaces params:, --params FILE replaces both, --set wins over all', async () => {
  const p = makeProject({ 'p.yaml': PIPELINE, 'params.yaml': 'n: 7\n', 'other.yaml': 'n: 3\nlabel: other\n' });
  const store = join(p.dir, '.medpipe');
  const own = await p.cli('run', 'p.yaml');
  assert.equal(own.code, 0, own.err);
  assert.deepEqual(runOf(store, own.out).steps.a.params, { n: 7, label: 'inline', spin_ms: 0, fail: false });
  assert.doesNotMatch(own.out, /experiment/);

  const other = await p.cli('run', 'p.yaml', '--params', 'other.yaml');
  assert.equal(other.code, 0, other.err);
  assert.deepEqual(runOf(store, other.out).steps.a.params, { n: 3, label: 'other', spin_ms: 0, fail: false });
  assert.match(other.out, /experiment \(--params other\.yaml\)/);

  const set = await p.cli('run', 'p.yaml', '--params', 'other.yaml', '--set', 'n=5');
  assert.equal(runOf(store, set.out).steps.a.params?.n, 5);
  assert.match(set.out, /experiment \(--params other\.yaml --set n=5\)/);
});

test('problems in parameter files are named at their own file, line and column', async () => {
  const p = makeProject({ 'p.yaml': PIPELINE, 'params.yaml': 'n: 7\nn: 8\n', 'list.yaml': '- 1\n- 2\n', 'typo.yaml': 'nn: 2\n' });
  const dup = await p.cli('validate', 'p.yaml');
  assert.equal(dup.code, 1);
  assert.match(dup.err, /params\.yaml:2:1: .*duplicate/i);

  p.write('params.yaml', 'n: 7\n');
  const list = await p.cli('validate', 'p.yaml', '--params', 'list.yaml');
  assert.equal(list.code, 1);
  assert.match(list.err, /--params list\.yaml:1:1: a parameters file is a mapping of parameter names to values/);
  const typo = await p.cli('validate', 'p.yaml', '--params', 'typo.yaml');
  assert.equal(typo.code, 1);
  assert.match(typo.err, /--params typo\.yaml: "nn" is not a pipeline parameter \(did you mean "n"\?\)/);

  p.write('p.yaml', PIPELINE.replace('params.yaml', 'missing.yaml'));
  const missing = await p.cli('validate', 'p.yaml');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /missing\.yaml: no such file/);
});

test('in git, a params_file changed since its commit makes the run an experiment', async () => {
  const p = makeProject({ 'p.yaml': PIPELINE, 'params.yaml': 'n: 7\n', '.gitignore': '.medpipe/\ncomputed.log\n' });
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', p.dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'pipeline');
  assert.doesNotMatch((await p.cli('run', 'p.yaml')).out, /experiment/);
  const lock = p.read('p.lock.yaml');
  p.write('params.yaml', 'n: 9\n');
  const r = await p.cli('run', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /experiment \(params\.yaml \(its params_file\) differs from its committed version\)/);
  assert.equal(p.read('p.lock.yaml'), lock, 'the experiment leaves the lock file alone');
});

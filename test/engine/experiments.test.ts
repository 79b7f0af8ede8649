/**
 * Experiments leave the record alone: in a git repository, a run with --set, or of a pipeline
 * file changed since its commit, is cached and recorded but writes no metrics or lock file and
 * moves no alias; it registers only with --register, without aliases; run --ci diffs its own
 * metrics. --publish makes a changed file's run the record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';
const dir = shippedProjectCopy('experiments');
const git = (...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
const gitStatus = (): string => git('status', '--porcelain');

type ModelList = { name: string; versions: number; aliases: Record<string, number> }[];
async function svmModel(): Promise<ModelList[number] | undefined> {
  return (JSON.parse((await runCli(dir, 'models', 'list', '--json')).out) as ModelList).find((m) => m.name === 'breast-cancer-svm');
}

test('the committed pipeline is the record: its run writes metrics and lock file and moves staging', async () => {
  writeFileSync(join(dir, '.gitignore'), '.medpipe/\n');
  git('init', '-q');
  git('-c', 'user.email=t@example.org', '-c', 'user.name=t', 'add', '-A');
  git('-c', 'user.email=t@example.org', '-c', 'user.name=t', 'commit', '-qm', 'pipelines and data');
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.doesNotMatch(r.out, /experiment/);
  git('add', '-A');
  git('-c', 'user.email=t@example.org', '-c', 'user.name=t', 'commit', '-qm', 'metrics');
  assert.equal(gitStatus(), '');
  assert.deepEqual((await svmModel())?.aliases, { staging: 1 });
});

test('a run with --set is an experiment: nothing in the checkout changes, nothing is registered', async () => {
  const r = await runCli(dir, 'run', PIPELINE, '--set', 'svm.C=10', '--set', 'seed=7');
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /experiment \(--set svm\.C=10 --set seed=7\): cached and recorded, but no metrics, table or lock file is written and no alias moves/);
  assert.match(r.out, /register-svm: experiment \(--set svm\.C=10 --set seed=7\): breast-cancer-svm not registered; run with --register/);
  assert.equal(gitStatus(), '', 'metrics and lock file untouched');
  assert.deepEqual(await svmModel(), { ...(await svmModel()), versions: 1, aliases: { staging: 1 } });
  const runs = await runCli(dir, 'runs');
  assert.match(runs.out, /EXPERIMENT/);
  assert.match(runs.out, /--set svm\.C=10 --set seed=7/);
});

test('--register registers an experiment as a version without aliases, tagged with what made it one', async () => {
  const r = await runCli(dir, 'run', PIPELINE, '--set', 'svm.C=10', '--register');
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /register-svm: registered breast-cancer-svm@2 \(experiment: no alias moved\)/);
  assert.deepEqual((await svmModel())?.aliases, { staging: 1 });
  const v2 = JSON.parse((await runCli(dir, 'models', 'show', 'breast-cancer-svm@2', '--json')).out) as { tags: Record<string, string>; aliases: string[] };
  assert.deepEqual(v2.tags.experiment, '--set svm.C=10');
  assert.deepEqual(v2.aliases, []);
  // The committed configuration again: all cached, staging still the committed model.
  const again = await runCli(dir, 'run', PIPELINE);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /0 ran, 10 cached/);
  assert.deepEqual((await svmModel())?.aliases, { staging: 1 });
  assert.equal(gitStatus(), '');
});

test('run --ci on an experiment diffs the metrics it computed, and registers nothing', async () => {
  const r = await runCli(dir, 'run', PIPELINE, '--ci', '--set', 'svm.C=0.001', '--set', 'eval-svm.gates={}', '--baseline', 'HEAD');
  assert.equal(r.code, 1, r.err + r.out);
  assert.match(r.out, /breast-cancer-svm\.json \(this run\)/);
  assert.match(r.out, /REGRESSED/);
  assert.equal((await svmModel())?.versions, 2, 'no new version');
  assert.equal(gitStatus(), '');
});

test('a changed pipeline file is an experiment until committed; --publish makes its run the record', async () => {
  const file = join(dir, PIPELINE);
  writeFileSync(file, readFileSync(file, 'utf8').replace('with: { kernel: rbf, C: 1,', 'with: { kernel: rbf, C: 2,'));
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /experiment \(pipelines\/breast-cancer\.yaml differs from its committed version\)/);
  assert.deepEqual(gitStatus().split('\n').filter(Boolean), [' M pipelines/breast-cancer.yaml'], 'only the edited pipeline file');
  const published = await runCli(dir, 'run', PIPELINE, '--publish');
  assert.equal(published.code, 0, published.err + published.out);
  assert.doesNotMatch(published.out, /medpipe: experiment/);
  assert.equal(published.out.match(/not registered by the cached run \(an experiment\)/g)?.length, 1, 'said once');
  assert.match(published.out, /register-svm: registered breast-cancer-svm@3 \(alias staging\)/);
  assert.match(gitStatus(), /M metrics\/breast-cancer-svm\.json/);
  assert.match(gitStatus(), /M pipelines\/breast-cancer\.lock\.yaml/);
  const refused = await runCli(dir, 'run', PIPELINE, '--publish', '--set', 'seed=3');
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--set and --params values are in no committed file/);
});

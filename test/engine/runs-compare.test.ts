/**
 * `medpipe runs compare`: runs of one pipeline side by side, what made them differ and every
 * evaluation's metrics with intervals; the committed metrics as a baseline column; damaged or
 * missing metrics shown as such, never as numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { flipDigit, runOf } from '../integrity/helpers.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';
const dir = shippedProjectCopy('compare');
const store = join(dir, '.medpipe');
let a: string;
let b: string;

test('two runs, the committed configuration and an experiment, side by side', async () => {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' });
  writeFileSync(join(dir, '.gitignore'), '.medpipe/\n');
  git('init', '-q');
  const first = await runCli(dir, 'run', PIPELINE);
  git('add', '-A');
  git('commit', '-qm', 'baseline');
  a = runOf(store, first.out).runId;
  b = runOf(store, (await runCli(dir, 'run', PIPELINE, '--set', 'svm.C=10', '--set', 'seed=7')).out).runId;

  const r = await runCli(dir, 'runs', 'compare', a, b);
  assert.equal(r.code, 0, r.err);
  const row = (name: string): string[] => (r.out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '').split(/\s{2,}/);
  assert.deepEqual(row('experiment').slice(1), ['-', '--set svm.C=10 --set seed=7']);
  assert.deepEqual(row('svm.C').slice(1), ['1', '10']);
  assert.deepEqual(row('split.seed').slice(1), ['42', '7']);
  assert.equal(row('split.test_size').length, 1, 'parameters equal in both runs are not listed');
  const auc = row('eval-svm roc_auc');
  assert.equal(auc.length, 3);
  for (const v of auc.slice(1)) assert.match(v, /^0\.\d{4} \(0\.\d{4}–[01]\.\d{4}\)$/);
  assert.notEqual(auc[1], auc[2]);
  // The committed run's numbers are the committed metrics file's.
  const committed = JSON.parse(readFileSync(join(dir, 'metrics/breast-cancer-svm.json'), 'utf8')) as { metrics: { roc_auc: { value: number } } };
  assert.ok(auc[1].startsWith(committed.metrics.roc_auc.value.toFixed(4)));
});

test('--baseline adds the committed metrics at a git ref as a column', async () => {
  const r = await runCli(dir, 'runs', 'compare', b, '--baseline', 'HEAD');
  assert.equal(r.code, 0, r.err);
  const header = r.out.split('\n')[0];
  assert.match(header, /\(experiment\)\s+HEAD \([0-9a-f]{7}\)/);
  const auc = (r.out.split('\n').find((l) => l.startsWith('eval-svm roc_auc')) ?? '').split(/\s{2,}/);
  assert.equal(auc.length, 3);
});

test('a damaged metrics artifact is shown as damaged, not as numbers; bad ids and mixed pipelines are usage errors', async () => {
  const digest = runOf(store, `(run ${b})`).steps['eval-svm'].outputs?.metrics as string;
  flipDigit(join(store, 'objects', digest.slice(0, 2), digest.slice(2)));
  const r = await runCli(dir, 'runs', 'compare', a, b);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /eval-svm -\s+-\s+damaged in the store/);
  // Gone (cache gc, or a run that took the step from a remote and never downloaded it): said so, with why it may be.
  rmSync(join(store, 'objects', digest.slice(0, 2), digest.slice(2)));
  const gone = await runCli(dir, 'runs', 'compare', a, b);
  assert.match(gone.out, /eval-svm -\s+-\s+not in this store \(cache gc, or taken from a remote\)/);
  const unknown = await runCli(dir, 'runs', 'compare', a, 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no run "nope"/);
  const other = runOf(store, (await runCli(dir, 'run', 'pipelines/diabetes-progression.yaml')).out).runId;
  const mixed = await runCli(dir, 'runs', 'compare', a, other);
  assert.equal(mixed.code, 2);
  assert.match(mixed.err, /runs are compared with runs of the same pipeline/);
});

test("report --compare puts other runs side by side with the reported one, in the report's number format", async () => {
  const output = join(dir, 'compared.html');
  const r = await runCli(dir, 'report', a, '--compare', b, '--output', output);
  assert.equal(r.code, 0, r.err);
  const html = readFileSync(output, 'utf8');
  assert.match(html, /<section id="comparison"><h2>Compared with other runs<\/h2>/);
  assert.match(html, new RegExp(`<th>${a} \\(this run\\)</th><th>${b} \\(experiment\\)</th>`));
  assert.match(html, /<tr><th scope="row"><code>svm\.C<\/code><\/th><td>1<\/td><td>10<\/td><\/tr>/);
  assert.match(html, /<tr><th scope="row"><code>eval-forest roc_auc<\/code><\/th><td>0\.\d{3} \(0\.\d{3}–[01]\.\d{3}\)<\/td>/);
  const unknown = await runCli(dir, 'report', a, '--compare', 'nope', '--output', output);
  assert.equal(unknown.code, 2);
});

/**
 * Damaged cache artifacts and entries are never used or published: on the flagship pipeline,
 * each kind of damage is set aside with a warning naming it, the step that made it is computed
 * again, and the committed files come out byte-identical to those of an undamaged run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import type { RunRecord } from '../../src/engine/record.js';
import { committedFiles, flipByte, flipDigit, runOf, storePaths } from './helpers.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';
const dir = shippedProjectCopy('damage');
const store = join(dir, '.medpipe');
const { objectPath, entryPath } = storePaths(store);
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let baseline: RunRecord;
let committed: Map<string, Buffer>;

/** The run's outcome per step, as the run record has it. */
function outcomes(r: RunRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(r.steps).map(([id, s]) => [id, s.status]));
}

/** Every step's outputs in a run equal the baseline's, and the committed files are byte-identical. */
function assertSameAsBaseline(r: RunRecord): void {
  for (const [id, s] of Object.entries(baseline.steps)) assert.deepEqual(r.steps[id].outputs, s.outputs, `outputs of ${id}`);
  for (const [file, bytes] of committedFiles(dir)) assert.ok(bytes.equals(committed.get(file) as Buffer), `${file} differs from the undamaged run's`);
}

test('an undamaged run: the baseline', async () => {
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  baseline = runOf(store, r.out);
  committed = committedFiles(dir);
  assert.ok(committed.has('metrics/breast-cancer-svm.json') && committed.has('pipelines/breast-cancer.lock.yaml'));
});

test('a digit flipped in a published metrics artifact is not published: the evaluation is recomputed', async () => {
  const digest = baseline.steps['eval-svm'].outputs?.metrics as string;
  flipDigit(objectPath(digest));
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, new RegExp(`eval-svm: warning: artifact ${digest.slice(0, 12)}… \\(output "metrics"\\) does not match its digest`));
  const run = runOf(store, r.out);
  assert.equal(outcomes(run)['eval-svm'], 'done');
  assert.equal(outcomes(run)['register-svm'], 'cached', 'the recomputed metrics are the same bytes, so nothing after it changes');
  assertSameAsBaseline(run);
  assert.equal(sha256(objectPath(digest)), digest, 'the artifact is restored');
  assert.ok(
    readdirSync(join(store, 'quarantine')).some((n) => n.endsWith(`object-${digest}`)),
    'the damaged file is kept for inspection',
  );
});

test('a truncated artifact is caught by its size on a cached run, before anything reads it', async () => {
  const digest = baseline.steps['eval-svm'].outputs?.metrics as string;
  truncateSync(objectPath(digest), 100);
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /eval-svm: warning: artifact [0-9a-f]{12}… \(output "metrics"\) is 100 bytes, not the \d+ its entry records/);
  assertSameAsBaseline(runOf(store, r.out));
});

test('a byte flipped in a training set is never trained on: --force=svm recomputes the selection first', async () => {
  const digest = baseline.steps.select.outputs?.train as string;
  flipByte(objectPath(digest));
  const r = await runCli(dir, 'run', PIPELINE, '--force=svm');
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, new RegExp(`svm: warning: input artifact ${digest.slice(0, 12)}… \\(from select\\) does not match its digest`));
  const run = runOf(store, r.out);
  assert.equal(outcomes(run).select, 'done');
  assert.equal(outcomes(run).svm, 'done');
  assertSameAsBaseline(run);
});

test('a cache entry that is not valid JSON, or names another key, is set aside and the step recomputed', async () => {
  for (const damage of [
    '{"key": "trunc',
    JSON.stringify({ ...JSON.parse(readFileSync(entryPath(baseline.steps['eval-forest'].key as string), 'utf8')), key: 'f'.repeat(64) }),
  ]) {
    writeFileSync(entryPath(baseline.steps['eval-forest'].key as string), damage);
    const r = await runCli(dir, 'run', PIPELINE);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /eval-forest: warning: cache entry [0-9a-f]{12}… (is not valid JSON|names another key)/);
    assert.equal(outcomes(runOf(store, r.out))['eval-forest'], 'done');
    assertSameAsBaseline(runOf(store, r.out));
  }
});

test('status reports a damaged artifact that no run reads; cache verify sets it aside; the next run restores it', async () => {
  const digest = baseline.steps.forest.outputs?.model as string;
  flipByte(objectPath(digest));
  const status = await runCli(dir, 'status', PIPELINE);
  assert.equal(status.code, 0);
  assert.match(status.out, new RegExp(`forest\\s+damaged\\s+matches\\s+artifact ${digest.slice(0, 12)}… \\(output "model"\\) does not match its digest`));
  const verify = await runCli(dir, 'cache', 'verify');
  assert.equal(verify.code, 1);
  assert.match(verify.err, new RegExp(`damaged: artifact ${digest} does not match its digest`));
  assert.match(verify.out, /1 damaged item set aside/);
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.equal(outcomes(runOf(store, r.out)).forest, 'done');
  assertSameAsBaseline(runOf(store, r.out));
  assert.equal((await runCli(dir, 'cache', 'verify')).code, 0);
  assert.doesNotMatch((await runCli(dir, 'status', PIPELINE)).out, /damaged|stale/);
});

test('report does not show the numbers of a damaged metrics artifact, and says why', async () => {
  const digest = baseline.steps['eval-forest'].outputs?.metrics as string;
  flipDigit(objectPath(digest));
  const output = join(dir, 'report.html');
  const r = await runCli(dir, 'report', '--output', output);
  assert.equal(r.code, 0, r.err);
  assert.match(readFileSync(output, 'utf8'), /its metrics artifact does not match its digest, so its numbers are not shown/);
  assert.equal((await runCli(dir, 'cache', 'verify')).code, 1);
  const rerun = await runCli(dir, 'run', PIPELINE);
  assert.equal(rerun.code, 0, rerun.err + rerun.out);
  assertSameAsBaseline(runOf(store, rerun.out));
});

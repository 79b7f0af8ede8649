/**
 * A registered bundle changed after registration is never served: predict, recommend and export
 * refuse it naming the version and both digests, and `models audit` fails on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { flipDigit } from './helpers.js';

const dir = shippedProjectCopy('tamper');
let bundleDigest: string;
let bundleFile: string;
let rows: string;

test('the flagship registers breast-cancer-svm; predict serves it while it is intact', async () => {
  assert.equal((await runCli(dir, 'run', 'pipelines/breast-cancer.yaml')).code, 0);
  const show = JSON.parse((await runCli(dir, 'models', 'show', 'breast-cancer-svm@staging', '--json')).out) as { bundleDigest: string };
  bundleDigest = show.bundleDigest;
  bundleFile = join(dir, '.medpipe', 'objects', bundleDigest.slice(0, 2), bundleDigest.slice(2));
  rows = join(dir, 'rows.csv');
  writeFileSync(
    rows,
    readFileSync(join(dir, 'data', 'breast-cancer-wisconsin.csv'), 'utf8')
      .split('\n')
      .slice(0, 6)
      .join('\n') + '\n',
  );
  const ok = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', rows);
  assert.equal(ok.code, 0, ok.err);
  assert.equal((await runCli(dir, 'models', 'audit')).code, 0);
});

test('one digit changed in the bundle: predict, recommend and export refuse it, audit fails', async () => {
  flipDigit(bundleFile);
  const refusal = new RegExp(
    `the bundle of breast-cancer-svm@1 in the store \\(.*\\) does not match its registered digest \\(expected ${bundleDigest}, actual [0-9a-f]{64}\\)`,
  );
  const predict = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', rows);
  assert.equal(predict.code, 1);
  assert.match(predict.err, refusal);
  assert.equal(predict.out, '', 'no prediction is printed');
  const recommend = await runCli(dir, 'recommend', 'breast-cancer-svm@staging', '--patient', 'P1');
  assert.equal(recommend.code, 1);
  assert.match(recommend.err, refusal);
  const exported = await runCli(dir, 'models', 'export', 'breast-cancer-svm@1', mkdtempSync(join(tmpdir(), 'medpipe-export-')));
  assert.equal(exported.code, 1);
  assert.match(exported.err, refusal);
  const audit = await runCli(dir, 'models', 'audit');
  assert.equal(audit.code, 1);
  assert.match(audit.err, /audit FAILED at breast-cancer-svm@1: .*does not match its registered digest/);
});

test('after cache verify and a re-run the registered bundle is restored and served again', async () => {
  assert.equal((await runCli(dir, 'cache', 'verify')).code, 1);
  const r = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err + r.out);
  assert.equal((await runCli(dir, 'models', 'audit')).code, 0);
  assert.equal((await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', rows)).code, 0);
});

/**
 * Every run ends with its results, on a terminal (the live table) as in plain and JSON output:
 * headline metrics with intervals and gates per evaluation, versions registered and aliases
 * moved, files written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/cli.js';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';
const dir = shippedProjectCopy('summary');

/** The CLI as on a terminal: stdout is a TTY, so the live table reporter draws. */
async function onTerminal(...args: string[]): Promise<string> {
  let screen = '';
  const stdout = { isTTY: true, columns: 160, write: (t: string) => ((screen += t), true) } as unknown as NodeJS.WriteStream;
  const ci = process.env.CI;
  delete process.env.CI; // CI=1 selects plain lines even on a terminal
  try {
    const code = await main(args, { out: (t) => (screen += `${t}\n`), err: (t) => (screen += `${t}\n`), stdout, cwd: dir });
    assert.equal(code, 0, screen);
  } finally {
    if (ci !== undefined) process.env.CI = ci;
  }
  return screen;
}

test("a terminal run ends with each evaluation's headline metrics and gates, the registrations and the files written", async () => {
  const screen = await onTerminal('run', PIPELINE);
  const results = screen.slice(screen.lastIndexOf('results:'));
  assert.match(
    results,
    /eval-svm: roc_auc 0\.\d{4} \(0\.\d{4}–[01]\.\d{4}\), sensitivity [\d.]+ \([\d.]+–[\d.]+\), specificity [\d.]+ \([\d.]+–[\d.]+\), balanced_accuracy [\d.]+ \([\d.]+–[\d.]+\); gates: 2 passed/,
  );
  assert.match(results, /eval-forest: roc_auc .*; gates: 1 passed/);
  assert.match(results, /register-svm: registered breast-cancer-svm@1, staging -> 1/);
  assert.match(results, /register-forest: registered breast-cancer-forest@1, staging -> 1/);
  assert.match(results, /files: metrics\/breast-cancer-forest\.json, metrics\/breast-cancer-svm\.json, pipelines\/breast-cancer\.lock\.yaml/);
});

test('plain output ends with the same results; a cached re-run says the versions were registered before', async () => {
  const r = await runCli(dir, 'run', PIPELINE, '--plain');
  assert.equal(r.code, 0, r.err);
  const results = r.out.slice(r.out.lastIndexOf('results:'));
  assert.match(results, /eval-svm: roc_auc/);
  assert.match(results, /register-svm: breast-cancer-svm@1, registered before/);
});

test("an experiment's results say what was not registered and not written", async () => {
  const r = await runCli(dir, 'run', PIPELINE, '--set', 'svm.C=3');
  const results = r.out.slice(r.out.lastIndexOf('results:'));
  assert.match(results, /register-svm: breast-cancer-svm not registered \(experiment; --register registers it\)/);
  assert.match(results, /not written \(experiment\): metrics\/breast-cancer-forest\.json, metrics\/breast-cancer-svm\.json/);
});

test('--json ends with one run:summary line', async () => {
  const r = await runCli(dir, 'run', PIPELINE, '--json');
  const last = JSON.parse(r.out.trim().split('\n').pop() as string) as { type: string; lines: string[] };
  assert.equal(last.type, 'run:summary');
  assert.ok(last.lines.some((l) => l.startsWith('eval-svm: roc_auc')));
});

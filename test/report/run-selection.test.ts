/**
 * Which run `medpipe report` shows when none is named: the latest complete run (every step
 * selected, finished ok or failed), not a later `--only` run that left most of the pipeline out;
 * an --only run only when nothing else exists, said so on stderr and in the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/report.js';
import { isCompleteRun, type RunRecord } from '../../src/engine/record.js';
import { runPipeline, tempProject } from './project.js';

async function report(dir: string, args: string[] = []): Promise<{ code: number; out: string; err: string; html: string }> {
  const file = join(dir, `report-${Date.now()}.html`);
  let out = '';
  let err = '';
  const code = await reportCommand(args, { cwd: dir, store: join(dir, '.medpipe'), output: file }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err, html: code === 0 ? readFileSync(file, 'utf8') : '' };
}

test('isCompleteRun: finished runs of every step only', () => {
  const base = { status: 'ok', options: { only: null } } as unknown as RunRecord;
  assert.equal(isCompleteRun(base), true);
  assert.equal(isCompleteRun({ ...base, status: 'failed' }), true, 'a failed gate still ran every step it could');
  assert.equal(isCompleteRun({ ...base, status: 'running' }), false);
  assert.equal(isCompleteRun({ ...base, status: 'interrupted' }), false);
  assert.equal(isCompleteRun({ ...base, options: { only: ['eval-svm'] } }), false);
  assert.equal(isCompleteRun({ ...base, options: { only: [] } }), true);
  assert.equal(isCompleteRun({ ...base, options: {} }), true, 'records written before --only was recorded');
});

test('the report defaults to the latest complete run, not a later --only run', async () => {
  const dir = tempProject();
  const full = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(full.code, 0, full.output);
  const only = await runPipeline(dir, 'pipelines/breast-cancer.yaml', '--only', 'split');
  assert.equal(only.code, 0, only.output);
  assert.deepEqual(only.record.options.only, ['split']);
  assert.ok(only.record.startedAt > full.record.startedAt);

  const r = await report(dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`report of run ${full.record.runId} `));
  assert.equal(r.err, '');
  assert.ok(r.html.includes(`<code>${full.record.runId}</code>`));

  // Named, the --only run is reported, and the page says what it leaves out.
  const named = await report(dir, [only.record.runId]);
  assert.equal(named.code, 0, named.err);
  assert.match(named.html, /<div class="warning">an --only run of split: the steps it did not need are not in this report/);
});

test('with only --only runs in the store, the latest is reported with a note saying so', async () => {
  const dir = tempProject();
  const only = await runPipeline(dir, 'pipelines/breast-cancer.yaml', '--only', 'prep');
  assert.equal(only.code, 0, only.output);
  const r = await report(dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`report of run ${only.record.runId} `));
  assert.match(r.err, /no complete run in .*\.medpipe: reporting the latest run, an --only run of prep; run the whole pipeline for a full report/);
});

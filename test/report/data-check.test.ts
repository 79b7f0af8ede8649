/**
 * check.data in the report, on real runs of the hospital-readmission builtin: its section comes
 * right after the registered models (the first about the pipeline's data), with the per-column
 * table (kind, missing with tokens, distribution), the duplicate ids by row number, the leaky
 * column, the train/test shift and the expectations; a failed check shows its violations; and the
 * published report file is written after a failed check too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/report.js';
import { renderReport } from '../../src/report/render.js';
import { runPipeline, tempProject } from './project.js';

function pipeline(expect: string): string {
  return `medpipe: 1
name: readmission-check
steps:
  load:
    uses: load.builtin
    with: { name: hospital-readmission, seed: 7 }
  split:
    uses: split
    in: { data: load }
    with: { test_size: 0.3, stratify: true, seed: 1 }
  check:
    uses: check.data
    in: { data: load, train: split.train, test: split.test }
    with: { expect: ${expect}, report_file: ../results/data-check.json }
`;
}

async function reportOf(dir: string, runId: string): Promise<string> {
  const file = join(dir, `${runId}.html`);
  assert.equal(await reportCommand([runId], { cwd: dir, store: join(dir, '.medpipe'), output: file }, { out: () => {}, err: (t) => assert.fail(t) }), 0);
  return readFileSync(file, 'utf8');
}

test('the data check section: columns with missing tokens, duplicate ids by row, the leaky column, shift and expectations', async () => {
  const dir = tempProject();
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  writeFileSync(join(dir, 'pipelines', 'readmission-check.yaml'), pipeline('{ age: { min: 0, max: 120 }, bmi: { missing: "<= 0.1" } }'));
  const run = await runPipeline(dir, 'pipelines/readmission-check.yaml');
  assert.equal(run.code, 0, run.output);
  const published = JSON.parse(readFileSync(join(dir, 'results', 'data-check.json'), 'utf8')) as { duplicate_ids: { examples: number[] }[] };
  const html = await reportOf(dir, run.record.runId);
  const section = /<section class="data-check" id="data-check" data-step="check">.*?<\/section>/s.exec(html)?.[0];
  assert.ok(section, 'a data check section');
  assert.ok(html.indexOf('<section class="data-check"') < html.indexOf('<section id="graph"'));
  assert.match(
    section,
    /<tr data-column="bmi"><td><code>bmi<\/code><\/td><td>numeric<\/td><td class="num">\d+ · [\d.]+ <span class="muted">\(blank \d+, &quot;NA&quot; \d+\)<\/span><\/td><td>min /,
  );
  assert.match(section, /<tr data-column="systolic_bp">.*?\((&quot;NA&quot; \d+, &quot;\?&quot; \d+|&quot;\?&quot; \d+, &quot;NA&quot; \d+)\)/);
  assert.match(
    section,
    /<tr data-column="patient_id"><td><code>patient_id<\/code><\/td><td>id<\/td><td class="num">0<\/td><td>\d+ distinct values \(not shown\)<\/td>/,
  );
  assert.ok(section.includes(`on more than one row: `) && section.includes(`(rows ${published.duplicate_ids[0].examples.join(', ')}, …)`));
  assert.match(
    section,
    /<li class="leakage warning" data-column="discharge_code">possible leakage: <code>discharge_code<\/code> alone predicts the target with AUC 0\.9\d\d/,
  );
  assert.match(section, /<table class="data-shift">.*<tr data-column="age"><td><code>age<\/code><\/td><td class="num">[\d.]+<\/td><td><\/td><\/tr>/s);
  assert.match(section, /<tr class="passed"><td><code>age<\/code><\/td><td>max 120<\/td>/);
  assert.doesNotMatch(section, /P0\d{5}|bed \d/, 'no id or note value reaches the page');
});

test('a failed expectation: the section lists the violations by row number, and the report file is still published', async () => {
  const dir = tempProject();
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  writeFileSync(join(dir, 'pipelines', 'readmission-check.yaml'), pipeline('{ patient_id: unique }'));
  const run = await runPipeline(dir, 'pipelines/readmission-check.yaml');
  assert.equal(run.code, 1, run.output);
  assert.equal(run.record.steps.check.status, 'failed');
  assert.match(run.output, /expectation failed: column "patient_id" unique: \d+ rows \(rows [\d, ]+, …\)/);
  assert.ok(existsSync(join(dir, 'results', 'data-check.json')), 'published after the failed check, like a failed gate');
  const html = await reportOf(dir, run.record.runId);
  assert.match(
    html,
    /<section class="data-check" id="data-check" data-step="check"><h2>Data check: <code>check<\/code> <span class="badge failed">failed<\/span><\/h2>.*<li>[^<]*expectation failed: column &quot;patient_id&quot; unique: \d+ rows \(rows [\d, ]+, …\)<\/li>/s,
  );
});

test('a date column is summarised as dates, and a check without a report says why', () => {
  const html = renderReport({
    runId: 'r1',
    pipeline: { name: 'p', file: 'p.yaml', digest: 'ab'.repeat(32) },
    warnings: [],
    git: null,
    status: 'done',
    startedAt: '2026-01-01T00:00:00.000Z',
    steps: [],
    evaluations: [],
    modelImportances: [],
    dataChecks: [
      {
        step: 'check',
        report: {
          rows: 10,
          columns: [
            {
              name: 'admitted',
              kind: 'date',
              missing: 0,
              numeric: { min: 17897, q1: 18000, median: 18500, q3: 19000, max: 20088, mean: 18500.4, outliers: 0 },
            },
          ],
          duplicate_rows: { rows: 0, examples: [] },
          duplicate_ids: [],
          leakage: { threshold: 0.98, columns: [], flagged: [] },
          expectations: [],
        },
      },
      { step: 'gone', missing: 'its data-check report is not in this store' },
    ],
  });
  assert.match(
    html,
    /<tr data-column="admitted"><td><code>admitted<\/code><\/td><td>date<\/td><td class="num">0<\/td><td>min 2019-01-01 · Q1 2019-04-14 · median 2020-08-26 · Q3 2022-01-08 · max 2024-12-31 · mean 2020-08-26;/,
  );
  assert.match(html, /data-step="gone"><h2>Data check: <code>gone<\/code><\/h2><p class="muted">No report: its data-check report is not in this store\.<\/p>/);
});

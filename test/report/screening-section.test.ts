/**
 * The report's section for an evaluate.screening step, from the metrics the step writes on the
 * real series + library pool: one row per method and one column per metric with its interval, the
 * best value marked, and a verdict that names a method only when its interval clears the others'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { fmtEstimate } from '../../src/report/format.js';
import { renderReport } from '../../src/report/render.js';
import type { MetricsReport } from '../../src/report/report-data.js';
import combine from '../../src/steps/combine.js';
import evaluateScreening from '../../src/steps/evaluate.screening.js';
import { runStep } from '../helpers/step-harness.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-screening-report-'));

async function screeningReport(methods: Record<string, unknown>, compare: unknown[] = []): Promise<MetricsReport> {
  const series = join(dir, 'series.arrow');
  const library = join(dir, 'library.arrow');
  await writeDatasetFile(series, await readCsv(join(ROOT, 'data', 'chembl2321810-pic50.csv'), { id: ['compound_id'], target: 'pic50' }));
  await writeDatasetFile(library, await readCsv(join(ROOT, 'data', 'nci-screening-5k.csv'), { id: ['nci_id'] }));
  const pool = (await runStep(combine, { a: series, b: library }, { rename: { b: { nci_id: 'compound_id' } } })).outputs.data;
  const run = await runStep(
    evaluateScreening,
    { pool },
    { active: { column: 'pic50', op: '>=', value: 7 }, methods, compare, bootstrap: { resamples: 200 }, seed: 3 },
  );
  return JSON.parse(readFileSync(run.outputs.metrics, 'utf8')) as MetricsReport;
}

const render = (report: MetricsReport): string =>
  renderReport({
    runId: 'r1',
    pipeline: { name: 'screen', file: 'screen.yaml', digest: 'ab'.repeat(32) },
    warnings: [],
    git: null,
    status: 'done',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 20,
    steps: [],
    evaluations: [{ step: 'benchmark', report }],
    modelImportances: [],
  });

function row(html: string, method: string): string {
  const m = new RegExp(`<tr data-method="${method}">(.*?)</tr>`).exec(html);
  assert.ok(m, `a row for ${method}`);
  return m[1];
}

test('methods side by side: a row per method, a column per metric, values with intervals, the clear winner named', async () => {
  const report = await screeningReport({
    oracle: { by: [{ column: 'pic50', missing: 'last' }] },
    random: { random: true },
  });
  const html = render(report);
  assert.match(
    html,
    /<h3>Methods side by side<\/h3><table class="metrics screening"><thead><tr><th>method<\/th><th>ef@1%<\/th><th>ef@5%<\/th><th>bedroc<\/th><th>roc_auc<\/th><\/tr>/,
  );
  assert.match(html, /353 actives \(pic50 &gt;= 7\) among 6016 molecules \(5\.9%\)/);
  const oracle = row(html, 'oracle');
  assert.match(oracle, /pic50 descending \(missing last\)/);
  for (const x of ['ef@1%', 'bedroc', 'roc_auc']) {
    const shown = fmtEstimate(report.metrics[`oracle.${x}`]);
    assert.ok(oracle.includes(`<strong>${shown.replace(/&/g, '&amp;')}</strong>`), `oracle ${x} bold: ${shown}`);
  }
  assert.ok(!row(html, 'random').includes('<strong>'));
  assert.match(html, /Its interval lies above every other method's for oracle on ef@1%, oracle on ef@5%, oracle on bedroc, oracle on roc_auc/);
});

test('two random orders: no method clears the others, and the page says the differences may be chance', async () => {
  const html = render(await screeningReport({ one: { random: true, seed: 1 }, two: { random: true, seed: 2 } }));
  assert.match(html, /No method's interval lies above every other's: the differences may be chance\./);
});

test('paired differences: their own table, a verdict from each interval, and no row of their own among the methods', async () => {
  const report = await screeningReport(
    { oracle: { by: [{ column: 'pic50', missing: 'last' }] }, one: { random: true, seed: 1 }, two: { random: true, seed: 2 } },
    [
      { method: 'oracle', against: 'one' },
      { method: 'one', against: 'two' },
    ],
  );
  const html = render(report);
  assert.match(html, /<h3>Paired differences<\/h3>/);
  assert.ok(!html.includes('<tr data-method="oracle-vs-one">'));
  const diff = /<tr data-comparison="oracle-vs-one">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
  assert.ok(diff.includes(fmtEstimate(report.metrics['oracle-vs-one.bedroc'])), diff);
  assert.match(diff, /oracle better on ef@1%, ef@5%, bedroc, roc_auc/);
  const chance = /<tr data-comparison="one-vs-two">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
  const e = report.metrics['one-vs-two.bedroc'];
  // Two random orders: their BEDROC difference's interval spans 0 on this seed, so no verdict on it.
  assert.ok(e.ci_low! < 0 && e.ci_high! > 0, JSON.stringify(e));
  assert.ok(!/bedroc/.test(chance.slice(chance.lastIndexOf('<td>'))), chance);
});

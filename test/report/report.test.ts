/**
 * The HTML report end to end: the flagship pipeline runs in a temporary project, `reportCommand`
 * writes its report, and headless Chromium opens it from file://, checks that each section drew
 * its SVG charts (one DAG node per step, ROC paths with the metrics file's points), that no request
 * left the page and nothing was logged as an error, and saves a screenshot to test-output/report.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { reportCommand } from '../../src/cli/report.js';
import type { RunRecord } from '../../src/engine/record.js';
import { ROOT, runPipeline, tempProject } from './project.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const dir = tempProject();
let record: RunRecord;
let reportFile: string;
let browser: Browser;

before(async () => {
  const run = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(run.code, 0, run.output);
  record = run.record;
  reportFile = join(dir, 'report.html');
  const out: string[] = [];
  const code = await reportCommand([], { store: join(dir, '.medpipe'), output: reportFile }, { out: (t) => out.push(t), err: (t) => out.push(t) });
  assert.equal(code, 0, out.join('\n'));
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

/** The metrics artifact an evaluate step wrote, as the report read it. */
function metricsOf(step: string): { roc_curve?: { fpr: number[] }; importance?: unknown } {
  const digest = record.steps[step].outputs?.metrics as string;
  return JSON.parse(readFileSync(join(dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2)), 'utf8'));
}

test('the report opens in Chromium with every chart drawn, offline, without errors', async () => {
  const page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const url = pathToFileURL(reportFile).href;
  await page.goto(url, { waitUntil: 'load' });

  const seen = await page.evaluate(() => {
    const count = (selector: string): number => document.querySelectorAll(selector).length;
    const svgBox = (selector: string): { width: number; height: number } => {
      const r = document.querySelector(selector)?.getBoundingClientRect();
      return { width: r?.width ?? 0, height: r?.height ?? 0 };
    };
    const evaluations = [...document.querySelectorAll<HTMLElement>('section.evaluation')].map((s) => ({
      step: s.dataset.step ?? '',
      svgs: s.querySelectorAll('svg').length,
      roc: s.querySelectorAll('svg.chart-roc').length,
      pr: s.querySelectorAll('svg.chart-pr').length,
      calibration: s.querySelectorAll('svg.chart-calibration').length,
      confusion: s.querySelectorAll('svg.chart-confusion').length,
      confusionCells: s.querySelectorAll('svg.chart-confusion .cell').length,
      ci: s.querySelectorAll('svg.chart-ci').length,
      importance: s.querySelectorAll('svg.chart-importance').length,
      rocPoints: Number(s.querySelector('svg.chart-roc path.curve')?.getAttribute('data-points') ?? 0),
      rocPathCommands: (s.querySelector('svg.chart-roc path.curve')?.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0,
      rocLength: (s.querySelector('svg.chart-roc path.curve') as SVGPathElement | null)?.getTotalLength() ?? 0,
      metricRows: s.querySelectorAll('table.metrics tr[data-metric]').length,
    }));
    return {
      graphSvgs: count('#graph svg'),
      dagNodes: [...document.querySelectorAll<SVGGElement>('#graph svg g.node')].map((g) => g.dataset.step ?? ''),
      dagEdges: count('#graph svg path.edge'),
      dagBox: svgBox('#graph svg'),
      timelineSvgs: count('#timeline svg'),
      timelineRows: count('#timeline svg g.timeline-row'),
      timelineBars: count('#timeline svg g.bar rect'),
      modelImportanceSvgs: count('#model-importances svg'),
      scripts: count('script'),
      evaluations,
    };
  });

  const steps = Object.keys(record.steps);
  assert.equal(seen.graphSvgs, 1);
  assert.deepEqual([...seen.dagNodes].sort(), [...steps].sort(), 'one DAG node per step of the run');
  assert.ok(seen.dagEdges >= steps.length - 1, `the DAG has its edges (${seen.dagEdges})`);
  assert.ok(seen.dagBox.width > 300 && seen.dagBox.height > 40, 'the DAG is laid out with a size');
  assert.equal(seen.timelineSvgs, 1);
  assert.equal(seen.timelineRows, steps.length);
  assert.equal(seen.timelineBars, steps.filter((s) => record.steps[s].status === 'done').length, 'a bar per step that ran');
  assert.equal(seen.modelImportanceSvgs, 1, 'the forest\'s impurity importances');
  assert.equal(seen.scripts, 0);

  const evaluateSteps = steps.filter((s) => record.steps[s].outputs?.metrics);
  assert.deepEqual(seen.evaluations.map((e) => e.step).sort(), evaluateSteps.sort());
  for (const e of seen.evaluations) {
    const metrics = metricsOf(e.step);
    const rocPoints = metrics.roc_curve?.fpr.length ?? 0;
    assert.deepEqual([e.roc, e.pr, e.calibration, e.confusion], [1, 1, 1, 1], `${e.step}: ROC, PR, calibration and confusion charts`);
    assert.equal(e.confusionCells, 4, `${e.step}: a 2x2 confusion matrix`);
    assert.ok(e.ci >= 1, `${e.step}: a confidence interval chart`);
    assert.equal(e.importance, metrics.importance ? 1 : 0, `${e.step}: permutation importance chart when computed`);
    assert.equal(e.svgs, e.roc + e.pr + e.calibration + e.confusion + e.ci + e.importance);
    assert.ok(rocPoints > 2);
    assert.equal(e.rocPoints, rocPoints, `${e.step}: the ROC path has the metrics file's points`);
    assert.equal(e.rocPathCommands, rocPoints);
    assert.ok(e.rocLength > 100, `${e.step}: the ROC path is drawn (length ${e.rocLength})`);
    assert.ok(e.metricRows > 0);
  }

  assert.deepEqual(requests, [url], 'the only request is the report itself');
  assert.deepEqual(problems, []);

  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'test-output', 'report.png'), fullPage: true });
  await page.close();
});

test('a cached re-run reports its cache hits; a run id prefix selects the run', async () => {
  const run = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(run.code, 0, run.output);
  const file = join(dir, 'cached.html');
  const code = await reportCommand([run.record.runId.slice(0, -2)], { store: join(dir, '.medpipe'), output: file }, { out: () => {}, err: (t) => assert.fail(t) });
  assert.equal(code, 0);
  const html = readFileSync(file, 'utf8');
  const cached = Object.entries(run.record.steps).filter(([, s]) => s.status === 'cached').map(([id]) => id);
  assert.ok(cached.length > 0);
  for (const id of cached) assert.match(html, new RegExp(`<g class="node status-cached" data-step="${id}"`));
  assert.equal(html.match(/<g class="cache-hit">/g)?.length, cached.length);
  // Metrics of cached evaluate steps are still shown: they come from the stored artifacts.
  assert.equal(html.match(/<svg class="chart chart-roc"/g)?.length, 2);
});

test('an unknown run id is an error naming the store', async () => {
  const errors: string[] = [];
  const code = await reportCommand(['19990101'], { store: join(dir, '.medpipe') }, { out: () => {}, err: (t) => errors.push(t) });
  assert.equal(code, 1);
  assert.match(errors.join('\n'), /no run "19990101" in .*\.medpipe/);
});

/**
 * The HTML report end to end: every shipped pipeline runs once in one temporary project,
 * `reportCommand` writes each run's report, and headless Chromium opens them from file://. It
 * checks what a reader sees: the registered models' cards first, a sortable leaderboard for a
 * sweep (ALS, item-kNN and popularity side by side for the recommender), the drug-discovery
 * GAN losses, observed-vs-predicted plot and candidate table, DAG labels whole and inside their
 * boxes, one number format, and that no request leaves the page. A full-page screenshot of each
 * report is written under the temporary project (paths in the test's diagnostics).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { reportCommand } from '../../src/cli/report.js';
import type { RunRecord } from '../../src/engine/record.js';
import { fmtEstimate, fmtNumber } from '../../src/report/format.js';
import { parseCsv } from '../../src/report/csv-text.js';
import { runPipeline, tempProject } from './project.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PIPELINES = ['breast-cancer', 'breast-cancer-sweep', 'treatment-recommendation', 'diabetes-progression', 'drug-discovery'] as const;
type Shipped = (typeof PIPELINES)[number];

const dir = tempProject();
const records = new Map<Shipped, RunRecord>();
const reports = new Map<Shipped, string>();
let browser: Browser;

before(async () => {
  for (const name of PIPELINES) {
    const run = await runPipeline(dir, `pipelines/${name}.yaml`);
    assert.equal(run.code, 0, run.output);
    records.set(name, run.record);
    const file = join(dir, `${name}.html`);
    const out: string[] = [];
    const code = await reportCommand(
      [run.record.runId],
      { cwd: dir, store: join(dir, '.medpipe'), output: file },
      { out: (t) => out.push(t), err: (t) => out.push(t) },
    );
    assert.equal(code, 0, out.join('\n'));
    reports.set(name, file);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

const record = (name: Shipped): RunRecord => records.get(name) as RunRecord;

/** An artifact of the run, read straight from the store (the test's own view of what the report should show). */
function artifact<T>(name: Shipped, step: string, port: string): T {
  const digest = record(name).steps[step].outputs?.[port] as string;
  return JSON.parse(readFileSync(join(dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2)), 'utf8')) as T;
}

interface Metrics {
  n: number;
  roc_curve?: { fpr: number[] };
  importance?: unknown;
  metrics: Record<string, { value: number; ci_low: number | null; ci_high: number | null }>;
  baseline?: { metrics: Record<string, { value: number; ci_low: number | null; ci_high: number | null }> };
}
const metricsOf = (name: Shipped, step: string): Metrics => artifact<Metrics>(name, step, 'metrics');

/** Opens a report, recording every request and every console error or warning. */
async function open(name: Shipped): Promise<{ page: Page; url: string; requests: string[]; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const url = pathToFileURL(reports.get(name) as string).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, problems };
}

test("every shipped pipeline's report opens offline, without errors, and is screenshotted", async (t) => {
  const shots = join(dir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  for (const name of PIPELINES) {
    const { page, url, requests, problems } = await open(name);
    const scripts = await page.evaluate(() => document.querySelectorAll('script').length);
    assert.equal(scripts, 0, name);
    assert.deepEqual(requests, [url], `${name}: the only request is the report itself`);
    assert.deepEqual(problems, [], name);
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    assert.ok(statSync(path).size > 10_000, `${path} has a picture`);
    t.diagnostic(`screenshot of the ${name} report: ${path}`);
    await page.close();
  }
});

test('the breast-cancer report draws every chart of every evaluation, the graph and the timeline', async () => {
  const { page } = await open('breast-cancer');
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
      evaluations,
    };
  });
  await page.close();

  const steps = Object.keys(record('breast-cancer').steps);
  assert.equal(seen.graphSvgs, 1);
  assert.deepEqual([...seen.dagNodes].sort(), [...steps].sort(), 'one DAG node per step of the run');
  assert.ok(seen.dagEdges >= steps.length - 1, `the DAG has its edges (${seen.dagEdges})`);
  assert.ok(seen.dagBox.width > 300 && seen.dagBox.height > 40, 'the DAG is laid out with a size');
  assert.equal(seen.timelineSvgs, 1);
  assert.equal(seen.timelineRows, steps.length);
  assert.equal(seen.timelineBars, steps.filter((s) => record('breast-cancer').steps[s].status === 'done').length, 'a bar per step that ran');
  assert.equal(seen.modelImportanceSvgs, 1, "the forest's impurity importances");

  const evaluateSteps = steps.filter((s) => record('breast-cancer').steps[s].outputs?.metrics);
  assert.deepEqual(seen.evaluations.map((e) => e.step).sort(), evaluateSteps.sort());
  for (const e of seen.evaluations) {
    const metrics = metricsOf('breast-cancer', e.step);
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
});

/** The register steps' `with:` as written in the shipped pipeline file. */
function registerParams(name: Shipped): Record<string, { intended_use: string; limitations: string; name: string }> {
  const doc = parseYaml(readFileSync(join(dir, 'pipelines', `${name}.yaml`), 'utf8')) as {
    steps: Record<string, { uses: string; with: { intended_use: string; limitations: string; name: string } }>;
  };
  return Object.fromEntries(
    Object.entries(doc.steps)
      .filter(([, s]) => s.uses === 'register')
      .map(([id, s]) => [id, s.with]),
  );
}

test('the report opens with each registered model: its card, headline metrics with intervals, its gates', async () => {
  for (const name of ['breast-cancer', 'drug-discovery'] as const) {
    const { page } = await open(name);
    const seen = await page.evaluate(() => {
      const text = (e: Element | null | undefined): string => (e?.textContent ?? '').replace(/\s+/g, ' ').trim();
      const sections = [...document.querySelectorAll<HTMLElement>('main > section')];
      return {
        first: sections[0]?.id,
        modelsTop: document.querySelector('#models')?.getBoundingClientRect().top ?? Infinity,
        othersTop: Math.min(...sections.slice(1).map((s) => s.getBoundingClientRect().top)),
        cards: [...document.querySelectorAll<HTMLElement>('#models article.model-card')].map((a) => ({
          step: a.dataset.step ?? '',
          title: text(a.querySelector('h3')),
          intendedUse: text(a.querySelector('.intended-use')),
          limitations: text(a.querySelector('.limitations')),
          input: text(a.querySelector('.input-columns')),
          headline: Object.fromEntries(
            [...a.querySelectorAll('table.headline tr[data-metric]')].map((tr) => [tr.getAttribute('data-metric') ?? '', text(tr.querySelector('td.num'))]),
          ),
          gates: [...a.querySelectorAll('table.gates tr[data-gate]')].map((tr) => `${tr.getAttribute('data-gate')} ${text(tr.querySelector('.badge'))}`),
        })),
      };
    });
    await page.close();
    assert.equal(seen.first, 'models', `${name}: the first section is the registered models`);
    assert.ok(seen.modelsTop < seen.othersTop, `${name}: and it is drawn above every other section`);
    const registers = registerParams(name);
    assert.deepEqual(
      seen.cards.map((c) => c.step),
      Object.keys(registers),
      `${name}: one card per register step, in the file's order`,
    );
    for (const card of seen.cards) {
      const wanted = registers[card.step];
      const summary = record(name).steps[card.step].summary as { version: number };
      assert.match(card.title, new RegExp(`^${wanted.name} version ${summary.version}, alias staging registered$`));
      assert.equal(card.intendedUse, wanted.intended_use.replace(/\s+/g, ' ').trim(), `${card.step}: intended use`);
      assert.equal(card.limitations, wanted.limitations.replace(/\s+/g, ' ').trim(), `${card.step}: limitations`);
      assert.ok(Object.keys(card.headline).length >= 2, `${card.step}: headline metrics`);
    }
  }

  // The numbers: the evaluation's own, with intervals, and the gates it passed.
  const { page } = await open('breast-cancer');
  const svm = await page.evaluate(() => {
    const card = document.querySelector('article.model-card[data-step="register-svm"]');
    return {
      headline: Object.fromEntries(
        [...(card?.querySelectorAll('table.headline tr[data-metric]') ?? [])].map((tr) => [
          tr.getAttribute('data-metric') ?? '',
          tr.querySelector('td.num')?.textContent ?? '',
        ]),
      ),
      gates: [...(card?.querySelectorAll('table.gates tr[data-gate]') ?? [])].map(
        (tr) => `${tr.getAttribute('data-gate')} ${tr.querySelector('.badge')?.textContent}`,
      ),
    };
  });
  await page.close();
  const metrics = metricsOf('breast-cancer', 'eval-svm').metrics;
  assert.deepEqual(
    Object.keys(svm.headline),
    ['roc_auc', 'sensitivity', 'specificity', 'precision', 'accuracy'],
    'the gated metrics first, then the usual ones',
  );
  for (const [metric, shown] of Object.entries(svm.headline)) assert.equal(shown, fmtEstimate(metrics[metric]), metric);
  assert.match(svm.headline.roc_auc, /^\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/);
  assert.deepEqual(svm.gates, ['roc_auc passed', 'sensitivity passed']);
});

/** The rows of a leaderboard in the order they are drawn, with the cells of one metric. */
async function leaderboardRows(
  page: Page,
  metric: string,
): Promise<{ step: string; label: string; chosen: boolean; value: number | null; text: string; ci: string }[]> {
  return page.evaluate((m) => {
    const rows = [...document.querySelectorAll<HTMLTableRowElement>('table.leaderboard tbody tr')].sort(
      (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
    );
    return rows.map((tr) => {
      const cell = tr.querySelector<HTMLElement>(`td[data-metric="${m}"]`);
      return {
        step: tr.dataset.step ?? '',
        label: tr.dataset.label ?? '',
        chosen: tr.classList.contains('chosen'),
        value: cell?.dataset.value ? Number(cell.dataset.value) : null,
        text: cell?.firstChild?.textContent ?? '',
        ci: cell?.querySelector('.ci')?.textContent ?? '',
      };
    });
  }, metric);
}

test("a sweep gets one leaderboard: every combination with intervals, select-best's choice marked and first, sortable by any metric", async () => {
  const run = record('breast-cancer-sweep');
  const best = (run.steps.best.summary as { best: string }).best;
  const evals = Object.keys(run.steps).filter((s) => s.startsWith('eval['));
  const { page } = await open('breast-cancer-sweep');
  const shape = await page.evaluate(() => ({
    leaderboards: document.querySelectorAll('section.leaderboard-section').length,
    evaluationSections: document.querySelectorAll('section.evaluation').length,
    folded: [...document.querySelectorAll<HTMLElement>('section.leaderboard-section details.member')].map((d) => ({
      step: d.dataset.step ?? '',
      roc: d.querySelectorAll('svg.chart-roc').length,
    })),
    forestRows: document.querySelectorAll('svg.chart-leaderboard g.interval').length,
    sortable: [...document.querySelectorAll('table.leaderboard thead th[data-metric] input[type=radio]')].length,
  }));
  assert.equal(shape.leaderboards, 1);
  assert.equal(shape.evaluationSections, 0, 'no section per combination: they are folded under the leaderboard');
  assert.deepEqual(shape.folded.map((f) => f.step).sort(), [...evals].sort());
  assert.ok(
    shape.folded.every((f) => f.roc === 1),
    'each folded evaluation keeps its curves',
  );
  assert.equal(shape.forestRows, evals.length);
  assert.equal(shape.sortable, Object.keys(metricsOf('breast-cancer-sweep', evals[0]).metrics).length);

  const initial = await leaderboardRows(page, 'roc_auc');
  assert.equal(initial.length, evals.length);
  assert.equal(initial.filter((r) => r.chosen).length, 1);
  assert.ok(initial[0].chosen, 'the chosen combination comes first');
  assert.equal(initial[0].step, best.replace(/^svm/, 'eval'), `select-best chose ${best}`);
  for (const r of initial) {
    const m = metricsOf('breast-cancer-sweep', r.step).metrics.roc_auc;
    assert.equal(`${r.text}${r.ci}`, `${fmtNumber(m.value)}[${fmtNumber(m.ci_low)}, ${fmtNumber(m.ci_high)}]`, `${r.step}: value and interval`);
  }

  // Sorting without script: the radio button in a column's header reorders the rows, better first.
  for (const [metric, direction] of [
    ['sensitivity', 'higher'],
    ['log_loss', 'lower'],
    ['roc_auc', 'higher'],
  ] as const) {
    await page.click(`table.leaderboard th[data-metric="${metric}"] input`);
    const rows = await leaderboardRows(page, metric);
    const values = rows.map((r) => r.value as number);
    const sorted = [...values].sort((a, b) => (direction === 'higher' ? b - a : a - b));
    assert.deepEqual(values, sorted, `sorted by ${metric}, ${direction} first`);
    const bold = await page.evaluate(
      (m) => [...document.querySelectorAll(`table.leaderboard td.col-best[data-metric="${m}"]`)].map((td) => Number((td as HTMLElement).dataset.value)),
      metric,
    );
    assert.deepEqual(bold, [sorted[0]], `the best ${metric} is in bold`);
  }
  await page.close();
});

test('the recommender report puts ALS, item-kNN and popularity side by side', async () => {
  const run = record('treatment-recommendation');
  const { page } = await open('treatment-recommendation');
  const rows = await leaderboardRows(page, 'ndcg@10');
  await page.close();
  assert.deepEqual(rows.map((r) => r.label).sort(), ['als', 'item-knn', 'popularity (baseline)']);
  const als = metricsOf('treatment-recommendation', 'eval[method=als]');
  const knn = metricsOf('treatment-recommendation', 'eval[method=item-knn]');
  const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
  assert.equal(byLabel.als.value, als.metrics['ndcg@10'].value);
  assert.equal(byLabel['item-knn'].value, knn.metrics['ndcg@10'].value);
  assert.equal(byLabel['popularity (baseline)'].value, als.baseline?.metrics['ndcg@10'].value);
  assert.deepEqual(als.baseline, knn.baseline, 'both were judged against the same popularity baseline');
  const chosen = rows.find((r) => r.chosen);
  assert.equal(chosen?.step, (run.steps.best.summary as { best: string }).best.replace(/^train/, 'eval'));
  assert.equal(rows[0].label, chosen?.label, "in select-best's order (NDCG@10), the chosen method first");
});

test('drug discovery: GAN loss curves, QSAR observed vs predicted with R², the top candidates, fingerprint columns in one line', async () => {
  const curves = artifact<{ points: unknown[] }>('drug-discovery', 'gan', 'curves');
  const qsar = metricsOf('drug-discovery', 'eval-qsar');
  const [header, ...csv] = parseCsv(readFileSync(join(dir, 'results', 'drug-candidates.csv'), 'utf8')).filter((r) => r.length > 1);
  const { page } = await open('drug-discovery');
  const seen = await page.evaluate(() => {
    const gan = document.querySelector('section.gan-training[data-step="gan"] svg.chart-gan-losses');
    const scatter = document.querySelector('#eval-eval-qsar svg.chart-observed-predicted');
    const table = document.querySelector('section.candidates[data-step="candidates"] table.candidates-table');
    const gen = document.querySelector('#eval-eval-gan');
    return {
      series: [...(gan?.querySelectorAll<SVGPathElement>('path.curve') ?? [])].map((p) => ({
        name: p.dataset.series ?? '',
        points: Number(p.dataset.points),
        length: p.getTotalLength(),
      })),
      scatterPoints: Number(scatter?.querySelector<SVGGElement>('g.points')?.dataset.points ?? 0),
      circles: scatter?.querySelectorAll('circle.point').length ?? 0,
      legend: scatter?.querySelector('text.legend')?.textContent ?? '',
      head: [...(table?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent ?? ''),
      rows: [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      notCompared: gen?.querySelector('.not-compared')?.textContent ?? '',
      genText: gen?.textContent ?? '',
    };
  });
  await page.close();

  assert.deepEqual(
    seen.series.map((s) => s.name),
    ['critic (discriminator)', 'generator'],
  );
  for (const s of seen.series) {
    assert.equal(s.points, curves.points.length, `${s.name}: every recorded loss`);
    assert.ok(s.length > 100, `${s.name}: drawn (length ${s.length})`);
  }
  assert.equal(seen.scatterPoints, qsar.n, 'one point per QSAR test molecule');
  assert.equal(seen.circles, qsar.n);
  assert.equal(seen.legend, `R² ${fmtNumber(qsar.metrics.r2.value)}`);

  assert.deepEqual(seen.head, header);
  assert.equal(seen.rows.length, Math.min(20, csv.length));
  seen.rows.forEach((row, i) => {
    assert.equal(row[header.indexOf('nci_id')], csv[i][header.indexOf('nci_id')], `candidate ${i + 1}`);
    assert.equal(row[header.indexOf('canonical_smiles')], csv[i][header.indexOf('canonical_smiles')]);
    assert.equal(row[header.indexOf('predicted_pic50')], fmtNumber(Number(csv[i][header.indexOf('predicted_pic50')])));
  });

  assert.match(seen.notCompared, /^not compared, 262 columns: .*fp_0 … fp_255 \(256 columns\) \(not in the synthetic dataset\)$/);
  assert.ok(seen.notCompared.length < 300, `one line: ${seen.notCompared}`);
  assert.doesNotMatch(seen.genText, /fp_17 \(/, 'no fingerprint bit listed on its own');
});

test("DAG node labels are whole and inside their boxes, and so are the timeline's, in every shipped pipeline's report", async () => {
  for (const name of PIPELINES) {
    const { page } = await open(name);
    const nodes = await page.evaluate(() =>
      [...document.querySelectorAll<SVGGElement>('#graph svg g.node')].map((g) => {
        const rect = g.querySelector('rect') as SVGRectElement;
        const width = (cls: string): number => (g.querySelector(`text.${cls}`) as SVGTextElement).getComputedTextLength();
        const x = (cls: string): number => Number(g.querySelector(`text.${cls}`)?.getAttribute('x'));
        return {
          step: g.dataset.step ?? '',
          id: g.querySelector('text.node-id')?.textContent ?? '',
          uses: g.querySelector('text.node-sub')?.textContent ?? '',
          box: rect.width.baseVal.value,
          idEnd: x('node-id') + width('node-id'),
          subEnd: x('node-sub') + width('node-sub'),
          statusStart: x('node-status') - width('node-status'),
        };
      }),
    );
    const timeline = await page.evaluate(() =>
      [...document.querySelectorAll<SVGGElement>('#timeline g.timeline-row')].map((g) => ({
        step: g.dataset.step ?? '',
        label: g.querySelector('text.row-label')?.textContent ?? '',
        left: (g.querySelector('text.row-label') as SVGTextElement).getBBox().x,
      })),
    );
    await page.close();
    const steps = Object.entries(record(name).steps);
    assert.equal(nodes.length, steps.length, name);
    for (const n of nodes) {
      assert.equal(n.id, n.step, `${name}: the node's label is its whole step id`);
      assert.equal(n.uses, steps.find(([id]) => id === n.step)?.[1].uses, `${name}: ${n.step}'s whole step type`);
      assert.ok(n.idEnd <= n.box, `${name}: ${n.step}'s id ends inside its box (${n.idEnd} of ${n.box})`);
      assert.ok(n.subEnd < n.statusStart, `${name}: ${n.step}'s step type does not run into its status`);
    }
    for (const row of timeline) {
      assert.equal(row.label, row.step, `${name}: the timeline labels ${row.step} whole`);
      assert.ok(row.left >= 0, `${name}: ${row.step}'s timeline label starts inside the chart`);
    }
  }
});

test('one number format in every report: each value in its tables as format.ts writes it, no two ticks of an axis alike', async () => {
  for (const name of PIPELINES) {
    const { page } = await open(name);
    const seen = await page.evaluate(() => {
      const cells = [
        ...document.querySelectorAll(
          'table.metrics td.num, table.headline td.num, table.gates td.num, table.leaderboard td.num, table.recommender-baseline td.num',
        ),
      ].map((td) => td.textContent ?? '');
      // Tick labels of one axis share a coordinate: an x axis's their y, a y axis's their x.
      const axes: string[][] = [];
      for (const svg of document.querySelectorAll('svg')) {
        const groups = new Map<string, string[]>();
        for (const t of svg.querySelectorAll('text.tick-label')) {
          const key = t.getAttribute('text-anchor') === 'end' ? `y@${t.getAttribute('x')}` : `x@${t.getAttribute('y')}`;
          (groups.get(key) ?? groups.set(key, []).get(key)!).push(t.textContent ?? '');
        }
        axes.push(...groups.values());
      }
      return { cells, axes };
    });
    await page.close();
    const numbers = seen.cells.flatMap((c) => c.split(/[\s[\],]+/)).filter((token) => token !== '' && token !== 'n/a' && token !== '–');
    assert.ok(numbers.length > 5, `${name}: ${numbers.length} numbers`);
    for (const token of numbers) assert.equal(token, fmtNumber(Number(token)), `${name}: "${token}" is in the report's number format`);
    assert.ok(seen.axes.length > 3, name);
    for (const labels of seen.axes) assert.equal(new Set(labels).size, labels.length, `${name}: an axis's ticks read ${labels.join(', ')}`);
  }
});

test('a cached re-run reports its cache hits; a run id prefix selects the run', async () => {
  const run = await runPipeline(dir, 'pipelines/breast-cancer.yaml');
  assert.equal(run.code, 0, run.output);
  const file = join(dir, 'cached.html');
  const code = await reportCommand(
    [run.record.runId.slice(0, -2)],
    { cwd: dir, store: join(dir, '.medpipe'), output: file },
    { out: () => {}, err: (t) => assert.fail(t) },
  );
  assert.equal(code, 0);
  const html = readFileSync(file, 'utf8');
  const cached = Object.entries(run.record.steps)
    .filter(([, s]) => s.status === 'cached')
    .map(([id]) => id);
  assert.ok(cached.length > 0);
  for (const id of cached) assert.match(html, new RegExp(`<g class="node status-cached" data-step="${id}"`));
  assert.equal(html.match(/<g class="cache-hit">/g)?.length, cached.length);
  // Metrics of cached evaluate steps are still shown: they come from the stored artifacts.
  assert.equal(html.match(/<svg class="chart chart-roc"/g)?.length, 2);
  // And so are the cached register steps' cards.
  assert.equal(html.match(/<article class="model-card"/g)?.length, 2);
  assert.doesNotMatch(html, /not registered/);
});

test('an unknown run id is an error naming the store', async () => {
  const errors: string[] = [];
  const code = await reportCommand(['19990101'], { cwd: dir, store: join(dir, '.medpipe') }, { out: () => {}, err: (t) => errors.push(t) });
  assert.equal(code, 1);
  assert.match(errors.join('\n'), /no run "19990101" in .*\.medpipe/);
});

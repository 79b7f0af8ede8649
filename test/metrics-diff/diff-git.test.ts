/** `metrics diff --baseline main` in a temporary git repository: every status, exit codes, formats. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { metricsCommand } from '../../src/cli/metrics.js';
import { all, parseXml } from './xml.js';
import { captureIO, git, shippedMetrics, tempRepo, writeMetrics, type MetricsJson } from './repo.js';

const ATOL = 0.005;
const REGRESSION = `regression:
  baseline: main
  default: { atol: ${ATOL} }
  metrics:
    roc_auc: { ci: true }
    log_loss: { rtol: 0.1 }
`;

function changed(base: MetricsJson): MetricsJson {
  const m = structuredClone(base);
  const x = m.metrics;
  x.pr_auc = { ...x.pr_auc, value: base.metrics.pr_auc.value + ATOL / 5 }; // improved
  x.sensitivity = { ...x.sensitivity, value: base.metrics.sensitivity.value - ATOL / 2 }; // worse, within atol
  x.specificity = { ...x.specificity, value: base.metrics.specificity.value - ATOL * 4 }; // worse, beyond atol
  // roc_auc drops by more than atol but stays inside the baseline's CI: the ci rule lets it pass.
  const roc = base.metrics.roc_auc;
  x.roc_auc = { ...roc, value: (roc.ci_low as number) + (roc.value - (roc.ci_low as number)) / 4 };
  x.log_loss = { ...x.log_loss, value: base.metrics.log_loss.value * 1.05 }; // lower is better: worse by 5 %, rtol 10 %
  x.brier = { ...x.brier, value: base.metrics.brier.value / 2 }; // lower is better: improved
  delete x.accuracy; // removed
  x.mcc = { value: 0.8 }; // added, direction unknown
  return m;
}

describe('metrics diff against a git ref', () => {
  const base = shippedMetrics();
  // The scenario touches 7 of the shipped metrics (one removed) and adds one; the rest stay as they were.
  const TOUCHED = ['roc_auc', 'pr_auc', 'sensitivity', 'specificity', 'log_loss', 'brier', 'accuracy'];
  const unchanged = Object.keys(base.metrics).filter((k) => !TOUCHED.includes(k));
  const metricCount = Object.keys(base.metrics).length + 1;
  let repo: ReturnType<typeof tempRepo>;
  before(() => {
    repo = tempRepo(base, REGRESSION);
    writeMetrics(repo.metricsPath, changed(base));
  });
  after(() => rmSync(repo.dir, { recursive: true, force: true }));

  it('gives each metric its status and exits 1 on a regression', async () => {
    const c = captureIO();
    const code = await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, format: 'json' }, c.io);
    assert.equal(code, 1);
    const json = JSON.parse(c.out.join('\n')) as {
      regressed: boolean;
      baseline: string;
      files: { file: string; metrics: { metric: string; status: string; delta: number | null; allowed: string }[] }[];
      notes: string[];
    };
    assert.equal(json.regressed, true);
    assert.match(json.baseline, /^main \([0-9a-f]{7}\)$/);
    assert.equal(json.files.length, 1);
    assert.equal(json.files[0].file, join('metrics', 'model-1.json'));
    const status = Object.fromEntries(json.files[0].metrics.map((m) => [m.metric, m.status]));
    assert.deepEqual(status, {
      roc_auc: 'within tolerance',
      pr_auc: 'improved',
      sensitivity: 'within tolerance',
      specificity: 'REGRESSED',
      ...Object.fromEntries(unchanged.map((k) => [k, 'unchanged'])),
      log_loss: 'within tolerance',
      brier: 'improved',
      mcc: 'added',
      accuracy: 'removed',
    });
    const spec = json.files[0].metrics.find((m) => m.metric === 'specificity');
    assert.ok(spec?.delta !== null && Math.abs((spec?.delta ?? 0) + ATOL * 4) < 1e-12);
    assert.ok(json.notes.some((n) => n.includes('mcc') && n.includes('direction unknown')));
  });

  it('exits 0 once the regression is fixed, and a command-line tolerance overrides the file', async () => {
    const fixed = changed(base);
    fixed.metrics.specificity = base.metrics.specificity;
    writeMetrics(repo.metricsPath, fixed);
    try {
      assert.equal(await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir }, captureIO().io), 0);
    } finally {
      writeMetrics(repo.metricsPath, changed(base));
    }
    // --atol larger than the specificity drop: no regression; --atol 0: even the small drops regress.
    assert.equal(await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, atol: String(ATOL * 5) }, captureIO().io), 0);
    const c = captureIO();
    assert.equal(await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, atol: '0', format: 'json' }, c.io), 1);
    const regressed = (JSON.parse(c.out.join('')) as { files: { metrics: { metric: string; status: string }[] }[] }).files[0].metrics
      .filter((m) => m.status === 'REGRESSED')
      .map((m) => m.metric);
    assert.deepEqual(regressed.sort(), ['log_loss', 'roc_auc', 'sensitivity', 'specificity']);
  });

  it('reads the committed file at the ref, not the working copy, and never checks out', async () => {
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim();
    git(repo.dir, 'commit', '-q', '--allow-empty', '-m', 'later');
    const c = captureIO();
    // HEAD~1 names the baseline commit; the working tree stays as it is.
    await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, baseline: 'HEAD~1', format: 'json' }, c.io);
    assert.match((JSON.parse(c.out.join('')) as { baseline: string }).baseline, new RegExp(`^HEAD~1 \\(${head.slice(0, 7)}\\)$`));
    assert.equal(git(repo.dir, 'status', '--porcelain').trim(), 'M metrics/model-1.json');
  });

  it('writes a Markdown table for a pull request with a one-line verdict', async () => {
    const c = captureIO();
    await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, format: 'md', markdown: 'diff.md' }, c.io);
    const md = c.out.join('\n');
    assert.equal(readFileSync(join(repo.dir, 'diff.md'), 'utf8').trimEnd(), md.trimEnd());
    const lines = md.split('\n');
    const verdict = lines.find((l) => l.includes('Metrics regressed'));
    assert.ok(verdict, 'a verdict line');
    assert.ok(verdict.includes(`1 regressed, 3 within tolerance, 2 improved, ${unchanged.length} unchanged, 1 added, 1 removed`));
    const rows = lines.filter((l) => l.startsWith('|'));
    const header = rows[0].split('|').length;
    assert.ok(
      rows.every((r) => r.split('|').length === header),
      "every row has the header's column count",
    );
    assert.match(rows[1], /^\|(-+:?\|)+$|^\|(---\|)+/);
    assert.equal(rows.length, 2 + metricCount);
    assert.ok(rows.some((r) => r.startsWith('| **specificity**') && r.includes('regressed')));
  });

  it('writes JUnit XML that parses back with matching counts', async () => {
    await metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, junit: 'junit.xml' }, captureIO().io);
    const root = parseXml(readFileSync(join(repo.dir, 'junit.xml'), 'utf8'));
    assert.equal(root.name, 'testsuites');
    const suites = all(root, 'testsuite');
    assert.equal(suites.length, 1);
    const cases = all(root, 'testcase');
    const failures = all(root, 'failure');
    assert.equal(Number(root.attrs.tests), cases.length);
    assert.equal(cases.length, metricCount);
    assert.equal(Number(root.attrs.failures), failures.length);
    assert.equal(failures.length, 1);
    assert.equal(Number(suites[0].attrs.skipped), all(root, 'skipped').length);
    const failed = cases.find((t) => t.children.some((c) => c.name === 'failure'));
    assert.equal(failed?.attrs.name, 'specificity');
    assert.match(failed?.children[0].attrs.message ?? '', new RegExp(`baseline .*current .*delta -.*tolerance atol ${ATOL}`));
  });

  it('metrics show prints the current values with their intervals', async () => {
    const c = captureIO();
    assert.equal(await metricsCommand(['show', repo.pipeline], { cwd: repo.dir, format: 'json' }, c.io), 0);
    const shown = JSON.parse(c.out.join('')) as { file: string; metrics: Record<string, { value: number }> }[];
    assert.deepEqual(shown[0].metrics, changed(base).metrics);
  });
});

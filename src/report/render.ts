/**
 * The report page: ReportData in, one self-contained HTML document out. Inline CSS and inline SVG
 * only (no script, stylesheet, font or image is referenced), so it opens offline and on closed
 * hospital networks. Every inserted string is escaped (escape.ts).
 */
import { esc } from './escape.js';
import { fmtDuration, fmtNumber } from './format.js';
import { importanceSvg, intervalSvg } from './bars-svg.js';
import { calibrationSvg, precisionRecall, prSvg, rocSvg } from './curves-svg.js';
import { dagSvg } from './dag-svg.js';
import { confusionSvg } from './matrix-svg.js';
import { generativeBody, isGenerative } from './generative-section.js';
import { isRecommendation, recommenderBaselineTable, recommenderInfo } from './recommender-section.js';
import type { Evaluation, MetricEstimate, MetricsReport, ModelImportances, ReportData, ReportStep } from './report-data.js';
import { STYLES } from './styles.js';
import { timelineSvg } from './timeline-svg.js';

/** The most features drawn in an importance chart; the rest would be unreadable bars. */
const TOP_FEATURES = 15;
/** Error messages are for orientation; the full text is in the run record. */
const MAX_ERROR = 400;
/** Lower-is-better metrics: drawn on their own axes, away from the scores near 1. */
const LOSSES = new Set(['log_loss', 'brier', 'rmse', 'mae', 'mse']);

const badge = (status: string): string => `<span class="badge ${esc(status)}">${esc(status)}</span>`;

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** A stable, HTML-id-safe name for a step, for anchors. */
function anchor(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function header(d: ReportData): string {
  const counts = (['done', 'cached', 'failed', 'skipped'] as const).map((s) => `${d.steps.filter((x) => x.status === s).length} ${s}`).join(', ');
  const git = d.git ? `<code>${esc(d.git.commit.slice(0, 12))}</code>${d.git.dirty ? ' <span class="badge failed">dirty</span>' : ' <span class="muted">clean</span>'}` : '<span class="muted">not in a git repository</span>';
  const row = (k: string, v: string): string => `<dt>${esc(k)}</dt><dd>${v}</dd>`;
  const partial = d.only?.length ? [`an --only run of ${d.only.join(', ')}: the steps it did not need are not in this report; run the whole pipeline for a complete one`] : [];
  return (
    `<header><h1>${esc(d.pipeline.name)} ${badge(d.status)}</h1><div class="muted">medpipe run report</div><dl>` +
    row('pipeline file', `<code>${esc(d.pipeline.file)}</code>`) +
    row('run', `<code>${esc(d.runId)}</code>`) +
    row('git commit', git) +
    row('started', esc(d.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC'))) +
    row('duration', esc(fmtDuration(d.durationMs))) +
    row('steps', esc(counts)) +
    row('pipeline digest', `<code>${esc(d.pipeline.digest.slice(0, 16))}</code>`) +
    `</dl>${[...partial, ...d.warnings].map((w) => `<div class="warning">${esc(w)}</div>`).join('')}</header>`
  );
}

const legend = `<div class="legend-row">${(['done', 'cached', 'failed', 'skipped'] as const).map((s) => `<span><span class="swatch" style="background:var(--${s})"></span>${s}</span>`).join('')}</div>`;

function graphSection(d: ReportData): string {
  return `<section id="graph"><h2>Pipeline graph</h2>${legend}<div class="scroll">${dagSvg(d.steps)}</div></section>`;
}

function timelineSection(d: ReportData): string {
  const estimated = d.steps.some((s) => s.startEstimated && s.status !== 'cached' && s.durationMs !== undefined);
  const note = `Bars span each step's run time; ◆ marks a cache hit (not recomputed).${estimated ? ' Dashed bars: the run record holds durations only, so their start is laid out from when their dependencies finished.' : ''}`;
  return `<section id="timeline"><h2>Timeline</h2><div class="scroll">${figure(timelineSvg(d.steps, d.durationMs), note)}</div>${stepTable(d.steps)}</section>`;
}

function stepTable(steps: readonly ReportStep[]): string {
  const rows = steps.map((s) => {
    const error = s.error ? `<td class="error">${esc(s.error.length > MAX_ERROR ? `${s.error.slice(0, MAX_ERROR)}…` : s.error)}</td>` : '<td></td>';
    return `<tr data-step="${esc(s.id)}"><td><code>${esc(s.id)}</code></td><td>${esc(s.uses ?? '')}</td><td>${badge(s.status)}</td><td class="num">${esc(s.status === 'cached' ? '–' : fmtDuration(s.durationMs))}</td>${error}</tr>`;
  });
  return `<table class="steps"><thead><tr><th>step</th><th>uses</th><th>status</th><th>duration</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metricsTable(r: MetricsReport): string {
  const confidence = r.bootstrap ? `${Math.round(r.bootstrap.confidence * 100)}% CI` : 'CI';
  const rows = Object.entries(r.metrics).map(([name, m]) => `<tr data-metric="${esc(name)}"><td><code>${esc(name)}</code></td><td class="num">${esc(fmtNumber(m.value))}</td><td class="num">${esc(fmtNumber(m.ci_low))}</td><td class="num">${esc(fmtNumber(m.ci_high))}</td></tr>`);
  const unavailable = Object.entries(r.unavailable ?? {}).map(([name, why]) => `<tr><td><code>${esc(name)}</code></td><td colspan="3" class="muted">${esc(why)}</td></tr>`);
  return `<table class="metrics"><thead><tr><th>metric</th><th>value</th><th>${esc(confidence)} low</th><th>high</th></tr></thead><tbody>${rows.join('')}${unavailable.join('')}</tbody></table>`;
}

function gatesTable(r: MetricsReport): string {
  if (!r.gates?.length) return '';
  const rows = r.gates.map((g) => `<tr><td><code>${esc(g.gate)}</code></td><td><code>${esc(g.required)}</code></td><td class="num">${esc(fmtNumber(g.actual))}</td><td>${badge(g.passed ? 'passed' : 'failed')}</td></tr>`);
  return `<h3>Gates</h3><table class="gates"><thead><tr><th>gate</th><th>required</th><th>actual</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Metrics bounded in [0, 1] share one axis; any other metric (RMSE, log loss…) gets its own, since their units differ. */
function intervalCharts(r: MetricsReport): string[] {
  const entries = Object.entries(r.metrics).filter(([, m]) => m.value !== null && Number.isFinite(m.value));
  const inUnit = (m: MetricEstimate): boolean => [m.value, m.ci_low, m.ci_high].every((v) => v === null || (v >= 0 && v <= 1));
  // Losses near 0 on the scores' axis would squash every interval: they get their own axis too.
  const unit = entries.filter(([name, m]) => inUnit(m) && !LOSSES.has(name));
  const other = entries.filter((e) => !unit.includes(e));
  const confidence = r.bootstrap ? `${Math.round(r.bootstrap.confidence * 100)}%` : '';
  const caption = `Estimates with ${confidence} bootstrap confidence intervals${r.bootstrap ? ` (${r.bootstrap.resamples} resamples)` : ''}.`;
  const charts: string[] = [];
  if (unit.length) charts.push(figure(intervalSvg('ci', unit, 'metrics with confidence intervals'), caption));
  for (const e of other) charts.push(figure(intervalSvg('ci', [e], `${e[0]} with confidence interval`), `${e[0]}: ${caption}`));
  return charts;
}

function curveCharts(r: MetricsReport): string[] {
  const charts: string[] = [];
  if (r.roc_curve?.fpr.length) charts.push(figure(rocSvg(r.roc_curve, r.metrics.roc_auc?.value), 'ROC curve; dashed: chance.'));
  const pr = precisionRecall(r);
  if (pr) charts.push(figure(prSvg(pr, r.metrics.pr_auc?.value), `Precision-recall${r.pr_curve ? '' : ' at the ROC curve\'s thresholds'}; dashed: prevalence (${fmtNumber(pr.prevalence)}).`));
  if (r.calibration?.curve.length) charts.push(figure(calibrationSvg(r.calibration.curve), `Calibration, ${r.calibration.bins} bins; dot size: rows in the bin; dashed: perfect calibration.`));
  if (r.confusion_matrix?.labels.length) charts.push(figure(confusionSvg(r.confusion_matrix.labels, r.confusion_matrix.counts), `Confusion matrix${r.threshold ? ` at threshold ${fmtNumber(r.threshold.value)} (${r.threshold.method})` : ''}; shade: share of the true class.`));
  return charts;
}

function subgroupTables(r: MetricsReport): string {
  if (!r.subgroups?.length) return '';
  return r.subgroups
    .map((s) => {
      const names = [...new Set(s.groups.flatMap((g) => Object.keys(g.metrics)))];
      const head = `<tr><th>${esc(s.column)}</th><th>n</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
      const rows = s.groups.map((g) => `<tr><td>${esc(g.value)}</td><td class="num">${esc(g.n)}</td>${names.map((n) => `<td class="num">${esc(fmtNumber(g.metrics[n]?.value ?? null))}</td>`).join('')}</tr>`);
      return `<h3>Subgroups by ${esc(s.column)}</h3><table class="subgroups"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
    })
    .join('');
}

function evaluationSection(e: Evaluation): string {
  const title = `<h2>Evaluation: <code>${esc(e.step)}</code>${e.modelStep ? ` <span class="muted">of model <code>${esc(e.modelStep)}</code></span>` : ''}</h2>`;
  const open = `<section class="evaluation" id="${esc(anchor('eval', e.step))}" data-step="${esc(e.step)}">`;
  const r = e.report;
  if (!r) return `${open}${title}<p class="muted">No metrics: ${esc(e.missing ?? 'not recorded')}.</p></section>`;
  if (isGenerative(r)) return `${open}${title}${gatesTable(r)}${generativeBody(r)}</section>`;
  const classes = r.class_counts ? Object.entries(r.class_counts).map(([c, n]) => `${c} ${n}`).join(', ') : '';
  const info = isRecommendation(r) ? recommenderInfo(r) : `<p class="muted">${esc(r.task)} on ${esc(r.n)} test rows${classes ? ` (${esc(classes)})` : ''}${r.notes?.length ? `. ${r.notes.map(esc).join('. ')}` : ''}.</p>`;
  const importance = r.importance?.features.length
    ? figure(
        importanceSvg('importance', r.importance.features.slice(0, TOP_FEATURES).map((f) => ({ feature: f.feature, value: f.mean, std: f.std })), 'permutation importance'),
        `Permutation importance: drop in ${r.importance.metric} when a feature is shuffled (mean ± sd over ${r.importance.repeats} repeats), top ${Math.min(TOP_FEATURES, r.importance.features.length)} of ${r.importance.features.length}.`,
      )
    : '';
  return `${open}${title}${info}${gatesTable(r)}<h3>Metrics</h3><div class="charts">${metricsTable(r)}${intervalCharts(r).join('')}</div>${curveCharts(r).length ? `<h3>Curves</h3><div class="charts">${curveCharts(r).join('')}</div>` : ''}${isRecommendation(r) ? recommenderBaselineTable(r) : ''}${importance ? `<h3>Feature importance</h3><div class="charts">${importance}</div>` : ''}${subgroupTables(r)}</section>`;
}

function modelImportanceSection(models: readonly ModelImportances[]): string {
  if (!models.length) return '';
  const charts = models.map((m) =>
    figure(importanceSvg('importance', m.features.slice(0, TOP_FEATURES).map((f) => ({ feature: f.feature, value: f.importance })), `impurity importance of ${m.step}`), `${m.step}: impurity (Gini / variance) importance from training, top ${Math.min(TOP_FEATURES, m.features.length)}.`),
  );
  return `<section id="model-importances"><h2>Model feature importances</h2><div class="charts">${charts.join('')}</div></section>`;
}

/** The metrics against the baseline (the metrics files as they are now vs the baseline's). More digits than elsewhere: the differences are the point. */
function baselineSection(d: ReportData): string {
  if (!d.baselineDiff) return d.baselineProblem ? `<section id="baseline"><h2>Against the baseline</h2><p class="muted">${esc(d.baselineProblem)}</p></section>` : '';
  const diff = d.baselineDiff;
  const fmt = (v: number | undefined): string => (v === undefined ? '–' : fmtNumber(v, 4));
  const files = diff.files.map((f) => {
    const rows = f.metrics.map((m) => `<tr class="${m.status === 'REGRESSED' ? 'regressed' : ''}"><td>${esc(m.metric)}</td><td>${fmt(m.old?.value)}</td><td>${fmt(m.new?.value)}</td><td>${m.delta === undefined ? '–' : `${m.delta >= 0 ? '+' : ''}${fmt(m.delta)}`}</td><td>${esc(m.direction)}</td><td>${esc(m.allowed)}</td><td><span class="badge ${m.status === 'REGRESSED' ? 'failed' : m.status === 'improved' ? 'done' : 'cached'}">${esc(m.status)}</span></td></tr>`);
    return `<h3><code>${esc(f.file)}</code> <span class="muted">vs ${esc(f.baselineLabel ?? 'no baseline file')}</span></h3><table class="diff"><thead><tr><th>metric</th><th>baseline</th><th>current</th><th>delta</th><th>better</th><th>tolerance</th><th>status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  const regressed = diff.files.reduce((n, f) => n + f.metrics.filter((m) => m.status === 'REGRESSED').length, 0);
  return `<section id="baseline"><h2>Against the baseline <span class="badge ${regressed ? 'failed' : 'done'}">${regressed ? `${regressed} regressed` : 'no regression'}</span></h2><p class="muted">The metrics files as they are now, against ${esc(diff.baseline)}.${diff.notes.length ? ` ${diff.notes.map(esc).join(' ')}` : ''}</p>${files.join('')}</section>`;
}

export function renderReport(d: ReportData): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Forbid the page any network access even if something slipped in: a report must work, and stay private, offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(d.pipeline.name)} — run ${esc(d.runId)}</title>`,
    `<style>${STYLES}</style></head><body><main>`,
    header(d),
    graphSection(d),
    timelineSection(d),
    baselineSection(d),
    ...d.evaluations.map(evaluationSection),
    modelImportanceSection(d.modelImportances),
    `<footer class="muted"><p>Generated by medpipe from run record <code>${esc(d.runId)}</code>. Aggregate results only: no data rows are included.</p></footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}

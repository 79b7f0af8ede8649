/**
 * One evaluation in the report: its gates, metrics with intervals, curves (ROC, PR, calibration,
 * confusion; observed vs predicted for a regression that recorded its points), permutation
 * importance and subgroups; or the generative, recommender and screening variants of the same.
 */
import { importanceSvg, intervalSvg } from './bars-svg.js';
import { calibrationSvg, precisionRecall, prSvg, rocSvg } from './curves-svg.js';
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import { generativeBody, isGenerative } from './generative-section.js';
import { anchor, badge, figure } from './html.js';
import { confusionSvg } from './matrix-svg.js';
import { isRecommendation, recommenderBaselineTable, recommenderInfo } from './recommender-section.js';
import type { Evaluation, GapEstimate, MetricEstimate, MetricsReport, ObservedPredicted } from './report-data.js';
import { observedPredictedSvg } from './scatter-svg.js';
import { isScreening, screeningBody } from './screening-section.js';

/** The most features drawn in an importance chart; the rest would be unreadable bars. */
export const TOP_FEATURES = 15;
/** Lower-is-better metrics: drawn on their own axes, away from the scores near 1. */
const LOSSES = new Set(['log_loss', 'brier', 'rmse', 'mae', 'mse']);

export function confidenceLabel(confidence: number | undefined): string {
  return confidence === undefined ? 'CI' : `${Math.round(confidence * 100)}% CI`;
}

function metricsTable(r: MetricsReport): string {
  const rows = Object.entries(r.metrics).map(
    ([name, m]) =>
      `<tr data-metric="${esc(name)}"><td><code>${esc(name)}</code></td><td class="num">${esc(fmtNumber(m.value))}</td><td class="num">${esc(fmtNumber(m.ci_low))}</td><td class="num">${esc(fmtNumber(m.ci_high))}</td></tr>`,
  );
  const unavailable = Object.entries(r.unavailable ?? {}).map(
    ([name, why]) => `<tr><td><code>${esc(name)}</code></td><td colspan="3" class="muted">${esc(why)}</td></tr>`,
  );
  return `<table class="metrics"><thead><tr><th>metric</th><th>value</th><th>${esc(confidenceLabel(r.bootstrap?.confidence))} low</th><th>high</th></tr></thead><tbody>${rows.join('')}${unavailable.join('')}</tbody></table>`;
}

export function gatesTable(r: MetricsReport, heading = '<h3>Gates</h3>'): string {
  if (!r.gates?.length) return '';
  const rows = r.gates.map(
    (g) =>
      `<tr data-gate="${esc(g.gate)}"><td><code>${esc(g.gate)}</code></td><td><code>${esc(g.required)}</code></td><td class="num">${esc(fmtNumber(g.actual))}</td><td>${badge(g.passed ? 'passed' : 'failed')}</td></tr>`,
  );
  return `${heading}<table class="gates"><thead><tr><th>gate</th><th>required</th><th>actual</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
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

function curveCharts(r: MetricsReport, points: ObservedPredicted | undefined): string[] {
  const charts: string[] = [];
  if (r.roc_curve?.fpr.length) charts.push(figure(rocSvg(r.roc_curve, r.metrics.roc_auc?.value), 'ROC curve; dashed: chance.'));
  const pr = precisionRecall(r);
  if (pr)
    charts.push(
      figure(
        prSvg(pr, r.metrics.pr_auc?.value),
        `Precision-recall${r.pr_curve ? '' : " at the ROC curve's thresholds"}; dashed: prevalence (${fmtNumber(pr.prevalence)}).`,
      ),
    );
  if (r.calibration?.curve.length)
    charts.push(
      figure(calibrationSvg(r.calibration.curve), `Calibration, ${r.calibration.bins} bins; dot size: rows in the bin; dashed: perfect calibration.`),
    );
  if (r.confusion_matrix?.labels.length)
    charts.push(
      figure(
        confusionSvg(r.confusion_matrix.labels, r.confusion_matrix.counts),
        `Confusion matrix${r.threshold ? ` at threshold ${fmtNumber(r.threshold.value)} (${r.threshold.method})` : ''}; shade: share of the true class.`,
      ),
    );
  if (points?.observed.length) {
    charts.push(
      figure(
        observedPredictedSvg(points.observed, points.predicted, r.metrics.r2?.value, points.target),
        `Observed vs predicted, ${points.observed.length} test rows; dashed: predicted = observed; R² ${fmtNumber(r.metrics.r2?.value ?? null)}.`,
      ),
    );
  } else if (points?.missing) charts.push(`<p class="muted">No observed-vs-predicted plot: ${esc(points.missing)}.</p>`);
  return charts;
}

/** A value with its interval in one cell: `0.81 (0.74–0.88)`. */
function withInterval(m: MetricEstimate | undefined): string {
  if (!m || m.value === null) return 'n/a';
  return m.ci_low !== null && m.ci_high !== null ? `${fmtNumber(m.value)} (${fmtNumber(m.ci_low)}–${fmtNumber(m.ci_high)})` : fmtNumber(m.value);
}

function subgroupTables(r: MetricsReport): string {
  if (!r.subgroups?.length) return '';
  const ci = confidenceLabel(r.bootstrap?.confidence);
  return r.subgroups
    .map((s) => {
      const names = [...new Set(s.groups.flatMap((g) => Object.keys(g.metrics)))];
      const prevalence = s.groups.some((g) => g.prevalence !== undefined);
      const head = `<tr><th>${esc(s.column)}</th><th>n</th>${prevalence ? '<th>prevalence</th>' : ''}${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
      const rows = s.groups.map(
        (g) =>
          `<tr data-group="${esc(g.value)}"><td>${esc(g.value)}</td><td class="num">${esc(g.n)}</td>${prevalence ? `<td class="num">${esc(fmtNumber(g.prevalence ?? null))}</td>` : ''}${names.map((n) => `<td class="num">${esc(withInterval(g.metrics[n]))}</td>`).join('')}</tr>`,
      );
      return `<h3>Subgroups by ${esc(s.column)}</h3><p class="muted">Values with their ${esc(ci)}.</p><table class="subgroups" data-column="${esc(s.column)}"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
    })
    .join('');
}

/** The largest gaps between groups, per column and over all, with the two groups and the interval. */
function fairnessTable(r: MetricsReport): string {
  const f = r.fairness;
  if (!f) return '';
  const between = (g: GapEstimate): string => (g.between ? `${g.between[0]} vs ${g.between[1]}` : 'fewer than two groups compared');
  const rows = f.metrics.flatMap((m) => [
    ...f.columns.map((c) => {
      const g = c.max_gap[m];
      return g
        ? `<tr data-gap="${esc(`${c.column}.${m}`)}"><td><code>${esc(m)}</code></td><td>${esc(c.column)}</td><td class="num">${esc(withInterval(g))}</td><td>${esc(between(g))}</td></tr>`
        : '';
    }),
  ]);
  const overall = f.metrics
    .map((m) => {
      const g = f.max_gap[m];
      return g ? `<code>${esc(m)}</code> ${esc(withInterval(g))}${g.column ? ` (${esc(g.column)}: ${esc(between(g))})` : ''}` : '';
    })
    .filter(Boolean)
    .join('; ');
  const leftOut = f.columns.flatMap((c) => c.left_out.map((l) => `${c.column} = ${l.value} (n ${l.n}, ${l.why})`));
  return `<h3>Fairness</h3><p class="muted">Largest gap between any two groups (${esc(confidenceLabel(r.bootstrap?.confidence))}); calibration_in_the_large = mean predicted probability − observed rate. Over all columns: ${overall || 'none'}.${leftOut.length ? ` Left out (too small or one class only): ${esc(leftOut.join(', '))}.` : ''}</p><table class="fairness"><thead><tr><th>metric</th><th>column</th><th>largest gap</th><th>between</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Everything under an evaluation's title. */
export function evaluationBody(e: Evaluation, points?: ObservedPredicted): string {
  const r = e.report;
  if (!r) return `<p class="muted">No metrics: ${esc(e.missing ?? 'not recorded')}.</p>`;
  if (isGenerative(r)) return `${gatesTable(r)}${generativeBody(r)}`;
  if (isScreening(r)) return `${gatesTable(r)}${screeningBody(r)}`;
  const classes = r.class_counts
    ? Object.entries(r.class_counts)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')
    : '';
  const info = isRecommendation(r)
    ? recommenderInfo(r)
    : `<p class="muted">${esc(r.task)} on ${esc(r.n)} test rows${classes ? ` (${esc(classes)})` : ''}${r.notes?.length ? `. ${r.notes.map(esc).join('. ')}` : ''}.</p>`;
  const importance = r.importance?.features.length
    ? figure(
        importanceSvg(
          'importance',
          r.importance.features.slice(0, TOP_FEATURES).map((f) => ({ feature: f.feature, value: f.mean, std: f.std })),
          'permutation importance',
        ),
        `Permutation importance: drop in ${r.importance.metric} when a feature is shuffled (mean ± sd over ${r.importance.repeats} repeats), top ${Math.min(TOP_FEATURES, r.importance.features.length)} of ${r.importance.features.length}.`,
      )
    : '';
  const curves = curveCharts(r, points);
  return `${info}${gatesTable(r)}<h3>Metrics</h3><div class="charts">${metricsTable(r)}${intervalCharts(r).join('')}</div>${curves.length ? `<h3>${r.task === 'regression' ? 'Observed vs predicted' : 'Curves'}</h3><div class="charts">${curves.join('')}</div>` : ''}${isRecommendation(r) ? recommenderBaselineTable(r) : ''}${importance ? `<h3>Feature importance</h3><div class="charts">${importance}</div>` : ''}${subgroupTables(r)}${fairnessTable(r)}`;
}

export function evaluationTitle(e: Evaluation): string {
  return `<code>${esc(e.step)}</code>${e.modelStep ? ` <span class="muted">of model <code>${esc(e.modelStep)}</code></span>` : ''}`;
}

export function evaluationSection(e: Evaluation, points?: ObservedPredicted): string {
  return `<section class="evaluation" id="${esc(anchor('eval', e.step))}" data-step="${esc(e.step)}"><h2>Evaluation: ${evaluationTitle(e)}</h2>${evaluationBody(e, points)}</section>`;
}

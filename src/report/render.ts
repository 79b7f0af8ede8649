/**
 * The report page: ReportData in, one self-contained HTML document out. Inline CSS and inline SVG
 * only (no script, stylesheet, font or image is referenced), so it opens offline and on closed
 * hospital networks. Every inserted string is escaped (escape.ts).
 *
 * The order is the reader's: first what a clinician asks (the registered models' cards, headline
 * metrics and gates), then the data the pipeline was given (check.data), then the comparisons (sweep leaderboards), each evaluation, what a generative
 * pipeline produced (GAN training, candidates), the baseline diff, and last how the run went
 * (graph, timeline), which is for whoever maintains the pipeline.
 */
import { esc } from './escape.js';
import { fmtDuration, fmtNumber } from './format.js';
import { importanceSvg } from './bars-svg.js';
import { candidatesSection } from './candidates-section.js';
import { comparisonSection } from './comparison-section.js';
import { dagSvg } from './dag-svg.js';
import { dataCheckSection } from './data-check-section.js';
import { evaluationSection, TOP_FEATURES } from './evaluation-section.js';
import { ganSection } from './gan-section.js';
import { anchor, badge, figure } from './html.js';
import { leaderboardSection } from './leaderboard-section.js';
import { modelsSection } from './models-section.js';
import { monitoringSection } from './monitoring-section.js';
import type { ModelImportances, ReportData, ReportStep } from './report-data.js';
import { STYLES } from './styles.js';
import { timelineSvg } from './timeline-svg.js';

/** Error messages are for orientation; the full text is in the run record. */
const MAX_ERROR = 400;

function header(d: ReportData): string {
  const counts = (['done', 'cached', 'failed', 'cancelled', 'skipped'] as const).map((s) => `${d.steps.filter((x) => x.status === s).length} ${s}`).join(', ');
  const git = d.git
    ? `<code>${esc(d.git.commit.slice(0, 12))}</code>${d.git.dirty ? ' <span class="badge failed">dirty</span>' : ' <span class="muted">clean</span>'}`
    : '<span class="muted">not in a git repository</span>';
  const row = (k: string, v: string): string => `<dt>${esc(k)}</dt><dd>${v}</dd>`;
  const partial = d.only?.length
    ? [`an --only run of ${d.only.join(', ')}: the steps it did not need are not in this report; run the whole pipeline for a complete one`]
    : [];
  return (
    `<header><h1>${esc(d.pipeline.name)} ${badge(d.status)}</h1><div class="muted">medpipe run report</div><dl>` +
    row('pipeline file', `<code>${esc(d.pipeline.file)}</code>`) +
    row('run', `<code>${esc(d.runId)}</code>`) +
    row('git commit', git) +
    row(
      'started',
      esc(
        d.startedAt
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC')
          .replace(/Z$/, ' UTC'),
      ),
    ) +
    row('duration', esc(fmtDuration(d.durationMs))) +
    row('steps', esc(counts)) +
    row('pipeline digest', `<code>${esc(d.pipeline.digest.slice(0, 16))}</code>`) +
    `</dl>${[...partial, ...d.warnings].map((w) => `<div class="warning">${esc(w)}</div>`).join('')}</header>`
  );
}

const legend = `<div class="legend-row">${(['done', 'cached', 'failed', 'cancelled', 'skipped'] as const).map((s) => `<span><span class="swatch" style="background:var(--${s})"></span>${s}</span>`).join('')}</div>`;

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

function modelImportanceSection(models: readonly ModelImportances[]): string {
  if (!models.length) return '';
  const charts = models.map((m) =>
    figure(
      importanceSvg(
        'importance',
        m.features.slice(0, TOP_FEATURES).map((f) => ({ feature: f.feature, value: f.importance })),
        `impurity importance of ${m.step}`,
      ),
      `${m.step}: impurity (Gini / variance) importance from training, top ${Math.min(TOP_FEATURES, m.features.length)}.`,
    ),
  );
  return `<section id="model-importances"><h2>Model feature importances</h2><div class="charts">${charts.join('')}</div></section>`;
}

/** The metrics against the baseline (the metrics files as they are now vs the baseline's). More digits than elsewhere: the differences are the point. */
function baselineSection(d: ReportData): string {
  if (!d.baselineDiff)
    return d.baselineProblem ? `<section id="baseline"><h2>Against the baseline</h2><p class="muted">${esc(d.baselineProblem)}</p></section>` : '';
  const diff = d.baselineDiff;
  const fmt = (v: number | undefined): string => (v === undefined ? '–' : fmtNumber(v, 4));
  const files = diff.files.map((f) => {
    const rows = f.metrics.map(
      (m) =>
        `<tr class="${m.status === 'REGRESSED' ? 'regressed' : ''}"><td>${esc(m.metric)}</td><td>${fmt(m.old?.value)}</td><td>${fmt(m.new?.value)}</td><td>${m.delta === undefined ? '–' : `${m.delta >= 0 ? '+' : ''}${fmt(m.delta)}`}</td><td>${esc(m.direction)}</td><td>${esc(m.allowed)}</td><td><span class="badge ${m.status === 'REGRESSED' ? 'failed' : m.status === 'improved' ? 'done' : 'cached'}">${esc(m.status)}</span></td></tr>`,
    );
    return `<h3><code>${esc(f.file)}</code> <span class="muted">vs ${esc(f.baselineLabel ?? 'no baseline file')}</span></h3><table class="diff"><thead><tr><th>metric</th><th>baseline</th><th>current</th><th>delta</th><th>better</th><th>tolerance</th><th>status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  const regressed = diff.files.reduce((n, f) => n + f.metrics.filter((m) => m.status === 'REGRESSED').length, 0);
  return `<section id="baseline"><h2>Against the baseline <span class="badge ${regressed ? 'failed' : 'done'}">${regressed ? `${regressed} regressed` : 'no regression'}</span></h2><p class="muted">The metrics files as they are now, against ${esc(diff.baseline)}.${diff.notes.length ? ` ${diff.notes.map(esc).join(' ')}` : ''}</p>${files.join('')}</section>`;
}

/** Links to the sections, in page order. */
function contents(parts: readonly { id: string; title: string }[]): string {
  return `<nav class="contents"><span class="muted">Contents:</span> ${parts.map((p) => `<a href="#${esc(p.id)}">${esc(p.title)}</a>`).join(' · ')}</nav>`;
}

export function renderReport(d: ReportData): string {
  const leaderboards = d.leaderboards ?? [];
  const points = d.observedPredicted ?? [];
  const inLeaderboard = new Set(leaderboards.flatMap((lb) => lb.rows.map((r) => r.step)).concat(leaderboards.flatMap((lb) => lb.missing.map((m) => m.step))));
  const evaluations = d.evaluations.filter((e) => !inLeaderboard.has(e.step));
  const scatter = points.filter((p) => p.observed.length);
  const sections: { id: string; title: string; html: string }[] = [
    { id: 'models', title: 'Registered models', html: modelsSection(d.models ?? [], d.evaluations) },
    ...(d.dataChecks ?? []).map((c) => ({ id: anchor('data', c.step), title: `Data ${c.step}`, html: dataCheckSection(c) })),
    ...leaderboards.map((lb) => ({
      id: anchor('leaderboard', lb.origin),
      title: `Leaderboard ${lb.origin}`,
      html: leaderboardSection(lb, d.evaluations, points),
    })),
    ...evaluations.map((e) => ({
      id: anchor('eval', e.step),
      title: e.step,
      html: evaluationSection(
        e,
        points.find((p) => p.step === e.step),
      ),
    })),
    ...(d.ganCurves ?? []).map((g) => ({ id: anchor('gan', g.step), title: `GAN ${g.step}`, html: ganSection(g) })),
    ...(d.monitoring ?? []).map((h) => ({
      id: anchor('monitoring', `${h.name}@${h.version}`),
      title: `Monitoring ${h.name}@${h.version}`,
      html: monitoringSection(h),
    })),
    ...(d.candidates ?? []).map((t) => ({ id: anchor('candidates', t.step), title: 'Candidates', html: candidatesSection(t) })),
    { id: 'baseline', title: 'Against the baseline', html: baselineSection(d) },
    { id: 'comparison', title: 'Compared with other runs', html: comparisonSection(d) },
    { id: 'model-importances', title: 'Feature importances', html: modelImportanceSection(d.modelImportances) },
    { id: 'graph', title: 'Pipeline graph', html: graphSection(d) },
    { id: 'timeline', title: 'Timeline', html: timelineSection(d) },
  ].filter((s) => s.html !== '');
  // Plots of single rows are drawn only where the pipeline asked for them (evaluate's observed_vs_predicted); say so.
  const footerRows = scatter.length
    ? ` The observed-vs-predicted plot${scatter.length > 1 ? 's' : ''} of ${scatter.map((p) => p.step).join(', ')} show${scatter.length > 1 ? '' : 's'} one point per test row, as the pipeline asked (observed_vs_predicted: true).`
    : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Forbid the page any network access even if something slipped in: a report must work, and stay private, offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(d.pipeline.name)} — run ${esc(d.runId)}</title>`,
    `<style>${STYLES}</style></head><body><main>`,
    header(d),
    contents(sections),
    ...sections.map((s) => s.html),
    `<footer class="muted"><p>Generated by medpipe from run record <code>${esc(d.runId)}</code>. Aggregate results only: no data rows are included.${esc(footerRows)}</p></footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}

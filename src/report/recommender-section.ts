/**
 * The body of a report section for an evaluate.recommender step (a `medpipe.metrics/1` file with
 * task "recommendation"): each metric for the model, for the popularity baseline fitted on the
 * same training rows and judged on the same patients, and the lift between them, each with its
 * patient-level bootstrap interval. Whether the model beats the baseline is read from the lift's
 * interval, not from the point estimates. Aggregates only, like the rest of the page.
 */
import { knownDirection } from '../metrics/regression-config.js';
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import type { MetricEstimate, MetricsReport } from './report-data.js';

/** What this section reads beyond MetricsReport; every field optional so an older or hand-made file still renders. */
type RecommendationReport = MetricsReport & {
  patients?: number;
  k?: number;
  baseline?: { method?: string; metrics?: Record<string, MetricEstimate> };
  lift?: Record<string, MetricEstimate>;
  bootstrap?: { resamples?: number; confidence?: number; unit?: string };
};

export function isRecommendation(r: MetricsReport): boolean {
  return r.task === 'recommendation';
}

function estimate(m: MetricEstimate | undefined): string {
  if (!m) return '<span class="muted">–</span>';
  const ci = m.ci_low !== null && m.ci_high !== null ? ` <span class="muted">[${esc(fmtNumber(m.ci_low))}, ${esc(fmtNumber(m.ci_high))}]</span>` : '';
  return `${esc(fmtNumber(m.value))}${ci}`;
}

/** From the lift's interval and the metric's direction: does the model beat the baseline? */
function verdict(metric: string, lift: MetricEstimate | undefined): string {
  const direction = knownDirection(metric);
  if (!lift || lift.ci_low === null || lift.ci_high === null || !direction) return '<span class="muted">–</span>';
  const better = direction === 'higher' ? lift.ci_low > 0 : lift.ci_high < 0;
  const worse = direction === 'higher' ? lift.ci_high < 0 : lift.ci_low > 0;
  if (better) return '<span class="badge passed">beats</span>';
  if (worse) return '<span class="badge failed">worse</span>';
  return '<span class="muted">no clear difference</span>';
}

/** The line under the section title: what was evaluated, on how many patients, at which k. */
export function recommenderInfo(report: MetricsReport): string {
  const r = report as RecommendationReport;
  const notes = r.notes?.length ? ` ${r.notes.map(esc).join('. ')}.` : '';
  return `<p class="muted">Recommendation: ${esc(r.n)} held-out interactions of ${esc(r.patients ?? '?')} patients, top ${esc(r.k ?? '?')} per patient.${notes}</p>`;
}

export function recommenderBaselineTable(report: MetricsReport): string {
  const r = report as RecommendationReport;
  const baseline = r.baseline?.metrics;
  if (!baseline || !r.lift) return '';
  const confidence = r.bootstrap?.confidence !== undefined ? `${Math.round(r.bootstrap.confidence * 100)}% ` : '';
  const unit = r.bootstrap?.unit ? ` resampling ${esc(r.bootstrap.unit)}s` : '';
  const info = `<p class="muted">Against a ${esc(r.baseline?.method ?? 'baseline')} recommender fitted on the same training rows and judged on the same patients. Lift: the model minus the baseline, with its ${esc(confidence)}bootstrap interval${unit}; "beats" when that interval excludes no difference in the better direction.</p>`;
  const rows = Object.entries(r.metrics).map(
    ([name, m]) =>
      `<tr data-metric="${esc(name)}"><td><code>${esc(name)}</code></td><td class="num">${estimate(m)}</td><td class="num">${estimate(baseline[name])}</td><td class="num">${estimate(r.lift?.[name])}</td><td>${verdict(name, r.lift?.[name])}</td></tr>`,
  );
  return `<h3>Against the baseline</h3>${info}<table class="metrics recommender-baseline"><thead><tr><th>metric</th><th>model</th><th>baseline</th><th>lift</th><th>vs baseline</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * The body of a report section for an evaluate.screening step (a `medpipe.metrics/1` file with
 * task "screening"): one row per ranking method, one column per metric (EF at each fraction,
 * BEDROC, ROC AUC), each value with its bootstrap interval, so the methods read side by side. The
 * best value of each column is marked, and whether its interval clears every other method's is
 * said in words, not implied by the mark; paired differences between methods (compare:) get their
 * own table, read from their intervals. Aggregates only, like the rest of the page.
 */
import { esc } from './escape.js';
import { fmtEstimate, fmtNumber } from './format.js';
import type { MetricEstimate, MetricsReport } from './report-data.js';

/** What this section reads beyond MetricsReport; every field optional so an older or hand-made file still renders. */
type ScreeningReport = MetricsReport & {
  actives?: number;
  decoys?: number;
  active?: string;
  bedroc_alpha?: number;
  methods?: Record<string, { ranking?: string; tied_rows?: number; top_rows?: Record<string, number> }>;
  comparisons?: { name: string; method: string; against: string }[];
  bootstrap?: { resamples: number; confidence: number; strata?: string };
};

export function isScreening(r: MetricsReport): boolean {
  return r.task === 'screening';
}

/** Methods and metric names from the flat `<method>.<metric>` keys, in the file's order (paired differences apart). */
function grid(r: ScreeningReport): { methods: string[]; metrics: string[] } {
  const methods: string[] = [];
  const metrics: string[] = [];
  const differences = new Set((r.comparisons ?? []).map((c) => c.name));
  for (const key of Object.keys(r.metrics)) {
    const dot = key.indexOf('.');
    if (dot < 0) continue;
    const [method, metric] = [key.slice(0, dot), key.slice(dot + 1)];
    if (!differences.has(method) && !methods.includes(method)) methods.push(method);
    if (!metrics.includes(metric)) metrics.push(metric);
  }
  return { methods, metrics };
}

/** The method with the highest value of a metric, if one is strictly highest. */
function best(r: ScreeningReport, methods: readonly string[], metric: string): string | undefined {
  const values = methods.map((m) => r.metrics[`${m}.${metric}`]?.value ?? null);
  const top = Math.max(...values.map((v) => (v === null ? -Infinity : v)));
  const at = values.filter((v) => v === top);
  return at.length === 1 && Number.isFinite(top) ? methods[values.indexOf(top)] : undefined;
}

/** Whether `m`'s interval lies above every other method's on this metric (a clear winner, not a point-estimate one). */
function clearlyBest(r: ScreeningReport, methods: readonly string[], metric: string, m: string): boolean {
  const own: MetricEstimate | undefined = r.metrics[`${m}.${metric}`];
  if (!own || own.ci_low === null) return false;
  return methods.every((o) => {
    if (o === m) return true;
    const other = r.metrics[`${o}.${metric}`];
    return other?.ci_high !== null && other?.ci_high !== undefined && own.ci_low! > other.ci_high;
  });
}

/** The paired differences (method minus against) with their intervals, and in words where the interval excludes 0. */
function differencesTable(r: ScreeningReport, metrics: readonly string[]): string {
  const comparisons = r.comparisons ?? [];
  if (!comparisons.length) return '';
  const rows = comparisons.map((c) => {
    const e = (x: string): MetricEstimate | undefined => r.metrics[`${c.name}.${x}`];
    const better = metrics.filter((x) => (e(x)?.ci_low ?? 0) > 0);
    const worse = metrics.filter((x) => (e(x)?.ci_high ?? 0) < 0);
    const verdict = [better.length ? `better on ${better.join(', ')}` : '', worse.length ? `worse on ${worse.join(', ')}` : ''].filter(Boolean).join('; ');
    return `<tr data-comparison="${esc(c.name)}"><td><code>${esc(c.method)}</code> − <code>${esc(c.against)}</code></td>${metrics.map((x) => `<td class="num">${esc(fmtEstimate(e(x)))}</td>`).join('')}<td>${verdict ? esc(`${c.method} ${verdict}`) : '<span class="muted">no clear difference</span>'}</td></tr>`;
  });
  return `<h3>Paired differences</h3><p class="muted">Each metric of one method minus another's, with the interval from the same resamples (both rankings judged on each); a method is better where the whole interval is above 0.</p><table class="metrics screening-differences"><thead><tr><th>difference</th>${metrics.map((x) => `<th>${esc(x)}</th>`).join('')}<th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function screeningBody(report: MetricsReport): string {
  const r = report as ScreeningReport;
  const { methods, metrics } = grid(r);
  const confidence = r.bootstrap?.confidence !== undefined ? `${Math.round(r.bootstrap.confidence * 100)}% ` : '';
  const share = r.actives !== undefined && r.n ? ` (${fmtNumber((100 * r.actives) / r.n, 1)}%)` : '';
  const info = `<p class="muted">Retrospective screen: ${esc(r.actives ?? '?')} actives${r.active ? ` (${esc(r.active)})` : ''} among ${esc(r.n)} molecules${esc(share)}. EF at x: the actives' share of the first x of the ranked list over their share of the pool (1 = chance); BEDROC${r.bedroc_alpha !== undefined ? ` (alpha ${esc(r.bedroc_alpha)})` : ''}: early recognition, 0 to 1; ROC AUC: the whole list (0.5 = chance). Brackets: ${esc(confidence)}bootstrap interval${r.bootstrap?.strata ? `, ${esc(r.bootstrap.strata)}` : ''}${r.bootstrap ? ` (${esc(r.bootstrap.resamples)} resamples)` : ''}; tied scores count as the mean over their orders.</p>`;
  const winners = Object.fromEntries(metrics.map((x) => [x, best(r, methods, x)]));
  const rows = methods.map((m) => {
    const ranking = r.methods?.[m]?.ranking;
    const cells = metrics.map((x) => {
      const text = esc(fmtEstimate(r.metrics[`${m}.${x}`]));
      return `<td class="num">${winners[x] === m ? `<strong>${text}</strong>` : text}</td>`;
    });
    return `<tr data-method="${esc(m)}"><td><code>${esc(m)}</code>${ranking ? `<div class="muted">${esc(ranking)}</div>` : ''}</td>${cells.join('')}</tr>`;
  });
  const clear = metrics.map((x) => (winners[x] && clearlyBest(r, methods, x, winners[x]!) ? `${winners[x]} on ${x}` : '')).filter(Boolean);
  const verdict = `<p class="muted">Bold: the highest value of each metric. ${
    clear.length
      ? `Its interval lies above every other method's for ${esc(clear.join(', '))}; elsewhere the intervals overlap.`
      : "No method's interval lies above every other's: the differences may be chance."
  }</p>`;
  const table = `<table class="metrics screening"><thead><tr><th>method</th>${metrics.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const notes = r.notes?.length ? `<p class="muted">${r.notes.map(esc).join('. ')}.</p>` : '';
  return `${info}<h3>Methods side by side</h3>${table}${verdict}${differencesTable(r, metrics)}${notes}`;
}

/**
 * The body of a report section for an evaluate.generative step (a `medpipe.metrics/1` file with
 * task "generative"): each headline metric against the independent-marginals baseline, and the
 * columns whose distributions differ most. Aggregates only, like the rest of the page.
 */
import { importanceSvg } from './bars-svg.js';
import { summariseReasons } from './column-names.js';
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import type { MetricsReport } from './report-data.js';

/** The most columns drawn in the per-column chart. */
const TOP_COLUMNS = 15;

interface GenerativeMetric {
  value: number | null;
  baseline?: number | null;
  better?: string;
  beats_baseline?: boolean | null;
}

interface GenerativeColumn {
  column: string;
  ks: number;
  baseline_ks?: number;
}

/** What this section reads beyond MetricsReport; every field optional so an older or hand-made file still renders. */
type GenerativeReport = MetricsReport & {
  n_real?: number;
  columns_compared?: number;
  columns?: GenerativeColumn[];
  novelty?: { real_reference_median?: number | null };
};

export function isGenerative(r: MetricsReport): boolean {
  return r.task === 'generative';
}

function beatsBadge(beats: boolean | null | undefined): string {
  if (beats === true) return '<span class="badge passed">beats</span>';
  if (beats === false) return '<span class="badge failed">does not beat</span>';
  return '<span class="muted">–</span>';
}

/**
 * A note as one line: the "not compared: a (why), b (why), …" note lists every column the
 * synthetic table lacks (262 of them in the drug-discovery pipeline, 256 fingerprint bits), so
 * its columns are grouped by reason and numbered runs collapsed (fp_0 … fp_255).
 */
export function noteLine(note: string): string {
  const list = /^not compared: (.*)$/s.exec(note);
  const groups = list ? summariseReasons(list[1]) : undefined;
  if (!groups) return esc(note);
  const total = groups.reduce((n, g) => n + g.count, 0);
  return `<span class="not-compared">${esc(`not compared, ${total} column${total === 1 ? '' : 's'}: ${groups.map((g) => `${g.names.join(', ')} (${g.reason})`).join('; ')}`)}</span>`;
}

export function generativeBody(report: MetricsReport): string {
  const r = report as GenerativeReport;
  const info = `<p class="muted">${esc(r.n)} synthetic vs ${esc(r.n_real ?? '?')} real rows on ${esc(r.columns_compared ?? '?')} columns. Baseline: each column sampled independently from the real column (keeps the marginals, loses every dependence). Detection AUC: 0.5 (chance) is ideal, 1 fully separable.${r.notes?.length ? ` ${r.notes.map(noteLine).join('. ')}.` : ''}</p>`;
  const rows = Object.entries(r.metrics as Record<string, GenerativeMetric>).map(
    ([name, m]) =>
      `<tr data-metric="${esc(name)}"><td><code>${esc(name)}</code></td><td class="num">${esc(fmtNumber(m.value))}</td><td class="num">${esc(fmtNumber(m.baseline ?? null))}</td><td>${esc(m.better ?? '')}</td><td>${beatsBadge(m.beats_baseline)}</td></tr>`,
  );
  const reference = r.novelty?.real_reference_median;
  const novelty =
    reference !== undefined && reference !== null
      ? `<p class="muted">Novelty is the distance from a synthetic row to its nearest real row in real standard deviations; a real row's nearest other real row is ${esc(fmtNumber(reference))} away (median).</p>`
      : '';
  const table = `<table class="metrics generative"><thead><tr><th>metric</th><th>synthetic</th><th>baseline</th><th>better</th><th>vs baseline</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const columns = (r.columns ?? []).filter((c) => typeof c?.column === 'string' && Number.isFinite(c.ks)).sort((a, b) => b.ks - a.ks);
  const chart = columns.length
    ? `<figure>${importanceSvg(
        'importance',
        columns.slice(0, TOP_COLUMNS).map((c) => ({ feature: c.column, value: c.ks })),
        'per-column KS statistic',
      )}<figcaption>${esc(`Kolmogorov–Smirnov statistic per column, largest ${Math.min(TOP_COLUMNS, columns.length)} of ${columns.length} (0: same distribution).`)}</figcaption></figure>`
    : '';
  return `${info}<h3>Fidelity</h3><div class="charts">${table}${chart}</div>${novelty}`;
}

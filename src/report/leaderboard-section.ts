/**
 * A sweep's leaderboard: one row per combination (and the baseline they were all compared with),
 * one column per metric with its interval, the best value of each column in bold, the row
 * select-best chose marked, and a forest plot of the deciding metric. Each combination's full
 * evaluation is folded underneath instead of being a section of its own.
 *
 * Sorting needs no script (the page has none, and its Content-Security-Policy allows none): each
 * header has a radio button, each row carries its rank under every sort key as a CSS variable
 * (--k0, --k1 …), and `table:has(input.k0:checked) tr { order: var(--k0) }` reorders the rows.
 * Without :has() support the rows stay in the chosen order, which is also their order in the file.
 */
import { knownDirection } from '../metrics/regression-config.js';
import { intervalSvg } from './bars-svg.js';
import { esc } from './escape.js';
import { confidenceLabel, evaluationBody } from './evaluation-section.js';
import { fmtEstimate, fmtNumber } from './format.js';
import { anchor, badge, figure } from './html.js';
import type { Evaluation, Leaderboard, LeaderboardRow, MetricEstimate, ObservedPredicted } from './report-data.js';

/** Metrics beyond this many are shown but cannot be sorted by (the stylesheet has rules for k0 … k15). */
export const SORTABLE_METRICS = 16;

type Direction = 'higher' | 'lower';

function directionOf(lb: Leaderboard, metric: string): Direction | undefined {
  if (lb.selection?.metric === metric && (lb.selection.direction === 'higher' || lb.selection.direction === 'lower')) return lb.selection.direction;
  return knownDirection(metric);
}

/** Ranks 1…n of the rows by a score, better first (higher when the direction is unknown); rows without a score last, in their order. */
function ranks(rows: readonly LeaderboardRow[], score: (r: LeaderboardRow) => number | null | undefined, direction: Direction | undefined): number[] {
  const sign = direction === 'lower' ? 1 : -1;
  const order = rows
    .map((r, i) => ({ i, s: score(r) }))
    .sort((a, b) => {
      const fa = typeof a.s === 'number' && Number.isFinite(a.s);
      const fb = typeof b.s === 'number' && Number.isFinite(b.s);
      if (fa !== fb) return fa ? -1 : 1;
      return (fa && fb ? sign * ((a.s as number) - (b.s as number)) : 0) || a.i - b.i;
    });
  const out = new Array<number>(rows.length);
  order.forEach((o, rank) => (out[o.i] = rank + 1));
  return out;
}

const estimateValue = (m: MetricEstimate | undefined): number | null => m?.value ?? null;

function chosenRow(lb: Leaderboard, r: LeaderboardRow): boolean {
  return !!lb.selection && !r.baseline && r.modelStep === lb.selection.bestModelStep;
}

/** The order select-best ranked by (its metric, by the value or interval bound it used); else the first metric. */
function choiceScore(lb: Leaderboard): (r: LeaderboardRow) => number | null {
  const s = lb.selection;
  if (!s) return (r) => estimateValue(r.metrics[lb.metrics[0]]);
  const field = s.use === 'ci_low' || s.use === 'ci_high' ? s.use : 'value';
  return (r) => r.metrics[s.metric]?.[field] ?? null;
}

function table(lb: Leaderboard): string {
  const group = `sort-${anchor('lb', lb.origin)}`;
  const sortable = lb.metrics.slice(0, SORTABLE_METRICS);
  const choice = ranks(lb.rows, choiceScore(lb), lb.selection ? directionOf(lb, lb.selection.metric) : directionOf(lb, lb.metrics[0]));
  const byMetric = sortable.map((m) => ranks(lb.rows, (r) => estimateValue(r.metrics[m]), directionOf(lb, m)));
  // The DOM order is the choice's order, so the page reads right even where :has() is not supported.
  const order = lb.rows.map((_, i) => i).sort((a, b) => choice[a] - choice[b]);
  const best = lb.metrics.map((m, j) => {
    const d = directionOf(lb, m);
    const r = j < SORTABLE_METRICS ? byMetric[j] : ranks(lb.rows, (row) => estimateValue(row.metrics[m]), d);
    return d && lb.rows.some((row) => typeof estimateValue(row.metrics[m]) === 'number') ? r.indexOf(1) : -1;
  });

  // Widths in ch: a grid (not an HTML table) lays the rows out, so every row needs the same column widths.
  const paramW = lb.parameters.map((p) => Math.max(p.length, ...lb.rows.map((r) => (r.baseline ? 0 : String(r.values[p] ?? '').length))) + 3);
  // The baseline's name spans the parameter columns: widen the last one if it does not fit.
  const short = Math.max(0, ...lb.rows.filter((r) => r.baseline).map((r) => r.label.length + 2)) - paramW.reduce((a, b) => a + b, 0);
  if (short > 0 && paramW.length) paramW[paramW.length - 1] += short;
  const labelW = 10;
  // The interval goes under the value, in smaller type, so ten metrics fit across the page.
  const metricW = lb.metrics.map((m) =>
    Math.max(m.length + 4, ...lb.rows.map((r) => Math.ceil(fmtEstimate(r.metrics[m]).replace(/^\S+\s*/, '').length * 0.85) + 2)),
  );
  const cols = [`${labelW}ch`, ...paramW.map((w) => `${w}ch`), ...metricW.map((w) => `${w}ch`)].join(' ');

  const radio = (cls: string, checked: boolean, title: string): string =>
    `<input type="radio" name="${esc(group)}" class="${cls}" title="${esc(title)}"${checked ? ' checked' : ''}>`;
  const arrow = (m: string): string => (directionOf(lb, m) === 'lower' ? '↓' : directionOf(lb, m) === 'higher' ? '↑' : '');
  const head =
    `<th><label>${radio('ks', true, lb.selection ? `as ${lb.selection.step} ranked` : `by ${lb.metrics[0]}`)}${lb.selection ? 'chosen' : 'order'}</label></th>` +
    lb.parameters.map((p) => `<th>${esc(p)}</th>`).join('') +
    lb.metrics
      .map((m, j) => {
        const title = `${m}: ${directionOf(lb, m) === 'lower' ? 'lower' : 'higher'} is better`;
        return j < SORTABLE_METRICS
          ? `<th data-metric="${esc(m)}"><label title="${esc(title)}">${radio(`k${j}`, false, `sort by ${m}`)}<code>${esc(m)}</code> ${arrow(m)}</label></th>`
          : `<th data-metric="${esc(m)}" title="${esc(title)}"><code>${esc(m)}</code> ${arrow(m)}</th>`;
      })
      .join('');
  const body = order
    .map((i) => {
      const r = lb.rows[i];
      const vars = [`--ks:${choice[i]}`, ...byMetric.map((rk, j) => `--k${j}:${rk[i]}`)].join(';');
      const status = chosenRow(lb, r) ? badge('passed', 'chosen') : '';
      const params = r.baseline
        ? `<td class="baseline-label" style="grid-column: span ${Math.max(1, lb.parameters.length)}">${esc(r.label)}</td>`
        : lb.parameters.map((p) => `<td>${esc(typeof r.values[p] === 'string' ? r.values[p] : JSON.stringify(r.values[p] ?? ''))}</td>`).join('');
      const cells = lb.metrics
        .map((m, j) => {
          const e = r.metrics[m];
          const ci = e && e.ci_low !== null && e.ci_high !== null ? `<span class="ci">[${esc(fmtNumber(e.ci_low))}, ${esc(fmtNumber(e.ci_high))}]</span>` : '';
          return `<td class="num${best[j] === i ? ' col-best' : ''}" data-metric="${esc(m)}" data-value="${esc(e?.value ?? '')}">${esc(fmtNumber(estimateValue(e)))}${ci}</td>`;
        })
        .join('');
      const cls = [r.baseline ? 'baseline' : '', chosenRow(lb, r) ? 'chosen' : ''].filter(Boolean).join(' ');
      return `<tr${cls ? ` class="${cls}"` : ''}${r.step ? ` data-step="${esc(r.step)}"` : ''} data-label="${esc(r.label)}" style="${vars}"><td>${status}</td>${params}${cells}</tr>`;
    })
    .join('');
  return `<div class="scroll"><table class="leaderboard" style="--lb-cols: ${cols}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function forestPlot(lb: Leaderboard): string {
  const metric = lb.selection?.metric ?? lb.metrics[0];
  if (!metric) return '';
  const rows = lb.rows.filter((r) => r.metrics[metric]?.value !== null && r.metrics[metric] !== undefined);
  const order = rows.map((r, i) => ({ r, rank: ranks(rows, choiceScore(lb), directionOf(lb, metric))[i] })).sort((a, b) => a.rank - b.rank);
  const entries = order.map(({ r }) => [`${r.label}${chosenRow(lb, r) ? ' (chosen)' : ''}`, r.metrics[metric]] as [string, MetricEstimate]);
  if (!entries.length) return '';
  return figure(
    intervalSvg('leaderboard', entries, `${metric} of every combination`),
    `${metric} of every combination with its ${confidenceLabel(lb.confidence)}, in the order of the choice.`,
  );
}

export function leaderboardSection(lb: Leaderboard, evaluations: readonly Evaluation[], points: readonly ObservedPredicted[]): string {
  const members = lb.rows.filter((r) => !r.baseline).length;
  const s = lb.selection;
  const chosen = s ? lb.rows.find((r) => chosenRow(lb, r)) : undefined;
  const how = s
    ? `<p>Chosen by <code>${esc(s.step)}</code>: the ${s.direction === 'lower' ? 'lowest' : 'highest'} ${esc(s.use === 'value' ? '' : `${s.use} of `)}<code>${esc(s.metric)}</code>${chosen ? ` — <strong>${esc(chosen.label)}</strong> (<code>${esc(chosen.modelStep ?? '')}</code>)` : ''}.</p>`
    : '';
  const note = `<p class="muted">Each cell: value [${esc(confidenceLabel(lb.confidence))}]; bold: the best of the column (↑ higher, ↓ lower is better). Pick a column's button to sort by it.${lb.rows.some((r) => r.baseline) ? ' The baseline row is the reference every combination was judged against, on the same patients.' : ''}</p>`;
  const missing = lb.missing.length
    ? `<p class="muted">Not in the leaderboard: ${lb.missing.map((m) => `<code>${esc(m.step)}</code> (${esc(m.why)})`).join(', ')}.</p>`
    : '';
  const details = lb.rows
    .filter((r) => !r.baseline && r.step)
    .map((r) => {
      const e = evaluations.find((x) => x.step === r.step);
      return e
        ? `<details class="member" data-step="${esc(e.step)}" id="${esc(anchor('eval', e.step))}"><summary>${esc(r.label)}: <code>${esc(e.step)}</code> — every metric, curve and table</summary>${evaluationBody(
            e,
            points.find((p) => p.step === e.step),
          )}</details>`
        : '';
    })
    .join('');
  return `<section class="leaderboard-section" id="${esc(anchor('leaderboard', lb.origin))}" data-origin="${esc(lb.origin)}"><h2>Leaderboard: <code>${esc(lb.origin)}</code> <span class="muted">${members} combinations</span></h2>${how}${note}${table(lb)}${missing}<div class="charts">${forestPlot(lb)}</div><h3>Each combination</h3>${details}</section>`;
}

/**
 * Per-step timing as a Gantt chart: one row per step in dependency order, a bar from its start to
 * its end on a shared time axis, cache hits marked with a diamond (they take no time), failed
 * steps in red, skipped steps labelled. Bars whose start was laid out from dependencies rather
 * than measured are drawn with a dashed outline (see collect.ts).
 */
import { esc } from './escape.js';
import { fmtDuration, px } from './format.js';
import type { ReportStep } from './report-data.js';
import { linear, niceTicks, svgChart } from './svg.js';
import { monoWidth } from './text-width.js';

/** The step ids' column is as wide as the longest id (never cut), and at least this. */
const MIN_LABEL_W = 120;
/** The stylesheet's `svg .row-label` size. */
const LABEL_PX = 11.5;
const PLOT_W = 620;
const ROW_H = 24;
const TOP = 10;
const AXIS_H = 34;

function row(s: ReportStep, i: number, x: (v: number) => number, labelW: number): string {
  const y = TOP + i * ROW_H;
  const mid = y + ROW_H / 2;
  const label = `<text class="row-label" x="${px(labelW - 10)}" y="${px(mid + 4)}" text-anchor="end">${esc(s.id)}</text>`;
  const startNote = s.startEstimated ? ' (start laid out from its dependencies)' : '';
  let mark: string;
  if (s.status === 'cached') {
    const cx = x(s.startMs);
    mark = `<g class="cache-hit"><title>${esc(`${s.id}: cache hit, not recomputed`)}</title><path d="M${px(cx)} ${px(mid - 6)}l6 6l-6 6l-6 -6z"/><text x="${px(cx + 10)}" y="${px(mid + 4)}">cached</text></g>`;
  } else if (s.status === 'skipped' || s.status === 'pending' || s.durationMs === undefined) {
    mark = `<text class="not-run" x="${px(x(s.startMs) + 4)}" y="${px(mid + 4)}">${esc(s.status)}</text>`;
  } else {
    const x0 = x(s.startMs);
    const w = Math.max(2, x(s.startMs + s.durationMs) - x0);
    const tip = `${s.id}: ${s.status}, ${fmtDuration(s.durationMs)}, from ${fmtDuration(s.startMs)}${startNote}`;
    mark = `<g class="bar status-${esc(s.status)}${s.startEstimated ? ' estimated' : ''}"><title>${esc(tip)}</title><rect x="${px(x0)}" y="${px(y + 4)}" width="${px(w)}" height="${ROW_H - 8}" rx="2"/><text x="${px(x0 + w + 5)}" y="${px(mid + 4)}">${esc(fmtDuration(s.durationMs))}</text></g>`;
  }
  return `<g class="timeline-row" data-step="${esc(s.id)}">${label}${mark}</g>`;
}

export function timelineSvg(steps: readonly ReportStep[], runDurationMs: number | undefined): string {
  const labelW = Math.ceil(Math.max(MIN_LABEL_W, ...steps.map((s) => monoWidth(s.id, LABEL_PX) + 20)));
  const end = Math.max(1, runDurationMs ?? 0, ...steps.map((s) => s.startMs + (s.status === 'cached' ? 0 : (s.durationMs ?? 0))));
  // Leave room right of the longest bar for its duration label.
  const x = linear([0, end * 1.12], [labelW, labelW + PLOT_W]);
  const height = TOP + steps.length * ROW_H + AXIS_H;
  const axisY = TOP + steps.length * ROW_H + 4;
  const ticks = niceTicks(0, end * 1.12, 6)
    .map(
      (t) =>
        `<line class="grid" x1="${px(x(t))}" x2="${px(x(t))}" y1="${TOP}" y2="${px(axisY)}"/><text class="tick-label x-tick" x="${px(x(t))}" y="${px(axisY + 14)}" text-anchor="middle">${esc(fmtDuration(t))}</text>`,
    )
    .join('');
  const body =
    ticks +
    `<line class="axis" x1="${labelW}" x2="${labelW + PLOT_W}" y1="${px(axisY)}" y2="${px(axisY)}"/>` +
    steps.map((s, i) => row(s, i, x, labelW)).join('');
  return svgChart('timeline', labelW + PLOT_W + 20, height, `timeline of ${steps.length} steps`, body);
}

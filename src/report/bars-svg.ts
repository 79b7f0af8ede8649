/**
 * Horizontal interval and bar charts: the forest plot of metric estimates with their confidence
 * intervals, and feature importance bars (with ± one standard deviation whiskers for permutation
 * importance). One row per item, labels on the left, in a column as wide as the longest label
 * up to MAX_LABEL characters (longer ones are cut, whole in their tooltip).
 */
import { esc, truncate } from './escape.js';
import { fmtNumber, px, tickFormat } from './format.js';
import type { MetricEstimate } from './report-data.js';
import { linear, niceTicks, svgChart, type Scale } from './svg.js';
import { monoWidth } from './text-width.js';

const MIN_LABEL_W = 120;
/** Labels longer than this many characters are cut (feature names can be sentences). */
const MAX_LABEL = 40;
/** The stylesheet's `svg .row-label` size. */
const LABEL_PX = 11.5;
const PLOT_W = 340;
const ROW_H = 22;
const TOP = 8;
const AXIS_H = 30;

/** The width of the label column for these labels. */
function labelWidth(labels: readonly string[]): number {
  return Math.ceil(Math.max(MIN_LABEL_W, ...labels.map((l) => monoWidth(truncate(l, MAX_LABEL), LABEL_PX) + 20)));
}

function frame(x: Scale, rows: number, labelW: number): string {
  const bottom = TOP + rows * ROW_H;
  const values = niceTicks(x.domain[0], x.domain[1], 5);
  const format = tickFormat(values);
  const ticks = values
    .map(
      (t) =>
        `<line class="grid" x1="${px(x(t))}" x2="${px(x(t))}" y1="${TOP}" y2="${px(bottom)}"/><text class="tick-label x-tick" x="${px(x(t))}" y="${px(bottom + 14)}" text-anchor="middle">${esc(format(t))}</text>`,
    )
    .join('');
  return `${ticks}<line class="axis" x1="${labelW}" x2="${labelW + PLOT_W}" y1="${px(bottom)}" y2="${px(bottom)}"/>`;
}

function label(text: string, i: number, labelW: number): string {
  return `<text class="row-label" x="${labelW - 10}" y="${px(TOP + i * ROW_H + ROW_H / 2 + 4)}" text-anchor="end">${esc(truncate(text, MAX_LABEL))}<title>${esc(text)}</title></text>`;
}

/** The domain to draw: the values and interval ends, padded, clamped to [0, 1] when they all lie in it. */
function domainOf(values: number[], includeZero: boolean): [number, number] {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(...finite, includeZero ? 0 : Infinity);
  let hi = Math.max(...finite, includeZero ? 0 : -Infinity);
  if (!finite.length) return [0, 1];
  const unit = lo >= 0 && hi <= 1;
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
  lo -= pad;
  hi += pad;
  return unit ? [Math.max(0, lo), Math.min(1, hi)] : [lo, hi];
}

/** A forest plot: one row per metric, a dot at the estimate and a line across its confidence interval. */
export function intervalSvg(kind: string, metrics: readonly [string, MetricEstimate][], label0: string): string {
  const values = metrics.flatMap(([, m]) => [m.value, m.ci_low, m.ci_high]).filter((v): v is number => v !== null);
  const labelW = labelWidth(metrics.map(([name]) => name));
  const x = linear(domainOf(values, false), [labelW, labelW + PLOT_W]);
  const rows = metrics
    .map(([name, m], i) => {
      const cy = TOP + i * ROW_H + ROW_H / 2;
      const tip = `${name}: ${fmtNumber(m.value)}${m.ci_low !== null && m.ci_high !== null ? ` (${fmtNumber(m.ci_low)} to ${fmtNumber(m.ci_high)})` : ''}`;
      const ci =
        m.ci_low !== null && m.ci_high !== null
          ? `<line class="ci" x1="${px(x(m.ci_low))}" x2="${px(x(m.ci_high))}" y1="${px(cy)}" y2="${px(cy)}"/><line class="ci" x1="${px(x(m.ci_low))}" x2="${px(x(m.ci_low))}" y1="${px(cy - 5)}" y2="${px(cy + 5)}"/><line class="ci" x1="${px(x(m.ci_high))}" x2="${px(x(m.ci_high))}" y1="${px(cy - 5)}" y2="${px(cy + 5)}"/>`
          : '';
      const dot =
        m.value !== null && Number.isFinite(m.value) ? `<rect class="estimate" x="${px(x(m.value) - 4)}" y="${px(cy - 4)}" width="8" height="8"/>` : '';
      return `<g class="interval" data-metric="${esc(name)}"><title>${esc(tip)}</title>${label(name, i, labelW)}${ci}${dot}</g>`;
    })
    .join('');
  return svgChart(kind, labelW + PLOT_W + 20, TOP + metrics.length * ROW_H + AXIS_H, label0, frame(x, metrics.length, labelW) + rows);
}

/** Importance bars from zero, largest first, with optional ± std whiskers. */
export function importanceSvg(kind: string, items: readonly { feature: string; value: number; std?: number }[], label0: string): string {
  const values = items.flatMap((it) => [it.value + (it.std ?? 0), it.value - (it.std ?? 0)]);
  const labelW = labelWidth(items.map((it) => it.feature));
  const x = linear(domainOf(values, true), [labelW, labelW + PLOT_W]);
  const rows = items
    .map((it, i) => {
      const y = TOP + i * ROW_H;
      const x0 = x(Math.min(0, it.value));
      const w = Math.max(1, Math.abs(x(it.value) - x(0)));
      const whisker = it.std
        ? `<line class="ci" x1="${px(x(it.value - it.std))}" x2="${px(x(it.value + it.std))}" y1="${px(y + ROW_H / 2)}" y2="${px(y + ROW_H / 2)}"/>`
        : '';
      const tip = `${it.feature}: ${fmtNumber(it.value)}${it.std !== undefined ? ` ± ${fmtNumber(it.std)}` : ''}`;
      return `<g class="importance"><title>${esc(tip)}</title>${label(it.feature, i, labelW)}<rect class="bar" x="${px(x0)}" y="${px(y + 4)}" width="${px(w)}" height="${ROW_H - 8}"/>${whisker}</g>`;
    })
    .join('');
  return svgChart(kind, labelW + PLOT_W + 20, TOP + items.length * ROW_H + AXIS_H, label0, frame(x, items.length, labelW) + rows);
}

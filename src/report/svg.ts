/**
 * Small building blocks for the report's inline SVG charts: the <svg> element, linear scales,
 * "nice" axis ticks and axes with labels. Charts are drawn on the server as strings; the page
 * needs no script to show them. Tooltips are SVG <title> elements, which browsers show natively.
 */
import { esc } from './escape.js';
import { px, tickFormat } from './format.js';

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** Round tick values (1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The <svg> element of one chart; `kind` becomes its class (`chart-roc`), which the tests and CSS use. */
export function svgChart(kind: string, width: number, height: number, label: string, body: string): string {
  return `<svg class="chart chart-${esc(kind)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">${body}</svg>`;
}

export interface AxisOptions {
  x: Scale;
  y: Scale;
  xTicks?: number[];
  yTicks?: number[];
  xLabel?: string;
  yLabel?: string;
  /** Tick labels; by default each axis gets the decimals its tick spacing needs (format.ts tickFormat). */
  format?: (v: number) => string;
  /** Light grid lines across the plot at each tick. */
  grid?: boolean;
}

/** Both axes of an x-y plot, with ticks, tick labels, axis titles and an optional grid. */
export function axes(o: AxisOptions): string {
  const [x0, x1] = o.x.range;
  const [y0, y1] = o.y.range; // y0 is the bottom
  const xt = o.xTicks ?? niceTicks(o.x.domain[0], o.x.domain[1]);
  const yt = o.yTicks ?? niceTicks(o.y.domain[0], o.y.domain[1]);
  const fx = o.format ?? tickFormat(xt);
  const fy = o.format ?? tickFormat(yt);
  const parts: string[] = [];
  if (o.grid) {
    for (const t of xt) parts.push(`<line class="grid" x1="${px(o.x(t))}" x2="${px(o.x(t))}" y1="${px(y0)}" y2="${px(y1)}"/>`);
    for (const t of yt) parts.push(`<line class="grid" x1="${px(x0)}" x2="${px(x1)}" y1="${px(o.y(t))}" y2="${px(o.y(t))}"/>`);
  }
  parts.push(`<line class="axis" x1="${px(x0)}" x2="${px(x1)}" y1="${px(y0)}" y2="${px(y0)}"/>`);
  parts.push(`<line class="axis" x1="${px(x0)}" x2="${px(x0)}" y1="${px(y0)}" y2="${px(y1)}"/>`);
  for (const t of xt)
    parts.push(
      `<line class="tick" x1="${px(o.x(t))}" x2="${px(o.x(t))}" y1="${px(y0)}" y2="${px(y0 + 4)}"/><text class="tick-label x-tick" x="${px(o.x(t))}" y="${px(y0 + 15)}" text-anchor="middle">${esc(fx(t))}</text>`,
    );
  for (const t of yt)
    parts.push(
      `<line class="tick" x1="${px(x0 - 4)}" x2="${px(x0)}" y1="${px(o.y(t))}" y2="${px(o.y(t))}"/><text class="tick-label y-tick" x="${px(x0 - 7)}" y="${px(o.y(t) + 3.5)}" text-anchor="end">${esc(fy(t))}</text>`,
    );
  if (o.xLabel) parts.push(`<text class="axis-label" x="${px((x0 + x1) / 2)}" y="${px(y0 + 32)}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel)
    parts.push(`<text class="axis-label" transform="translate(${px(x0 - 38)} ${px((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  return parts.join('');
}

/** An SVG path through the points, skipping non-finite ones (a gap starts a new segment). */
export function linePath(points: readonly (readonly [number, number])[]): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x)} ${px(y)}`;
    pen = true;
  }
  return d;
}

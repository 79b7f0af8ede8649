/**
 * Line charts of series over training steps: a GAN's critic and generator losses. Each series has
 * its own colour and a legend entry; the y axis spans every series (WGAN critic losses go below 0).
 */
import { esc } from './escape.js';
import { fmtNumber, px } from './format.js';
import { axes, linear, linePath, niceTicks, svgChart } from './svg.js';
import { monoWidth } from './text-width.js';

const W = 520;
const H = 300;
const M = { left: 56, right: 14, top: 26, bottom: 44 };
/** The stylesheet's `svg .legend-item text` size. */
const LEGEND_PX = 11.5;

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

/** The domain of the values, widened to nice ticks, and a little room when every value is equal. */
function span(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const ticks = niceTicks(lo, hi);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : hi - lo;
  return [Math.min(lo, Math.floor(lo / step) * step), Math.max(hi, Math.ceil(hi / step) * step)];
}

export function linesSvg(kind: string, series: readonly Series[], xLabel: string, yLabel: string, label: string): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const x = linear([Math.min(0, ...xs), Math.max(1, ...xs)], [M.left, W - M.right]);
  const y = linear(span(ys), [H - M.bottom, M.top]);
  const frame = axes({ x, y, xLabel, yLabel, grid: true });
  const lines = series
    .map((s, i) => {
      const last = s.points[s.points.length - 1];
      const tip = `${s.name}: ${s.points.length} points${last ? `, last ${fmtNumber(last[1])} at ${last[0]}` : ''}`;
      return `<path class="curve series-${i}" data-series="${esc(s.name)}" data-points="${s.points.length}" d="${linePath(s.points.map(([a, b]) => [x(a), y(b)] as const))}"><title>${esc(tip)}</title></path>`;
    })
    .join('');
  let at = M.left + 8;
  const legend = series
    .map((s, i) => {
      const item = `<g class="legend-item series-${i}" transform="translate(${px(at)} 12)"><line x1="0" x2="18" y1="0" y2="0"/><text class="mono" x="24" y="4">${esc(s.name)}</text></g>`;
      at += 24 + monoWidth(s.name, LEGEND_PX) + 18;
      return item;
    })
    .join('');
  return svgChart(kind, W, H, label, frame + lines + legend);
}

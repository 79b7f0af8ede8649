/**
 * Observed against predicted values of a regression's test rows, on one square scale with the
 * identity line (a perfect model puts every point on it) and R² in the corner. Points only, no
 * values as text: the report draws this only for rows the pipeline asked to plot (molecules).
 */
import { esc } from './escape.js';
import { fmtNumber, px } from './format.js';
import { axes, linear, niceTicks, svgChart } from './svg.js';

const SIZE = 320;
const M = { left: 50, right: 14, top: 14, bottom: 44 };

export function observedPredictedSvg(
  observed: readonly number[],
  predicted: readonly number[],
  r2: number | null | undefined,
  target: string | undefined,
): string {
  const all = [...observed, ...predicted];
  const ticks = niceTicks(Math.min(...all), Math.max(...all));
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  // One domain for both axes, on whole ticks, so the identity line is the diagonal.
  const domain: [number, number] = [Math.floor(Math.min(...all) / step) * step, Math.ceil(Math.max(...all) / step) * step];
  const x = linear(domain, [M.left, SIZE - M.right]);
  const y = linear(domain, [SIZE - M.bottom, M.top]);
  const what = target ?? 'value';
  const frame = axes({ x, y, xLabel: `observed ${what}`, yLabel: `predicted ${what}`, grid: true });
  const identity = `<line class="reference" x1="${px(x(domain[0]))}" y1="${px(y(domain[0]))}" x2="${px(x(domain[1]))}" y2="${px(y(domain[1]))}"><title>predicted = observed</title></line>`;
  const points = observed.map((o, i) => `<circle class="point" cx="${px(x(o))}" cy="${px(y(predicted[i]))}" r="2.6"/>`).join('');
  const legend = `<text class="legend" x="${M.left + 8}" y="${M.top + 12}">R² ${esc(fmtNumber(r2 ?? null))}</text>`;
  return svgChart(
    'observed-predicted',
    SIZE,
    SIZE,
    `observed vs predicted ${what}, ${observed.length} test rows`,
    frame + identity + `<g class="points" data-points="${observed.length}">${points}</g>` + legend,
  );
}

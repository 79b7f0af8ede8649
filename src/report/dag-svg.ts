/**
 * The pipeline graph as SVG: steps in layers left to right by longest dependency path, boxes
 * coloured by what the step did in this run (done, cached, failed, skipped), edges with arrowheads.
 * Within a layer, steps are ordered by the mean position of their dependencies (one barycentre
 * pass), which keeps edges from crossing in the usual fan-out/fan-in pipelines.
 *
 * Labels are never cut: each column is as wide as its widest node needs (a sweep member's id,
 * `svm[C=0.1,kernel=linear]`, is the whole point of the node). They are drawn in the monospace
 * font so that width can be computed here (text-width.ts).
 */
import { esc } from './escape.js';
import { fmtDuration, px } from './format.js';
import { layerColumns, longestPathLayers } from './layers.js';
import type { ReportStep } from './report-data.js';
import { svgChart } from './svg.js';
import { monoWidth } from './text-width.js';

const MIN_NODE_W = 120;
const NODE_H = 42;
const GAP_X = 36;
const GAP_Y = 18;
const PAD = 12;
/** Left and right padding inside a node, and the space between the step type and the status on the second line. */
const INSET = 10;
const SUB_GAP = 12;
/** Font sizes in px: the stylesheet's `svg .node .node-id` and `.node-sub` / `.node-status`. */
const ID_PX = 12;
const SUB_PX = 10.5;

interface Placed {
  step: ReportStep;
  x: number;
  y: number;
  /** The width of the node's column: every node in a column is as wide as the widest. */
  w: number;
}

/** The width a node needs for its id on the first line, and its step type and status on the second. */
function nodeWidth(s: ReportStep): number {
  const first = monoWidth(s.id, ID_PX);
  const second = monoWidth(s.uses ?? '', SUB_PX) + SUB_GAP + monoWidth(statusText(s), SUB_PX);
  return Math.max(MIN_NODE_W, Math.ceil(Math.max(first, second) + 2 * INSET));
}

function place(steps: readonly ReportStep[]): { nodes: Map<string, Placed>; width: number; height: number } {
  const columns = layerColumns(steps, longestPathLayers(steps));
  const row = new Map<string, number>();
  for (const column of columns) {
    const order = new Map(column.map((s, i) => [s.id, i]));
    const centre = (s: ReportStep): number => {
      const deps = s.dependsOn.filter((d) => row.has(d));
      return deps.length ? deps.reduce((a, d) => a + (row.get(d) ?? 0), 0) / deps.length : (order.get(s.id) ?? 0);
    };
    column.sort((a, b) => centre(a) - centre(b) || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    column.forEach((s, i) => row.set(s.id, i - (column.length - 1) / 2));
  }
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const nodes = new Map<string, Placed>();
  let x = PAD;
  for (const column of columns) {
    const w = Math.max(...column.map(nodeWidth));
    for (const step of column) {
      const y = height / 2 + (row.get(step.id) ?? 0) * (NODE_H + GAP_Y) - NODE_H / 2;
      nodes.set(step.id, { step, x, y, w });
    }
    x += w + GAP_X;
  }
  return { nodes, width: Math.max(PAD * 2, x - GAP_X + PAD), height };
}

function statusText(s: ReportStep): string {
  if (s.status === 'cached') return 'cached';
  if (s.status === 'done') return fmtDuration(s.durationMs);
  return s.status;
}

function edge(from: Placed, to: Placed, ports: string[]): string {
  const x1 = from.x + from.w;
  const y1 = from.y + NODE_H / 2;
  const x2 = to.x - 2;
  const y2 = to.y + NODE_H / 2;
  const bend = Math.max(20, (x2 - x1) / 2);
  const title = `${from.step.id} → ${to.step.id}${ports.length ? ` (${ports.join(', ')})` : ''}`;
  return `<path class="edge" d="M${px(x1)} ${px(y1)}C${px(x1 + bend)} ${px(y1)} ${px(x2 - bend)} ${px(y2)} ${px(x2)} ${px(y2)}" marker-end="url(#dag-arrow)"><title>${esc(title)}</title></path>`;
}

function node(p: Placed): string {
  const s = p.step;
  const tip = [s.id, s.uses ? `uses: ${s.uses}` : '', `status: ${s.status}`, s.durationMs !== undefined ? `duration: ${fmtDuration(s.durationMs)}` : '']
    .filter(Boolean)
    .join('\n');
  return (
    `<g class="node status-${esc(s.status)}" data-step="${esc(s.id)}" transform="translate(${px(p.x)} ${px(p.y)})"><title>${esc(tip)}</title>` +
    `<rect width="${px(p.w)}" height="${NODE_H}" rx="6"/>` +
    `<text class="node-id" x="${INSET}" y="17">${esc(s.id)}</text>` +
    `<text class="node-sub" x="${INSET}" y="33">${esc(s.uses ?? '')}</text>` +
    `<text class="node-status" x="${px(p.w - INSET)}" y="33" text-anchor="end">${esc(statusText(s))}</text></g>`
  );
}

export function dagSvg(steps: readonly ReportStep[]): string {
  const { nodes, width, height } = place(steps);
  const edges: string[] = [];
  for (const p of nodes.values()) {
    for (const dep of p.step.dependsOn) {
      const from = nodes.get(dep);
      if (from)
        edges.push(
          edge(
            from,
            p,
            p.step.inputs.filter((i) => i.step === dep).map((i) => i.port),
          ),
        );
    }
  }
  const defs =
    '<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="arrow"/></marker></defs>';
  return svgChart('dag', width, height, `pipeline graph: ${steps.length} steps`, defs + edges.join('') + [...nodes.values()].map(node).join(''));
}

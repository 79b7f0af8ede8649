/**
 * The report's stylesheet, inlined in the page: system fonts only (nothing is fetched), status
 * colours shared by the graph, the timeline and the badges, and print rules so the page can be
 * printed or saved as PDF for a review meeting.
 */
import { SORTABLE_METRICS } from './leaderboard-section.js';

/** The leaderboard's script-free sorting: the checked radio button picks which rank variable orders the rows (leaderboard-section.ts). */
const SORT_RULES = ['ks', ...Array.from({ length: SORTABLE_METRICS }, (_, i) => `k${i}`)]
  .map((k) => `table.leaderboard:has(input.${k}:checked) tbody tr { order: var(--${k}); }`)
  .join('\n');

export const STYLES = `
:root { --done:#2e7d32; --done-bg:#e8f5e9; --cached:#1565c0; --cached-bg:#e3f2fd; --failed:#c62828; --failed-bg:#ffebee; --skipped:#757575; --skipped-bg:#f5f5f5; --cancelled:#b26a00; --cancelled-bg:#fff3e0; --ink:#1f2328; --muted:#656d76; --line:#d0d7de; --accent:#6a3d9a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 28px 60px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 8px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
header dl { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 10px 0 0; }
header dt { color: var(--muted); } header dd { margin: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.ok, .badge.done, .badge.passed { background: var(--done-bg); color: var(--done); }
.badge.cached { background: var(--cached-bg); color: var(--cached); }
.badge.failed { background: var(--failed-bg); color: var(--failed); }
tr.regressed td { background: var(--failed-bg); }
.badge.cancelled { background: var(--cancelled-bg); color: var(--cancelled); }
.badge.skipped, .badge.pending, .badge.running { background: var(--skipped-bg); color: var(--skipped); }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 6px; margin: 10px 0; }
.scroll { overflow-x: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 12px; color: var(--muted); margin-top: 2px; max-width: 520px; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { text-align: left; padding: 3px 12px 3px 0; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12.5px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.error { color: var(--failed); max-width: 560px; white-space: pre-wrap; }
.legend-row { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin: 4px 0; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; vertical-align: -1px; margin-right: 4px; }
svg.chart { font-size: 11px; fill: var(--ink); overflow: visible; }
/* A wide pipeline shrinks to the page rather than hiding its last steps off to the right. */
svg.chart-dag, svg.chart-timeline { max-width: 100%; height: auto; }
svg .axis { stroke: #8c959f; } svg .tick { stroke: #8c959f; } svg .grid { stroke: #eaeef2; }
svg .tick-label { fill: var(--muted); font-size: 10.5px; } svg .axis-label { fill: var(--muted); font-size: 11.5px; }
svg .reference { stroke: #8c959f; stroke-dasharray: 4 4; }
svg .curve { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .bin { fill: var(--accent); fill-opacity: .75; stroke: #fff; }
svg .legend { font-weight: 600; fill: var(--accent); }
svg .edge { fill: none; stroke: #8c959f; stroke-width: 1.4; } svg .arrow { fill: #8c959f; }
svg .node rect { stroke-width: 1.6; }
/* Monospace: the DAG and the charts size their boxes from these labels' lengths (text-width.ts). */
svg .node text, svg .row-label, svg .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
svg .node .node-id { font-weight: 600; font-size: 12px; } svg .node .node-sub, svg .node .node-status { fill: var(--muted); font-size: 10.5px; }
svg .status-done rect { fill: var(--done-bg); stroke: var(--done); } svg .status-cached rect { fill: var(--cached-bg); stroke: var(--cached); }
svg .status-failed rect { fill: var(--failed-bg); stroke: var(--failed); } svg .status-cancelled rect { fill: var(--cancelled-bg); stroke: var(--cancelled); } svg .status-skipped rect, svg .status-pending rect, svg .status-running rect { fill: var(--skipped-bg); stroke: var(--skipped); stroke-dasharray: 4 3; }
svg .bar.status-done rect { fill: var(--done); stroke: none; } svg .bar.status-failed rect { fill: var(--failed); stroke: none; } svg .bar.status-running rect { fill: var(--skipped); } svg .bar.status-cancelled rect { fill: var(--cancelled); stroke: none; }
svg .bar.estimated rect { fill-opacity: .55; stroke: #24292f; stroke-dasharray: 3 2; stroke-width: 1; }
svg .bar text, svg .cache-hit text, svg .not-run { fill: var(--muted); font-size: 10.5px; }
svg .cache-hit path { fill: var(--cached); }
svg .row-label { font-size: 11.5px; }
svg .ci { stroke: var(--ink); stroke-width: 1.5; } svg .estimate { fill: var(--accent); }
svg .importance .bar { fill: #8e6cc0; }
svg .cell.correct rect { fill: var(--done); } svg .cell.error rect { fill: var(--failed); }
svg .cell .count { font-size: 14px; font-weight: 600; } svg .cell .count.on-dark { fill: #fff; }
nav.contents { margin: 14px 0 0; font-size: 13px; } nav.contents a { color: var(--cached); text-decoration: none; } nav.contents a:hover { text-decoration: underline; }
a { color: var(--cached); }
.model-card { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 12px; margin: 12px 0; }
.model-card h3 { font-size: 16px; } .model-card h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.model-card p { margin: 4px 0; } .model-card ul { margin: 4px 0; padding-left: 18px; } .model-card .columns { color: var(--muted); }
.card-grid { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); gap: 8px 28px; }
@media (max-width: 860px) { .card-grid { grid-template-columns: 1fr; } }
.model-card .missing { color: var(--failed); font-weight: 600; }
table.headline td.num { white-space: nowrap; }
table.leaderboard { display: block; border-collapse: separate; }
table.leaderboard thead, table.leaderboard tbody { display: flex; flex-direction: column; }
table.leaderboard tr { display: grid; grid-template-columns: var(--lb-cols); align-items: stretch; }
table.leaderboard th, table.leaderboard td { padding: 3px 10px 3px 0; white-space: nowrap; }
table.leaderboard th label { cursor: pointer; display: inline-flex; align-items: baseline; gap: 4px; }
table.leaderboard th:has(input:checked) { color: var(--ink); }
table.leaderboard td.col-best { font-weight: 700; }
table.leaderboard tr.chosen td { background: var(--done-bg); }
table.leaderboard tr.baseline td { background: var(--skipped-bg); font-style: italic; }
table.leaderboard .ci { display: block; color: var(--muted); font-weight: 400; font-size: 11.5px; }
table.leaderboard td.num { text-align: right; }
${SORT_RULES}
details.member { margin: 6px 0; border: 1px solid #eaeef2; border-radius: 6px; padding: 4px 12px; }
details.member > summary { cursor: pointer; padding: 2px 0; }
svg .series-0 line, svg path.series-0 { stroke: var(--accent); } svg .series-1 line, svg path.series-1 { stroke: #e07b00; }
svg .curve.series-0, svg .curve.series-1 { fill: none; stroke-width: 1.8; }
svg .legend-item line { stroke-width: 3; } svg .legend-item text { fill: var(--ink); font-size: 11.5px; }
svg .point { fill: var(--accent); fill-opacity: .55; stroke: none; }
table.candidates-table td.smiles { max-width: 520px; white-space: normal; word-break: break-all; }
.not-compared { display: inline; }
@media print { details.member { break-inside: avoid; } }
@media print { main { max-width: none; padding: 0; } section { break-inside: avoid; } }
`;

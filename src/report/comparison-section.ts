/**
 * "Compared with other runs" (`medpipe report RUN --compare OTHER…`): the runs side by side as
 * `runs compare` lists them, the parameters that differ and every metric with its interval.
 */
import { esc } from './escape.js';
import type { ReportData } from './report-data.js';

export function comparisonSection(d: ReportData): string {
  const c = d.comparison;
  if (!c) return '';
  const head = `<thead><tr>${c.header.map((h, i) => `<th>${i === 1 ? `${esc(h)} (this run)` : esc(h)}</th>`).join('')}</tr></thead>`;
  const body = c.rows
    .map((r) => `<tr>${r.map((cell, i) => (i === 0 ? `<th scope="row"><code>${esc(cell)}</code></th>` : `<td>${esc(cell)}</td>`)).join('')}</tr>`)
    .join('');
  return `<section id="comparison"><h2>Compared with other runs</h2><p class="muted">The parameters whose values differ between the runs, then every evaluation's metrics with its 95% interval. Metrics are read from the store, checked against their digests.</p><div class="scroll"><table class="diff">${head}<tbody>${body}</tbody></table></div></section>`;
}

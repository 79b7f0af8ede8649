/**
 * A registered version's monitoring history in the report: the largest feature PSI and the
 * prediction PSI per check, and the labelled metrics where the checks had labels, as lines over
 * the checks in order, then the checks as a table (when, where from, rows, gates).
 */
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import { anchor, figure } from './html.js';
import { linesSvg, type Series } from './lines-svg.js';
import type { MonitoringHistory } from './report-data.js';

const f = (x: number | null): string => (x === null ? '–' : fmtNumber(x));

export function monitoringSection(h: MonitoringHistory): string {
  const ref = `${h.name}@${h.version}`;
  const open = `<section class="monitoring" id="${esc(anchor('monitoring', ref))}" data-model="${esc(ref)}"><h2>Monitoring: <code>${esc(ref)}</code></h2>`;
  if (!h.checks.length) return `${open}<p class="muted">No monitoring history: ${esc(h.missing ?? 'no checks recorded')}.</p></section>`;
  const series = (name: string, get: (c: MonitoringHistory['checks'][number]) => number | null): Series => ({
    name,
    points: h.checks.flatMap((c, i) => {
      const y = get(c);
      return y === null ? [] : [[i + 1, y] as const];
    }),
  });
  const drift = [series('largest feature PSI', (c) => c.psiMax), series('prediction PSI', (c) => c.predictionPsi)].filter((s) => s.points.length);
  const names = [...new Set(h.checks.flatMap((c) => Object.keys(c.metrics)))];
  // Two lines read clearly (the chart's palette has two colours): the ranking metric and the next one recorded.
  const shown = [...(names.includes('roc_auc') ? ['roc_auc'] : []), ...names.filter((n) => n !== 'roc_auc')].slice(0, 2);
  const perf = shown.map((n) => series(n, (c) => c.metrics[n]?.value ?? null)).filter((s) => s.points.length);
  const charts = [
    drift.length
      ? figure(
          linesSvg('monitoring-drift', drift, 'check', 'PSI', `drift of ${ref} per check`),
          'PSI of 0.1–0.2 is usually read as a moderate shift, above 0.2 as a large one.',
        )
      : '',
    perf.length
      ? figure(
          linesSvg('monitoring-metrics', perf, 'check', 'metric', `metrics of ${ref} on labelled new rows`),
          `${shown.join(' and ')} on the labelled rows of each check (checks without labels have none); the table of each check is in medpipe models show ${ref}.`,
        )
      : '',
  ].join('');
  const rows = h.checks
    .map(
      (c, i) =>
        `<tr><td>${i + 1}</td><td>${esc(c.at.slice(0, 16).replace('T', ' '))}</td><td>${esc(c.source)}</td><td class="num">${c.rows}</td><td class="num">${f(c.psiMax)}</td><td class="num">${c.ksDrifted === null ? '–' : String(c.ksDrifted)}</td><td class="num">${f(c.predictionPsi)}</td><td class="num">${f(c.metrics.roc_auc?.value ?? null)}</td><td><span class="badge ${c.passed ? 'done' : 'failed'}">${c.passed ? 'passed' : 'failed'}</span></td></tr>`,
    )
    .join('');
  const tableHtml = `<table><thead><tr><th>check</th><th>at (UTC)</th><th>source</th><th>rows</th><th>PSI max</th><th>KS drifted</th><th>prediction PSI</th><th>ROC AUC</th><th>gates</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `${open}<p class="muted">Every check of this version recorded in the registry (medpipe monitor, monitor steps), oldest first; each is in the audit log.</p><div class="charts">${charts}</div>${tableHtml}</section>`;
}

/**
 * A check.data step's section: per column its kind, missing values with the tokens that marked
 * them, and a distribution summary; duplicate rows and ids (by row number); class balance;
 * possible leakage; train/test shift; the declared expectations passed or failed. Counts, row
 * numbers and category levels shared by at least five rows only (the step leaves out the rest).
 */
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import { anchor, badge } from './html.js';
import type { DataCheck, DataCheckReport } from './report-data.js';

const tokenName = (t: string): string => (t === '' ? 'blank' : `"${t}"`);
const rowList = (examples: readonly number[], total: number): string => `${examples.join(', ')}${total > examples.length ? ', …' : ''}`;
const count = (n: number): string => String(n);
const fmtDay = (days: number): string => (Number.isFinite(days) ? new Date(Math.round(days) * 86_400_000).toISOString().slice(0, 10) : 'n/a');

function missingCell(c: DataCheckReport['columns'][number], rows: number): string {
  if (c.missing === 0) return '<td class="num">0</td>';
  const tokens = c.missing_tokens
    ? ` <span class="muted">(${Object.entries(c.missing_tokens)
        .sort((a, b) => b[1] - a[1])
        .map(([t, n]) => `${esc(tokenName(t))} ${n}`)
        .join(', ')})</span>`
    : '';
  return `<td class="num">${c.missing} · ${esc(fmtNumber(c.missing / rows))}${tokens}</td>`;
}

function distributionCell(c: DataCheckReport['columns'][number]): string {
  if (c.numeric) {
    const s = c.numeric;
    // A date column holds days since 1970-01-01 (UTC): shown as dates, not day numbers.
    const f = c.kind === 'date' ? fmtDay : fmtNumber;
    return `<td>min ${esc(f(s.min))} · Q1 ${esc(f(s.q1))} · median ${esc(f(s.median))} · Q3 ${esc(f(s.q3))} · max ${esc(f(s.max))} · mean ${esc(f(s.mean))}; ${s.outliers} outlier${s.outliers === 1 ? '' : 's'} (IQR rule)</td>`;
  }
  if (c.levels) {
    const l = c.levels;
    const top = l.top.map((t) => `${esc(t.level)} ${t.count}`).join(', ');
    return `<td>${l.distinct} level${l.distinct === 1 ? '' : 's'}${top ? `: ${top}` : ''}${l.others ? `; others ${l.others}` : ''}</td>`;
  }
  return `<td>${c.distinct ?? 0} distinct values (not shown)</td>`;
}

function columnsTable(r: DataCheckReport): string {
  const rows = r.columns
    .map(
      (c) => `<tr data-column="${esc(c.name)}"><td><code>${esc(c.name)}</code></td><td>${esc(c.kind)}</td>${missingCell(c, r.rows)}${distributionCell(c)}</tr>`,
    )
    .join('');
  return `<div class="scroll"><table class="data-columns"><thead><tr><th>column</th><th>kind</th><th>missing · share (tokens)</th><th>distribution</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function findings(r: DataCheckReport): string {
  const items: string[] = [];
  const d = r.duplicate_rows;
  items.push(
    d.rows
      ? `<li class="dup-rows">${d.rows} duplicate row${d.rows === 1 ? '' : 's'} (rows ${esc(rowList(d.examples, d.rows))})</li>`
      : '<li class="dup-rows">no duplicate rows</li>',
  );
  for (const ids of r.duplicate_ids)
    items.push(
      ids.rows
        ? `<li class="dup-ids" data-column="${esc(ids.column)}">${ids.ids} id${ids.ids === 1 ? '' : 's'} of <code>${esc(ids.column)}</code> on more than one row: ${ids.rows} rows (rows ${esc(rowList(ids.examples, ids.rows))})</li>`
        : `<li class="dup-ids" data-column="${esc(ids.column)}">every <code>${esc(ids.column)}</code> is unique</li>`,
    );
  if (r.class_balance) {
    const total = r.class_balance.counts.reduce((s, c) => s + c.count, 0) || 1;
    items.push(
      `<li class="balance">class balance of <code>${esc(r.class_balance.column)}</code>: ${r.class_balance.counts.map((c) => `${esc(c.class)} ${c.count} (${esc(fmtNumber(c.count / total))})`).join(', ')}</li>`,
    );
  }
  const leaks = r.leakage.columns.filter((c) => r.leakage.flagged.includes(c.column));
  for (const l of leaks)
    items.push(
      `<li class="leakage warning" data-column="${esc(l.column)}">possible leakage: <code>${esc(l.column)}</code> alone predicts the target with AUC ${esc(fmtNumber(l.auc))} (threshold ${esc(fmtNumber(r.leakage.threshold))}); is it recorded after the outcome?</li>`,
    );
  if (!leaks.length && r.leakage.columns.length)
    items.push(
      `<li class="leakage">no column alone reaches AUC ${esc(fmtNumber(r.leakage.threshold))} (highest: <code>${esc(r.leakage.columns[0].column)}</code> ${esc(fmtNumber(r.leakage.columns[0].auc))})</li>`,
    );
  return `<ul class="data-findings">${items.join('')}</ul>`;
}

function shiftTable(r: DataCheckReport): string {
  if (!r.shift) return '';
  const rows = r.shift.columns
    .map(
      (s) =>
        `<tr data-column="${esc(s.column)}"${s.flagged ? ' class="flagged"' : ''}><td><code>${esc(s.column)}</code></td><td class="num">${esc(fmtNumber(s.psi))}</td><td>${s.flagged ? badge('failed', 'shifted') : ''}</td></tr>`,
    )
    .join('');
  return `<h3>Train/test shift</h3><p class="muted">Population stability index per column (deciles of train; levels for categories); above ${esc(fmtNumber(r.shift.threshold))} is flagged.</p><div class="scroll"><table class="data-shift"><thead><tr><th>column</th><th>PSI</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function expectationsTable(r: DataCheckReport): string {
  if (!r.expectations.length) return '';
  const rows = r.expectations
    .map(
      (e) =>
        `<tr class="${e.passed ? 'passed' : 'failed'}"><td><code>${esc(e.column)}</code></td><td>${esc(e.rule)}</td><td>${badge(e.passed ? 'done' : 'failed', e.passed ? 'pass' : 'fail')}</td><td class="num">${count(e.rows)}</td><td>${esc(rowList(e.examples, e.rows))}</td></tr>`,
    )
    .join('');
  return `<h3>Expectations</h3><div class="scroll"><table class="data-expectations"><thead><tr><th>column</th><th>rule</th><th></th><th>rows</th><th>first rows</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function dataCheckSection(c: DataCheck): string {
  const open = `<section class="data-check" id="${esc(anchor('data', c.step))}" data-step="${esc(c.step)}"><h2>Data check: <code>${esc(c.step)}</code>`;
  if (c.error)
    return `${open} ${badge('failed')}</h2><p class="muted">The step failed; its findings name rows by number (1 = the first data row):</p><ul class="data-errors">${c.error
      .split('\n')
      .map((l) => `<li>${esc(l)}</li>`)
      .join('')}</ul></section>`;
  if (!c.report) return `${open}</h2><p class="muted">No report: ${esc(c.missing ?? 'not recorded')}.</p></section>`;
  const r = c.report;
  return `${open}</h2><p class="muted">${r.rows} rows, ${r.columns.length} columns. Rows are named by number (1 = the first data row), never by value; category levels of fewer than 5 rows are counted among the others.</p>${columnsTable(r)}${findings(r)}${shiftTable(r)}${expectationsTable(r)}</section>`;
}

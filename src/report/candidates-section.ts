/**
 * The candidates a predict step ranked or a select.diverse step picked (drug discovery: library
 * molecules by predicted pIC50, then a diverse short list). Molecules, not patients:
 * collect-step-outputs only passes on tables whose rows descend from featurize.molecules.
 */
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import { anchor } from './html.js';
import type { CandidateTable } from './report-data.js';

/** The first rows shown; the rest are in the published CSV. */
export const TOP_CANDIDATES = 20;

/** A cell as text: numbers in the report's format (whole numbers such as ranks as they are), the rest verbatim. */
function cell(text: string, column: string): string {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || /id$/i.test(column)) return `<td>${esc(text)}</td>`;
  return `<td class="num">${esc(Number.isInteger(n) && !text.includes('.') ? text : fmtNumber(n))}</td>`;
}

export function candidatesSection(t: CandidateTable): string {
  const open = `<section class="candidates" id="${esc(anchor('candidates', t.step))}" data-step="${esc(t.step)}"><h2>Top candidates: <code>${esc(t.step)}</code></h2>`;
  if (t.missing) return `${open}<p class="muted">No table: ${esc(t.missing)}.</p></section>`;
  const shown = t.rows.slice(0, TOP_CANDIDATES);
  const smiles = (c: string): boolean => /smiles/i.test(c);
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const rows = shown
    .map((r) => `<tr>${t.columns.map((c, j) => (smiles(c) ? `<td class="smiles"><code>${esc(r[j] ?? '')}</code></td>` : cell(r[j] ?? '', c))).join('')}</tr>`)
    .join('');
  const more = t.total > shown.length ? `the first ${shown.length} of ${t.total} rows` : `all ${t.total} rows`;
  const file = t.file ? `; the whole table is published to <code>${esc(t.file)}</code> (relative to the pipeline file)` : '';
  return `${open}<p class="muted">In the step's order, ${more}${file}.</p><div class="scroll"><table class="candidates-table"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/**
 * An explanation as text: the JSON medpipe writes (stable key order, so a seeded explanation is
 * byte-reproducible), a CSV with one line per row and output, and the lines a person reads at a
 * terminal (each row's headline output and its largest contributions with their signs).
 */
import type { Dataset } from '../data/dataset.js';
import { csvCell, csvQuote } from '../data/csv-write.js';
import type { BundleExplanation } from './index.js';

export function explanationJson(e: BundleExplanation): string {
  return `${JSON.stringify(e, null, 2)}\n`;
}

/** Columns: the input's id columns, output, base, prediction, then one contribution column per feature. */
export function explanationCsv(ds: Dataset, e: BundleExplanation): string {
  const ids = ds.columns.filter((c) => c.kind === 'id');
  const lines = [[...ids.map((c) => c.name), 'output', 'base', 'prediction', ...e.features].map(csvQuote).join(',')];
  e.rows.forEach((row, r) => {
    e.outputs.forEach((out, o) => {
      lines.push(
        [...ids.map((c) => csvCell(c, r)), csvQuote(out), String(e.base[o]), String(row.prediction[o]), ...row.contributions[o].map(String)].join(','),
      );
    });
  });
  return `${lines.join('\n')}\n`;
}

/** Which output a person is shown: the positive class of a binary model, the predicted class of a multi-class one, else the only one. */
function headline(e: BundleExplanation, prediction: readonly number[], positive: string | undefined): number {
  if (e.outputs.length === 1) return 0;
  const at = positive === undefined ? -1 : e.outputs.indexOf(positive);
  if (e.outputs.length === 2 && at >= 0) return at;
  let best = 0;
  for (let o = 1; o < prediction.length; o++) if (prediction[o] > prediction[best]) best = o;
  return best;
}

const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;

/** Per row: the headline output, its base value, and the `top` largest contributions by size, with signs. */
export function explanationLines(e: BundleExplanation, top: number, positive?: string): string[] {
  const what = (o: number): string => (e.outputs[o] === 'value' ? 'value' : e.outputs[o] === 'decision' ? 'decision value' : `P(${e.outputs[o]})`);
  const lines = [
    `method: ${e.method}${e.error !== undefined ? ` (largest standard error of a contribution: ${e.error.toPrecision(2)})` : ''}`,
    e.preprocessing,
  ];
  e.rows.forEach((row, r) => {
    const o = headline(e, row.prediction, positive);
    lines.push('', `row ${r + 1} (line ${r + 2}): ${what(o)} = ${row.prediction[o].toFixed(4)}, base ${e.base[o].toFixed(4)}`);
    const order = row.contributions[o].map((v, i) => ({ v, i })).sort((a, b) => Math.abs(b.v) - Math.abs(a.v) || a.i - b.i);
    for (const { v, i } of order.slice(0, top)) lines.push(`  ${signed(v)}  ${e.features[i]}`);
    const rest = order.slice(top).reduce((s, x) => s + x.v, 0);
    if (order.length > top) lines.push(`  ${signed(rest)}  (${order.length - top} other features)`);
  });
  return lines;
}

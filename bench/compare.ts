/**
 * `npm run bench:compare -- OLD.json NEW.json`: two runs of `npm run bench` side by side. Each
 * table of NEW is matched with OLD's table of the same suite and title (dates left out of the
 * comparison), each row by its label cells (those before the first number), and every number
 * that changed is shown as `old → new (+12%)`, so a change's effect is one command away.
 */
import { readFileSync } from 'node:fs';
import type { BenchTable } from './measure.js';
import type { BenchResults } from './results.js';

/** A cell's leading number and its unit ("0.41 s" → 0.41, "s"; "1,234 rows/s" → 1234, "rows/s"). */
export function cellNumber(cell: string): { value: number; unit: string } | null {
  const m = /^\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*([A-Za-z%/]*)/.exec(cell);
  if (!m) return null;
  const value = Number(m[1].replace(/,/g, ''));
  return Number.isFinite(value) ? { value, unit: m[2] } : null;
}

const withoutDates = (title: string): string => title.replace(/\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?/g, '').trim();

/** The cells naming a row: those before its first number (a data set, an implementation…). */
function rowLabel(row: readonly string[]): string {
  const first = row.findIndex((c) => cellNumber(c) !== null);
  return row.slice(0, first < 0 ? row.length : Math.max(1, first)).join(' / ');
}

/** One cell of the comparison: the new value, with the old one and the change when they differ. */
export function compareCell(before: string | undefined, after: string): string {
  if (before === undefined || before === after) return after;
  const a = cellNumber(before);
  const b = cellNumber(after);
  if (a && b && a.unit === b.unit && a.value !== 0) {
    const change = ((b.value - a.value) / Math.abs(a.value)) * 100;
    return `${before} → ${after} (${change >= 0 ? '+' : ''}${change.toFixed(0)}%)`;
  }
  return `${before} → ${after}`;
}

/** NEW's table with OLD's values beside it, as Markdown rows (header first). */
export function compareTable(before: BenchTable | undefined, after: BenchTable): string[][] {
  const [header, ...rows] = after.rows;
  const old = new Map((before?.rows.slice(1) ?? []).map((r) => [rowLabel(r), r]));
  const out = [[...header]];
  for (const r of rows) {
    const o = old.get(rowLabel(r));
    old.delete(rowLabel(r));
    out.push(o ? r.map((c, i) => compareCell(o[i], c)) : r.map((c, i) => (i === 0 ? `${c} (new)` : c)));
  }
  for (const [, o] of old) out.push(o.map((c, i) => (i === 0 ? `${c} (only in the old run)` : c)));
  return out;
}

function read(path: string): BenchResults {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  if ((parsed as BenchResults)?.format !== 'medpipe.bench/1') throw new Error(`${path} is not a results file of npm run bench (format medpipe.bench/1)`);
  return parsed as BenchResults;
}

function main(args: readonly string[]): number {
  if (args.length !== 2) {
    console.error('usage: npm run bench:compare -- OLD.json NEW.json (files written by npm run bench --out, default bench/results/latest.json)');
    return 2;
  }
  let before: BenchResults;
  let after: BenchResults;
  try {
    [before, after] = args.map(read) as [BenchResults, BenchResults];
  } catch (e) {
    console.error(`bench:compare: ${(e as Error).message}`);
    return 2;
  }
  const describe = (r: BenchResults): string =>
    `${r.started}${r.commit ? ` (${r.commit})` : ''} on ${r.machine.cpus} x ${r.machine.cpu}, node ${r.machine.node}`;
  console.log(`old: ${args[0]}, ${describe(before)}\nnew: ${args[1]}, ${describe(after)}`);
  if (before.machine.cpu !== after.machine.cpu || before.machine.cpus !== after.machine.cpus)
    console.log('note: different machines, so differences are not only the change');
  const key = (t: BenchTable): string => `${t.suite}\n${withoutDates(t.title)}`;
  const olds = new Map(before.tables.map((t) => [key(t), t]));
  for (const t of after.tables) {
    const o = olds.get(key(t));
    olds.delete(key(t));
    const rows = compareTable(o, t);
    const line = (r: readonly string[]): string => `| ${r.join(' | ')} |`;
    console.log(
      `\n## ${t.suite}: ${t.title}${o ? '' : ' (not in the old run)'}\n\n${line(rows[0])}\n|${rows[0].map(() => '---').join('|')}|\n${rows.slice(1).map(line).join('\n')}`,
    );
  }
  for (const [, t] of olds) console.log(`\n## ${t.suite}: ${t.title}: only in the old run`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));

/**
 * `medpipe monitor NAME@ALIAS --input new.csv [--labels COLUMN] [--gate 'psi.max<0.2' …] [--json]`:
 * one monitoring check of a registered model on new rows (src/monitor), printed as a short
 * report (or the JSON report) and recorded in the version's monitoring history. Exit 1 when a
 * gate fails (the check is recorded either way: a failed check is history too).
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { MonitoringReport } from '../monitor/monitor.js';
import { tableLines } from './table.js';

export interface MonitorArgs {
  ref: string;
  input: string;
  labels?: string;
  /** As written: 'psi.max<0.2', 'roc_auc.ci_low >= 0.9'. */
  gates: readonly string[];
  json: boolean;
  storeDir: string;
  cwd: string;
}

const GATE = /^\s*([^<>=\s]+)\s*(>=|<=|==|>|<)\s*(\S+)\s*$/;

/** `--gate 'psi.max<0.2'` to the gates object evaluate takes ({ "psi.max": "< 0.2" }). */
export function parseGateOptions(gates: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of gates) {
    const m = GATE.exec(g);
    if (!m) throw new UsageError(`--gate "${g}": write a figure, an operator and a number, e.g. --gate 'psi.max<0.2' or --gate 'roc_auc.ci_low>=0.9'`);
    out[m[1]] = `${m[2]} ${m[3]}`;
  }
  return out;
}

const p3 = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : String(Number(x.toPrecision(3))));

/** The report for people: the most shifted columns, the scores, the metrics against the registered ones, the gates. */
export function renderMonitoring(r: MonitoringReport, label: string, input: string): string {
  const lines = [`${label} on ${r.rows} rows of ${input} (trained on ${r.training_rows})`];
  const cols = [...r.drift.columns].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1));
  const drifted = r.drift.columns.filter((c) => c.ks?.drifted).length;
  lines.push(
    `drift: ${drifted} of ${r.drift.columns.filter((c) => c.ks).length} columns drifted (KS, Benjamini–Hochberg adjusted p < ${r.drift.alpha}); largest PSI first:`,
  );
  lines.push(
    ...tableLines(
      [
        ['COLUMN', 'PSI', 'KS', 'P (ADJ.)', 'MISSING (TRAIN -> NEW)'],
        ...cols
          .slice(0, 10)
          .map((c) => [
            c.column + (c.ks?.drifted ? ' *' : ''),
            p3(c.psi),
            c.ks ? p3(c.ks.statistic) : '-',
            c.ks ? p3(c.ks.p_adjusted) : '-',
            `${p3(c.missing.training)} -> ${p3(c.missing.current)}`,
          ]),
      ],
      '  ',
    ),
  );
  if (cols.length > 10) lines.push(`  … ${cols.length - 10} more columns (--json has all)`);
  const p = r.drift.prediction;
  if (p) lines.push(`prediction ${p.score}: PSI ${p3(p.psi)}, KS ${p3(p.ks.statistic)} (p ${p3(p.ks.p)})`);
  if (r.performance) {
    lines.push(`metrics on the labelled rows (${r.performance.labels}, ${r.performance.n} rows), against the registered values:`);
    lines.push(
      ...tableLines(
        [
          ['METRIC', 'NOW', '95% CI', 'REGISTERED', 'CHANGE'],
          ...Object.entries(r.performance.metrics).map(([k, m]) => [
            k,
            p3(m.current.value),
            m.current.ci_low !== null ? `${p3(m.current.ci_low)}–${p3(m.current.ci_high)}` : '-',
            p3(m.registered?.value),
            m.change === null ? '-' : `${m.change >= 0 ? '+' : ''}${p3(m.change)}`,
          ]),
        ],
        '  ',
      ),
    );
  }
  for (const g of r.gates) lines.push(g.passed ? `gate ok: ${g.gate} ${g.required} (${p3(g.actual)})` : (g.message ?? `gate failed: ${g.gate}`));
  return lines.join('\n');
}

export async function monitorCommand(a: MonitorArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const gates = parseGateOptions(a.gates);
  const { Registry, RegistryError, readVerifiedBundle } = await import('../registry/index.js');
  if (!Registry.exists(a.storeDir)) throw new UsageError(`no model registry in ${a.storeDir}: run a pipeline with a register step first`);
  const registry = Registry.open(a.storeDir);
  try {
    let v: ReturnType<typeof registry.getVersion>;
    try {
      v = registry.getVersion(a.ref);
    } catch (e) {
      if (e instanceof RegistryError) {
        io.err(`medpipe: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const label = `${v.name}@${v.version}`;
    const bundle = JSON.parse(readVerifiedBundle(v).toString('utf8')) as import('../bundle/bundle.js').ModelBundle;
    const { monitorRows, trainingSummaryOf } = await import('../monitor/monitor.js');
    trainingSummaryOf(bundle, label); // before reading the input: the clearer problem first
    const { readRowsForBundle } = await import('../bundle/predict.js');
    const rows = await readRowsForBundle(resolve(a.cwd, a.input), bundle, a.input);
    const report = await monitorRows(bundle, rows, label, {
      ...(a.labels ? { labels: a.labels } : {}),
      bootstrap: { resamples: 1000, seed: 0, confidence: 0.95 },
      gates,
      registered: v.metrics,
      source: a.input,
    });
    const { historySummary } = await import('../steps/monitor.js');
    const { id } = registry.recordMonitoring({
      name: v.name,
      version: v.version,
      source: `medpipe monitor ${a.input}`,
      rows: report.rows,
      passed: report.passed,
      summary: historySummary(report),
    });
    if (a.json) io.out(JSON.stringify({ model: label, check: id, ...report }, null, 2));
    else io.out(`${renderMonitoring(report, label, a.input)}\nrecorded as check ${id} in the monitoring history of ${label} (medpipe models show ${label})`);
    return report.passed ? 0 : 1;
  } finally {
    registry.close();
  }
}

/**
 * `medpipe runs compare RUN RUN… [--baseline REF]`: runs side by side, as a person comparing
 * experiments wants them: what made each one (overrides, the parameters that differ), then every
 * evaluation's metrics with their intervals; with --baseline, the committed metrics files at a
 * git ref (or a file or folder) as one more column. Metrics are read from the store, checked
 * against their digests; one that is gone or damaged is shown as such, never as a number.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { canonicalJson } from '../engine/fingerprint.js';
import { findRunById, type RunRecord } from '../engine/record.js';
import type { Store } from '../engine/store.js';
import { UsageError } from '../errors.js';
import { openBaseline } from '../metrics/baseline.js';
import { formatNumber } from '../metrics/diff.js';
import { parseMetricsFile, type MetricValue } from '../metrics/metrics-file.js';
import { table } from './table.js';

interface Column {
  readonly label: string;
  /** `step metric` -> value, or why there is none. */
  readonly metrics: ReadonlyMap<string, MetricValue | string>;
}

/** How numbers are written: the terminal's metrics format, or the report's own (one format per page). */
type NumberFormat = (x: number) => string;

function cell(v: MetricValue | string | undefined, fmt: NumberFormat): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  return `${fmt(v.value)}${v.ci_low !== undefined && v.ci_high !== undefined ? ` (${fmt(v.ci_low)}–${fmt(v.ci_high)})` : ''}`;
}

/** The evaluate steps of a run with the path their metrics are published to (absolute), if any. */
function evaluations(run: RunRecord): { step: string; digest: string | undefined; file: string | undefined }[] {
  return Object.entries(run.steps)
    .filter(([, s]) => s.uses?.startsWith('evaluate'))
    .map(([step, s]) => {
      const target = s.params?.metrics_file;
      return {
        step,
        digest: s.outputs?.metrics,
        file: typeof target === 'string' ? (isAbsolute(target) ? target : resolve(dirname(run.pipeline.path), target)) : undefined,
      };
    });
}

function runColumn(store: Store, run: RunRecord): Column {
  const metrics = new Map<string, MetricValue | string>();
  for (const e of evaluations(run)) {
    if (!e.digest) {
      metrics.set(`${e.step} -`, run.steps[e.step].status);
      continue;
    }
    const read = store.readVerifiedObject(e.digest);
    if (!('bytes' in read)) {
      metrics.set(`${e.step} -`, 'damaged' in read ? 'damaged in the store' : 'not in this store (cache gc, or taken from a remote)');
      continue;
    }
    for (const [name, v] of parseMetricsFile(read.bytes.toString('utf8'), e.step).metrics) metrics.set(`${e.step} ${name}`, v);
  }
  return { label: `${run.runId}${run.experiment ? ' (experiment)' : ''}`, metrics };
}

/** The committed metrics at `spec` for the evaluations of `run`, as a column. */
async function baselineColumn(spec: string, run: RunRecord, cwd: string): Promise<Column> {
  const baseline = await openBaseline(spec, cwd, dirname(run.pipeline.path));
  const metrics = new Map<string, MetricValue | string>();
  for (const e of evaluations(run)) {
    if (!e.file) continue;
    const found = await baseline.metricsFor(e.file);
    if (!found) metrics.set(`${e.step} -`, 'not in the baseline');
    else for (const [name, v] of found.metrics) metrics.set(`${e.step} ${name}`, v);
  }
  return { label: baseline.description, metrics };
}

/** Parameters whose values are not the same in every run, as `step.param` -> value per run. */
function differingParams(runs: readonly RunRecord[]): [string, string[]][] {
  const names = new Set<string>();
  for (const r of runs) for (const [step, s] of Object.entries(r.steps)) for (const p of Object.keys(s.params ?? {})) names.add(`${step}.${p}`);
  const paramValue = (r: RunRecord, name: string): string => {
    const dot = name.indexOf('.');
    const v = r.steps[name.slice(0, dot)]?.params?.[name.slice(dot + 1)];
    return v === undefined ? '-' : typeof v === 'string' ? v : canonicalJson(v);
  };
  return [...names]
    .sort()
    .map((name): [string, string[]] => [name, runs.map((r) => paramValue(r, name))])
    .filter(([, values]) => new Set(values).size > 1);
}

/** Runs of one pipeline (and optionally a baseline) side by side: a header and rows of text cells. */
export interface RunComparison {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** The same, as data (for --json). */
  readonly json: unknown;
}

/** The runs named by id or prefix; a UsageError naming the first that is not found, or runs of different pipelines. */
export function runsByIds(store: Store, ids: readonly string[]): RunRecord[] {
  const runs = ids.map((id) => {
    const found = findRunById(store, id);
    if (typeof found === 'string') throw new UsageError(found);
    return found;
  });
  const pipelines = new Set(runs.map((r) => r.pipeline.path));
  if (pipelines.size > 1) throw new UsageError(`runs are compared with runs of the same pipeline; these are of ${[...pipelines].join(', ')}`);
  return runs;
}

export async function compareRuns(
  store: Store,
  runs: readonly RunRecord[],
  opts: { baseline?: string; cwd: string; format?: NumberFormat },
): Promise<RunComparison> {
  const fmt = opts.format ?? ((x: number) => formatNumber(x));
  const columns = runs.map((r) => runColumn(store, r));
  if (opts.baseline) columns.push(await baselineColumn(opts.baseline, runs[0], opts.cwd));
  const params = differingParams(runs);
  const metricNames = [...new Set(columns.flatMap((c) => [...c.metrics.keys()]))];
  const rows: string[][] = [];
  rows.push(['status', ...runs.map((r) => r.status), ...(opts.baseline ? ['committed'] : [])]);
  rows.push(['experiment', ...runs.map((r) => r.experiment ?? '-'), ...(opts.baseline ? ['-'] : [])]);
  for (const [name, values] of params) rows.push([name, ...values, ...(opts.baseline ? [''] : [])]);
  for (const m of metricNames) rows.push([m, ...columns.map((c) => cell(c.metrics.get(m), fmt))]);
  const json = {
    runs: runs.map((r) => ({ runId: r.runId, status: r.status, experiment: r.experiment ?? null, git: r.git })),
    columns: columns.map((c) => c.label),
    params: Object.fromEntries(params),
    metrics: Object.fromEntries(metricNames.map((m) => [m, columns.map((c) => c.metrics.get(m) ?? null)])),
  };
  return { header: ['', ...columns.map((c) => c.label)], rows, json };
}

export async function runsCompare(
  ids: readonly string[],
  opts: { store: Store; baseline?: string; json?: boolean; cwd: string },
  out: (text: string) => void,
): Promise<number> {
  if (ids.length < 1 || (ids.length < 2 && !opts.baseline))
    throw new UsageError('runs compare takes two or more run ids (or one with --baseline REF), e.g. medpipe runs compare 20261202T0801 20261202T0805');
  const comparison = await compareRuns(opts.store, runsByIds(opts.store, ids), opts);
  out(opts.json ? JSON.stringify(comparison.json, null, 2) : table([comparison.header, ...comparison.rows]));
  return 0;
}

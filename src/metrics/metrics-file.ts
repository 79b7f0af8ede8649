/**
 * Metrics files (`metrics_file:` in the YAML): JSON with `"metrics": { name: { value, ci_low,
 * ci_high } }`. Their text is made here (metricsReportText, for the evaluate steps' `metrics`
 * output); the engine alone writes it to metrics_file (StepType.publish); read and flattened here
 * to one map per file.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { formatReportJson } from '../ml/metrics/report-json.js';

/** The format tag of an evaluation report (what evaluate steps write, the engine publishes, and the report reads). */
export const METRICS_FORMAT = 'medpipe.metrics/1';

/**
 * The text of an evaluation report: `body` tagged with METRICS_FORMAT (its first key), laid out
 * for git diffs. Every evaluate step writes its `metrics` output with it.
 */
export function metricsReportText(body: Readonly<Record<string, unknown>>): string {
  return formatReportJson({ format: METRICS_FORMAT, ...body });
}

export interface MetricValue {
  readonly value: number;
  readonly ci_low?: number;
  readonly ci_high?: number;
}

/** One file's metrics, in the file's order. `label` is how messages and reports name the file. */
export interface MetricsFile {
  readonly label: string;
  readonly metrics: ReadonlyMap<string, MetricValue>;
  /** Metrics present in the file without a value (e.g. not computable on this test set). */
  readonly unavailable: readonly string[];
}

/** Parses the text of a metrics file. `label` names it in errors (a path, or `main:metrics/x.json`). */
export function parseMetricsFile(text: string, label: string): MetricsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(`not valid JSON (${(e as Error).message})`, {
      file: label,
      hint: 'a metrics file is written by an evaluate step with metrics_file:; re-run the pipeline',
    });
  }
  const block = (json as { metrics?: unknown } | null)?.metrics;
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw new DataError('no "metrics" object: this is not a medpipe metrics file', { file: label, hint: 'expected {"metrics": {"roc_auc": {"value": ...}}}' });
  }
  const metrics = new Map<string, MetricValue>();
  const unavailable: string[] = [];
  for (const [name, entry] of Object.entries(block as Record<string, unknown>)) {
    // A bare number is accepted too, so hand-made baselines can be simple.
    const e = typeof entry === 'number' ? { value: entry } : (entry as Record<string, unknown> | null);
    const value = e?.value;
    if (value === null || value === undefined) {
      unavailable.push(name);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DataError(`metric "${name}": value must be a finite number`, { file: label });
    const ciLow = finiteOrUndefined(e?.ci_low);
    const ciHigh = finiteOrUndefined(e?.ci_high);
    metrics.set(name, { value, ...(ciLow !== undefined ? { ci_low: ciLow } : {}), ...(ciHigh !== undefined ? { ci_high: ciHigh } : {}) });
  }
  return { label, metrics, unavailable };
}

export function readMetricsFile(path: string, label = path): MetricsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'metrics file not found' : `cannot read the metrics file (${code ?? String(e)})`, {
      file: label,
      hint: code === 'ENOENT' ? 'run the pipeline first: its evaluate steps write their metrics_file' : undefined,
    });
  }
  return parseMetricsFile(text, label);
}

function finiteOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Which metrics files a pipeline writes (the `metrics_file:` of its evaluate steps, resolved
 * against the pipeline file's folder) and its `regression:` block. Reads the YAML directly rather
 * than through the engine's loader, so `metrics show/diff` work without the step registry and
 * without the data files, which CI jobs that only diff may not have.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { yaml } from '../yaml.js';
import { DataError, UsageError } from '../errors.js';
import { parseRegressionConfig, type RegressionConfig } from './regression-config.js';

export interface PipelineMetrics {
  /** The pipeline file as given. */
  readonly file: string;
  /** Absolute paths of its metrics files, in step order, without duplicates. */
  readonly metricsFiles: readonly string[];
  readonly regression: RegressionConfig;
}

export function readPipelineMetrics(file: string): PipelineMetrics {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read pipeline file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let doc: unknown;
  try {
    doc = yaml().parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new DataError(`not valid YAML (${(e as Error).message.split('\n')[0]})`, { file, hint: 'run medpipe validate on it' });
  }
  const root = (typeof doc === 'object' && doc !== null ? doc : {}) as { params?: unknown; steps?: unknown; regression?: unknown };
  const params = (typeof root.params === 'object' && root.params !== null ? root.params : {}) as Record<string, unknown>;
  const steps = (typeof root.steps === 'object' && root.steps !== null ? root.steps : {}) as Record<string, unknown>;
  const files: string[] = [];
  for (const step of Object.values(steps)) {
    const value = (step as { with?: { metrics_file?: unknown } } | null)?.with?.metrics_file;
    if (typeof value !== 'string') continue;
    files.push(interpolate(value, params));
  }
  return { file, metricsFiles: resolveAll(dirname(resolve(file)), files), regression: parseRegressionConfig(root.regression, file) };
}

/**
 * The metrics files of an already loaded pipeline (parameters resolved by the engine): for the
 * engine's `run --ci`, which has the Pipeline at hand. Structural, so no import from the engine.
 */
export function metricsFilesOf(pipeline: {
  readonly dir: string;
  readonly steps: ReadonlyMap<string, { readonly params: Readonly<Record<string, unknown>> }>;
}): string[] {
  const files = [...pipeline.steps.values()].map((s) => s.params.metrics_file).filter((v): v is string => typeof v === 'string');
  return resolveAll(pipeline.dir, files);
}

function resolveAll(dir: string, files: readonly string[]): string[] {
  return [...new Set(files.map((f) => (isAbsolute(f) ? f : resolve(dir, f))))];
}

/** `${params.NAME}` only: a metrics file name rarely needs more, and the engine does the rest when it runs. */
function interpolate(value: string, params: Record<string, unknown>): string {
  return value.replace(/\$\{params\.([A-Za-z_][A-Za-z0-9_-]*)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * `medpipe metrics show [FILE...]` and `medpipe metrics diff [FILE...] [--baseline REF|PATH]`:
 * FILE is a pipeline (its evaluate steps' metrics files) or a metrics JSON file; with none, every
 * pipeline in ./pipelines that writes metrics. Exit codes: 0 no regression, 1 a metric regressed,
 * 2 usage (thrown as UsageError for the CLI to map).
 */
import { METRICS_USAGE } from './usage.js';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { currentMetrics, diffTargets } from '../metrics/compare.js';
import { hasRegression } from '../metrics/diff.js';
import { diffToJson, formatDiffMarkdown, formatDiffTable, formatShowTable } from '../metrics/format.js';
import { formatJunit } from '../metrics/junit.js';
import { readPipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { Tolerance } from '../metrics/regression-config.js';
import { writeOutputFile } from './output-file.js';
import { pipelineFileNames } from './pipeline-files.js';

export interface MetricsCommandOptions {
  baseline?: string;
  atol?: string;
  rtol?: string;
  /** table (default) | md | json */
  format?: string;
  /** Same as --format json. */
  json?: boolean;
  /** Also write JUnit XML here. */
  junit?: string;
  /** Also write the Markdown diff here (for a PR comment or $GITHUB_STEP_SUMMARY). */
  markdown?: string;
  /** The folder the command runs in: paths are resolved against it (and ./pipelines found in it). */
  cwd: string;
  /** `run --ci`: the metrics the run computed, by absolute path (see DiffOptions.current). */
  current?: ReadonlyMap<string, Buffer>;
}

export interface MetricsIO {
  out(text: string): void;
  err(text: string): void;
}

export async function metricsCommand(args: string[], opts: MetricsCommandOptions, io: MetricsIO): Promise<number> {
  const [sub, ...files] = args;
  const { cwd } = opts;
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  if (!['table', 'md', 'json'].includes(format)) throw new UsageError(`--format must be table, md or json for metrics, got "${format}"`);
  const targets = files.length ? files : defaultPipelines(cwd);

  if (sub === 'show') {
    const metrics = currentMetrics(targets, cwd);
    if (format === 'json')
      io.out(
        JSON.stringify(
          metrics.map((m) => ({ file: m.label, metrics: Object.fromEntries(m.metrics), unavailable: m.unavailable })),
          null,
          2,
        ),
      );
    else io.out(formatShowTable(metrics));
    return 0;
  }
  if (sub === 'diff') {
    const diff = await diffTargets(targets, { cwd, baseline: opts.baseline, tolerance: toleranceFromFlags(opts), current: opts.current });
    const text = format === 'json' ? JSON.stringify(diffToJson(diff), null, 2) : format === 'md' ? formatDiffMarkdown(diff) : formatDiffTable(diff);
    io.out(text.replace(/\n$/, ''));
    if (opts.junit) writeOutputFile(opts.junit, formatJunit(diff), cwd);
    if (opts.markdown) writeOutputFile(opts.markdown, formatDiffMarkdown(diff), cwd);
    return hasRegression(diff) ? 1 : 0;
  }
  throw new UsageError(sub ? `unknown metrics command "${sub}"\n${METRICS_USAGE}` : METRICS_USAGE);
}

function toleranceFromFlags(opts: MetricsCommandOptions): Tolerance {
  const number = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} must be a number >= 0, got "${v}"`);
    return n;
  };
  const atol = number('atol', opts.atol);
  const rtol = number('rtol', opts.rtol);
  return { ...(atol !== undefined ? { atol } : {}), ...(rtol !== undefined ? { rtol } : {}) };
}

/** Every pipeline in ./pipelines that writes a metrics file (lock files are not pipelines). */
function defaultPipelines(cwd: string): string[] {
  const dir = join(cwd, 'pipelines');
  const found = pipelineFileNames(dir)
    .map((n) => join('pipelines', n))
    .filter((f) => {
      try {
        return readPipelineMetrics(join(cwd, f)).metricsFiles.length > 0;
      } catch {
        return false; // not a pipeline this command can use; naming it explicitly shows why
      }
    });
  if (found.length === 0) throw new UsageError(`no pipeline file given and none in ${dir} writes a metrics file\n${METRICS_USAGE}`);
  return found;
}

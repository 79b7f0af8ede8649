/**
 * `metrics diff` as a function: for each target (a pipeline file, or a metrics file on its own),
 * reads the current metrics and their baseline and diffs them with the pipeline's tolerances.
 */
import { dirname, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { openBaseline, type Baseline } from './baseline.js';
import { diffMetricsFile, type FileDiff, type MetricsDiff } from './diff.js';
import { parseMetricsFile, readMetricsFile, type MetricsFile } from './metrics-file.js';
import { readPipelineMetrics } from './pipeline-metrics.js';
import type { RegressionConfig, Tolerance } from './regression-config.js';

export interface DiffOptions {
  /** --baseline: overrides the pipeline's `regression.baseline`. */
  readonly baseline?: string;
  /** --atol / --rtol: override every metric's tolerance. */
  readonly tolerance?: Tolerance;
  /** Paths are resolved and reported relative to this folder. */
  readonly cwd: string;
  /**
   * The current content of metrics files by absolute path, instead of reading them: an
   * experiment's `run --ci` diffs the metrics it computed, which it did not write into the checkout.
   */
  readonly current?: ReadonlyMap<string, Buffer>;
}

/** A target's metrics files with the rules that apply to them. */
interface Target {
  readonly dir: string;
  readonly files: readonly string[];
  readonly regression: RegressionConfig;
  readonly name: string;
}

/** A `.json` argument is a metrics file; anything else is a pipeline file. */
function targetOf(arg: string, cwd: string): Target {
  const path = resolve(cwd, arg);
  if (/\.json$/i.test(arg)) return { dir: dirname(path), files: [path], regression: {}, name: arg };
  const p = readPipelineMetrics(path);
  if (p.metricsFiles.length === 0)
    throw new UsageError(`${arg} writes no metrics file: give an evaluate step \`metrics_file: ../metrics/NAME.json\` under with:`);
  return { dir: dirname(path), files: p.metricsFiles, regression: p.regression, name: arg };
}

export function currentMetrics(args: readonly string[], cwd: string): MetricsFile[] {
  return args.flatMap((a) => targetOf(a, cwd).files.map((f) => readMetricsFile(f, relative(cwd, f))));
}

export async function diffTargets(args: readonly string[], options: DiffOptions): Promise<MetricsDiff> {
  const files: FileDiff[] = [];
  const notes: string[] = [];
  const baselines = new Set<string>();
  for (const arg of args) {
    const target = targetOf(arg, options.cwd);
    const spec = options.baseline ?? target.regression.baseline;
    if (!spec) throw new UsageError(`no baseline for ${target.name}: pass --baseline GIT_REF|FILE, or set regression: { baseline: main } in the pipeline file`);
    const baseline: Baseline = await openBaseline(spec, options.cwd, target.dir);
    baselines.add(baseline.description);
    for (const n of baseline.notes) if (!notes.includes(n)) notes.push(n);
    for (const file of target.files) {
      const given = options.current?.get(file);
      const current = given
        ? parseMetricsFile(given.toString('utf8'), `${relative(options.cwd, file)} (this run)`)
        : readMetricsFile(file, relative(options.cwd, file));
      const old = await baseline.metricsFor(file);
      if (!old) notes.push(`${current.label}: not in the baseline ${baseline.description}; all its metrics count as added`);
      files.push(diffMetricsFile(current, old, target.regression, options.tolerance, notes));
    }
  }
  return { baseline: [...baselines].join(', '), files, notes };
}

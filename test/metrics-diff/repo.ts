/**
 * Test helpers: a throwaway git repository holding a pipeline and its metrics file, built from
 * the metrics the breast-cancer pipeline committed (metrics/breast-cancer-svm.json).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/metrics-diff -> the repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface MetricEntry {
  value: number;
  ci_low?: number;
  ci_high?: number;
}
export interface MetricsJson {
  metrics: Record<string, MetricEntry>;
  [key: string]: unknown;
}

export function shippedMetrics(name = 'breast-cancer-svm.json'): MetricsJson {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'metrics', name), 'utf8')) as MetricsJson;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=medpipe test', '-c', 'user.email=test@medpipe.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
}

export const PIPELINE = (regression: string): string => `medpipe: 1
name: diff-test
params: { seed: 1 }
steps:
  load: { uses: load.csv, with: { path: ../data/x.csv, target: y } }
  eval-svm:
    uses: evaluate
    in: { model: load, test: load }
    with:
      metrics_file: "../metrics/model-\${params.seed}.json"
${regression}`;

/** A repo on branch main with pipelines/p.yaml and metrics/model-1.json committed. */
export function tempRepo(baseline: MetricsJson, regression = ''): { dir: string; pipeline: string; metricsPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-metrics-diff-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'pipelines'));
  mkdirSync(join(dir, 'metrics'));
  writeFileSync(join(dir, 'pipelines', 'p.yaml'), PIPELINE(regression));
  const metricsPath = join(dir, 'metrics', 'model-1.json');
  writeMetrics(metricsPath, baseline);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'baseline');
  return { dir, pipeline: 'pipelines/p.yaml', metricsPath };
}

export function writeMetrics(path: string, m: MetricsJson): void {
  writeFileSync(path, JSON.stringify(m, null, 2) + '\n');
}

/** Captures what a command prints. */
export function captureIO(): { out: string[]; err: string[]; io: { out(t: string): void; err(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t) } };
}

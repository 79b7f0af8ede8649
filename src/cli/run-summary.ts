/**
 * What a person wants at the end of a run, on a terminal or in CI logs: each evaluation's
 * headline metrics with their intervals and its gates, the versions registered and aliases moved,
 * and the files written into the checkout. Built from the run record and result, so it says the
 * same for computed and cached steps.
 */
import { relative } from 'node:path';
import type { RunResult } from '../engine/execute.js';
import type { Pipeline } from '../engine/pipeline.js';
import { lockFilePath } from '../metrics/lock-file.js';
import { formatNumber } from '../metrics/diff.js';

/** Metrics shown first when a step reports them; then the step's own order, up to HEADLINE_COUNT. */
const HEADLINE_FIRST = ['roc_auc', 'sensitivity', 'specificity', 'balanced_accuracy', 'rmse', 'mae', 'r2'];
const HEADLINE_COUNT = 4;

interface MetricEntry {
  value: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
}

function metricText(name: string, m: MetricEntry | number): string {
  const e: MetricEntry = typeof m === 'number' ? { value: m } : m;
  if (e.value === null || e.value === undefined) return `${name} n/a`;
  const ci = typeof e.ci_low === 'number' && typeof e.ci_high === 'number' ? ` (${formatNumber(e.ci_low)}–${formatNumber(e.ci_high)})` : '';
  return `${name} ${formatNumber(e.value)}${ci}`;
}

function headline(metrics: Record<string, MetricEntry | number>): string {
  const names = Object.keys(metrics);
  const chosen = [...HEADLINE_FIRST.filter((n) => names.includes(n)), ...names.filter((n) => !HEADLINE_FIRST.includes(n))].slice(0, HEADLINE_COUNT);
  return chosen.map((n) => metricText(n, metrics[n])).join(', ');
}

export function runSummaryLines(pipeline: Pipeline, result: RunResult, cwd: string): string[] {
  const lines: string[] = [];
  const steps = result.record.steps;
  for (const [id, rec] of Object.entries(steps)) {
    const summary = rec.summary as { metrics?: Record<string, MetricEntry | number>; gates_passed?: number } | undefined;
    if (rec.uses?.startsWith('evaluate') && summary?.metrics) {
      const gates = summary.gates_passed ? `; gates: ${summary.gates_passed} passed` : '';
      lines.push(`  ${id}: ${headline(summary.metrics)}${gates}`);
    } else if (rec.uses?.startsWith('evaluate') && rec.status === 'failed' && rec.error) {
      lines.push(`  ${id}: FAILED: ${rec.error.split('\n').join('; ')}`);
    }
  }
  for (const [id, rec] of Object.entries(steps)) {
    const summary = rec.summary as { name?: string; version?: number; created?: boolean; registered?: boolean } | undefined;
    if (rec.uses !== 'register' || !summary?.name) continue;
    if (summary.registered === false) {
      lines.push(`  ${id}: ${summary.name} not registered (experiment; --register registers it)`);
      continue;
    }
    const ref = `${summary.name}@${summary.version}`;
    if (rec.restored) {
      lines.push(`  ${id}: ${rec.restored}`);
      continue;
    }
    if (rec.cacheHit || !summary.created) {
      lines.push(`  ${id}: ${ref}, registered before`);
      continue;
    }
    const alias = pipeline.steps.get(id)?.params.alias;
    lines.push(`  ${id}: registered ${ref}${!result.experiment && typeof alias === 'string' ? `, ${alias} -> ${summary.version}` : ' (no alias moved)'}`);
  }
  const cancelled = Object.entries(steps)
    .filter(([, rec]) => rec.status === 'cancelled')
    .map(([id]) => id);
  if (cancelled.length)
    lines.push(
      `  cancelled while running: ${cancelled.join(', ')} (nothing of ${cancelled.length === 1 ? 'it' : 'them'} was kept; the next run computes ${cancelled.length === 1 ? 'it' : 'them'})`,
    );
  const rel = (p: string): string => relative(cwd, p) || p;
  const files = [...result.published.keys()].map(rel).sort();
  const only = result.record.options.only;
  const lockWritten = result.status === 'ok' && !result.experiment && !(Array.isArray(only) && only.length);
  if (lockWritten) files.push(rel(lockFilePath(pipeline.path)));
  if (files.length) lines.push(result.experiment ? `  not written (experiment): ${files.join(', ')}` : `  files: ${files.join(', ')}`);
  const remote = remoteLine(result);
  if (remote) lines.push(remote);
  const queue = queueLine(result);
  if (queue) lines.push(queue);
  return lines.length ? ['results:', ...lines] : [];
}

/** Bytes for people: B below a kilobyte, then kB and MB (decimal, as transfer rates are given). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** Which workers computed the run's steps through its queue (see RunRecord.queue), or undefined without one. */
function queueLine(result: RunResult): string | undefined {
  const queue = result.record.queue;
  if (!queue) return undefined;
  if (!queue.steps) return `  queue ${queue.location}: no step needed a worker`;
  const workers = new Set(Object.values(result.record.steps).flatMap((s) => (s.worker ? [s.worker] : [])));
  const extra = [
    queue.reused ? `${queue.reused} found on the remote by the worker` : '',
    queue.duplicateExecutions
      ? `${queue.duplicateExecutions} duplicate execution${queue.duplicateExecutions > 1 ? 's' : ''} (a worker stopped mid-step; harmless)`
      : '',
  ].filter(Boolean);
  return `  queue ${queue.location}: ${queue.steps} step${queue.steps === 1 ? '' : 's'} on ${workers.size} worker${workers.size === 1 ? '' : 's'}${workers.size ? ` (${[...workers].sort().join(', ')})` : ''}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

/** What the run took from and gave to its remote cache (see RunRecord.remote), or undefined without one. */
function remoteLine(result: RunResult): string | undefined {
  const remote = result.record.remote;
  if (!remote) return undefined;
  const fromRemote = Object.values(result.record.steps).filter((s) => s.status === 'cached' && s.source === 'remote').length;
  const s = remote.stats;
  const up = remote.readOnly ? 'nothing uploaded (read-only)' : `${formatBytes(s.bytesUploaded)} uploaded`;
  const down = remote.unavailable ? '; set aside after it failed, the rest was computed locally' : '';
  return `  remote ${remote.location}: ${fromRemote} step${fromRemote === 1 ? '' : 's'} from the remote, ${formatBytes(s.bytesDownloaded)} downloaded, ${up}${down}`;
}

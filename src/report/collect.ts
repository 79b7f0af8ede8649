/**
 * Gathers what the report shows from the store: the run record, the pipeline graph (loaded from
 * the pipeline file, if it is still there and still valid), the evaluate steps' metrics artifacts,
 * the forests' importances from the step summaries, and step start times from the cache entries;
 * and through collect-models, collect-sweeps and collect-step-outputs the model cards, the sweeps'
 * leaderboards, the data checks, GAN losses, observed-vs-predicted values and candidate tables.
 * Reads aggregate outputs only: no dataset artifact is opened, so no patient row can reach the page.
 * Every artifact is read through the store's digest check (artifacts.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadPipeline } from '../engine/open.js';
import { catalogue } from '../steps/index.js';
import { dependenciesOf, type Pipeline } from '../engine/pipeline.js';
import { onlySteps, type RunRecord } from '../engine/record.js';
import type { Store } from '../engine/store.js';
import { METRICS_FORMAT } from '../metrics/metrics-file.js';
import { isRecord, readArtifactJson } from './artifacts.js';
import { dataChecks } from './collect-data-checks.js';
import { registeredModels } from './collect-models.js';
import { addWorkedExamples } from './collect-explanations.js';
import { candidateTables, ganCurves, observedPredicted } from './collect-step-outputs.js';
import { monitoringHistories } from './collect-monitoring.js';
import { leaderboards } from './collect-sweeps.js';
import { layerColumns, longestPathLayers } from './layers.js';
import type { Evaluation, MetricsReport, ModelImportances, ReportData, ReportStep, StepStatus } from './report-data.js';

async function loadGraph(record: RunRecord, warnings: string[]): Promise<Pipeline | undefined> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(record.pipeline.path);
  } catch {
    warnings.push(`the pipeline file ${record.pipeline.file} is no longer there: the graph shows steps without their connections`);
    return undefined;
  }
  if (createHash('sha256').update(bytes).digest('hex') !== record.pipeline.digest)
    warnings.push(`${record.pipeline.file} has changed since this run: connections are drawn from the current file`);
  try {
    return await loadPipeline(record.pipeline.path, { catalogue });
  } catch {
    warnings.push(`${record.pipeline.file} does not load now (run medpipe validate on it): the graph shows steps without their connections`);
    return undefined;
  }
}

/**
 * When each step started, in ms from the run's start. The record has durations only; a cache
 * entry written by this run has its finish time, so start = finish - duration. Other steps
 * (cached, failed, skipped) are placed when their last dependency ended, which is when the
 * scheduler could start them.
 */
function layOutStarts(record: RunRecord, store: Store, steps: ReportStep[]): void {
  const runStart = Date.parse(record.startedAt);
  const runEnd = record.finishedAt ? Date.parse(record.finishedAt) : Number.POSITIVE_INFINITY;
  const end = new Map<string, number>();
  for (const step of steps) {
    const rec = record.steps[step.id];
    const entry = rec?.status === 'done' && rec.key ? store.readEntry(rec.key) : undefined;
    const finished = entry ? Date.parse(entry.finishedAt) : Number.NaN;
    const fromDeps = Math.max(0, ...step.dependsOn.map((d) => end.get(d) ?? 0));
    // An entry rewritten by a later forced run has a finish time outside this run: not ours.
    if (entry && step.durationMs !== undefined && finished >= runStart && finished <= runEnd + 1000) {
      step.startMs = Math.max(0, finished - runStart - step.durationMs);
      step.startEstimated = false;
    } else {
      step.startMs = fromDeps;
      step.startEstimated = true;
    }
    end.set(step.id, step.startMs + (step.status === 'cached' ? 0 : (step.durationMs ?? 0)));
  }
}

/** A metrics artifact, read only if it matches its digest; otherwise why it is not shown. */
function readMetrics(store: Store, digest: string): { report: MetricsReport } | { missing: string } {
  const read = readArtifactJson(store, digest, { what: 'its metrics artifact', content: 'its numbers' }, (v) =>
    isRecord(v) && v.format === METRICS_FORMAT && isRecord(v.metrics) ? (v as unknown as MetricsReport) : undefined,
  );
  return 'missing' in read ? read : { report: read.value };
}

function evaluations(record: RunRecord, pipeline: Pipeline | undefined, store: Store, steps: ReportStep[]): Evaluation[] {
  const found: Evaluation[] = [];
  for (const step of steps) {
    const p = pipeline?.steps.get(step.id);
    const rec = record.steps[step.id];
    // The metrics ports: from the step type when the pipeline loaded, else evaluate's own port name.
    const ports = p
      ? Object.entries(p.type.outputs)
          .filter(([, port]) => port.kind === 'metrics')
          .map(([name]) => name)
      : step.uses === 'evaluate' || rec?.outputs?.metrics
        ? ['metrics']
        : [];
    if (!ports.length) continue;
    const modelStep = p?.inputs.model?.step;
    for (const port of ports) {
      const digest = rec?.outputs?.[port];
      const read = digest ? readMetrics(store, digest) : undefined;
      const report = read && 'report' in read ? read.report : undefined;
      const missing = report
        ? undefined
        : rec?.status === 'failed'
          ? 'the step failed'
          : rec?.status === 'skipped'
            ? 'the step was skipped'
            : read && 'missing' in read
              ? read.missing
              : 'no metrics were recorded';
      found.push({
        step: ports.length > 1 ? `${step.id}.${port}` : step.id,
        ...(modelStep ? { modelStep } : {}),
        ...(report ? { report } : {}),
        ...(missing ? { missing } : {}),
      });
    }
  }
  return found;
}

function modelImportances(record: RunRecord, steps: ReportStep[]): ModelImportances[] {
  const out: ModelImportances[] = [];
  for (const step of steps) {
    const summary = record.steps[step.id]?.summary as { top_importances?: unknown } | undefined;
    const top = summary?.top_importances;
    if (!Array.isArray(top)) continue;
    const features = top.filter((x): x is { feature: string; importance: number } => typeof x?.feature === 'string' && typeof x?.importance === 'number');
    if (features.length) out.push({ step: step.id, features });
  }
  return out;
}

export async function collectReport(record: RunRecord, store: Store): Promise<ReportData> {
  const warnings: string[] = [];
  const pipeline = await loadGraph(record, warnings);
  const ids = [...new Set([...(pipeline ? [...pipeline.steps.keys()].filter((id) => id in record.steps) : []), ...Object.keys(record.steps)])];
  const unordered: ReportStep[] = ids.map((id) => {
    const rec = record.steps[id];
    const p = pipeline?.steps.get(id);
    return {
      id,
      ...(p ? { uses: p.uses } : {}),
      status: rec.status as StepStatus,
      cacheHit: rec.cacheHit,
      ...(rec.durationMs !== undefined ? { durationMs: rec.durationMs } : {}),
      startMs: 0,
      startEstimated: true,
      dependsOn: p ? dependenciesOf(p).filter((d) => d in record.steps) : [],
      inputs: p
        ? [
            ...Object.entries(p.inputs).map(([port, ref]) => ({ port, step: ref.step, from: ref.port })),
            ...Object.entries(p.fanIn).flatMap(([port, refs]) => refs.map((ref) => ({ port, step: ref.step, from: ref.port }))),
          ]
        : [],
      ...(rec.error ? { error: rec.error } : {}),
    };
  });
  const steps = layerColumns(unordered, longestPathLayers(unordered)).flat();
  layOutStarts(record, store, steps);
  const evaluated = evaluations(record, pipeline, store, steps);
  const context = { record, pipeline, store, steps };
  return {
    runId: record.runId,
    pipeline: { name: record.pipeline.name, file: record.pipeline.file, digest: record.pipeline.digest },
    warnings,
    git: record.git,
    status: record.status,
    only: onlySteps(record),
    startedAt: record.startedAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.durationMs !== undefined ? { durationMs: record.durationMs } : {}),
    steps,
    evaluations: evaluated,
    models: await addWorkedExamples(context, registeredModels(context)),
    dataChecks: dataChecks(context),
    leaderboards: leaderboards(context, evaluated),
    ganCurves: ganCurves(context),
    observedPredicted: observedPredicted(context),
    candidates: candidateTables(context),
    monitoring: await monitoringHistories(context),
    modelImportances: modelImportances(record, steps),
  };
}

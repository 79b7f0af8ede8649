/**
 * Leaderboards: the evaluations of one swept step (`eval[C=0.1,kernel=linear]`, …) gathered into
 * one comparison, with the choice the select-best step made among them, and for recommenders the
 * popularity baseline every member was judged against (fitted on the same rows, so it is one row).
 */
import { combinationLabel } from '../engine/sweep.js';
import { SELECTION_REPORT_FORMAT } from '../report-formats.js';
import { isRecord, readArtifactJson } from './artifacts.js';
import { stepTypeOf, type CollectContext } from './collect-context.js';
import type { Evaluation, Leaderboard, LeaderboardRow, MetricEstimate } from './report-data.js';

interface Member {
  evaluation: Evaluation;
  origin: string;
  values: Record<string, unknown>;
}

/** The sweep values as a row label: "C=0.1, kernel=linear", or just "als" for a one-parameter sweep. */
function labelOf(values: Record<string, unknown>): string {
  const entries = Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const);
  return entries.length === 1 ? entries[0][1] : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The members of each swept evaluate step, by the step id written in the pipeline file. */
function sweptEvaluations(ctx: CollectContext, evaluations: readonly Evaluation[]): Map<string, Member[]> {
  const groups = new Map<string, Member[]>();
  for (const evaluation of evaluations) {
    const sweep = ctx.pipeline?.steps.get(evaluation.step)?.sweep;
    if (!sweep) continue;
    const suffix = `[${combinationLabel(sweep.values)}]`;
    const origin = evaluation.step.endsWith(suffix) ? evaluation.step.slice(0, -suffix.length) : sweep.origin;
    (groups.get(origin) ?? groups.set(origin, []).get(origin)!).push({ evaluation, origin, values: { ...sweep.values } });
  }
  return groups;
}

interface SelectionReport {
  metric: string;
  use: string;
  direction: string;
  best: string;
}

const asSelection = (v: unknown): SelectionReport | undefined =>
  isRecord(v) &&
  v.format === SELECTION_REPORT_FORMAT &&
  typeof v.metric === 'string' &&
  typeof v.use === 'string' &&
  typeof v.direction === 'string' &&
  typeof v.best === 'string'
    ? (v as unknown as SelectionReport)
    : undefined;

/** The select-best step that gathered these evaluations, and its choice (from its report, through the digest check). */
function selectionOf(ctx: CollectContext, members: readonly Member[]): Leaderboard['selection'] {
  const steps = new Set(members.map((m) => m.evaluation.step));
  for (const [id, p] of ctx.pipeline?.steps ?? []) {
    if (stepTypeOf(ctx, id) !== 'select-best') continue;
    const gathered = (p.fanIn.evaluations ?? []).map((r) => r.step);
    if (!gathered.length || !gathered.every((s) => steps.has(s))) continue;
    const digest = ctx.record.steps[id]?.outputs?.report;
    if (!digest) return undefined;
    const read = readArtifactJson(ctx.store, digest, { what: 'its selection report', content: 'its choice' }, asSelection);
    if ('missing' in read) return undefined;
    return { step: id, metric: read.value.metric, use: read.value.use, direction: read.value.direction, bestModelStep: read.value.best };
  }
  return undefined;
}

type WithBaseline = { baseline?: { method?: unknown; metrics?: Record<string, MetricEstimate> } };

/** The baseline all members were compared with, when they report one and it is the same for all. */
function sharedBaseline(members: readonly Member[]): LeaderboardRow | undefined {
  const baselines = members.map((m) => (m.evaluation.report as WithBaseline | undefined)?.baseline);
  const first = baselines[0];
  if (!first?.metrics || baselines.some((b) => JSON.stringify(b?.metrics) !== JSON.stringify(first.metrics))) return undefined;
  const method = typeof first.method === 'string' ? first.method : 'baseline';
  return { values: {}, label: `${method} (baseline)`, baseline: true, metrics: first.metrics };
}

export function leaderboards(ctx: CollectContext, evaluations: readonly Evaluation[]): Leaderboard[] {
  const out: Leaderboard[] = [];
  for (const [origin, members] of sweptEvaluations(ctx, evaluations)) {
    if (members.length < 2) continue;
    const rows: LeaderboardRow[] = [];
    const missing: Leaderboard['missing'] = [];
    for (const m of members) {
      const report = m.evaluation.report;
      if (!report) missing.push({ step: m.evaluation.step, why: m.evaluation.missing ?? 'no metrics' });
      else
        rows.push({
          step: m.evaluation.step,
          ...(m.evaluation.modelStep ? { modelStep: m.evaluation.modelStep } : {}),
          values: m.values,
          label: labelOf(m.values),
          baseline: false,
          metrics: report.metrics,
        });
    }
    const baseline = sharedBaseline(members.filter((m) => m.evaluation.report));
    if (baseline) rows.push(baseline);
    const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
    const confidence = members.map((m) => m.evaluation.report?.bootstrap?.confidence).find((c): c is number => typeof c === 'number');
    const selection = selectionOf(ctx, members);
    out.push({
      origin,
      parameters: [...new Set(members.flatMap((m) => Object.keys(m.values)))],
      rows,
      metrics,
      ...(confidence !== undefined ? { confidence } : {}),
      ...(selection ? { selection } : {}),
      missing,
    });
  }
  return out;
}

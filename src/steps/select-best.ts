/**
 * Step `select-best`: the winner of a parameter sweep. Its fan-in inputs receive every
 * combination's model and, optionally, evaluation (in the sweep's order). It keeps the model that
 * is best on the chosen metric: by its evaluation (the value, or a bound of its confidence
 * interval for a more cautious pick), or — `source: cv`, when the training steps had the split's
 * folds wired in — by its cross-validated mean on the training rows, which keeps the test set
 * out of model selection.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StepInputError } from '../errors.js';
import { defineStep } from '../engine/step-type.js';
import { SELECTION_REPORT_FORMAT } from '../report-formats.js';

interface Params {
  metric: string;
  source: 'evaluation' | 'cv';
  use: 'value' | 'ci_low' | 'ci_high';
  direction: 'auto' | 'higher' | 'lower';
}

interface Candidate {
  step: string;
  params: Readonly<Record<string, unknown>>;
  metric: { value: number | null; ci_low: number | null; ci_high: number | null };
  score: number | null;
}

interface MetricsReport {
  metrics?: Record<string, { value: number | null; ci_low?: number | null; ci_high?: number | null }>;
}

async function evaluationMetric(path: string, metric: string, i: number): Promise<{ value: number | null; ci_low?: number | null; ci_high?: number | null }> {
  const report = JSON.parse(await readFile(path, 'utf8')) as MetricsReport;
  const m = report.metrics?.[metric];
  if (!m) throw new StepInputError(`evaluation ${i + 1} has no metric "${metric}"; it reports: ${Object.keys(report.metrics ?? {}).join(', ')}`);
  return m;
}

async function cvMetric(modelPath: string, metric: string): Promise<{ value: number | null; ci_low: null; ci_high: null }> {
  const model = JSON.parse(await readFile(modelPath, 'utf8')) as { cv?: { metrics: Record<string, { mean: number }> } };
  if (!model.cv)
    throw new StepInputError("source: cv needs cross-validated models: wire the split's folds into the training step (in: { folds: split.folds })");
  const m = model.cv.metrics[metric];
  if (!m) throw new StepInputError(`the models were cross-validated on ${Object.keys(model.cv.metrics).join(', ')}, not "${metric}"`);
  return { value: m.mean, ci_low: null, ci_high: null };
}

export default defineStep<Params>({
  id: 'select-best',
  version: '1',
  description: 'Picks the best model of a parameter sweep (matrix:) by an evaluation metric, and reports every candidate.',
  inputs: {
    models: { kind: 'model', description: "The swept training step: every combination's model.", many: true },
    evaluations: {
      kind: 'metrics',
      description: 'Their evaluations, from an evaluate step expanded along the same sweep (for source: evaluation).',
      many: true,
      optional: true,
    },
  },
  outputs: {
    model: { kind: 'model', description: "The best candidate's model, unchanged." },
    report: { kind: 'report', description: 'JSON: every candidate with its parameters and metric, and which won.' },
  },
  defaultOutput: 'model',
  lineage: true,
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['metric'],
    properties: {
      metric: {
        type: 'string',
        description:
          'The metric to compare, as the evaluate step names it (roc_auc, rmse, …; evaluate.recommender: ndcg@10, recall@10, …); with source: cv one of accuracy, roc_auc (binary), rmse, mae, r2.',
      },
      source: {
        enum: ['evaluation', 'cv'],
        default: 'evaluation',
        description: "evaluation: the evaluations wired in; cv: the cross-validation the training steps ran on the split's folds.",
      },
      use: {
        enum: ['value', 'ci_low', 'ci_high'],
        default: 'value',
        description: 'Compare the point estimate, or a bound of its confidence interval (ci_low is the cautious choice for a higher-is-better metric).',
      },
      direction: {
        enum: ['auto', 'higher', 'lower'],
        default: 'auto',
        description:
          'auto: from the metric (lower is better for log_loss, brier, rmse, mae and the generative distances and detection AUC; higher for accuracy-like and ranking metrics); a metric without a known direction must set it.',
      },
    },
  },
  async run(ctx, params) {
    const models = ctx.inputs('models');
    const evaluations = ctx.inputs('evaluations');
    if (models.length === 0) throw new StepInputError('no candidates: wire in.models to a swept training step');
    if (params.source === 'evaluation' && models.length !== evaluations.length)
      throw new StepInputError(
        `got ${models.length} models but ${evaluations.length} evaluations: wire in.evaluations to an evaluate step of the same sweep, or use source: cv`,
      );
    if (params.source === 'cv' && params.use !== 'value') throw new StepInputError('with source: cv, use must be value (the mean over folds)');
    const { knownDirection } = await import('../metrics/regression-config.js');
    const direction = params.direction === 'auto' ? knownDirection(params.metric) : params.direction;
    if (!direction) throw new StepInputError(`which way is better for ${params.metric} is not known: set direction: higher or direction: lower`);
    const higher = direction === 'higher';
    // Artifacts are named by their digest in the store; the run's lineage says which step made each.
    const digestOf = (path: string): string => basename(dirname(path)) + basename(path);
    const producers = Object.entries(ctx.run?.upstream ?? {});
    const named = new Set<string>();
    const candidates: Candidate[] = [];
    for (let i = 0; i < models.length; i++) {
      const m = params.source === 'cv' ? await cvMetric(models[i], params.metric) : await evaluationMetric(evaluations[i], params.metric, i);
      const score = m[params.use] ?? null;
      // Two combinations can write byte-identical models (a parameter that changes nothing); the
      // lineage lists them in the sweep's order, as the models arrive, so each takes the next unnamed one.
      const made = producers.filter(([, u]) => Object.values(u.outputs).includes(digestOf(models[i])));
      const producer = made.find(([id]) => !named.has(id)) ?? made[0];
      if (producer) named.add(producer[0]);
      candidates.push({
        step: producer?.[0] ?? `candidate ${i + 1}`,
        params: producer?.[1].params ?? {},
        metric: { value: m.value, ci_low: m.ci_low ?? null, ci_high: m.ci_high ?? null },
        score,
      });
    }
    let best = -1;
    candidates.forEach((c, i) => {
      if (c.score === null) return;
      const b = best < 0 ? null : candidates[best].score;
      // Ties keep the earlier combination, so the choice does not depend on anything but the order written.
      if (b === null || (higher ? c.score > b : c.score < b)) best = i;
    });
    if (best < 0) throw new StepInputError(`no candidate has a ${params.use} for ${params.metric}`);
    await copyFile(models[best], ctx.output('model'));
    const report = {
      format: SELECTION_REPORT_FORMAT,
      metric: params.metric,
      source: params.source,
      use: params.use,
      direction: higher ? 'higher' : 'lower',
      best: candidates[best].step,
      candidates,
    };
    await writeFile(ctx.output('report'), JSON.stringify(report, null, 2) + '\n');
    ctx.log(`best of ${candidates.length}: ${candidates[best].step} (${params.metric} ${params.use} ${candidates[best].score})`);
    return { best: candidates[best].step, [params.metric]: candidates[best].score, candidates: candidates.length };
  },
});

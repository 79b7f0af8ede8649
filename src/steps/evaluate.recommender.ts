/**
 * Step `evaluate.recommender`: ranking and outcome metrics of a recommender on held-out rows, each
 * with a bootstrap interval over patients, next to the popularity baseline fitted on the same
 * training rows and the lift over it. Writes the `medpipe.metrics/1` report (so metrics files,
 * `medpipe metrics diff`, gates, select-best and the HTML report work as for `evaluate`), with the
 * baseline and lift as extra blocks. The work is in src/ml/recommender/evaluate.ts.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { GateError, StepInputError } from '../errors.js';
import { bootstrapParam } from './evaluate.js';
import { METRICS_FORMAT, metricsReportText } from '../metrics/metrics-file.js';
import { MAX_TOP_K } from '../engine/param-limits.js';

interface Params {
  k: number;
  relevance: number | null;
  bootstrap: { resamples: number; seed: number | null; confidence: number };
  gates: Record<string, string>;
  metrics_file: string | null;
  seed: number;
}

export default defineStep<Params>({
  id: 'evaluate.recommender',
  version: '1',
  description:
    'Precision/recall/NDCG/MAP@k, hit rate, coverage, RMSE and MAE of a recommender on held-out rows, with bootstrap intervals over patients, against a popularity baseline.',
  inputs: {
    model: { kind: 'model', description: 'A train.recommender model.' },
    train: { kind: 'dataset', description: 'The rows the model was trained on (the popularity baseline is fitted on them).' },
    test: { kind: 'dataset', description: "Held-out rows (split.interactions test); for a hybrid model, new patients' feature columns too." },
  },
  outputs: { metrics: { kind: 'metrics', description: `The evaluation report as JSON (${METRICS_FORMAT}), with the baseline's metrics and the lift.` } },
  defaultOutput: 'metrics',
  publish: { param: 'metrics_file', port: 'metrics' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      k: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TOP_K,
        default: 10,
        description: 'Length of the recommendation list the ranking metrics judge (precision@k, ...).',
      },
      relevance: {
        type: ['number', 'null'],
        default: null,
        description: 'A held-out treatment is relevant (it worked) when its outcome is >= this; null = the mean outcome of the training rows.',
      },
      bootstrap: bootstrapParam(
        'Bootstrap resamples of patients (0: no intervals).',
        "Percentile bootstrap over patients (each patient's rows resampled together) for every metric, the baseline's and the lift.",
      ),
      gates: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description:
          'Conditions the step must meet, e.g. { "ndcg@10": ">= 0.1", "lift.ndcg@10.ci_low": "> 0" }; baseline.<metric> and lift.<metric> (model minus baseline) may be gated too.',
      },
      metrics_file: { type: ['string', 'null'], default: null, description: 'Also write the report to this file (relative to the pipeline file), for git.' },
      seed: { type: 'integer', default: 0, description: 'Seed of the bootstrap unless it sets its own.' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { internIds, outcomeValues, deduplicate, readInteractions } = await import('../data/interaction-table.js');
    const { loadRecommender, buildArtifact } = await import('../ml/recommender/artifact.js');
    const { buildInteractionMatrix } = await import('../ml/recommender/interactions.js');
    const { evaluateRecommender } = await import('../ml/recommender/evaluate.js');
    const gatesLib = await import('../ml/metrics/gates.js');

    const model = loadRecommender(JSON.parse(await readFile(ctx.input('model')!, 'utf8')));
    const cols = model.artifact.columns;
    const [train, test] = await Promise.all([readDatasetFile(ctx.input('train')!), readDatasetFile(ctx.input('test')!)]);
    const t = readInteractions(train, cols);
    const matrix = buildInteractionMatrix({ user: t.user, item: t.item, value: t.value }, t.patients.length, t.treatments.length);
    const baseline = loadRecommender(
      JSON.parse(JSON.stringify(buildArtifact({ method: 'popularity', columns: cols, params: {}, patients: t.patients, treatments: t.treatments, matrix }))),
    );

    if (test.rowCount === 0) throw new StepInputError('the test table has no rows: nothing to evaluate');
    const patient = internIds(test, cols.patient, 'patient');
    const treatment = internIds(test, cols.treatment, 'treatment');
    const outcome = outcomeValues(test, cols.outcome);
    deduplicate(patient, treatment, outcome, 'error', cols);
    const specs = model.artifact.hybrid?.scaling.specs ?? [];
    const missing = specs.filter((s) => !test.columns.some((c) => c.name === s.name)).map((s) => s.name);
    if (missing.length)
      throw new StepInputError(
        `the test table lacks the patient feature column${missing.length === 1 ? '' : 's'} ${missing.map((m) => `"${m}"`).join(', ')} the hybrid model uses for new patients`,
      );
    const firstRow = new Int32Array(patient.names.length).fill(-1);
    for (let r = 0; r < test.rowCount; r++) if (firstRow[patient.codes[r]] < 0) firstRow[patient.codes[r]] = r;
    const featureData = specs.map((s) => ({ name: s.name, data: test.columns.find((c) => c.name === s.name)!.data }));
    const features = (p: number): Record<string, number | string | null> | null => {
      if (!featureData.length) return null;
      const r = firstRow[p];
      return Object.fromEntries(
        featureData.map(({ name, data }) => [
          name,
          data.type === 'numeric'
            ? Number.isNaN(data.values[r])
              ? null
              : data.values[r]
            : data.type === 'categorical'
              ? data.codes[r] < 0
                ? null
                : data.categories[data.codes[r]]
              : data.values[r],
        ]),
      );
    };

    const threshold = params.relevance ?? model.artifact.mean;
    const bootstrap = { resamples: params.bootstrap.resamples, seed: params.bootstrap.seed ?? params.seed, confidence: params.bootstrap.confidence };
    const e = await evaluateRecommender(
      model,
      baseline,
      { patients: patient.names, patient: patient.codes, treatments: treatment.names, treatment: treatment.codes, outcome, features },
      { k: params.k, threshold, ...bootstrap, signal: ctx.signal },
    );
    ctx.progress('metrics computed', 1);

    const notes: string[] = [];
    if (e.model.skipped)
      notes.push(
        `${e.model.skipped} of ${e.patients} test patients were not in training and the model is not hybrid (or had no usable feature for them), so it made no recommendation for them (they are left out of its metrics and of the baseline's, so both are judged on the same patients)`,
      );
    if (e.model.byFeatures) notes.push(`${e.model.byFeatures} test patients were not in training: recommended from their features`);
    if (e.unknownTreatments)
      notes.push(`${e.unknownTreatments} held-out rows have a treatment not in training: relevant but never recommendable, and not in RMSE/MAE`);
    notes.push(
      `relevant = held-out outcome >= ${Number(threshold.toPrecision(6))}${params.relevance === null ? ' (the training mean)' : ''}; ${e.relevantPatients} of ${e.patients} test patients have a relevant treatment`,
    );
    const prefixed = (prefix: string, m: Record<string, import('../ml/recommender/evaluate.js').Estimate>) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [prefix + k, v]));
    const gateable = { ...e.model.metrics, ...prefixed('baseline.', e.baseline.metrics), ...prefixed('lift.', e.lift) };
    const gates = Object.keys(params.gates).length
      ? gatesLib.checkGates(gatesLib.parseGates(params.gates), gateable, e.model.unavailable, bootstrap.confidence)
      : undefined;
    const a = model.artifact;
    const report = {
      step: ctx.stepId,
      model: {
        algorithm: 'recommender',
        format: a.format,
        method: a.method,
        hybrid: a.hybrid !== null,
        ...(a.factors ? { factors: a.factors.k } : {}),
        patients: a.patients.length,
        treatments: a.treatments.length,
      },
      task: 'recommendation',
      n: e.rows,
      patients: e.patients,
      k: e.k,
      relevance: { threshold, source: params.relevance === null ? 'training mean' : 'relevance' },
      metrics: e.model.metrics,
      unavailable: e.model.unavailable,
      bootstrap: { resamples: bootstrap.resamples, seed: bootstrap.seed, confidence: bootstrap.confidence, unit: 'patient' },
      baseline: { method: 'popularity', metrics: e.baseline.metrics, unavailable: e.baseline.unavailable },
      lift: e.lift,
      notes,
      ...(gates ? { gates } : {}),
    };
    await writeFile(ctx.output('metrics'), metricsReportText(report));

    const show = (m: Record<string, { value: number | null }>): string =>
      Object.entries(m)
        .map(([k, v]) => `${k} ${v.value === null ? 'n/a' : v.value.toPrecision(3)}`)
        .join(', ');
    ctx.log(`${a.method} on ${e.rows} held-out rows of ${e.patients} patients: ${show(e.model.metrics)}`);
    ctx.log(`popularity baseline: ${show(e.baseline.metrics)}`);
    for (const note of notes) ctx.log(`note: ${note}`);
    const failed = (gates ?? []).filter((g) => !g.passed);
    if (failed.length) throw new GateError(failed.map((g) => g.message ?? `gate failed: ${g.gate}`).join('\n'));
    return {
      task: 'recommendation',
      n: e.rows,
      patients: e.patients,
      metrics: e.model.metrics,
      lift: e.lift,
      confidence: bootstrap.confidence,
      ...(gates ? { gates_passed: gates.length } : {}),
    };
  },
});

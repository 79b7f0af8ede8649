/**
 * Step `evaluate`: applies a trained model to a test dataset and reports metrics a clinician can
 * trust: each with a bootstrap confidence interval, at a stated decision threshold, per subgroup,
 * with curves and optional permutation importance; quality gates make the step (and the run) fail.
 * The work is done by src/ml/metrics; this file reads the artifacts and writes the report.
 *
 * Version 2 added the `predictions` output: a regression's observed and predicted value per test
 * row, for the report's observed-vs-predicted plot, written only when the pipeline asks
 * (observed_vs_predicted: true) since those are per-row values. The metrics are unchanged.
 */
import { writeFile } from 'node:fs/promises';
import { METRICS_FORMAT, metricsReportText } from '../metrics/metrics-file.js';
import { PREDICTIONS_FORMAT } from '../report-formats.js';
import { defineStep } from '../engine/step-type.js';
import { DataError, GateError, StepInputError } from '../errors.js';
import { MAX_ITERATIONS, MAX_RESAMPLES } from '../engine/param-limits.js';
import { columnListText, shortList } from '../suggest.js';
import { contextColumnNames } from '../data/preprocess-context.js';

interface Params {
  metrics: string[];
  threshold: { method: 'fixed' | 'youden' | 'sensitivity'; value?: number; target?: number };
  bootstrap: { resamples: number; seed: number | null; confidence: number };
  subgroups: { column: string; bins?: number[] }[];
  fairness?: { min_rows?: number; min_per_class?: number };
  gates: Record<string, string>;
  permutation_importance: { repeats: number; metric: string | null; seed: number | null } | null;
  calibration_bins: number;
  metrics_file: string | null;
  observed_vs_predicted: boolean;
  seed: number;
}

type Loaded = Awaited<ReturnType<typeof import('../ml/model.js')['loadModelFile']>>;
type DatasetT = Awaited<ReturnType<typeof import('../data/arrow.js')['readDatasetFile']>>;
type TruthT = import('../ml/metrics/index.js').Truth;

/** A subgroup column's raw values: its context column (`ward (source)` beside a feature encoded in place) before the column of that name. */
function subgroupColumn(ds: DatasetT, name: string): DatasetT['columns'][number] | undefined {
  const [beside] = contextColumnNames(name);
  return ds.columns.find((c) => c.name === beside && c.kind === 'context') ?? ds.columns.find((c) => c.name === name);
}

/** Checks the test table against the model and the subgroups before any work; all problems of a kind at once. */
function checkColumns(ds: DatasetT, model: Loaded, subgroups: Params['subgroups']): void {
  const have = new Set(ds.columns.map((c) => c.name));
  const missing = model.features.filter((f) => !have.has(f));
  if (missing.length) {
    throw new StepInputError(
      `the test dataset lacks ${missing.length === 1 ? 'feature column' : 'feature columns'} ${shortList(missing.map((m) => `"${m}"`))} that the model was trained on: prepare the test rows with the same preprocess and select steps as the training rows`,
    );
  }
  for (const s of subgroups)
    if (!subgroupColumn(ds, s.column))
      throw new StepInputError(
        missingSubgroupMessage(
          s.column,
          ds.columns.map((c) => c.name),
        ),
      );
}

/** One line: where the column went (encoded into `sex=…` columns, or a near name), and how to carry it. */
export function missingSubgroupMessage(column: string, names: readonly string[]): string {
  const encoded = names.filter((n) => n.startsWith(`${column}=`));
  const fix = `carry it with keep_for_evaluation: [${column}] on the preprocess step`;
  if (encoded.length) return `subgroup column "${column}" is not in the test dataset: preprocessing encoded it into ${shortList(encoded, 5)}; ${fix}`;
  return `subgroup column "${column}" is not in the test dataset ${columnListText(column, names)}: if preprocessing encodes or drops it, ${fix}; if it is not a feature, declare it on the load step (columns: { ${column}: id })`;
}

/** The true outcomes, as indices into the model's classes (by label, not by code) or as values. */
function truthOf(ds: DatasetT, model: Loaded, file: string): TruthT {
  const target = ds.target;
  if (!target)
    throw new StepInputError('the test dataset has no target column, so there is nothing to compare predictions with: set `target:` on the load step');
  const col = ds.columns.find((c) => c.name === target.column);
  if (!col) throw new StepInputError(`target column "${target.column}" is not in the test dataset`);
  const d = col.data;
  if (model.task === 'regression') {
    if (d.type !== 'numeric') throw new StepInputError(`the model is a regression model but target column "${target.column}" is not numeric`);
    const missing = d.values.findIndex((v) => Number.isNaN(v));
    if (missing >= 0)
      throw new DataError('missing target value: evaluation needs the true outcome of every row', {
        file,
        row: missing + 2,
        column: target.column,
        hint: 'drop rows without an outcome before evaluating',
      });
    return { task: 'regression', y: Float64Array.from(d.values) };
  }
  const classes = model.classes ?? [];
  if (d.type !== 'categorical')
    throw new StepInputError(`the model is a classifier but target column "${target.column}" is ${d.type}: declare it categorical on the load step`);
  const index = d.categories.map((c) => classes.indexOf(c));
  const y = new Int32Array(ds.rowCount);
  for (let i = 0; i < ds.rowCount; i++) {
    const code = d.codes[i];
    if (code < 0)
      throw new DataError('missing target value: evaluation needs the true outcome of every row', {
        file,
        row: i + 2,
        column: target.column,
        hint: 'drop rows without an outcome before evaluating',
      });
    if (index[code] < 0) {
      throw new DataError(`class "${d.categories[code]}" is not one the model was trained on (classes: ${classes.join(', ')})`, {
        file,
        row: i + 2,
        column: target.column,
      });
    }
    y[i] = index[code];
  }
  return { task: 'classification', y };
}

function thresholdRule(t: Params['threshold'], scoreKind: 'probability' | 'decision' | undefined): import('../ml/metrics/index.js').ThresholdRule {
  if (t.method === 'youden') return { method: 'youden' };
  if (t.method === 'sensitivity') {
    if (t.target === undefined) throw new StepInputError('threshold method sensitivity needs a target, e.g. { method: sensitivity, target: 0.95 }');
    return { method: 'sensitivity', target: t.target };
  }
  // Default cut: 0.5 on a probability, 0 on an SVM decision value (the side of the margin).
  return { method: 'fixed', value: t.value ?? (scoreKind === 'decision' ? 0 : 0.5) };
}

/** The `bootstrap:` parameter of the evaluate steps; they differ only in what is resampled. */
/** The `subgroups:` parameter (evaluate, monitor): which columns to break the metrics down by, with numeric `bins:`. */
export function subgroupsParam(column: string, description: string): object {
  return {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['column'],
      examples: [{ column: 'sex' }, { column: 'age', bins: [0, 40, 65, 120] }],
      properties: {
        column: { type: 'string', description: column },
        bins: {
          type: 'array',
          items: { type: 'number' },
          minItems: 1,
          description: 'Numeric column: the edges between groups, e.g. [40, 65] gives < 40, [40, 65), >= 65.',
        },
      },
    },
    default: [],
    description,
  };
}

export function bootstrapParam(resamples: string, description: string): object {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      resamples: { type: 'integer', minimum: 0, maximum: MAX_RESAMPLES, default: 1000, description: resamples },
      seed: { type: ['integer', 'null'], default: null, description: "Seed of the resampling; null = the step's seed." },
      confidence: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level of the percentile intervals.' },
    },
    default: { resamples: 1000, seed: null, confidence: 0.95 },
    description,
  };
}

export default defineStep<Params>({
  id: 'evaluate',
  version: '2',
  description:
    'Metrics of a trained model on a test dataset, with bootstrap confidence intervals, decision threshold, subgroups, curves, quality gates and permutation importance.',
  inputs: {
    model: { kind: 'model', description: 'A trained model (train.random-forest, train.svm).' },
    test: {
      kind: 'dataset',
      description:
        "Held-out rows with the model's feature columns and the true outcome; subgroup columns may be features, id columns or context columns (preprocess keep_for_evaluation).",
    },
  },
  outputs: {
    metrics: { kind: 'metrics', description: `The evaluation report as JSON (${METRICS_FORMAT}).` },
    predictions: {
      kind: 'report',
      description: `Regression with observed_vs_predicted: each test row's observed and predicted value, in row order (${PREDICTIONS_FORMAT} JSON); otherwise a file saying there are none.`,
    },
  },
  defaultOutput: 'metrics',
  publish: { param: 'metrics_file', port: 'metrics' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      metrics: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description:
          'Metrics to report; empty = all that apply. Binary: roc_auc, pr_auc, sensitivity (= recall), specificity, precision, f1, accuracy, balanced_accuracy, log_loss, brier. Multi-class: accuracy, balanced_accuracy, roc_auc (one-vs-rest macro), precision/recall/f1 _macro and _weighted, log_loss. Regression: rmse, mae, r2.',
      },
      threshold: {
        type: 'object',
        additionalProperties: false,
        properties: {
          method: {
            enum: ['fixed', 'youden', 'sensitivity'],
            default: 'fixed',
            description:
              'fixed: the given value; youden: maximises sensitivity + specificity - 1 on the test rows (optimistic); sensitivity: the highest threshold reaching the target sensitivity (optimistic).',
          },
          value: { type: 'number', description: 'fixed: predict positive when the score >= value; default 0.5 on probabilities, 0 on SVM decision values.' },
          target: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'sensitivity: the sensitivity to reach, e.g. 0.95.' },
        },
        default: { method: 'fixed' },
        description: 'Binary classification: the decision threshold on P(positive) used by the thresholded metrics.',
      },
      bootstrap: bootstrapParam(
        'Bootstrap resamples for the confidence intervals (0: no intervals).',
        'Percentile bootstrap confidence intervals for every metric.',
      ),
      subgroups: subgroupsParam(
        'A column of the test dataset: a feature, an id column, or a source column carried by preprocess keep_for_evaluation (an encoded or dropped column).',
        'Report every metric per value of these columns, with its n and prevalence; for a binary classifier also the fairness gaps (largest difference between groups in sensitivity, specificity and calibration-in-the-large, with intervals), which gates can name: subgroups.max_gap.sensitivity, subgroups.<column>.max_gap.specificity.',
      ),
      // No defaults: absent, the step's resolved params (and so its cache key) are those of before it existed.
      fairness: {
        type: 'object',
        additionalProperties: false,
        properties: {
          min_rows: { type: 'integer', minimum: 2, description: 'Rows a subgroup needs to be compared in the fairness gaps (default 10).' },
          min_per_class: {
            type: 'integer',
            minimum: 1,
            description: 'Rows of each class a subgroup needs to be compared (default 1); e.g. 5 keeps a sensitivity on one positive out of the gaps.',
          },
        },
        description: 'Which subgroups the fairness gaps compare; the others are listed as left out, with the reason.',
      },
      gates: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description:
          'Conditions the step must meet, e.g. { roc_auc: ">= 0.97", "roc_auc.ci_low": ">= 0.9", "subgroups.max_gap.sensitivity": "<= 0.1" }; operators >=, >, <=, <, ==. A failed gate fails the step.',
      },
      permutation_importance: {
        anyOf: [
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              repeats: { type: 'integer', minimum: 1, maximum: MAX_ITERATIONS, default: 5, description: 'Shuffles per feature.' },
              metric: {
                type: ['string', 'null'],
                default: null,
                description: 'Metric whose drop is measured; null = roc_auc (classification) or r2 (regression).',
              },
              seed: { type: ['integer', 'null'], default: null, description: "Seed of the shuffles; null = the step's seed." },
            },
          },
          { type: 'null' },
        ],
        default: null,
        description: "Permutation feature importance (as scikit-learn's permutation_importance): the drop in the metric when a feature is shuffled.",
      },
      calibration_bins: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_ITERATIONS,
        default: 10,
        description: 'Equal-width bins of the calibration curve (binary, probabilities).',
      },
      metrics_file: {
        type: ['string', 'null'],
        default: null,
        description: 'Also write the report to this file (relative to the pipeline file), one metric per line, for git.',
      },
      observed_vs_predicted: {
        type: 'boolean',
        default: false,
        description:
          "Regression: write each test row's observed and predicted value to the predictions output, which the report draws as an observed-vs-predicted plot. Per-row values: meant for rows that are not patients (molecules in a QSAR model); leave off for patient data, whose report then shows aggregates only.",
      },
      seed: { type: 'integer', default: 0, description: 'Seed of the bootstrap and the permutation shuffles, unless they set their own.' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { featureMatrix } = await import('../data/matrix.js');
    const { loadModelFile } = await import('../ml/model.js');
    const m = await import('../ml/metrics/index.js');

    const testFile = ctx.input('test')!;
    const [model, ds] = await Promise.all([loadModelFile(ctx.input('model')!), readDatasetFile(testFile)]);
    checkColumns(ds, model, params.subgroups);
    const truth = truthOf(ds, model, testFile);
    const { X, nRows, nCols } = featureMatrix(ds, model.features);
    for (let i = 0; i < X.length; i++) {
      if (Number.isNaN(X[i]))
        throw new DataError('missing feature value: the model cannot predict this row', {
          file: testFile,
          row: Math.floor(i / nCols) + 2,
          column: model.features[i % nCols],
          hint: 'apply the same imputation as in training (preprocess with impute:)',
        });
    }
    const outcomes = m.modelOutcomes(model, X, nRows, truth);
    const kind = outcomes.kind;
    if (params.observed_vs_predicted && outcomes.kind !== 'regression')
      throw new StepInputError(
        `observed_vs_predicted is for regression models; this one is a ${kind} classifier (its curves and calibration are in the metrics)`,
      );
    // Checked before the bootstrap runs, so a typo fails fast.
    m.resolveMetricNames(kind, params.metrics);
    const importanceMetric = params.permutation_importance ? (params.permutation_importance.metric ?? (kind === 'regression' ? 'r2' : 'roc_auc')) : undefined;
    if (importanceMetric) m.metricInfo(kind, importanceMetric);

    const bootstrap = { resamples: params.bootstrap.resamples, seed: params.bootstrap.seed ?? params.seed, confidence: params.bootstrap.confidence };
    const classes =
      model.classes && kind === 'binary' ? [model.classes[1 - (model.positiveIndex ?? 1)], model.classes[model.positiveIndex ?? 1]] : model.classes;
    const evaluation = m.evaluateOutcomes(outcomes, {
      metrics: params.metrics,
      ...(classes ? { classes } : {}),
      threshold: thresholdRule(params.threshold, model.scoreKind),
      bootstrap,
      calibrationBins: params.calibration_bins,
      subgroups: params.subgroups.map((s) => ({
        column: s.column,
        groups: m.subgroupRows(s.column, subgroupColumn(ds, s.column)!.data, s.bins),
      })),
      gates: params.gates,
      fairness: { minRows: params.fairness?.min_rows ?? m.MIN_GROUP_ROWS, minPerClass: params.fairness?.min_per_class ?? 1 },
    });
    ctx.progress('metrics computed', params.permutation_importance ? 0.5 : 1);

    let importance: { metric: string; repeats: number; seed: number; features: import('../ml/metrics/index.js').FeatureImportance[] } | undefined;
    if (params.permutation_importance && importanceMetric) {
      const pi = params.permutation_importance;
      const scorerOf = (o: import('../ml/metrics/index.js').Outcomes) => m.makeScorer(o, [importanceMetric], evaluation.threshold?.value);
      const why = scorerOf(outcomes).unavailable[importanceMetric];
      if (why) throw new StepInputError(`permutation importance cannot use ${importanceMetric}: ${why}`);
      const sign = m.metricInfo(kind, importanceMetric).higherIsBetter ? 1 : -1;
      const seed = pi.seed ?? params.seed;
      const features = m.permutationImportance(
        X,
        nRows,
        nCols,
        model.features,
        (Xp) => sign * scorerOf(m.modelOutcomes(model, Xp, nRows, truth)).compute()[importanceMetric],
        { repeats: pi.repeats, seed },
      );
      importance = { metric: importanceMetric, repeats: pi.repeats, seed, features };
    }

    // The engine publishes it to metrics_file (the `publish` field above), also when a gate fails.
    await writeFile(
      ctx.output('metrics'),
      metricsReportText({ step: ctx.stepId, model: model.describe(), ...evaluation, ...(importance ? { importance } : {}) }),
    );
    const predictions =
      params.observed_vs_predicted && outcomes.kind === 'regression'
        ? { format: PREDICTIONS_FORMAT, task: kind, target: ds.target?.column ?? null, observed: Array.from(outcomes.y), predicted: Array.from(outcomes.pred) }
        : { format: PREDICTIONS_FORMAT, task: kind, target: null, observed: null, predicted: null, why: 'not asked for (observed_vs_predicted: false)' };
    await writeFile(ctx.output('predictions'), JSON.stringify(predictions));

    const ci = (e: { value: number | null; ci_low: number | null; ci_high: number | null }): string =>
      e.value === null
        ? 'n/a'
        : `${e.value.toPrecision(3)}${e.ci_low !== null && e.ci_high !== null ? ` (${e.ci_low.toPrecision(3)}–${e.ci_high.toPrecision(3)})` : ''}`;
    ctx.log(
      `${evaluation.task} on ${evaluation.n} rows: ${Object.entries(evaluation.metrics)
        .map(([k, e]) => `${k} ${ci(e)}`)
        .join(', ')}`,
    );
    for (const note of evaluation.notes) ctx.log(`note: ${note}`);
    for (const [metric, g] of Object.entries(evaluation.fairness?.max_gap ?? {}))
      if (g.between) ctx.log(`fairness: largest ${metric} gap ${ci(g)} by ${g.column} (${g.between.join(' vs ')})`);
    for (const note of evaluation.fairness?.notes.slice(1) ?? []) ctx.log(`note: ${note}`);

    const failed = m.failedGateMessages(evaluation);
    if (failed.length) throw new GateError(failed.join('\n'));
    return {
      task: evaluation.task,
      n: evaluation.n,
      ...(evaluation.threshold ? { threshold: { method: evaluation.threshold.method, value: evaluation.threshold.value } } : {}),
      metrics: evaluation.metrics,
      confidence: bootstrap.confidence,
      ...(evaluation.gates ? { gates_passed: evaluation.gates.length } : {}),
    };
  },
});

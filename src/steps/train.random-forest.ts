/**
 * Step `train.random-forest`: fits medpipe's random forest (src/ml/forest) on a training dataset.
 * Classification for a categorical target, regression for a numeric one; the model artifact is
 * one JSON file holding the feature names, the class labels and the forest's node tables.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { FOREST_MODEL_FORMAT } from '../ml/model-formats.js';
import { StepInputError } from '../errors.js';
import type { FitOptions } from '../ml/forest/index.js';
import { MAX_COLUMNS, MAX_ITERATIONS, MAX_THREADS, MAX_TREES } from '../engine/param-limits.js';

interface Params {
  task: 'auto' | 'classification' | 'regression';
  trees: number;
  max_depth: number | null;
  min_samples_split: number;
  min_samples_leaf: number;
  max_features: 'sqrt' | 'log2' | number | null;
  bootstrap: boolean;
  class_weight: 'balanced' | 'balanced_subsample' | Record<string, number> | null;
  seed: number;
  threads: number | null;
}

/** Class label -> weight as one weight per class index; labels not named keep weight 1 (as sklearn). */
function classWeightArray(weights: Record<string, number>, classes: readonly string[]): number[] {
  for (const label of Object.keys(weights)) {
    if (!classes.includes(label))
      throw new StepInputError(`class_weight names "${label}", which is not a class of the target (classes: ${classes.join(', ')})`);
  }
  return classes.map((c) => weights[c] ?? 1);
}

export default defineStep<Params>({
  id: 'train.random-forest',
  version: '2',
  description: 'Random forest (classification or regression), histogram-based and multi-threaded, with scikit-learn 1.2 defaults.',
  inputs: {
    train: { kind: 'dataset', description: 'Training rows: numeric features and a target column (impute missing values first).' },
    folds: {
      kind: 'folds',
      description:
        "A split's folds: when wired, the model is also cross-validated on the training rows (scores in the model and the summary, for select-best).",
      optional: true,
    },
  },
  outputs: { model: { kind: 'model', description: `The fitted forest as JSON (${FOREST_MODEL_FORMAT}).` } },
  defaultOutput: 'model',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      task: {
        enum: ['auto', 'classification', 'regression'],
        default: 'auto',
        description: 'auto: classification for a categorical target, regression for a numeric one.',
      },
      trees: { type: 'integer', minimum: 1, maximum: MAX_TREES, default: 100, description: 'Number of trees.' },
      max_depth: {
        type: ['integer', 'null'],
        minimum: 1,
        maximum: MAX_ITERATIONS,
        default: null,
        description: 'Depth limit; null grows each tree until its leaves are pure.',
      },
      min_samples_split: { type: 'integer', minimum: 2, default: 2, description: 'A node with fewer samples is not split.' },
      min_samples_leaf: { type: 'integer', minimum: 1, default: 1, description: 'Each leaf keeps at least this many samples.' },
      max_features: {
        anyOf: [
          { enum: ['sqrt', 'log2'] },
          { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          { type: 'integer', minimum: 2, maximum: MAX_COLUMNS },
          { type: 'null' },
        ],
        default: null,
        description: 'Features tried per split: sqrt, log2, a fraction in (0, 1] or a count > 1; null = sqrt for classification, all (1.0) for regression.',
      },
      bootstrap: { type: 'boolean', default: true, description: 'Train each tree on a bootstrap sample (gives the out-of-bag score).' },
      class_weight: {
        anyOf: [{ enum: ['balanced', 'balanced_subsample'] }, { type: 'object', additionalProperties: { type: 'number', minimum: 0 } }, { type: 'null' }],
        default: null,
        description: 'Classification: balanced (inverse class frequency), balanced_subsample (per bootstrap sample), or a weight per class label (others 1).',
      },
      seed: { type: 'integer', default: 0, description: 'Random seed; the same seed gives the same model whatever the thread count.' },
      threads: {
        type: ['integer', 'null'],
        minimum: 1,
        maximum: MAX_THREADS,
        default: null,
        description:
          'Threads growing trees (this one and threads - 1 pooled workers); null = all cores (one for small forests, where handing trees to a worker costs more than it saves). The model does not depend on it.',
      },
    },
  },
  async run(ctx, params) {
    const { fitForest, forestToJSON, predictClasses, predictForest, prestartForestWorkers } = await import('../ml/forest/index.js');
    // The forest's workers start while the Arrow library loads and the input is read (~0.1 s);
    // an Arrow file of numbers holds about 8 bytes per value, enough to guess the thread count.
    prestartForestWorkers((await stat(ctx.input('train')!)).size / 8, params.trees, params.threads ?? undefined);
    const { readDatasetFile } = await import('../data/arrow.js');
    const { featureMatrix, targetVector } = await import('../data/matrix.js');
    const { crossValidate, cvSummary, parseFolds } = await import('../ml/cross-validate.js');
    const { modelArtifactHead } = await import('../ml/model-artifact.js');

    const ds = await readDatasetFile(ctx.input('train')!);
    const target = targetVector(ds);
    const { X, nRows, nCols, names } = featureMatrix(ds);
    const task = params.task === 'auto' ? target.type : params.task;
    if (task !== target.type) {
      throw new StepInputError(
        `task is ${task} but target column "${target.column}" is ${target.type === 'classification' ? 'categorical' : 'numeric'}: use task: auto, or change the column's type on the load step`,
      );
    }
    if (target.type === 'regression' && params.class_weight !== null)
      throw new StepInputError('class_weight applies to classification only: remove it for a numeric target');

    const trees = params.trees;
    const every = Math.max(1, Math.round(trees / 20));
    const cw = params.class_weight;
    const options: FitOptions = {
      task,
      ...(target.type === 'classification' ? { nClasses: target.classes.length } : {}),
      trees,
      ...(params.max_depth !== null ? { maxDepth: params.max_depth } : {}),
      minSamplesSplit: params.min_samples_split,
      minSamplesLeaf: params.min_samples_leaf,
      ...(params.max_features !== null ? { maxFeatures: params.max_features } : {}),
      bootstrap: params.bootstrap,
      ...(cw !== null && target.type === 'classification' ? { classWeight: typeof cw === 'string' ? cw : classWeightArray(cw, target.classes) } : {}),
      seed: params.seed,
      ...(params.threads !== null ? { threads: params.threads } : {}),
      featureNames: names,
      signal: ctx.signal,
    };
    const model = await fitForest(X, nRows, nCols, target.y, {
      ...options,
      onProgress: (built, total) => {
        if (built % every === 0 || built === total) ctx.progress(`${built}/${total} trees`, built / total);
      },
    });
    const foldsPath = ctx.input('folds');
    const k = target.type === 'classification' ? target.classes.length : 1;
    const cv = foldsPath
      ? await crossValidate({
          X,
          nRows,
          nCols,
          y: target.y,
          task: target.type,
          fold: parseFolds(JSON.parse(await readFile(foldsPath, 'utf8'))),
          signal: ctx.signal,
          ...(target.type === 'classification' && k === 2 ? { positiveIndex: target.positiveIndex ?? 1 } : {}),
          fit: async (Xf, n, yf) => {
            const m = await fitForest(Xf, n, nCols, yf, options);
            if (target.type === 'regression') return { predict: (Xt, nt) => predictForest(m, Xt, nt) };
            const positive = target.positiveIndex ?? 1;
            return {
              predict: (Xt, nt) => predictClasses(m, Xt, nt),
              positiveScore: (Xt, nt) => {
                const p = predictForest(m, Xt, nt);
                return Float64Array.from({ length: nt }, (_, r) => p[r * k + positive]);
              },
            };
          },
        })
      : undefined;

    // The forest's own fields (task, node tables, settings) plus what a reader needs to apply it to a table.
    const artifact = {
      format: FOREST_MODEL_FORMAT,
      ...forestToJSON(model),
      ...modelArtifactHead(target, names, cv),
    };
    await writeFile(ctx.output('model'), JSON.stringify(artifact));

    const top = Array.from(model.featureImportances, (importance, i) => ({ feature: names[i], importance }))
      .sort((a, b) => b.importance - a.importance)
      .slice(0, 5);
    ctx.log(
      `grew ${trees} trees on ${nRows} rows x ${nCols} features; out-of-bag ${task === 'classification' ? 'accuracy' : 'R²'} ${model.oobScore?.toFixed(4) ?? 'n/a'}`,
    );
    return { task, trees, rows: nRows, features: nCols, oob_score: model.oobScore ?? null, top_importances: top, ...(cv ? { cv: cvSummary(cv) } : {}) };
  },
});

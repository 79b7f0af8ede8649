/**
 * Step `train.svm`: fits medpipe's support vector machine (src/ml/svm, libsvm's algorithm, at
 * parity with scikit-learn's SVC/SVR) on a training dataset. C-SVC for a categorical target,
 * epsilon-SVR for a numeric one; the model artifact is one JSON file (format medpipe.svm/1)
 * with the feature names, the class labels and the support vectors.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { SVM_MODEL_FORMAT } from '../ml/model-formats.js';
import { DataError, StepInputError } from '../errors.js';
import type { SvmOptions } from '../ml/svm/index.js';
import { MAX_COEFFICIENT } from '../engine/param-limits.js';

interface Params {
  type: 'auto' | 'c-svc' | 'epsilon-svr';
  kernel: 'linear' | 'rbf' | 'poly' | 'sigmoid';
  C: number;
  gamma: 'scale' | 'auto' | number;
  degree: number;
  coef0: number;
  epsilon: number;
  class_weight: 'balanced' | Record<string, number> | null;
  probability: boolean;
  seed: number;
  tol: number;
  cache_mb: number;
  max_iter: number | null;
}

export default defineStep<Params>({
  id: 'train.svm',
  version: '1',
  description: "Support vector machine (C-SVC or epsilon-SVR; linear, RBF, polynomial or sigmoid kernel), libsvm's solver with scikit-learn 1.2 defaults.",
  inputs: {
    train: { kind: 'dataset', description: 'Training rows: numeric features (standardise them first) and a target column.' },
    folds: {
      kind: 'folds',
      description:
        "A split's folds: when wired, the model is also cross-validated on the training rows (scores in the model and the summary, for select-best).",
      optional: true,
    },
  },
  outputs: { model: { kind: 'model', description: `The fitted SVM as JSON (${SVM_MODEL_FORMAT}).` } },
  defaultOutput: 'model',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: {
        enum: ['auto', 'c-svc', 'epsilon-svr'],
        default: 'auto',
        description: 'auto: c-svc (classification) for a categorical target, epsilon-svr (regression) for a numeric one.',
      },
      kernel: { enum: ['linear', 'rbf', 'poly', 'sigmoid'], default: 'rbf', description: 'Kernel function.' },
      C: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: MAX_COEFFICIENT,
        default: 1,
        description: 'Penalty for margin violations; larger fits the training data more closely.',
      },
      gamma: {
        anyOf: [{ enum: ['scale', 'auto'] }, { type: 'number', exclusiveMinimum: 0, maximum: MAX_COEFFICIENT }],
        default: 'scale',
        description: 'Kernel coefficient for rbf, poly and sigmoid: scale = 1 / (features x variance of X), auto = 1 / features, or a number.',
      },
      degree: { type: 'integer', minimum: 0, maximum: 10, default: 3, description: 'Degree of the poly kernel.' },
      coef0: { type: 'number', default: 0, description: 'Independent term of the poly and sigmoid kernels.' },
      epsilon: { type: 'number', minimum: 0, default: 0.1, description: 'epsilon-svr: errors smaller than this cost nothing (in target units).' },
      class_weight: {
        anyOf: [{ const: 'balanced' }, { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0 } }, { type: 'null' }],
        default: null,
        description: 'c-svc: balanced (C scaled by inverse class frequency) or a weight per class label (others 1).',
      },
      probability: {
        type: 'boolean',
        default: false,
        description: 'c-svc: fit Platt scaling by internal 5-fold cross-validation so the model gives probabilities (about 6x the training time).',
      },
      seed: { type: 'integer', default: 0, description: 'Random seed of the probability cross-validation folds.' },
      tol: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 0.001,
        description: 'Stopping tolerance of the solver (largest violation of the optimality conditions).',
      },
      cache_mb: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 65_536,
        default: 200,
        description: 'Kernel cache size in MB; more speeds up training on large data.',
      },
      max_iter: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: "Cap on solver iterations per binary problem; null = libsvm's default (no practical cap).",
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { featureMatrix, targetVector } = await import('../data/matrix.js');
    const { decisionFunction, fitSvm, predictSvm, svmToJSON } = await import('../ml/svm/index.js');
    const { crossValidate, cvSummary, parseFolds } = await import('../ml/cross-validate.js');
    const { modelArtifactHead } = await import('../ml/model-artifact.js');

    const ds = await readDatasetFile(ctx.input('train')!);
    const target = targetVector(ds);
    const { X, nRows, nCols, names } = featureMatrix(ds);
    const type = params.type === 'auto' ? (target.type === 'classification' ? 'c-svc' : 'epsilon-svr') : params.type;
    if ((type === 'c-svc') !== (target.type === 'classification')) {
      throw new StepInputError(
        `type is ${type} but target column "${target.column}" is ${target.type === 'classification' ? 'categorical' : 'numeric'}: use type: auto, or change the column's type on the load step`,
      );
    }
    if (target.type === 'regression' && (params.class_weight !== null || params.probability)) {
      throw new StepInputError('class_weight and probability apply to classification (c-svc) only: remove them for a numeric target');
    }
    // Name the column of a missing value here, where the names are known (the library only knows positions).
    for (let i = 0; i < X.length; i++) {
      if (!Number.isFinite(X[i])) {
        throw new DataError('missing or infinite value: the SVM cannot use it', {
          row: Math.floor(i / nCols) + 2,
          column: names[i % nCols],
          hint: 'impute missing values first (preprocess with impute: median)',
        });
      }
    }
    let classWeight: 'balanced' | Record<number, number> | undefined;
    if (target.type === 'classification' && params.class_weight !== null) {
      const cw = params.class_weight;
      if (cw === 'balanced') classWeight = 'balanced';
      else {
        classWeight = {};
        for (const [label, w] of Object.entries(cw)) {
          const k = target.classes.indexOf(label);
          if (k < 0) throw new StepInputError(`class_weight names "${label}", which is not a class of the target (classes: ${target.classes.join(', ')})`);
          classWeight[k] = w;
        }
      }
    }

    const options: SvmOptions = {
      type,
      kernel: params.kernel,
      C: params.C,
      gamma: params.gamma,
      degree: params.degree,
      coef0: params.coef0,
      epsilon: params.epsilon,
      tol: params.tol,
      cacheMb: params.cache_mb,
      probability: params.probability,
      seed: params.seed,
      ...(classWeight ? { classWeight } : {}),
      ...(params.max_iter !== null ? { maxIter: params.max_iter } : {}),
      signal: ctx.signal,
    };
    const model = await fitSvm(X, nRows, nCols, target.y, { ...options, onProgress: (iterations) => ctx.progress(`${iterations} solver iterations`) });
    const foldsPath = ctx.input('folds');
    const cv = foldsPath
      ? await crossValidate({
          X,
          nRows,
          nCols,
          y: target.y,
          task: target.type,
          fold: parseFolds(JSON.parse(await readFile(foldsPath, 'utf8'))),
          signal: ctx.signal,
          ...(target.type === 'classification' && target.classes.length === 2 ? { positiveIndex: target.positiveIndex ?? 1 } : {}),
          fit: async (Xf, n, yf) => {
            const m = await fitSvm(Xf, n, nCols, yf, options);
            // decision_function ranks class index 1, which is the positive class for a binary target.
            return { predict: (Xt, nt) => predictSvm(m, Xt, nt), positiveScore: (Xt, nt) => decisionFunction(m, Xt, nt) };
          },
        })
      : undefined;

    const artifact = {
      format: SVM_MODEL_FORMAT,
      ...svmToJSON(model),
      ...modelArtifactHead(target, names, cv),
    };
    await writeFile(ctx.output('model'), JSON.stringify(artifact));

    const perClass = target.type === 'classification' ? Object.fromEntries(target.classes.map((c, k) => [c, model.nSupportPerClass[k] ?? 0])) : undefined;
    ctx.log(
      `${type} ${params.kernel} on ${nRows} rows x ${nCols} features: ${model.nSupport} support vectors, ${model.iterations} solver iterations, gamma ${model.gamma.toPrecision(4)}`,
    );
    if (!model.converged)
      ctx.log(
        `warning: the solver stopped at max_iter (${params.max_iter}) before reaching tol ${params.tol}; raise max_iter or C may be too large for unscaled features`,
      );
    return {
      type,
      kernel: params.kernel,
      rows: nRows,
      features: nCols,
      gamma: model.gamma,
      support_vectors: model.nSupport,
      ...(perClass ? { support_vectors_per_class: perClass } : {}),
      iterations: model.iterations,
      converged: model.converged,
      ...(cv ? { cv: cvSummary(cv) } : {}),
    };
  },
});

/**
 * One interface over every trained-model artifact medpipe writes (forest, SVM), so evaluation and
 * prediction do not care which algorithm made the model: read the file, check its format tag, and
 * get `predict` (class indices into `classes`, or values) and `scores` (P(positive) for a binary
 * model, per-class scores otherwise).
 */
import { readFile } from 'node:fs/promises';
import { StepInputError } from '../errors.js';
import { FOREST_MODEL_FORMAT, SVM_MODEL_FORMAT } from './model-formats.js';

export interface TrainedModel {
  task: 'classification' | 'regression';
  /** Feature columns, in the order the model expects them. */
  features: string[];
  /** Class labels; predictions are indices into this list. */
  classes?: string[];
  /** Binary classification: index of the positive class in `classes` (1 by sklearn's convention). */
  positiveIndex?: number;
  /** What `scores` returns: probabilities, or decision values (rank-based metrics only). */
  scoreKind?: 'probability' | 'decision';
  /** Class index (Int32Array) per row for classification, predicted value (Float64Array) for regression. */
  predict(X: Float64Array, nRows: number): Int32Array | Float64Array;
  /** Binary: one score per row for the positive class. Multi-class: row-major nRows x classes. */
  scores?(X: Float64Array, nRows: number): Float64Array;
  /** Ensemble regression (random forest): each member's prediction, row-major nRows x members (its mean is `predict`). */
  memberPredictions?(X: Float64Array, nRows: number): { members: number; values: Float64Array };
  /** A short, JSON-safe description for reports (algorithm, format, settings). */
  describe(): Record<string, unknown>;
}

interface ArtifactHead {
  format?: unknown;
  target?: unknown;
  features?: unknown;
  classes?: unknown;
  positiveIndex?: unknown;
}

function checkHead(path: string, head: ArtifactHead): { features: string[]; classes?: string[]; positiveIndex?: number } {
  if (!Array.isArray(head.features) || !head.features.every((f) => typeof f === 'string')) {
    throw new StepInputError(`model file ${path} has no feature list; re-run the training step`);
  }
  const classes = Array.isArray(head.classes) ? head.classes.map(String) : undefined;
  const positiveIndex = typeof head.positiveIndex === 'number' ? head.positiveIndex : undefined;
  return { features: head.features as string[], ...(classes ? { classes } : {}), ...(positiveIndex !== undefined ? { positiveIndex } : {}) };
}

/** Columns of `fromLabels`-ordered scores (nRows x labels.length) placed at class indices (nRows x k). */
function toClassColumns(values: Float64Array, nRows: number, labels: readonly number[], k: number, fill: number): Float64Array {
  if (labels.length === k && labels.every((l, i) => l === i)) return values;
  const out = new Float64Array(nRows * k).fill(fill);
  for (let r = 0; r < nRows; r++) labels.forEach((l, c) => (out[r * k + l] = values[r * labels.length + c]));
  return out;
}

function positiveColumn(values: Float64Array, nRows: number, k: number, positive: number): Float64Array {
  return Float64Array.from({ length: nRows }, (_, r) => values[r * k + positive]);
}

async function loadForest(path: string, json: Record<string, unknown>): Promise<TrainedModel> {
  const { forestFromJSON, predictForest, predictClasses, predictTrees } = await import('./forest/index.js');
  const head = checkHead(path, json);
  const model = forestFromJSON(json as unknown as Parameters<typeof forestFromJSON>[0]);
  const describe = (): Record<string, unknown> => ({
    algorithm: 'random forest',
    format: FOREST_MODEL_FORMAT,
    trees: model.trees.length,
    features: head.features.length,
    oob_score: model.oobScore ?? null,
  });
  if (model.task === 'regression')
    return {
      task: 'regression',
      features: head.features,
      predict: (X, n) => predictForest(model, X, n),
      memberPredictions: (X, n) => ({ members: model.trees.length, values: predictTrees(model, X, n) }),
      describe,
    };
  const k = model.nClasses;
  const classes = head.classes ?? Array.from({ length: k }, (_, c) => String(c));
  const positive = k === 2 ? (head.positiveIndex ?? 1) : undefined;
  return {
    task: 'classification',
    features: head.features,
    classes,
    ...(positive !== undefined ? { positiveIndex: positive } : {}),
    scoreKind: 'probability',
    predict: (X, n) => predictClasses(model, X, n),
    scores: (X, n) => (positive !== undefined ? positiveColumn(predictForest(model, X, n), n, k, positive) : predictForest(model, X, n)),
    describe,
  };
}

async function loadSvm(path: string, json: Record<string, unknown>): Promise<TrainedModel> {
  const svm = await import('./svm/index.js');
  const head = checkHead(path, json);
  const model = svm.svmFromJSON(json as unknown as Parameters<typeof svm.svmFromJSON>[0]);
  const hasProbability = model.probA !== undefined;
  const describe = (): Record<string, unknown> => ({
    algorithm: 'support vector machine',
    format: SVM_MODEL_FORMAT,
    type: model.type,
    kernel: model.kernel,
    gamma: model.gamma,
    support_vectors: model.nSupport,
    features: head.features.length,
    probability: hasProbability,
  });
  if (model.type === 'epsilon-svr') return { task: 'regression', features: head.features, predict: (X, n) => svm.predictSvm(model, X, n), describe };
  const classes = head.classes ?? model.labels.map(String);
  const k = classes.length;
  const positive = k === 2 ? (head.positiveIndex ?? 1) : undefined;
  const scores = (X: Float64Array, n: number): Float64Array => {
    if (hasProbability) {
      const p = toClassColumns(svm.predictProba(model, X, n), n, model.labels, k, 0);
      return positive !== undefined ? positiveColumn(p, n, k, positive) : p;
    }
    if (positive !== undefined) {
      // sklearn's binary decision value is positive for labels[1]; flip it if the positive class is labels[0].
      const d = svm.decisionFunction(model, X, n);
      if (model.labels[1] !== positive) for (let r = 0; r < n; r++) d[r] = -d[r];
      return d;
    }
    return toClassColumns(svm.decisionFunctionOvr(model, X, n), n, model.labels, k, -Infinity);
  };
  return {
    task: 'classification',
    features: head.features,
    classes,
    ...(positive !== undefined ? { positiveIndex: positive } : {}),
    scoreKind: hasProbability ? 'probability' : 'decision',
    predict: (X, n) => svm.predictSvm(model, X, n) as Int32Array,
    scores,
    describe,
  };
}

/** Reads a model artifact written by a training step. */
export async function loadModelFile(path: string): Promise<TrainedModel> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new StepInputError(`cannot read model file ${path} as JSON (${(e as Error).message}); was it written by a medpipe training step?`);
  }
  return modelFromJson(json, path);
}

/** A model from its artifact's parsed JSON (e.g. inside a registered bundle); `source` names it in errors. */
export async function modelFromJson(json: Record<string, unknown>, source: string): Promise<TrainedModel> {
  if (json.format === FOREST_MODEL_FORMAT) return loadForest(source, json);
  if (json.format === SVM_MODEL_FORMAT) return loadSvm(source, json);
  throw new StepInputError(
    `model ${source} has format ${JSON.stringify(json.format)}, which this version of medpipe does not know (known: ${FOREST_MODEL_FORMAT}, ${SVM_MODEL_FORMAT})`,
  );
}

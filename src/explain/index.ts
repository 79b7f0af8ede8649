/**
 * Per-prediction explanations of a registered bundle: for each row, each model feature's
 * contribution to each output (class probability, decision value or regression value) and the base
 * value they start from, so base + sum(contributions) = the prediction.
 *
 * Forests get exact path-dependent TreeSHAP with the node covers the bundle stores; every other
 * model gets KernelSHAP against the bundle's background sample (exact up to 12 features, sampled
 * with an error estimate beyond). Both need the explanation data the register step computes from
 * its `train` input; a bundle registered without it is refused with what to do.
 */
import { StepInputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { ModelBundle } from '../bundle/bundle.js';
import { FOREST_MODEL_FORMAT } from '../ml/model-formats.js';
import type { TrainedModel } from '../ml/model.js';
import { predictForest } from '../ml/forest/predict.js';
import type { ForestModel } from '../ml/forest/types.js';
import { featureLabels, preprocessingNote } from './feature-names.js';
import type { BatchModel } from './kernel-shap.js';
import { modelInputs } from './model-inputs.js';

export interface RowExplanation {
  /** Per output, per feature. */
  contributions: number[][];
  /** Per output: the model's output for this row. */
  prediction: number[];
}

export interface BundleExplanation {
  method: 'tree-shap' | 'kernel-shap-exact' | 'kernel-shap-sampled';
  /** Class names (probabilities), ['decision'] (a binary model without probabilities) or ['value'] (regression). */
  outputs: string[];
  /** Display names of the model's features (see feature-names.ts), in the model's order. */
  features: string[];
  /** Per output: the expected output the contributions start from. */
  base: number[];
  rows: RowExplanation[];
  /** What the features are after preprocessing and selection. */
  preprocessing: string;
  /** Sampled KernelSHAP: the largest bootstrap standard error of any contribution. */
  error?: number;
}

export interface ExplainOptions {
  /** Seed of sampled KernelSHAP (0). */
  seed?: number;
  /** Coalitions per row in sampled KernelSHAP. */
  samples?: number;
  /** The input's name for errors (a file name). */
  source?: string;
}

/** The explanation data of a bundle, or an error saying how to get it. */
function explanationDataOf(bundle: ModelBundle): NonNullable<ModelBundle['explain']> {
  if (bundle.explain) return bundle.explain;
  throw new StepInputError(
    'this model version was registered without its training rows, so it has no background sample or forest covers to explain predictions with: wire the raw training rows into its register step (in: { train: split.train }) and register it again',
  );
}

/** The model's outputs as explained: what `predict` reports, one column per output. */
function outputsOf(model: TrainedModel): { names: string[]; f: BatchModel } {
  if (model.task === 'regression') return { names: ['value'], f: (X, n) => Float64Array.from(model.predict(X, n)) };
  const classes = model.classes ?? [];
  const scores = model.scores;
  if (!scores) throw new StepInputError('this model predicts labels only (no probabilities or decision values), so there is no score to explain');
  if (classes.length === 2 && model.scoreKind === 'decision') return { names: ['decision'], f: (X, n) => scores(X, n) };
  if (classes.length === 2) {
    const pos = model.positiveIndex ?? 1;
    return {
      names: classes,
      f: (X, n) => {
        const s = scores(X, n);
        const out = new Float64Array(n * 2);
        for (let r = 0; r < n; r++) (out[r * 2 + pos] = s[r]), (out[r * 2 + 1 - pos] = 1 - s[r]);
        return out;
      },
    };
  }
  return { names: classes, f: (X, n) => scores(X, n) };
}

function rowsOf(contributions: Float64Array, predictions: Float64Array, nRows: number, nOut: number, m: number): RowExplanation[] {
  return Array.from({ length: nRows }, (_, r) => ({
    contributions: Array.from({ length: nOut }, (_, o) => Array.from(contributions.subarray((r * nOut + o) * m, (r * nOut + o + 1) * m))),
    prediction: Array.from(predictions.subarray(r * nOut, (r + 1) * nOut)),
  }));
}

/**
 * The forest's outputs as predict reports them: for a binary model, the other class's probability
 * is 1 - P(positive), which can differ from the trees' mean in the last bit.
 */
function forestOutputs(forest: ForestModel, model: TrainedModel, X: Float64Array, nRows: number): Float64Array {
  const out = predictForest(forest, X, nRows);
  if (forest.task !== 'classification' || forest.nClasses !== 2) return out;
  const pos = model.positiveIndex ?? 1;
  for (let r = 0; r < nRows; r++) out[r * 2 + 1 - pos] = 1 - out[r * 2 + pos];
  return out;
}

/**
 * Explains every row of `rows` (raw columns, as the bundle's signature says). Rows are checked as
 * `predict` checks them (a missing column or a non-finite prediction is an error naming it).
 * The same bundle, rows and seed give the same JSON, byte for byte.
 */
export async function explainBundle(bundle: ModelBundle, rows: Dataset, options: ExplainOptions = {}): Promise<BundleExplanation> {
  const { modelKindOf, usageOf } = await import('../bundle/model-kind.js');
  const kind = modelKindOf(bundle.model);
  if (kind !== 'predictor') throw new StepInputError(`a ${kind} has no per-feature explanations: ${usageOf(kind)}`);
  explanationDataOf(bundle);
  const { predictBundle } = await import('../bundle/predict.js');
  await predictBundle(bundle, rows, options.source); // the same input checks and errors as predict
  const features = (bundle.model.features as string[] | undefined) ?? [];
  const { X, nRows } = modelInputs(bundle, rows, features, { source: options.source });
  return explainModelRows(bundle, X, nRows, options);
}

/** Explains rows already in the model's feature space (row-major nRows x features), e.g. the background sample. */
export async function explainModelRows(bundle: ModelBundle, X: Float64Array, nRows: number, options: ExplainOptions = {}): Promise<BundleExplanation> {
  const data = explanationDataOf(bundle);
  const { modelFromJson } = await import('../ml/model.js');
  const model = await modelFromJson(bundle.model, 'the registered model');
  const m = model.features.length;
  const features = featureLabels(bundle, model.features);
  const preprocessing = preprocessingNote(bundle, model.features);
  if (bundle.model.format === FOREST_MODEL_FORMAT) {
    const { forestFromJSON } = await import('../ml/forest/index.js');
    const { coversFromBase64 } = await import('./covers.js');
    const { forestShap, leftFractions } = await import('./tree-shap.js');
    const forest = forestFromJSON(bundle.model as unknown as Parameters<typeof forestFromJSON>[0]);
    const covers = data.covers === undefined ? undefined : coversFromBase64(data.covers, forest);
    if (!covers) throw new StepInputError("the bundle's forest covers do not match its forest (the bundle was edited or is damaged): register the model again");
    const shap = forestShap(forest, leftFractions(forest, covers), X, nRows);
    const outputs = forest.task === 'classification' ? (model.classes ?? []) : ['value'];
    return {
      method: 'tree-shap',
      outputs,
      features,
      base: Array.from(shap.base),
      rows: rowsOf(shap.contributions, forestOutputs(forest, model, X, nRows), nRows, shap.nOut, m),
      preprocessing,
    };
  }
  const { kernelShap } = await import('./kernel-shap.js');
  const { names, f } = outputsOf(model);
  const bg = data.background;
  if (bg.features.length !== m || bg.features.some((name, i) => name !== model.features[i]))
    throw new StepInputError(
      "the bundle's background sample does not have the model's features (the bundle was edited or is damaged): register the model again",
    );
  const background = Float64Array.from(bg.rows.flat());
  const shap = kernelShap(f, names.length, background, bg.rows.length, X, nRows, m, { seed: options.seed, samples: options.samples });
  return {
    method: shap.method === 'exact' ? 'kernel-shap-exact' : 'kernel-shap-sampled',
    outputs: names,
    features,
    base: Array.from(shap.base),
    rows: rowsOf(shap.contributions, shap.predictions, nRows, names.length, m),
    preprocessing,
    ...(shap.error !== undefined ? { error: shap.error } : {}),
  };
}

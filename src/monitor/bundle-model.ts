/**
 * A bundle's model applied to raw rows, keeping what monitoring needs beyond `predictBundle`'s
 * labels: the model itself and its feature matrix (for the labelled metrics, which pair the
 * model's scores with outcomes), and one score per row for the prediction distribution. Rows the
 * model gives no finite score (missing values the preprocessing does not impute) are NaN here and
 * counted, not refused: monitoring describes the data it is given.
 */
import type { Dataset } from '../data/dataset.js';
import { featureMatrix } from '../data/matrix.js';
import { transformDataset } from '../data/preprocess.js';
import { applySelection } from '../data/select.js';
import { modelFromJson, type TrainedModel } from '../ml/model.js';
import type { ModelBundle } from '../bundle/bundle.js';

export interface AppliedModel {
  readonly model: TrainedModel;
  readonly X: Float64Array;
  readonly nRows: number;
  /** Per row: P(positive) (binary with probabilities), the decision value (binary SVM without), the predicted value (regression); NaN when not finite. Undefined for a multi-class model. */
  readonly scores?: Float64Array;
  /** What a score is, for people: "P(malignant)", "decision value", "predicted value". */
  readonly scoreName?: string;
}

export async function applyBundle(bundle: ModelBundle, ds: Dataset, source?: string): Promise<AppliedModel> {
  const needed = new Set(bundle.signature.columns.map((c) => c.name));
  let table: Dataset = { columns: ds.columns.filter((c) => needed.has(c.name)), rowCount: ds.rowCount };
  if (bundle.transform) table = transformDataset({ ...bundle.transform, dropRowsMissingAbove: null }, table, { source }).dataset;
  if (bundle.selection) table = applySelection(bundle.selection, table);
  const model = await modelFromJson(bundle.model, 'the registered model');
  const { X, nRows } = featureMatrix(table, model.features);
  if (model.task === 'regression') {
    const values = Float64Array.from(model.predict(X, nRows), (v) => (Number.isFinite(v) ? v : NaN));
    return { model, X, nRows, scores: values, scoreName: 'predicted value' };
  }
  const classes = model.classes ?? [];
  if (classes.length !== 2 || !model.scores) return { model, X, nRows };
  const scores = Float64Array.from(model.scores(X, nRows), (v) => (Number.isFinite(v) ? v : NaN));
  const positive = classes[model.positiveIndex ?? 1];
  return { model, X, nRows, scores, scoreName: model.scoreKind === 'decision' ? 'decision value' : `P(${positive})` };
}

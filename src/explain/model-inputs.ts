/**
 * Raw rows to the model's feature matrix, as a bundle does before predicting: the bundled
 * preprocessing, then the feature selection, then the model's columns in its order. Explanations
 * are computed on this matrix, so they are contributions of the model's own features.
 */
import type { Dataset } from '../data/dataset.js';
import { featureMatrix } from '../data/matrix.js';
import { transformDataset } from '../data/preprocess.js';
import { applySelection } from '../data/select.js';
import type { ModelBundle } from '../bundle/bundle.js';

export interface ModelInputs {
  X: Float64Array;
  nRows: number;
  features: string[];
}

/**
 * `training`: apply the transform as in training (rows with too many missing values dropped), for
 * the register step's background; otherwise every row is kept, as predict does.
 */
export function modelInputs(bundle: ModelBundle, ds: Dataset, features: readonly string[], options: { training?: boolean; source?: string } = {}): ModelInputs {
  const needed = new Set(bundle.signature.columns.map((c) => c.name));
  let table: Dataset = { columns: ds.columns.filter((c) => needed.has(c.name)), rowCount: ds.rowCount };
  if (bundle.transform) {
    const transform = options.training ? bundle.transform : { ...bundle.transform, dropRowsMissingAbove: null };
    table = transformDataset(transform, table, { source: options.source }).dataset;
  }
  if (bundle.selection) table = applySelection(bundle.selection, table);
  const { X, nRows } = featureMatrix(table, features);
  return { X, nRows, features: [...features] };
}

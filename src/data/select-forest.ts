/**
 * Feature importances from a random forest, for "keep the k most important features". This is
 * the one place feature selection touches a forest, through medpipe's own src/ml/forest (sklearn
 * 1.2 defaults: sqrt(features) per split, bootstrap), so swapping the forest changes nothing
 * else. Imported lazily by select.ts: forests are heavy.
 */
import { fitForest } from '../ml/forest/index.js';

export interface ForestImportanceOptions {
  trees: number;
  seed: number;
  nClasses: number;
  featureNames: readonly string[];
  signal?: AbortSignal;
}

/** Mean decrease in impurity per feature (sums to 1, as sklearn's feature_importances_). X is row-major. */
export async function forestImportances(
  X: Float64Array,
  nRows: number,
  nCols: number,
  labels: Int32Array,
  options: ForestImportanceOptions,
): Promise<Float64Array> {
  const model = await fitForest(X, nRows, nCols, labels, {
    task: 'classification',
    nClasses: options.nClasses,
    trees: options.trees,
    seed: options.seed,
    featureNames: options.featureNames,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return Float64Array.from(model.featureImportances);
}

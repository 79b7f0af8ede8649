/**
 * Prediction with a fitted forest on raw feature values (no binning): each tree is walked with
 * "x <= threshold goes left" and the trees' leaf values are averaged, in tree order, so the same
 * model and rows give the same bits every time. A regression forest also gives each tree's own
 * prediction (its spread is the forest's uncertainty), from the same walk.
 */
import { DataError, StepInputError } from '../../errors.js';
import type { ForestModel, Tree } from './types.js';
import { outputsPerNode } from './types.js';

function checkFeatures(model: ForestModel, X: Float64Array, nRows: number): void {
  const p = model.nFeatures;
  if (X.length !== nRows * p) throw new StepInputError(`feature matrix has ${X.length} values, expected ${nRows} rows x ${p} features`);
  for (let i = 0; i < X.length; i++) {
    if (Number.isNaN(X[i]))
      throw new DataError('missing value (NaN) in the features to predict', {
        row: Math.floor(i / p) + 2,
        column: `feature ${(i % p) + 1}`,
        hint: 'impute missing values with the same preprocessing as in training',
      });
  }
}

/** The leaf node of `tree` that the row starting at X[base] falls into. */
function leafOf(tree: Tree, X: Float64Array, base: number): number {
  const { feature, threshold, left } = tree;
  let node = 0;
  let f = feature[0];
  while (f >= 0) {
    node = X[base + f] <= threshold[node] ? left[node] : left[node] + 1;
    f = feature[node];
  }
  return node;
}

/**
 * Classification: class probabilities, row-major nRows * nClasses (mean of the trees' leaf
 * class frequencies, like sklearn's predict_proba). Regression: one value per row.
 */
export function predictForest(model: ForestModel, X: Float64Array, nRows: number): Float64Array {
  checkFeatures(model, X, nRows);
  const p = model.nFeatures;
  const nOut = outputsPerNode(model.task, model.nClasses);
  const out = new Float64Array(nRows * nOut);
  for (const t of model.trees) {
    for (let r = 0; r < nRows; r++) {
      const node = leafOf(t, X, r * p);
      for (let c = 0; c < nOut; c++) out[r * nOut + c] += t.value[node * nOut + c];
    }
  }
  const k = model.trees.length;
  for (let i = 0; i < out.length; i++) out[i] /= k;
  return out;
}

/** Most probable class per row (the first one on ties, as numpy's argmax). */
export function predictClasses(model: ForestModel, X: Float64Array, nRows: number): Int32Array {
  if (model.task !== 'classification') throw new StepInputError('predictClasses needs a classification forest; use predictForest for regression');
  const proba = predictForest(model, X, nRows);
  const k = model.nClasses;
  const out = new Int32Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[r * k + c] > proba[r * k + best]) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Regression: every tree's prediction of every row, row-major nRows x trees (tree order). Their
 * mean, summed in tree order and divided by the tree count, is predictForest's value bit for bit.
 */
export function predictTrees(model: ForestModel, X: Float64Array, nRows: number): Float64Array {
  if (model.task !== 'regression') throw new StepInputError('predictTrees needs a regression forest; a classifier gives class probabilities (predictForest)');
  checkFeatures(model, X, nRows);
  const p = model.nFeatures;
  const k = model.trees.length;
  const out = new Float64Array(nRows * k);
  model.trees.forEach((t, j) => {
    for (let r = 0; r < nRows; r++) out[r * k + j] = t.value[leafOf(t, X, r * p)];
  });
  return out;
}

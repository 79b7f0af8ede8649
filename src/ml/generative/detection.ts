/**
 * Detection AUC: how well a classifier tells real rows from synthetic ones. Rows of both tables
 * are labelled (real 0, synthetic 1), dealt to seeded stratified folds, and a small random forest
 * (src/ml/forest) trained on the other folds scores each held-out row; the AUC of those
 * out-of-fold scores is reported. 0.5: indistinguishable (ideal); 1.0: fully separable.
 *
 * A forest rather than a logistic regression because generators fail in non-linear ways (a
 * missing mode, a wrong interaction) that a linear detector cannot see.
 */
import { stratifiedKFold } from '../../data/split.js';
import { fitForest, predictForest } from '../forest/index.js';
import { binaryCurve, rankScores, rocAuc } from '../metrics/ranking.js';

export interface DetectionOptions {
  folds: number;
  trees: number;
  seed: number;
  /** Aborting it stops the detection forests between trees (fitForest's signal). */
  signal?: AbortSignal;
}

/** A and B are row-major (nA x p, nB x p); A is the real table, B the synthetic one. */
export async function detectionAuc(A: Float64Array, nA: number, B: Float64Array, nB: number, p: number, o: DetectionOptions): Promise<number> {
  const n = nA + nB;
  const X = new Float64Array(n * p);
  X.set(A.subarray(0, nA * p), 0);
  X.set(B.subarray(0, nB * p), nA * p);
  const y = new Int32Array(n);
  y.fill(1, nA);
  const fold = stratifiedKFold(y, o.folds, { seed: o.seed });
  const score = new Float64Array(n);
  for (let f = 0; f < o.folds; f++) {
    let nTrain = 0;
    for (let i = 0; i < n; i++) if (fold[i] !== f) nTrain++;
    const Xt = new Float64Array(nTrain * p),
      yt = new Int32Array(nTrain);
    const held: number[] = [];
    for (let i = 0, r = 0; i < n; i++) {
      if (fold[i] === f) {
        held.push(i);
        continue;
      }
      Xt.set(X.subarray(i * p, (i + 1) * p), r * p);
      yt[r++] = y[i];
    }
    // threads: 1 because this already runs inside a step's worker; the model does not depend on it.
    const model = await fitForest(Xt, nTrain, p, yt, {
      task: 'classification',
      nClasses: 2,
      trees: o.trees,
      seed: o.seed + 1 + f,
      threads: 1,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const Xh = new Float64Array(held.length * p);
    held.forEach((i, r) => Xh.set(X.subarray(i * p, (i + 1) * p), r * p));
    const prob = predictForest(model, Xh, held.length);
    held.forEach((i, r) => (score[i] = prob[r * 2 + 1]));
  }
  const labels = new Uint8Array(n);
  labels.fill(1, nA);
  return rocAuc(binaryCurve(rankScores(score), labels));
}

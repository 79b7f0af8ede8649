/**
 * Multi-class metrics as scikit-learn 1.2 computes them: confusion matrix, accuracy, balanced
 * accuracy, macro- and weighted-averaged precision / recall / F1 (over the classes present in the
 * true or predicted labels), one-vs-rest macro ROC AUC and log loss. Classes are indices 0..k-1;
 * optional row weights are bootstrap multiplicities.
 */
import { binaryCurve, rankScores, rocAuc, type RankedScores } from './ranking.js';

/** k x k weighted counts, row = true class, column = predicted class. */
export function confusionMatrix(y: Int32Array, pred: Int32Array, k: number, w?: Float64Array): Float64Array {
  const m = new Float64Array(k * k);
  for (let i = 0; i < y.length; i++) m[y[i] * k + pred[i]] += w ? w[i] : 1;
  return m;
}

export interface ClassSummary {
  accuracy: number;
  balanced_accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
}

/** The label metrics from a confusion matrix. NaN when the matrix is empty. */
export function classSummary(m: Float64Array, k: number): ClassSummary {
  const trueCount = new Float64Array(k),
    predCount = new Float64Array(k);
  let total = 0,
    correct = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      trueCount[a] += m[a * k + b];
      predCount[b] += m[a * k + b];
      total += m[a * k + b];
    }
    correct += m[a * k + a];
  }
  let recallSum = 0,
    recallClasses = 0;
  const macro = { p: 0, r: 0, f: 0 },
    weighted = { p: 0, r: 0, f: 0 };
  let labels = 0;
  for (let c = 0; c < k; c++) {
    if (trueCount[c] === 0 && predCount[c] === 0) continue; // sklearn: labels = those in y_true or y_pred
    labels++;
    const tp = m[c * k + c];
    // zero_division = 0, as sklearn reports it (with a warning) for a class never predicted or never true
    const p = predCount[c] > 0 ? tp / predCount[c] : 0;
    const r = trueCount[c] > 0 ? tp / trueCount[c] : 0;
    const denom = p + r;
    const f = denom === 0 ? 0 : (2 * p * r) / denom;
    if (trueCount[c] > 0) {
      recallSum += r;
      recallClasses++;
    }
    macro.p += p;
    macro.r += r;
    macro.f += f;
    weighted.p += p * trueCount[c];
    weighted.r += r * trueCount[c];
    weighted.f += f * trueCount[c];
  }
  if (total === 0) {
    return {
      accuracy: NaN,
      balanced_accuracy: NaN,
      precision_macro: NaN,
      recall_macro: NaN,
      f1_macro: NaN,
      precision_weighted: NaN,
      recall_weighted: NaN,
      f1_weighted: NaN,
    };
  }
  return {
    accuracy: correct / total,
    balanced_accuracy: recallSum / recallClasses,
    precision_macro: macro.p / labels,
    recall_macro: macro.r / labels,
    f1_macro: macro.f / labels,
    precision_weighted: weighted.p / total,
    recall_weighted: weighted.r / total,
    f1_weighted: weighted.f / total,
  };
}

/** One ranking per class column of a row-major nRows x k score matrix, sorted once for the bootstrap. */
export interface OvrRanking {
  k: number;
  ranked: RankedScores[];
  isClass: Uint8Array[];
}

export function rankOvr(y: Int32Array, scores: Float64Array, k: number): OvrRanking {
  const n = y.length;
  const ranked: RankedScores[] = [],
    isClass: Uint8Array[] = [];
  for (let c = 0; c < k; c++) {
    ranked.push(rankScores(Float64Array.from({ length: n }, (_, i) => scores[i * k + c])));
    isClass.push(Uint8Array.from(y, (v) => (v === c ? 1 : 0)));
  }
  return { k, ranked, isClass };
}

/** sklearn's roc_auc_score(multi_class='ovr', average='macro'): NaN if any class is absent from the rows. */
export function ovrMacroAuc(r: OvrRanking, w?: Float64Array): number {
  let sum = 0;
  for (let c = 0; c < r.k; c++) {
    const auc = rocAuc(binaryCurve(r.ranked[c], r.isClass[c], w));
    if (Number.isNaN(auc)) return NaN;
    sum += auc;
  }
  return sum / r.k;
}

/** sklearn's log_loss with labels = all k classes: rows clipped to [eps, 1 - eps] and renormalised. */
export function multiLogLoss(y: Int32Array, proba: Float64Array, k: number, w?: Float64Array): number {
  const eps = Number.EPSILON;
  let sum = 0,
    total = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.min(Math.max(proba[i * k + c], eps), 1 - eps);
    const q = Math.min(Math.max(proba[i * k + y[i]], eps), 1 - eps);
    sum += wi * -Math.log(q / s);
    total += wi;
  }
  return total > 0 ? sum / total : NaN;
}

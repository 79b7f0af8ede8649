/**
 * Choosing the decision threshold on P(positive) (or on a decision value) for binary classification.
 * A row is predicted positive when its score >= threshold. Candidate thresholds are the distinct
 * scores, highest first, preceded by max + 1 (nothing positive), as sklearn 1.2's roc_curve.
 * - fixed: the given value.
 * - youden: maximises Youden's J = sensitivity + specificity - 1; on ties, the highest threshold.
 *   Choosing on the evaluation data itself makes the metrics at that threshold optimistic.
 * - sensitivity: the highest threshold whose sensitivity >= target (so specificity is as high as
 *   the target allows).
 */
import { DataError, StepInputError } from '../../errors.js';
import { binaryCurve, rankScores } from './ranking.js';

export type ThresholdRule = { method: 'fixed'; value: number } | { method: 'youden' } | { method: 'sensitivity'; target: number };

export interface ChosenThreshold {
  method: ThresholdRule['method'];
  value: number;
  /** Sensitivity and specificity at the chosen threshold on the evaluation rows. */
  sensitivity: number;
  specificity: number;
  target?: number;
  note?: string;
}

interface Candidates {
  thresholds: number[];
  tpr: number[];
  fpr: number[];
}

function candidates(y: Uint8Array, score: Float64Array): Candidates {
  const c = binaryCurve(rankScores(score), y);
  const m = c.tps.length;
  const P = m ? c.tps[m - 1] : 0,
    N = m ? c.fps[m - 1] : 0;
  if (!(P > 0 && N > 0)) {
    throw new DataError(`choosing a threshold needs both classes in the evaluation rows, but there ${P > 0 ? 'are no negatives' : 'are no positives'}`, {
      hint: 'use threshold: { method: fixed } or a larger, stratified test split',
    });
  }
  return {
    thresholds: [c.thresholds[0] + 1, ...c.thresholds],
    tpr: [0, ...Array.from(c.tps, (t) => t / P)],
    fpr: [0, ...Array.from(c.fps, (f) => f / N)],
  };
}

export function chooseThreshold(y: Uint8Array, score: Float64Array, rule: ThresholdRule): ChosenThreshold {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  const at = (t: number): { sensitivity: number; specificity: number } => {
    let tp = 0,
      tn = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] && score[i] >= t) tp++;
      else if (!y[i] && score[i] < t) tn++;
    }
    return { sensitivity: positives ? tp / positives : NaN, specificity: y.length - positives ? tn / (y.length - positives) : NaN };
  };
  if (rule.method === 'fixed') {
    if (!Number.isFinite(rule.value)) throw new StepInputError(`threshold value must be a number, got ${rule.value}`);
    return { method: 'fixed', value: rule.value, ...at(rule.value) };
  }
  const c = candidates(y, score);
  if (rule.method === 'youden') {
    let best = 0;
    for (let j = 1; j < c.thresholds.length; j++) if (c.tpr[j] - c.fpr[j] > c.tpr[best] - c.fpr[best]) best = j;
    return {
      method: 'youden',
      value: c.thresholds[best],
      ...at(c.thresholds[best]),
      note: "chosen on the evaluation rows to maximise Youden's J, so the thresholded metrics here are optimistic; confirm the threshold on independent data",
    };
  }
  if (!(rule.target > 0 && rule.target <= 1)) throw new StepInputError(`threshold target sensitivity must be in (0, 1], got ${rule.target}`);
  const j = c.tpr.findIndex((s) => s >= rule.target);
  return {
    method: 'sensitivity',
    target: rule.target,
    value: c.thresholds[j],
    ...at(c.thresholds[j]),
    note: 'chosen on the evaluation rows to reach the target sensitivity, so the metrics here are optimistic; confirm the threshold on independent data',
  };
}

/**
 * Runs a trained model on evaluation rows and pairs its outputs with the true outcomes, in the
 * shape the metrics take (binary: P(positive) or a decision value; multi-class: labels and
 * per-class scores; regression: values).
 */
import type { TrainedModel } from '../model.js';
import type { Outcomes } from './scorer.js';

/** The truth: class indices into the model's classes, or values. */
export type Truth = { task: 'classification'; y: Int32Array } | { task: 'regression'; y: Float64Array };

export function modelOutcomes(model: TrainedModel, X: Float64Array, nRows: number, truth: Truth): Outcomes {
  if (truth.task === 'regression') return { kind: 'regression', y: truth.y, pred: Float64Array.from(model.predict(X, nRows)) };
  const k = model.classes?.length ?? 0;
  if (k === 2 && model.scores) {
    const positive = model.positiveIndex ?? 1;
    return {
      kind: 'binary',
      y: Uint8Array.from(truth.y, (c) => (c === positive ? 1 : 0)),
      score: model.scores(X, nRows),
      scoreKind: model.scoreKind ?? 'probability',
    };
  }
  const pred = Int32Array.from(model.predict(X, nRows));
  return {
    kind: 'multiclass',
    y: truth.y,
    k,
    pred,
    ...(model.scores ? { scores: model.scores(X, nRows), scoreKind: model.scoreKind ?? 'probability' } : {}),
  };
}

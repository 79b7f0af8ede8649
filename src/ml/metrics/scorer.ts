/**
 * Computes a chosen list of metrics on one evaluation set, for any row weights: the point estimate
 * uses weight 1 per row, each bootstrap resample its row multiplicities. Sorting for the ranking
 * metrics is done once here, so a resample costs O(rows x metrics).
 */
import * as bin from './binary.js';
import { METRICS } from './catalog.js';
import { classSummary, confusionMatrix, multiLogLoss, ovrMacroAuc, rankOvr } from './multiclass.js';
import { averagePrecision, binaryCurve, rankScores, rocAuc } from './ranking.js';
import { regressionMetrics } from './regression.js';

/** What a model said about the evaluation rows, and the truth. */
export type Outcomes =
  | {
      kind: 'binary';
      /** 1 = positive class. */
      y: Uint8Array;
      /** P(positive), or a decision value when scoreKind is 'decision'. */
      score: Float64Array;
      scoreKind: 'probability' | 'decision';
    }
  | {
      kind: 'multiclass';
      y: Int32Array;
      k: number;
      pred: Int32Array;
      /** Row-major nRows x k: probabilities or one-vs-rest decision values. */
      scores?: Float64Array;
      scoreKind?: 'probability' | 'decision';
    }
  | { kind: 'regression'; y: Float64Array; pred: Float64Array };

export interface Scorer {
  readonly names: readonly string[];
  /** Metric -> why it cannot be computed on these outcomes at all (e.g. no probabilities). */
  readonly unavailable: Readonly<Record<string, string>>;
  /** Every metric in `names` (NaN when undefined for these weights, e.g. AUC on a single class). */
  compute(w?: Float64Array): Record<string, number>;
}

export function outcomeRows(o: Outcomes): number {
  return o.y.length;
}

function unavailableReasons(o: Outcomes, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const scoreKind = o.kind === 'regression' ? 'probability' : o.scoreKind;
  for (const n of names) {
    const info = METRICS[o.kind][n];
    if (info?.needsProbability && scoreKind !== 'probability') {
      out[n] = 'the model gives decision values, not probabilities (fit it with probability: true)';
    }
    if (o.kind === 'multiclass' && !o.scores && (n === 'roc_auc' || n === 'log_loss')) out[n] = 'the model gives no scores, only labels';
  }
  return out;
}

/** A scorer for `names` (already checked against the catalog); `threshold` applies to binary thresholded metrics. */
export function makeScorer(o: Outcomes, names: readonly string[], threshold = 0.5): Scorer {
  const unavailable = unavailableReasons(o, names);
  const wanted = names.filter((n) => !(n in unavailable));
  const nanFor = (): Record<string, number> => Object.fromEntries(names.map((n) => [n, NaN]));

  if (o.kind === 'binary') {
    const needRanking = wanted.some((n) => n === 'roc_auc' || n === 'pr_auc');
    const ranked = needRanking ? rankScores(o.score) : undefined;
    return {
      names,
      unavailable,
      compute(w) {
        const out = nanFor();
        const c = bin.binaryCounts(o.y, o.score, threshold, w);
        const curve = ranked ? binaryCurve(ranked, o.y, w) : undefined;
        for (const n of wanted) {
          switch (n) {
            case 'roc_auc':
              out[n] = rocAuc(curve!);
              break;
            case 'pr_auc':
              out[n] = averagePrecision(curve!);
              break;
            case 'sensitivity':
            case 'recall':
              out[n] = bin.sensitivity(c);
              break;
            case 'specificity':
              out[n] = bin.specificity(c);
              break;
            case 'precision':
              out[n] = bin.precision(c);
              break;
            case 'f1':
              out[n] = bin.f1(c);
              break;
            case 'accuracy':
              out[n] = bin.accuracy(c);
              break;
            case 'balanced_accuracy':
              out[n] = bin.balancedAccuracy(c);
              break;
            case 'log_loss':
              out[n] = bin.logLoss(o.y, o.score, w);
              break;
            case 'brier':
              out[n] = bin.brierScore(o.y, o.score, w);
              break;
          }
        }
        return out;
      },
    };
  }

  if (o.kind === 'multiclass') {
    const ovr = o.scores && wanted.includes('roc_auc') ? rankOvr(o.y, o.scores, o.k) : undefined;
    return {
      names,
      unavailable,
      compute(w) {
        const out = nanFor();
        const summary = classSummary(confusionMatrix(o.y, o.pred, o.k, w), o.k) as unknown as Record<string, number>;
        for (const n of wanted) {
          if (n === 'roc_auc') out[n] = ovrMacroAuc(ovr!, w);
          else if (n === 'log_loss') out[n] = multiLogLoss(o.y, o.scores!, o.k, w);
          else out[n] = summary[n];
        }
        return out;
      },
    };
  }

  return {
    names,
    unavailable,
    compute(w) {
      const out = nanFor();
      const r = regressionMetrics(o.y, o.pred, w) as unknown as Record<string, number>;
      for (const n of wanted) out[n] = r[n];
      return out;
    },
  };
}

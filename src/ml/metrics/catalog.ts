/**
 * The metric names a user can ask for, per kind of problem, with what each needs and which
 * direction is better. Names are the ones in `metrics:`, `gates:` and the metrics artifact.
 */
import { StepInputError } from '../../errors.js';

export type ProblemKind = 'binary' | 'multiclass' | 'regression';

export interface MetricInfo {
  /** Higher values are better (false for losses and errors). */
  higherIsBetter: boolean;
  /** Depends on the decision threshold (binary only). */
  thresholded?: boolean;
  /** Needs probabilities, not just a ranking score (log loss, Brier). */
  needsProbability?: boolean;
  /** Left out of the default list (an alias of another metric). */
  alias?: boolean;
}

const BINARY: Record<string, MetricInfo> = {
  roc_auc: { higherIsBetter: true },
  pr_auc: { higherIsBetter: true },
  sensitivity: { higherIsBetter: true, thresholded: true },
  specificity: { higherIsBetter: true, thresholded: true },
  precision: { higherIsBetter: true, thresholded: true },
  recall: { higherIsBetter: true, thresholded: true, alias: true },
  f1: { higherIsBetter: true, thresholded: true },
  accuracy: { higherIsBetter: true, thresholded: true },
  balanced_accuracy: { higherIsBetter: true, thresholded: true },
  log_loss: { higherIsBetter: false, needsProbability: true },
  brier: { higherIsBetter: false, needsProbability: true },
};

const MULTICLASS: Record<string, MetricInfo> = {
  accuracy: { higherIsBetter: true },
  balanced_accuracy: { higherIsBetter: true },
  roc_auc: { higherIsBetter: true },
  precision_macro: { higherIsBetter: true },
  recall_macro: { higherIsBetter: true },
  f1_macro: { higherIsBetter: true },
  precision_weighted: { higherIsBetter: true },
  recall_weighted: { higherIsBetter: true },
  f1_weighted: { higherIsBetter: true },
  log_loss: { higherIsBetter: false, needsProbability: true },
};

const REGRESSION: Record<string, MetricInfo> = {
  rmse: { higherIsBetter: false },
  mae: { higherIsBetter: false },
  r2: { higherIsBetter: true },
};

export const METRICS: Readonly<Record<ProblemKind, Readonly<Record<string, MetricInfo>>>> = { binary: BINARY, multiclass: MULTICLASS, regression: REGRESSION };

const KIND_WORDS: Record<ProblemKind, string> = { binary: 'binary classification', multiclass: 'multi-class classification', regression: 'regression' };

export function metricInfo(kind: ProblemKind, name: string): MetricInfo {
  const info = METRICS[kind][name];
  if (!info) {
    throw new StepInputError(`unknown metric "${name}" for ${KIND_WORDS[kind]} (available: ${Object.keys(METRICS[kind]).join(', ')})`);
  }
  return info;
}

/** The metrics to report: the user's list (checked, duplicates removed) or every non-alias metric of the kind. */
export function resolveMetricNames(kind: ProblemKind, requested: readonly string[] | undefined, alsoNeeded: readonly string[] = []): string[] {
  const base = requested?.length ? requested : Object.keys(METRICS[kind]).filter((n) => !METRICS[kind][n].alias);
  const names: string[] = [];
  for (const n of [...base, ...alsoNeeded]) {
    metricInfo(kind, n);
    if (!names.includes(n)) names.push(n);
  }
  return names;
}

/**
 * The summary of a model's training rows that the bundle keeps for drift monitoring, computed by
 * `register` from its `train` input. Per input column of the signature: the missing-value rate;
 * for a numeric column, bin edges at the training deciles with the training proportions (for the
 * PSI) and QUANTILES quantiles (for the Kolmogorov–Smirnov test); for a categorical column, the
 * proportion of each level. And the distribution of the model's score on the training rows.
 *
 * Why quantiles and not the values: the training values of every column are patient data, and
 * the bundle is copied wherever the model goes. 100 quantiles (interpolated between neighbouring
 * order statistics, as numpy.quantile does) describe the distribution without keeping any row:
 * the KS statistic computed against them differs from the exact one (against every training
 * value) by at most about 1/100, far below the differences monitoring looks for (docs/monitoring.md).
 */
import type { Dataset } from '../data/dataset.js';
import type { ModelBundle } from '../bundle/bundle.js';
import { percentile } from '../ml/metrics/bootstrap.js';
import { binProportions, quantileEdges } from './drift.js';

export const TRAINING_SUMMARY_FORMAT = 'medpipe.training-summary/1';
/** Bins of the PSI: the training deciles. */
export const PSI_BINS = 10;
/** Quantiles kept per numeric column (fewer when the column has fewer values). */
export const QUANTILES = 100;

export interface NumericSummary {
  readonly name: string;
  readonly kind: 'numeric';
  /** Training rows with a value. */
  readonly n: number;
  readonly missing_rate: number;
  /** Interior edges (right-closed bins); proportions has one more entry. */
  readonly edges: readonly number[];
  readonly proportions: readonly number[];
  /** Ascending, at probabilities (k + 0.5) / count. */
  readonly quantiles: readonly number[];
}

export interface CategoricalSummary {
  readonly name: string;
  readonly kind: 'categorical';
  readonly n: number;
  readonly missing_rate: number;
  /** Level -> proportion of the rows with a value. */
  readonly levels: Readonly<Record<string, number>>;
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export interface TrainingSummary {
  readonly format: typeof TRAINING_SUMMARY_FORMAT;
  readonly rows: number;
  readonly columns: readonly ColumnSummary[];
  /** The model's score on the training rows (absent for a multi-class model): what it is, and its summary. */
  readonly prediction?: { readonly score: string; readonly summary: NumericSummary };
}

const round = (x: number): number => Number(x.toPrecision(12));

/** The numeric summary of `values` (NaN = missing) under `name`. */
export function numericSummary(name: string, values: ArrayLike<number>): NumericSummary {
  const present = Float64Array.from(Array.from(values).filter((v) => !Number.isNaN(v))).sort();
  const edges = quantileEdges(present, PSI_BINS).map(round);
  const count = Math.min(QUANTILES, present.length);
  const quantiles = Array.from({ length: count }, (_, k) => round(percentile(present, (k + 0.5) / count)));
  return {
    name,
    kind: 'numeric',
    n: present.length,
    missing_rate: values.length ? round((values.length - present.length) / values.length) : 0,
    edges,
    proportions: binProportions(present, edges).map(round),
    quantiles,
  };
}

function categoricalSummary(name: string, codes: ArrayLike<number>, categories: readonly string[]): CategoricalSummary {
  const counts = new Array<number>(categories.length).fill(0);
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) counts[codes[i]]++, n++;
  return {
    name,
    kind: 'categorical',
    n,
    missing_rate: codes.length ? round((codes.length - n) / codes.length) : 0,
    levels: Object.fromEntries(categories.map((c, k) => [c, n ? round(counts[k] / n) : 0])),
  };
}

/**
 * The summary of the training rows `ds` for the bundle's signature columns; `scores` is the
 * model's score per training row (see applyBundle), when it has one. Date columns are left out
 * (their derived features are what drifts, and they are not input columns).
 */
export function summariseTraining(bundle: Pick<ModelBundle, 'signature'>, ds: Dataset, scores?: { name: string; values: Float64Array }): TrainingSummary {
  const columns: ColumnSummary[] = [];
  for (const sig of bundle.signature.columns) {
    const col = ds.columns.find((c) => c.name === sig.name);
    if (!col) throw new Error(`the training rows lack column "${sig.name}" of the model's signature`);
    const d = col.data;
    if (sig.kind === 'numeric' && d.type === 'numeric') columns.push(numericSummary(sig.name, d.values));
    else if (sig.kind === 'categorical' && d.type === 'categorical') columns.push(categoricalSummary(sig.name, d.codes, d.categories));
  }
  return {
    format: TRAINING_SUMMARY_FORMAT,
    rows: ds.rowCount,
    columns,
    ...(scores ? { prediction: { score: scores.name, summary: numericSummary('prediction', scores.values) } } : {}),
  };
}

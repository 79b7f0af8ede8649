/**
 * The fitted preprocessing transform: plain JSON, written by the preprocess step as a
 * `transform` artifact and bundled with registered models, so `predict` applies to new rows
 * exactly what the pipeline applied to its test set. Every number in it was computed from the
 * training set only.
 */
import type { ColumnEncoding } from './encode-categories.js';
import type { UnseenPolicy } from './preprocess-options.js';
import type { DateFeatureSpec } from './date-features.js';

export interface NumericColumnTransform {
  name: string;
  type: 'numeric';
  /**
   * The smallest and largest value present in the training set, before imputation and clipping
   * (absent when no value was present): predict flags inputs far outside what the model has seen.
   */
  range?: { min: number; max: number };
  /** Fill for missing values (absent: missing values stay NaN). */
  impute?: { strategy: 'mean' | 'median' | 'most_frequent' | 'constant'; value: number };
  /** Values are clipped into [lower, upper]. */
  clip?: { method: 'iqr' | 'zscore'; lower: number; upper: number };
  /** Output = (x - center) / scale; minmax: center = min, scale = max - min; a constant column has scale 1. */
  scale?: { method: 'standard' | 'minmax' | 'robust'; center: number; scale: number };
}

export interface CategoricalColumnTransform {
  name: string;
  type: 'categorical';
  impute?: { strategy: 'most_frequent' | 'constant'; value: string };
  /** Categories seen in the (imputed) training set, sorted in code-unit order as sklearn sorts them. */
  categories: string[];
  encode: ColumnEncoding;
  /**
   * one-hot with min_frequency: the training categories grouped into one output column,
   * `<col>=infrequent` (last), which also takes categories unseen in training. Absent: no grouping.
   */
  infrequent?: string[];
  /** frequency and target: the value of each category (same order as `categories`). */
  values?: number[];
  /** frequency and target: the value of a category unseen in training (frequency 0, target the training mean). */
  unseenValue?: number;
  /**
   * Output column names: `<col>=<category>` per category for one-hot (the frequent ones, then
   * `<col>=infrequent` when there is grouping), `<col>` for ordinal, frequency and target.
   */
  outputs: string[];
}

/** id, target and free-text columns are copied unchanged. */
export interface PassThroughColumn {
  name: string;
  type: 'pass-through';
}

export interface DroppedColumn {
  name: string;
  type: 'dropped';
  /** Missing fraction in the training set (above the threshold, unless `asked`). */
  missingFraction: number;
  /** Left out because the pipeline named it (drop_columns: a leaky or forbidden column), not for its missing values. */
  asked?: true;
}

export type ColumnTransform = NumericColumnTransform | CategoricalColumnTransform | PassThroughColumn | DroppedColumn;

/** The format tag of a fitted preprocessing transform. */
export const PREPROCESS_FORMAT = 'medpipe.preprocess/1';

export interface PreprocessTransform {
  format: typeof PREPROCESS_FORMAT;
  /** Every column of the training table, in order, with what happens to it. */
  columns: ColumnTransform[];
  /** Rows whose missing fraction over the kept features exceeds this are dropped (null: never). */
  dropRowsMissingAbove: number | null;
  /** Default for categories not seen in training; applyPreprocess may override it. */
  onUnseen: UnseenPolicy;
  /** Names of the output columns, in order. */
  outputColumns: string[];
  /** Training rows the statistics were computed on (after row dropping). */
  fittedRows: number;
  /**
   * Numeric columns derived from date columns before anything else (absent when none were asked
   * for); `columns` then treats them like any numeric column.
   */
  dates?: DateFeatureSpec[];
}

/** What applying a transform did to one table, for step summaries. Counts only, never values. */
export interface PreprocessReport {
  rowsIn: number;
  rowsOut: number;
  /** Rows dropped for too many missing values. */
  rowsDropped: number;
  /** Missing values filled, per column. */
  imputed: Record<string, number>;
  /** Values moved to a clip bound, per column. */
  clipped: Record<string, number>;
  /** Values with a category unknown to the transform, per column (only with onUnseen: ignore). */
  unseen: Record<string, number>;
}

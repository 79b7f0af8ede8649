/**
 * What a user can ask of preprocessing (the `with:` block of a preprocess step, in library
 * form), and how the imputation setting resolves to one rule per column. Kept apart from the
 * fitting code so the step's JSON Schema and the library agree on one set of names.
 */
import { StepInputError } from '../errors.js';
import { closestName } from './select-names.js';
import type { DateFeature } from './date-features.js';
import type { EncodeOption } from './encode-categories.js';

export type ImputeStrategy = 'none' | 'mean' | 'median' | 'most_frequent' | 'constant';
export const IMPUTE_STRATEGIES: readonly ImputeStrategy[] = ['none', 'mean', 'median', 'most_frequent', 'constant'];

/** One column's imputation; `value` is the fill for `constant` (default 0, or "missing" for categories). */
export interface ImputeRule {
  strategy: ImputeStrategy;
  value?: number | string;
}

export type ImputeSetting = ImputeStrategy | ImputeRule;

/** `impute: median`, or `impute: { default: median, columns: { age: { strategy: constant, value: 0 } } }`. */
export type ImputeOption = ImputeSetting | { default?: ImputeSetting; columns?: Record<string, ImputeSetting> };

export type OutlierMethod = 'none' | 'iqr' | 'zscore';
export type EncodeMethod = 'one-hot' | 'ordinal';
export type ScaleMethod = 'none' | 'standard' | 'minmax' | 'robust';
/** What to do with a category at apply time that the training set never had. */
export type UnseenPolicy = 'ignore' | 'error';

export interface PreprocessOptions {
  impute?: ImputeOption;
  /** Feature columns left out of the model by name (a leaky column check.data names, one the model must not use). */
  dropColumns?: readonly string[];
  /** Drop feature columns whose missing fraction in the training set is > this (0..1; default 1 = never). */
  dropColumnsMissingAbove?: number;
  /** Drop rows (of every table transformed) whose missing fraction over the kept features is > this (default 1 = never). */
  dropRowsMissingAbove?: number;
  outliers?: OutlierMethod;
  /** iqr: clip to [Q1 - k IQR, Q3 + k IQR] (k = 1.5). */
  iqrK?: number;
  /** zscore: clip to mean ± z std (z = 3, population std). */
  zscoreZ?: number;
  /** one-hot or ordinal for every categorical column, or per column (`{ ward: frequency }`, others one-hot). */
  encode?: EncodeOption;
  /** one-hot without min_frequency: most levels a column may have (default 50); with it, most output columns per column (scikit-learn's max_categories). */
  maxCategories?: number;
  /** one-hot: levels with fewer training rows than this (a count >= 1, or a fraction of the rows < 1) are grouped into `<col>=infrequent`. */
  minFrequency?: number;
  /** Seed of target encoding's cross-fitting folds (default 0). */
  seed?: number;
  scale?: ScaleMethod;
  onUnseen?: UnseenPolicy;
  /** Features derived from date columns (date-features.ts), e.g. { admitted: ['year', { days_since: '2025-01-01' }] }. */
  dates?: Readonly<Record<string, readonly DateFeature[]>>;
}

function isColumnMap(o: ImputeOption): o is { default?: ImputeSetting; columns?: Record<string, ImputeSetting> } {
  return typeof o === 'object' && !('strategy' in o);
}

function asRule(s: ImputeSetting): ImputeRule {
  return typeof s === 'string' ? { strategy: s } : s;
}

/** The imputation rule for each feature column, after checking that overrides name real columns. */
export function resolveImputeRules(option: ImputeOption | undefined, features: readonly string[]): Map<string, ImputeRule> {
  const rules = new Map<string, ImputeRule>();
  let fallback: ImputeRule = { strategy: 'none' };
  let overrides: Record<string, ImputeSetting> = {};
  if (option !== undefined) {
    if (isColumnMap(option)) {
      if (option.default !== undefined) fallback = asRule(option.default);
      overrides = option.columns ?? {};
    } else {
      fallback = asRule(option);
    }
  }
  for (const name of Object.keys(overrides)) {
    if (!features.includes(name)) {
      const guess = closestName(name, features);
      throw new StepInputError(`impute.columns names unknown feature column "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
  }
  for (const f of features) rules.set(f, f in overrides ? asRule(overrides[f]) : fallback);
  for (const [name, rule] of rules) {
    if (!IMPUTE_STRATEGIES.includes(rule.strategy))
      throw new StepInputError(`unknown imputation strategy "${rule.strategy}" for column "${name}" (one of ${IMPUTE_STRATEGIES.join(', ')})`);
  }
  return rules;
}

export function checkFraction(name: string, v: number | undefined): number {
  if (v === undefined) return 1;
  if (!(v >= 0 && v <= 1)) throw new StepInputError(`${name} must be a fraction between 0 and 1, got ${v}`);
  return v;
}

/**
 * Feature selection fitted on the training set and applied unchanged to any other table: the
 * fitted `FeatureSelection` is plain JSON (which columns survive, and the scores behind the
 * choice), so the registry can ship it with a model.
 *
 * Methods, with scikit-learn's semantics where it has one:
 * - columns: an explicit list (unknown names are an error with a did-you-mean);
 * - variance: keep features whose population variance is > threshold (VarianceThreshold; with
 *   threshold 0 the peak-to-peak range is used too, so float noise cannot keep a constant column);
 * - correlation: walk features in table order and drop a feature when |Pearson r| with an
 *   already kept earlier feature is > threshold (the later column of each pair goes);
 * - anova-f, chi2, mutual-info, forest-importance: keep the k best scores (SelectKBest with
 *   f_classif, chi2, mutual_info_classif; impurity importance of a random forest). Ties go to
 *   the earlier column. These need a classification target and numeric features without gaps.
 * The selected columns keep their table order; id and target columns always pass through.
 */
import { DataError, StepInputError } from '../errors.js';
import { createRng } from '../rng.js';
import { isFeatureKind, type Column, type Dataset } from './dataset.js';
import { featureMatrix, targetVector, type FeatureMatrix } from './matrix.js';
import { anovaF, chiSquared, peakToPeak, pearson, variance, type ScoreWithPValue } from './select-scores.js';
import { mutualInfoClassif } from './select-mutual-info.js';
import { closestName } from './select-names.js';

export const SELECTION_METHODS = ['columns', 'variance', 'correlation', 'anova-f', 'chi2', 'mutual-info', 'forest-importance'] as const;
export type SelectionMethod = (typeof SELECTION_METHODS)[number];

export interface SelectionOptions {
  method: SelectionMethod;
  /** method columns: the features to keep. */
  columns?: readonly string[];
  /** Ranking methods: how many features to keep. */
  k?: number;
  /** variance: minimum variance to exceed (default 0); correlation: |r| above which to drop (default 0.95). */
  threshold?: number;
  /** mutual-info (tie-breaking noise) and forest-importance (bootstrap). */
  seed?: number;
  /** mutual-info: neighbours per point (3). */
  nNeighbors?: number;
  /** forest-importance: number of trees (100). */
  trees?: number;
  /** forest-importance: aborting it stops the forest between trees (the fit rejects with its reason). */
  signal?: AbortSignal;
}

/** The format tag of a fitted feature selection. */
export const SELECTION_FORMAT = 'medpipe.selection/1';

export interface FeatureSelection {
  format: typeof SELECTION_FORMAT;
  method: SelectionMethod;
  /** Kept feature columns, in table order. */
  selected: string[];
  /** The score each feature was judged by (variance, F, chi2, MI, importance, or max |r| with a kept column). */
  scores?: Record<string, number>;
  pvalues?: Record<string, number>;
  /** correlation: each dropped feature and the kept feature it duplicates. */
  correlatedWith?: Record<string, string>;
}

/** Fits a selection on `train`; statistics come from these rows only. */
export async function fitSelection(train: Dataset, options: SelectionOptions): Promise<FeatureSelection> {
  const base: Pick<FeatureSelection, 'format' | 'method'> = { format: SELECTION_FORMAT, method: options.method };
  switch (options.method) {
    case 'columns':
      return { ...base, selected: explicitColumns(train, options.columns) };
    case 'variance':
      return { ...base, ...byVariance(numericFeatures(train, options.method), options.threshold ?? 0) };
    case 'correlation':
      return { ...base, ...byCorrelation(numericFeatures(train, options.method), options.threshold ?? 0.95) };
    default:
      return { ...base, ...(await byRanking(train, options)) };
  }
}

/** Keeps the selected features (in `ds`'s column order) plus id and target columns. */
export function applySelection(sel: FeatureSelection, ds: Dataset): Dataset {
  const present = new Set(ds.columns.map((c) => c.name));
  for (const name of sel.selected) {
    if (!present.has(name))
      throw new DataError('selected feature is missing from the dataset', {
        column: name,
        hint: 'the table must have the columns the selection was fitted on',
      });
  }
  const keep = new Set(sel.selected);
  const columns = ds.columns.filter((c) => keep.has(c.name) || isPassThrough(c, ds));
  return { columns, rowCount: ds.rowCount, target: ds.target };
}

function isPassThrough(c: Column, ds: Dataset): boolean {
  return !isFeatureKind(c.kind) || c.name === ds.target?.column;
}

function explicitColumns(ds: Dataset, wanted: readonly string[] | undefined): string[] {
  if (!wanted || wanted.length === 0) throw new StepInputError('method "columns" needs a non-empty `columns:` list');
  const features = ds.columns.filter((c) => !isPassThrough(c, ds)).map((c) => c.name);
  for (const name of wanted) {
    if (!features.includes(name)) {
      const guess = closestName(name, features);
      const isSpecial = ds.columns.some((c) => c.name === name);
      throw new StepInputError(
        isSpecial
          ? `column "${name}" is an id or target column, not a feature: it is kept anyway, leave it out of \`columns:\``
          : `unknown column "${name}" in \`columns:\`${guess ? ` (did you mean "${guess}"?)` : ''}`,
      );
    }
  }
  const set = new Set(wanted);
  return features.filter((f) => set.has(f));
}

interface Features extends FeatureMatrix {
  columns: Float64Array[];
}

/** Numeric feature columns without missing values, as separate arrays. */
function numericFeatures(ds: Dataset, method: string): Features {
  const m = featureMatrix(ds);
  if (m.nCols === 0) throw new StepInputError(`method "${method}" found no feature columns in the training set`);
  const columns = m.names.map((_, j) => {
    const col = new Float64Array(m.nRows);
    for (let i = 0; i < m.nRows; i++) col[i] = m.X[i * m.nCols + j];
    return col;
  });
  columns.forEach((col, j) => {
    const row = col.findIndex((v) => Number.isNaN(v));
    if (row >= 0)
      throw new DataError(`feature has missing values; method "${method}" needs complete data`, {
        row: row + 1,
        column: m.names[j],
        hint: 'impute first: a preprocess step with `impute: median`',
      });
  });
  return { ...m, columns };
}

function byVariance(f: Features, threshold: number): Pick<FeatureSelection, 'selected' | 'scores'> {
  const scores: Record<string, number> = {};
  const selected: string[] = [];
  f.columns.forEach((col, j) => {
    let v = variance(col);
    if (threshold === 0) v = Math.min(v, peakToPeak(col));
    scores[f.names[j]] = v;
    if (v > threshold) selected.push(f.names[j]);
  });
  return { selected, scores };
}

function byCorrelation(f: Features, threshold: number): Pick<FeatureSelection, 'selected' | 'scores' | 'correlatedWith'> {
  const kept: number[] = [];
  const scores: Record<string, number> = {};
  const correlatedWith: Record<string, string> = {};
  for (let j = 0; j < f.columns.length; j++) {
    let worst = 0;
    let partner = -1;
    for (const i of kept) {
      const r = Math.abs(pearson(f.columns[i], f.columns[j]));
      if (r > worst) {
        worst = r;
        partner = i;
      }
    }
    scores[f.names[j]] = worst;
    if (worst > threshold) correlatedWith[f.names[j]] = f.names[partner];
    else kept.push(j);
  }
  return { selected: kept.map((j) => f.names[j]), scores, correlatedWith };
}

async function byRanking(train: Dataset, options: SelectionOptions): Promise<Pick<FeatureSelection, 'selected' | 'scores' | 'pvalues'>> {
  const method = options.method;
  const f = numericFeatures(train, method);
  const k = options.k;
  if (k === undefined || !Number.isInteger(k) || k < 1) throw new StepInputError(`method "${method}" needs \`k:\`, a whole number of features to keep (>= 1)`);
  if (k > f.nCols) throw new StepInputError(`k = ${k} is larger than the number of features (${f.nCols}): lower k, or use fewer upstream filters`);
  const target = targetVector(train);
  if (target.type !== 'classification')
    throw new StepInputError(
      `method "${method}" needs a classification target; target "${target.column}" is numeric (use variance or correlation, or columns)`,
    );
  const nClasses = target.classes.length;
  const labels = target.y;

  let values: Float64Array;
  let pvalues: Float64Array | undefined;
  if (method === 'anova-f' || method === 'chi2') {
    if (method === 'chi2') requireNonNegative(f);
    const stat: (x: Float64Array, y: Int32Array, c: number) => ScoreWithPValue = method === 'chi2' ? chiSquared : anovaF;
    const results = f.columns.map((col) => stat(col, labels, nClasses));
    values = Float64Array.from(results, (r) => r.score);
    pvalues = Float64Array.from(results, (r) => r.pvalue);
  } else if (method === 'mutual-info') {
    values = mutualInfoClassif(f.columns, labels, nClasses, { nNeighbors: options.nNeighbors ?? 3, rng: createRng(options.seed ?? 0) });
  } else if (method === 'forest-importance') {
    const { forestImportances } = await import('./select-forest.js');
    values = await forestImportances(f.X, f.nRows, f.nCols, labels, {
      trees: options.trees ?? 100,
      seed: options.seed ?? 0,
      nClasses,
      featureNames: f.names,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } else {
    throw new StepInputError(`unknown selection method "${method}"`);
  }
  const best = new Set(topK(values, k));
  const selected = f.names.filter((_, j) => best.has(j));
  return { selected, scores: record(f.names, values), ...(pvalues ? { pvalues: record(f.names, pvalues) } : {}) };
}

/** Indices of the k largest scores; NaN ranks last and ties go to the earlier column. */
export function topK(scores: Float64Array, k: number): number[] {
  const key = (j: number): number => (Number.isNaN(scores[j]) ? -Infinity : scores[j]);
  const order = Array.from(scores, (_, j) => j).sort((a, b) => key(b) - key(a) || a - b);
  return order.slice(0, k);
}

function requireNonNegative(f: Features): void {
  f.columns.forEach((col, j) => {
    const row = col.findIndex((v) => v < 0);
    if (row >= 0) {
      throw new DataError('chi2 needs non-negative features (counts, frequencies or min-max scaled values), this column has a negative value', {
        row: row + 1,
        column: f.names[j],
        hint: 'scale with `scale: minmax` in the preprocess step, or use method anova-f',
      });
    }
  });
}

function record(names: readonly string[], values: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, j) => {
    out[n] = values[j];
  });
  return out;
}

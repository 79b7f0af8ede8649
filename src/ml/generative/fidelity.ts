/**
 * The fidelity report of a synthetic table against the real one it imitates, side by side with the
 * same report for the independent-marginals baseline (baseline.ts). Plain columns in, plain numbers
 * out: the step (src/steps/evaluate.generative.ts) reads the datasets and writes the artifact.
 *
 * Cost: KS, Wasserstein and bit frequencies use every row; correlation matrices, detection AUC and
 * diversity use a seeded sample of at most `sample` rows per table (they are O(n p^2) or O(n^2));
 * novelty compares each sampled synthetic row with every real row.
 */
import { createRng } from '../../rng.js';
import { independentMarginals, sampleRows } from './baseline.js';
import { correlationDistance, correlationMatrix } from './correlation.js';
import { detectionAuc } from './detection.js';
import { mean, meanPairwiseDistance, median, nearestDistances } from './distance.js';
import { fitStandardiser, standardisedRows, type Standardiser } from '../../data/standardise.js';
import { ksTwoSampleSorted } from './ks.js';
import { wassersteinSorted } from './wasserstein.js';

export interface FidelityOptions {
  seed: number;
  /** Stratified folds of the detection classifier. */
  folds: number;
  /** Trees of the detection forest. */
  trees: number;
  /** The most rows per table used by the quadratic parts. */
  sample: number;
  /** A synthetic row within this standardised distance of a real row counts as a copy. */
  copyEpsilon: number;
  onProgress?: (message: string, fraction: number) => void;
  /** Aborting it stops the detection classifier's forests between trees; the evaluation rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * How a headline metric is judged: smaller or larger is better; lower down to 0.5 (a detection
 * AUC: below 0.5 the detector is no better than chance, which is ideal); or closer to 1 (a ratio).
 */
export type Better = 'lower' | 'higher' | 'lower, to 0.5' | 'closer to 1';

export const HEADLINE: Readonly<Record<string, { better: Better; description: string; compare: boolean }>> = {
  ks_mean: { better: 'lower', compare: true, description: 'mean over columns of the two-sample Kolmogorov–Smirnov statistic' },
  ks_max: { better: 'lower', compare: true, description: 'largest per-column KS statistic' },
  wasserstein_mean: {
    better: 'lower',
    compare: true,
    description: "mean over columns of the Wasserstein-1 distance, in units of the real column's standard deviation",
  },
  correlation_distance: { better: 'lower', compare: true, description: 'RMS difference of the off-diagonal Pearson correlations (0 identical, 2 opposite)' },
  // Out-of-fold AUCs below 0.5 are no signal in reverse: the baseline reuses the real rows' values, so a held-out
  // real row's values sit among the synthetic training rows and look synthetic. Hence "to 0.5", not "closer to 0.5".
  detection_auc: {
    better: 'lower, to 0.5',
    compare: true,
    description: 'out-of-fold ROC AUC of a random forest telling real from synthetic rows (0.5 or below ideal, 1 fully separable)',
  },
  bit_frequency_mad: { better: 'lower', compare: true, description: 'mean absolute difference of the frequency of 1s over the 0/1 columns' },
  diversity_ratio: {
    better: 'closer to 1',
    compare: true,
    description: 'mean pairwise distance of synthetic rows / the same for real rows (< 1: less varied than the real data)',
  },
  // Novelty is a privacy check, not fidelity: farther from the training rows is safer, and the baseline is novel by construction.
  novelty_mean: {
    better: 'higher',
    compare: false,
    description: 'mean distance from a synthetic row to its nearest real row (standardised); read against novelty.real_reference_median',
  },
  novelty_median: { better: 'higher', compare: false, description: 'median distance from a synthetic row to its nearest real row (standardised)' },
  exact_copy_share: { better: 'lower', compare: false, description: 'share of synthetic rows within copy_epsilon of a real row (copies of training rows)' },
};

export interface HeadlineMetric {
  value: number | null;
  baseline: number | null;
  better: Better;
  /** null when the metric is not a fidelity comparison (novelty: the baseline is novel by construction) or a value is missing. */
  beats_baseline: boolean | null;
}

export interface ColumnFidelity {
  column: string;
  binary: boolean;
  ks: number;
  ks_pvalue: number;
  wasserstein: number;
  wasserstein_std: number;
  baseline_ks: number;
  baseline_wasserstein_std: number;
}

export interface FidelityReport {
  n_real: number;
  n_synthetic: number;
  columns_compared: number;
  binary_columns: number;
  metrics: Record<string, HeadlineMetric>;
  columns: ColumnFidelity[];
  novelty: { rows: number; real_reference_median: number | null; copy_epsilon: number; synthetic: NoveltyStats; baseline: NoveltyStats };
  diversity: {
    rows_real: number;
    rows_synthetic: number;
    real_mean_distance: number | null;
    synthetic_mean_distance: number | null;
    baseline_mean_distance: number | null;
  };
  detection: { classifier: string; folds: number; trees: number; rows_real: number; rows_synthetic: number };
}

export interface NoveltyStats {
  mean: number | null;
  median: number | null;
  exact_copy_share: number | null;
}

interface TableScores {
  ks: Float64Array;
  ksP: Float64Array;
  w: Float64Array;
  wStd: Float64Array;
  correlation: number;
  detection: number;
  bitMad: number | null;
  novelty: NoveltyStats;
  diversity: number;
}

/** Everything about the real table that both candidates are compared with, computed once. */
interface RealSide {
  sorted: Float64Array[];
  scaling: Standardiser;
  std: Float64Array;
  binary: Uint8Array;
  frequency: Float64Array;
  sampleRows: Int32Array;
  sampleMatrix: Float64Array;
  allMatrix: Float64Array;
  correlation: Float64Array;
  diversity: number;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function realSide(real: readonly Float64Array[], o: FidelityOptions, seed: number): RealSide {
  const p = real.length,
    n = p ? real[0].length : 0;
  const scaling = fitStandardiser(real);
  const binary = Uint8Array.from(real, (col) => (col.every((v) => v === 0 || v === 1) ? 1 : 0));
  const rows = sampleRows(n, o.sample, seed);
  const sampleMatrix = standardisedRows(real, scaling, rows);
  return {
    sorted: real.map((c) => Float64Array.from(c).sort()),
    scaling,
    std: Float64Array.from(scaling.scale),
    binary,
    frequency: Float64Array.from(real, (col) => mean(col)),
    sampleRows: rows,
    sampleMatrix,
    allMatrix: standardisedRows(real, scaling),
    correlation: correlationMatrix(real.map((c) => Float64Array.from(rows, (r) => c[r]))),
    diversity: meanPairwiseDistance(sampleMatrix, rows.length, p),
  };
}

async function scoreTable(real: RealSide, nReal: number, cand: readonly Float64Array[], o: FidelityOptions, seed: number): Promise<TableScores> {
  const p = cand.length,
    n = p ? cand[0].length : 0;
  const ks = new Float64Array(p),
    ksP = new Float64Array(p),
    w = new Float64Array(p),
    wStd = new Float64Array(p);
  let bitSum = 0,
    bits = 0;
  for (let j = 0; j < p; j++) {
    const sorted = Float64Array.from(cand[j]).sort();
    const k = ksTwoSampleSorted(real.sorted[j], sorted);
    ks[j] = k.statistic;
    ksP[j] = k.pvalue;
    w[j] = wassersteinSorted(real.sorted[j], sorted);
    wStd[j] = w[j] / real.std[j];
    if (real.binary[j]) {
      bitSum += Math.abs(real.frequency[j] - mean(cand[j]));
      bits++;
    }
  }
  const rows = sampleRows(n, o.sample, seed);
  const X = standardisedRows(cand, real.scaling, rows);
  const correlation = correlationDistance(real.correlation, correlationMatrix(cand.map((c) => Float64Array.from(rows, (r) => c[r]))), p);
  const detection = await detectionAuc(real.sampleMatrix, real.sampleRows.length, X, rows.length, p, {
    folds: o.folds,
    trees: o.trees,
    seed: seed + 7,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const nearest = nearestDistances(X, rows.length, real.allMatrix, nReal, p);
  let copies = 0;
  for (const d of nearest) if (d <= o.copyEpsilon) copies++;
  return {
    ks,
    ksP,
    w,
    wStd,
    correlation,
    detection,
    bitMad: bits ? bitSum / bits : null,
    novelty: { mean: finiteOrNull(mean(nearest)), median: finiteOrNull(median(nearest)), exact_copy_share: rows.length ? copies / rows.length : null },
    diversity: meanPairwiseDistance(X, rows.length, p),
  };
}

function headline(name: string, value: number | null, baseline: number | null): HeadlineMetric {
  const { better, compare } = HEADLINE[name];
  const v = value !== null && Number.isFinite(value) ? value : null;
  const b = baseline !== null && Number.isFinite(baseline) ? baseline : null;
  const gap = (x: number): number => (better === 'lower' ? x : better === 'higher' ? -x : better === 'lower, to 0.5' ? Math.max(0, x - 0.5) : Math.abs(x - 1));
  return { value: v, baseline: b, better, beats_baseline: compare && v !== null && b !== null ? gap(v) < gap(b) : null };
}

/**
 * `real` and `synthetic`: the same columns in the same order, each without missing values.
 * Both tables need at least `folds` rows for the detection classifier. `baselineSource`: the rows
 * the baseline draws its marginals from, by default `real`; when `real` is held out from the
 * generator's training, pass the training rows, so that the baseline knows what the generator knew.
 */
export async function evaluateFidelity(
  names: readonly string[],
  real: readonly Float64Array[],
  synthetic: readonly Float64Array[],
  o: FidelityOptions,
  baselineSource: readonly Float64Array[] = real,
): Promise<FidelityReport> {
  const p = names.length;
  if (real.length !== p || synthetic.length !== p || baselineSource.length !== p) throw new Error('evaluateFidelity: one column per name in every table');
  const nReal = p ? real[0].length : 0,
    nSyn = p ? synthetic[0].length : 0;
  // Independent streams for the baseline's values and each table's sample, so one part's settings do not move another's numbers.
  const rng = createRng(o.seed);
  const seeds = Array.from({ length: 4 }, (_, i) => rng.fork(i).int(2 ** 31));
  const progress = o.onProgress ?? (() => {});

  const r = realSide(real, o, seeds[0]);
  progress('real table summarised', 0.1);
  const baselineTable = independentMarginals(baselineSource, nSyn, seeds[1]);
  const syn = await scoreTable(r, nReal, synthetic, o, seeds[2]);
  progress('synthetic table scored', 0.55);
  const base = await scoreTable(r, nReal, baselineTable, o, seeds[3]);
  progress('baseline scored', 1);

  const max = (a: Float64Array): number => (a.length ? Math.max(...a) : NaN);
  const metrics: Record<string, HeadlineMetric> = {
    ks_mean: headline('ks_mean', mean(syn.ks), mean(base.ks)),
    ks_max: headline('ks_max', max(syn.ks), max(base.ks)),
    wasserstein_mean: headline('wasserstein_mean', mean(syn.wStd), mean(base.wStd)),
    correlation_distance: headline('correlation_distance', syn.correlation, base.correlation),
    detection_auc: headline('detection_auc', syn.detection, base.detection),
    ...(syn.bitMad !== null ? { bit_frequency_mad: headline('bit_frequency_mad', syn.bitMad, base.bitMad) } : {}),
    diversity_ratio: headline('diversity_ratio', syn.diversity / r.diversity, base.diversity / r.diversity),
    novelty_mean: headline('novelty_mean', syn.novelty.mean, base.novelty.mean),
    novelty_median: headline('novelty_median', syn.novelty.median, base.novelty.median),
    exact_copy_share: headline('exact_copy_share', syn.novelty.exact_copy_share, base.novelty.exact_copy_share),
  };
  // Reference for novelty: how far a real row is from its nearest other real row.
  const reference = nearestDistances(r.sampleMatrix, r.sampleRows.length, r.allMatrix, nReal, p, r.sampleRows);
  const synSample = Math.min(nSyn, o.sample);
  return {
    n_real: nReal,
    n_synthetic: nSyn,
    columns_compared: p,
    binary_columns: r.binary.reduce((a, b) => a + b, 0),
    metrics,
    columns: names.map((column, j) => ({
      column,
      binary: r.binary[j] === 1,
      ks: syn.ks[j],
      ks_pvalue: syn.ksP[j],
      wasserstein: syn.w[j],
      wasserstein_std: syn.wStd[j],
      baseline_ks: base.ks[j],
      baseline_wasserstein_std: base.wStd[j],
    })),
    novelty: {
      rows: synSample,
      real_reference_median: finiteOrNull(median(reference)),
      copy_epsilon: o.copyEpsilon,
      synthetic: syn.novelty,
      baseline: base.novelty,
    },
    diversity: {
      rows_real: r.sampleRows.length,
      rows_synthetic: synSample,
      real_mean_distance: finiteOrNull(r.diversity),
      synthetic_mean_distance: finiteOrNull(syn.diversity),
      baseline_mean_distance: finiteOrNull(base.diversity),
    },
    detection: {
      classifier: `random forest (${o.trees} trees), out-of-fold scores`,
      folds: o.folds,
      trees: o.trees,
      rows_real: r.sampleRows.length,
      rows_synthetic: synSample,
    },
  };
}

/**
 * The statistics of drift, on plain numbers: the population stability index over bins, the
 * two-sample Kolmogorov–Smirnov statistic with its asymptotic p-value, and the Benjamini–Hochberg
 * adjustment of p-values over many columns. Nothing here knows about bundles or datasets.
 */
import { percentile } from '../ml/metrics/bootstrap.js';

/**
 * A proportion below this is raised to it before the logarithm of the PSI: an empty bin on one
 * side would otherwise make the index infinite. 1e-4 is the floor most PSI implementations use
 * (one row in ten thousand); it bounds one empty bin's term at about p·ln(p/1e-4).
 */
export const PSI_FLOOR = 1e-4;

/** PSI = Σ (new − train) · ln(new / train) over bins, both sides as proportions (each summing to 1). */
export function psi(train: readonly number[], current: readonly number[]): number {
  if (train.length !== current.length) throw new Error(`psi: ${train.length} training bins but ${current.length} new ones`);
  let s = 0;
  for (let i = 0; i < train.length; i++) {
    const a = Math.max(train[i], PSI_FLOOR);
    const b = Math.max(current[i], PSI_FLOOR);
    s += (b - a) * Math.log(b / a);
  }
  return s;
}

/**
 * Which bin each value falls in, given interior edges e_1 < … < e_{k-1}: bin 0 is x <= e_1, bin j
 * is e_j < x <= e_{j+1}, the last is x > e_{k-1} (right-closed, as numpy.digitize(right=True)).
 * Returns proportions over the values that are not NaN (all zeros when there are none).
 */
export function binProportions(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) continue;
    let lo = 0,
      hi = edges.length;
    // first edge >= x
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
    n++;
  }
  return counts.map((c) => (n ? c / n : 0));
}

/** Interior bin edges at the training deciles (or `bins` quantiles), duplicates removed (a column with many equal values gets fewer bins). */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = percentile(sorted, k / bins);
    if (!edges.length || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** sup |F_a − F_b| of two samples' empirical distribution functions; both sorted ascending, no NaN (scipy.stats.ks_2samp's statistic). */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length,
    m = b.length;
  if (!n || !m) return NaN;
  let i = 0,
    j = 0,
    d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/**
 * The Kolmogorov distribution's survival function Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}
 * (scipy.stats.kstwobign.sf). For small λ the alternating series converges slowly; there the
 * equivalent theta-function form 1 − (√(2π)/λ) Σ e^{−(2k−1)²π²/(8λ²)} is used.
 */
export function kolmogorovSf(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1) {
    let s = 0;
    for (let k = 1; k <= 20; k++) s += Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * lambda * lambda));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    s += (k % 2 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/**
 * Two-sided p-value of a two-sample KS statistic d between samples of sizes n and m, from the
 * asymptotic distribution: Q(√(nm/(n+m)) · d), as scipy.stats.ks_2samp(method='asymp') computed
 * it before scipy 1.5. Accurate for the sample sizes monitoring sees (tens of rows and up).
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!Number.isFinite(d) || n <= 0 || m <= 0) return NaN;
  return kolmogorovSf(Math.sqrt((n * m) / (n + m)) * d);
}

/**
 * Benjamini–Hochberg adjusted p-values (the step-up procedure, controlling the false discovery
 * rate), in the input order: p_(i) · n / i, made monotone from the largest down, capped at 1
 * (scipy.stats.false_discovery_control, statsmodels multipletests 'fdr_bh'). NaN stays NaN and is
 * not counted among the tests.
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => !Number.isNaN(p[i]));
  idx.sort((x, y) => p[x] - p[y] || x - y);
  const n = idx.length;
  const out = p.map(() => NaN);
  let running = 1;
  for (let r = n - 1; r >= 0; r--) {
    const i = idx[r];
    running = Math.min(running, (p[i] * n) / (r + 1));
    out[i] = running;
  }
  return out;
}

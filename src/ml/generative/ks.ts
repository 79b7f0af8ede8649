/**
 * The two-sample Kolmogorov–Smirnov test: the statistic as scipy.stats.ks_2samp computes it (ties
 * included), and its asymptotic two-sided p-value from the Kolmogorov distribution.
 */

/** Ascending copy with missing values (NaN) removed. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[n++] = values[i];
  return out.subarray(0, n).sort();
}

/**
 * sup |F_a(x) - F_b(x)| over both samples' values, on sorted inputs. Both CDFs are read
 * right-continuous, after every copy of a tied value, so ties in and across samples are exact.
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length,
    n2 = b.length;
  if (n1 === 0 || n2 === 0) return NaN;
  let i = 0,
    j = 0,
    d = 0;
  while (i < n1 && j < n2) {
    // biome-ignore lint/complexity/useMathMinMax: the merge takes a's value on ties (Math.min would pick -0 over 0)
    const x = a[i] <= b[j] ? a[i] : b[j];
    while (i < n1 && a[i] <= x) i++;
    while (j < n2 && b[j] <= x) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  // Once one sample is used up its CDF is 1; the other's only grows towards 1, so the gap only shrinks.
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, P(K > x) (scipy.stats.kstwobign.sf). Two
 * series, each used where it converges in a few terms: Jacobi's theta form for small x, the
 * alternating tail series for large x.
 */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1) {
    // P(K <= x) = sqrt(2 pi) / x * sum_k exp(-(2k-1)^2 pi^2 / (8 x^2))
    const w = (Math.PI * Math.PI) / (8 * x * x);
    let sum = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      sum += term;
      if (term < 1e-18 * sum) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / x) * sum;
  }
  // P(K > x) = 2 sum_k (-1)^(k-1) exp(-2 k^2 x^2)
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

export interface KsResult {
  statistic: number;
  /** Asymptotic two-sided p-value: kolmogorovSf(D * sqrt(n1 n2 / (n1 + n2))). */
  pvalue: number;
}

/** Two-sample KS test on two columns (missing values ignored). NaN when either sample is empty. */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ksTwoSampleSorted(sortedFinite(a), sortedFinite(b));
}

export function ksTwoSampleSorted(a: Float64Array, b: Float64Array): KsResult {
  const d = ksStatisticSorted(a, b);
  if (Number.isNaN(d)) return { statistic: NaN, pvalue: NaN };
  const en = (a.length * b.length) / (a.length + b.length);
  return { statistic: d, pvalue: kolmogorovSf(d * Math.sqrt(en)) };
}

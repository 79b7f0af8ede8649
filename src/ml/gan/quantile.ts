/**
 * The quantile (Gaussian-rank) transform of a numeric column, as in sklearn's
 * QuantileTransformer(output_distribution='normal') and TabDDPM: a training value at CDF step
 * [F(v-), F(v)) is mapped to Φ⁻¹(u) with u drawn uniformly inside that step, and a generated z is
 * mapped back to the training value whose step holds Φ(z).
 *
 * Why, for tabular GANs: the generator then only has to learn the dependence between columns on
 * standard-normal marginals. Skewed columns, point masses (fraction_csp3 = 0 for a third of a
 * series) and values on a grid (TPSA sums fixed group contributions, counts are whole) are what
 * small GANs get wrong, and a random-forest detector finds every generated value that falls
 * between the values real rows take. The inverse is a step function, so each generated value is
 * one the column took in training (ties spread over their step are the dequantisation).
 */
import type { Rng } from '../../rng.js';

/** At most this many knots per column are stored (sklearn's default n_quantiles). */
export const MAX_KNOTS = 1000;

/** Keeps Φ⁻¹ finite: |z| <= 3.72. */
const U_MIN = 1e-4;

/**
 * Φ⁻¹ by Acklam's rational approximation (relative error below 1.2e-9), refined by nothing: the
 * transform only needs to be monotone and the same on every machine.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** The knots kept for a column: every sorted value when there are at most MAX_KNOTS, else evenly spaced order statistics. */
export function quantileKnots(values: Float64Array): number[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const k = Math.min(n, MAX_KNOTS);
  return Array.from({ length: k }, (_, i) => sorted[Math.min(n - 1, Math.floor(((i + 0.5) * n) / k))]);
}

/** Forward transform of training values: each value to a normal score drawn inside its CDF step. */
export function toNormalScores(values: Float64Array, rng: Rng): Float64Array {
  const n = values.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
  const out = new Float64Array(n);
  for (let a = 0; a < n; ) {
    let b = a + 1;
    while (b < n && values[order[b]] === values[order[a]]) b++;
    // Rows a..b-1 share a value: spread them over its whole step [a/n, b/n).
    for (let i = a; i < b; i++) {
      const u = (a + (b - a) * rng.next()) / n;
      out[order[i]] = normalQuantile(Math.min(1 - U_MIN, Math.max(U_MIN, u)));
    }
    a = b;
  }
  return out;
}

/** Normal-score boundaries between consecutive knots: knot i covers Φ(z) in [i/k, (i+1)/k). */
export function knotBoundaries(k: number): Float64Array {
  return Float64Array.from({ length: k - 1 }, (_, i) => normalQuantile((i + 1) / k));
}

/** Inverse transform of one generated score: the knot whose step holds it (binary search). */
export function fromNormalScore(z: number, knots: readonly number[], boundaries: Float64Array): number {
  let lo = 0,
    hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (z >= boundaries[mid]) lo = mid + 1;
    else hi = mid;
  }
  return knots[lo];
}

/**
 * The 1-D Wasserstein-1 (earth mover's) distance between two empirical distributions:
 * the area between their CDFs, as scipy.stats.wasserstein_distance computes it.
 */
import { sortedFinite } from './ks.js';

/** On ascending inputs. NaN when either is empty. */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length,
    n2 = b.length;
  if (n1 === 0 || n2 === 0) return NaN;
  let i = 0,
    j = 0,
    area = 0;
  // Walk the merged values; between consecutive values x and next both CDFs are constant.
  // biome-ignore lint/complexity/useMathMinMax: the merge takes a's value on ties (Math.min would pick -0 over 0)
  let x = a[0] <= b[0] ? a[0] : b[0];
  while (i < n1 || j < n2) {
    if (j >= n2 || (i < n1 && a[i] <= b[j])) i++;
    else j++;
    if (i === n1 && j === n2) break;
    const next = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    area += Math.abs(i / n1 - j / n2) * (next - x);
    x = next;
  }
  return area;
}

/** W1 between two columns (missing values ignored). */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return wassersteinSorted(sortedFinite(a), sortedFinite(b));
}

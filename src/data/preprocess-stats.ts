/**
 * Column statistics for fitting preprocessing, each ignoring missing values (NaN) the way numpy's
 * nan-functions do: mean, population standard deviation, quantiles with numpy's default linear
 * interpolation, median, and the most frequent value (smallest on ties, as scikit-learn).
 */

/** The non-missing values of a column, sorted ascending. */
export function sortedPresent(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[k++] = values[i];
  return out.sort();
}

export function nanMean(values: Float64Array): number {
  let s = 0,
    n = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      s += values[i];
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** Population standard deviation (ddof = 0), two-pass. */
export function nanStd(values: Float64Array): number {
  const m = nanMean(values);
  let s = 0,
    n = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      s += (values[i] - m) * (values[i] - m);
      n++;
    }
  }
  return n ? Math.sqrt(s / n) : NaN;
}

/** The q-quantile (0..1) of sorted values, numpy's 'linear' method: index (n-1)q, interpolated. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  const t = h - lo;
  return sorted[lo] + t * (sorted[lo + 1] - sorted[lo]);
}

export function nanMedian(values: Float64Array): number {
  const s = sortedPresent(values);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** The most frequent non-missing value; the smallest among equally frequent ones. */
export function nanMode(values: Float64Array): number {
  const s = sortedPresent(values);
  let best = NaN,
    bestCount = 0;
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j < s.length && s[j] === s[i]) j++;
    if (j - i > bestCount) {
      best = s[i];
      bestCount = j - i;
    }
    i = j;
  }
  return best;
}

/** The most frequent label; ties go to the smallest in code-unit order (sklearn takes min()). */
export function labelMode(labels: readonly (string | null)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const l of labels) if (l !== null) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [label, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && label < best)) {
      best = label;
      bestCount = count;
    }
  }
  return best;
}

/**
 * "Did you mean …?" for misspelt names (parameters, steps, columns, models): the closest candidate
 * by edit distance, compared without case, if close enough to be a plausible typo.
 */

export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate within `maxDistance` edits (default: a third of the name, at least 1); ties go to the first. */
export function closest(name: string, candidates: Iterable<string>, maxDistance = Math.max(1, Math.ceil(name.length / 3))): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= maxDistance ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}

/**
 * The `k` candidates nearest to `name`: names that start with it (its encoded columns `sex=female`)
 * first, then by edit distance to the name or to the source part of an encoded name (`ward` of `ward=A`).
 */
export function nearest(name: string, candidates: readonly string[], k = 3): string[] {
  const lower = name.toLowerCase();
  const rank = (c: string): number => {
    const l = c.toLowerCase();
    if (l.startsWith(lower)) return -1;
    const eq = l.indexOf('=');
    return Math.min(editDistance(lower, l), eq > 0 ? editDistance(lower, l.slice(0, eq)) : Infinity);
  };
  return candidates
    .map((c, i) => ({ c, i, d: rank(c) }))
    .filter((x) => x.d <= Math.max(2, Math.ceil(name.length / 2)))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, k)
    .map((x) => x.c);
}

/** At most `max` names, then `… and N more`: a list that stays one readable line however wide the table is. */
export function shortList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … and ${names.length - max} more` : shown;
}

/** `(nearest: a, b; 337 columns: x, y, … and 327 more)`: where a missing name might be, in one line. */
export function columnListText(name: string, columns: readonly string[]): string {
  const near = nearest(name, columns);
  return `(${near.length ? `nearest: ${near.join(', ')}; ` : ''}${columns.length} ${columns.length === 1 ? 'column' : 'columns'}: ${shortList(columns)})`;
}

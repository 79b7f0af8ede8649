/**
 * MaxMin diverse selection on fingerprints: start from the best-ranked candidate, then repeatedly
 * take the candidate farthest (Tanimoto distance, 1 - similarity) from everything taken so far.
 * A candidate's place in the ranking breaks ties, so the result depends on nothing but the data.
 */
import { tanimoto } from './bits.js';

export interface MaxMinOptions {
  /** How many to pick at most. */
  count: number;
  /** Stop before a pick whose distance to the picked ones would be below this. */
  minDistance?: number;
}

export interface MaxMinPicks {
  /** Picked rows, in pick order. */
  rows: Int32Array;
  /** Each pick's Tanimoto distance to the nearest earlier pick (NaN, i.e. missing, for the first). */
  distance: Float64Array;
  /** Why picking stopped: `count` reached, no candidate far enough (`min_distance`), or none left (`candidates`). */
  stopped: 'count' | 'min_distance' | 'candidates';
}

/**
 * `packed` holds every row's fingerprint (`words` words each, bits.ts); `ranked` lists the
 * candidate rows best first. O(picks x candidates) similarity computations.
 */
export function maxMinPick(packed: Uint32Array, words: number, ranked: Int32Array, options: MaxMinOptions): MaxMinPicks {
  const m = ranked.length;
  const rows: number[] = [];
  const distance: number[] = [];
  if (m === 0 || options.count < 1) return { rows: new Int32Array(), distance: new Float64Array(), stopped: m === 0 ? 'candidates' : 'count' };
  // nearest[i]: distance of candidate ranked[i] to the nearest pick so far; -1 once it is picked.
  const nearest = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  let at = 0;
  let stopped: MaxMinPicks['stopped'] = 'candidates';
  for (;;) {
    const row = ranked[at];
    rows.push(row);
    distance.push(rows.length === 1 ? Number.NaN : nearest[at]);
    nearest[at] = -1;
    if (rows.length === options.count) {
      stopped = 'count';
      break;
    }
    // Update every remaining candidate with the new pick and find the farthest; a strictly
    // greater distance is needed to pass an earlier-ranked candidate.
    let best = -1;
    for (let i = 0; i < m; i++) {
      if (nearest[i] < 0) continue;
      const d = 1 - tanimoto(packed, ranked[i], packed, row, words);
      if (d < nearest[i]) nearest[i] = d;
      if (best < 0 || nearest[i] > nearest[best]) best = i;
    }
    if (best < 0) break;
    if (options.minDistance !== undefined && nearest[best] < options.minDistance) {
      stopped = 'min_distance';
      break;
    }
    at = best;
  }
  return { rows: Int32Array.from(rows), distance: Float64Array.from(distance), stopped };
}

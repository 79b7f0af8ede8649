/**
 * Exact k-nearest-neighbour search of query rows in a library, by Euclidean distance on dense
 * rows or by Tanimoto similarity on packed fingerprints, and the merge of every query's
 * neighbours into one list of distinct library rows.
 *
 * Exact means: the same neighbours, scores and tie order as comparing every pair. Ties go to the
 * lower library row (TopK's order), so skipping work never changes a result; a row is skipped
 * only when a bound proves it strictly worse than the current k-th neighbour.
 */
import { rowCounts } from './bits.js';
import { TopK } from '../ml/top-k-heap.js';

export interface Neighbours {
  /** Neighbours per query (the k asked for, capped at the library size). */
  k: number;
  /** Library row of the r-th neighbour of query q at q * k + r, best first. */
  index: Int32Array;
  /** Its score, higher is better: Tanimoto similarity, or minus the squared Euclidean distance. */
  score: Float64Array;
}

/** Power iterations for the projection axis; it only has to be a good axis, not an exact eigenvector. */
const POWER_ITERATIONS = 30;
/**
 * Slack on the projection bound for rounding, so a pruned row is certainly farther than the k-th:
 * relative on distances, and absolute (times the largest row norm) on the projection gap, which
 * is a difference of two rounded dot products and can lose its relative precision.
 */
const BOUND_SLACK = 1e-9;

/**
 * A unit vector along the largest spread of `rows` (n x d, row-major): the principal axis, by
 * power iteration on the covariance from a fixed start, so it is the same on every run.
 */
export function principalAxis(rows: Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += rows[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const x = rows[i * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += x * (rows[i * d + b] - mean[b]);
    }
  }
  let u = new Float64Array(d).fill(1 / Math.sqrt(d));
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    const v = new Float64Array(d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) v[a] += cov[a * d + b] * u[b];
    let norm = 0;
    for (let a = 0; a < d; a++) norm += v[a] * v[a];
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break; // no spread along u (or none at all): any unit axis is still a valid bound
    for (let a = 0; a < d; a++) v[a] /= norm;
    u = v;
  }
  return u;
}

function project(rows: Float64Array, n: number, d: number, u: Float64Array): Float64Array {
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += rows[i * d + j] * u[j];
    p[i] = s;
  }
  return p;
}

/**
 * Queries `query` (nq rows of d values, row-major) against `library` (nl rows of d values).
 * Scores are -distance² (higher is better); distance = sqrt(-score).
 *
 * The library is sorted by its projection on its principal axis; a query walks outwards from its
 * own projection, nearer projections first, and stops once the projection gap alone (a lower
 * bound of the distance: |u·(q-l)| <= |q-l| for a unit u) exceeds the k-th distance found.
 */
export function nearestEuclidean(query: Float64Array, nq: number, library: Float64Array, nl: number, d: number, k: number): Neighbours {
  const kk = Math.min(k, nl);
  const index = new Int32Array(nq * kk);
  const score = new Float64Array(nq * kk);
  const heap = new TopK(kk);
  const u = principalAxis(library, nl, d);
  const lp = project(library, nl, d, u);
  const order = Int32Array.from({ length: nl }, (_, i) => i).sort((a, b) => lp[a] - lp[b] || a - b);
  const sorted = Float64Array.from(order, (i) => lp[i]);
  // The rows in projection order, so the outward walk reads memory sequentially.
  const rows = new Float64Array(nl * d);
  for (let r = 0; r < nl; r++) rows.set(library.subarray(order[r] * d, order[r] * d + d), r * d);
  const qp = project(query, nq, d, u);
  const tol = BOUND_SLACK * (1 + Math.max(maxRowNorm(library, nl, d), maxRowNorm(query, nq, d)));

  for (let q = 0; q < nq; q++) {
    heap.reset();
    const qb = q * d;
    const pq = qp[q];
    let hi = lowerBound(sorted, pq);
    let lo = hi - 1;
    while (lo >= 0 || hi < nl) {
      const gapLo = lo >= 0 ? pq - sorted[lo] : Infinity;
      const gapHi = hi < nl ? sorted[hi] - pq : Infinity;
      const takeLo = gapLo <= gapHi;
      const gap = takeLo ? gapLo : gapHi;
      // The smaller gap of the two sides is too large: every row further out is too.
      if (heap.full && gap > tol && (gap - tol) * (gap - tol) > -heap.worst * (1 + BOUND_SLACK)) break;
      const at = takeLo ? lo-- : hi++;
      const l = order[at];
      const lb = at * d;
      let s = 0;
      if (heap.full) {
        // Partial sums only grow: once one is beyond the k-th best distance the row cannot enter.
        const limit = -heap.worst;
        let j = 0;
        for (; j < d; j++) {
          const t = query[qb + j] - rows[lb + j];
          s += t * t;
          if (s > limit) break;
        }
        if (j < d) continue;
      } else {
        for (let j = 0; j < d; j++) {
          const t = query[qb + j] - rows[lb + j];
          s += t * t;
        }
      }
      heap.offer(-s, l);
    }
    heap.drain(index, score, q * kk);
  }
  return { k: kk, index, score };
}

function maxRowNorm(rows: Float64Array, n: number, d: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += rows[i * d + j] * rows[i * d + j];
    if (s > max) max = s;
  }
  return Math.sqrt(max);
}

/** First position in ascending `a` whose value is >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each bit, the library rows that have it, or, for a bit most rows have (a carbon
 * environment every organic molecule shares), the rows that lack it (`complement[b]` = 1), so
 * no list is longer than half the library. CSR layout: rows[start[b] .. start[b + 1]), ascending.
 */
function invertedIndex(packed: Uint32Array, n: number, words: number): { start: Int32Array; rows: Int32Array; complement: Uint8Array } {
  const bits = words * 32;
  const count = new Int32Array(bits);
  for (let r = 0; r < n; r++) {
    for (let w = 0; w < words; w++) {
      for (let x = packed[r * words + w]; x !== 0; x &= x - 1) count[(w << 5) + 31 - Math.clz32(x & -x)]++;
    }
  }
  const complement = new Uint8Array(bits);
  const start = new Int32Array(bits + 1);
  for (let b = 0; b < bits; b++) {
    complement[b] = count[b] * 2 > n ? 1 : 0;
    start[b + 1] = start[b] + (complement[b] ? n - count[b] : count[b]);
  }
  const rows = new Int32Array(start[bits]);
  const fill = start.slice(0, bits);
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < bits; b++) {
      const set = (packed[r * words + (b >>> 5)] >>> (b & 31)) & 1;
      if (set !== complement[b]) rows[fill[b]++] = r;
    }
  }
  return { start, rows, complement };
}

/**
 * Queries packed fingerprints (`words` words per row, see bits.ts) against a packed library.
 * Fingerprints are sparse (a drug-like molecule sets a few dozen of 2,048 bits), so the bits two
 * rows share are counted from an inverted index, bit -> library rows: a query costs the postings
 * of its own set bits plus one pass over the library, instead of a word-by-word AND with each row.
 */
export function nearestTanimoto(query: Uint32Array, nq: number, library: Uint32Array, nl: number, words: number, k: number): Neighbours {
  const kk = Math.min(k, nl);
  const index = new Int32Array(nq * kk);
  const score = new Float64Array(nq * kk);
  const heap = new TopK(kk);
  const qCounts = rowCounts(query, nq, words);
  const lCounts = rowCounts(library, nl, words);
  const { start, rows, complement } = invertedIndex(library, nl, words);
  const common = new Int32Array(nl);
  for (let q = 0; q < nq; q++) {
    // common[l] + base = bits query q shares with row l; a complemented bit adds 1 to every row
    // (base) and takes it back from the rows that lack it.
    common.fill(0);
    let base = 0;
    const qb = q * words;
    for (let w = 0; w < words; w++) {
      for (let x = query[qb + w]; x !== 0; x &= x - 1) {
        const bit = (w << 5) + 31 - Math.clz32(x & -x);
        const end = start[bit + 1];
        if (complement[bit]) {
          base++;
          for (let p = start[bit]; p < end; p++) common[rows[p]]--;
        } else {
          for (let p = start[bit]; p < end; p++) common[rows[p]]++;
        }
      }
    }
    heap.reset();
    const a = qCounts[q];
    for (let l = 0; l < nl; l++) {
      const c = common[l] + base;
      // A molecule sharing no bit with the query is no neighbour of it, even while the heap has
      // room: otherwise a query unlike anything would return the library's first rows.
      if (c === 0) continue;
      const union = a + lCounts[l] - c;
      // c / union < the k-th best cannot enter a full heap; tested without a division, with slack
      // on the safe side of rounding, so a skipped row's similarity is certainly below the k-th.
      if (heap.full && c < heap.worst * union * (1 - 1e-12)) continue;
      heap.offer(c / union, l);
    }
    heap.drain(index, score, q * kk);
  }
  return { k: kk, index, score };
}

export interface Candidates {
  /** Distinct library rows hit by at least one query, best first (ties: lower library row first). */
  library: Int32Array;
  /** The best score any query gave the row. */
  score: Float64Array;
  /** The query that gave it (the lowest-numbered one on a tie). */
  query: Int32Array;
  /** How many queries had the row among their k neighbours. */
  hits: Int32Array;
}

/** Every query's neighbours merged into one list of distinct library rows. */
export function mergeNeighbours(n: Neighbours, nq: number, nl: number): Candidates {
  const best = new Float64Array(nl).fill(-Infinity);
  const bestQuery = new Int32Array(nl).fill(-1);
  const hits = new Int32Array(nl);
  for (let q = 0; q < nq; q++) {
    for (let r = 0; r < n.k; r++) {
      const l = n.index[q * n.k + r];
      if (l < 0) continue;
      hits[l]++;
      const s = n.score[q * n.k + r];
      if (s > best[l]) {
        best[l] = s;
        bestQuery[l] = q;
      }
    }
  }
  const rows: number[] = [];
  for (let l = 0; l < nl; l++) if (hits[l] > 0) rows.push(l);
  rows.sort((x, y) => best[y] - best[x] || x - y);
  return {
    library: Int32Array.from(rows),
    score: Float64Array.from(rows, (l) => best[l]),
    query: Int32Array.from(rows, (l) => bestQuery[l]),
    hits: Int32Array.from(rows, (l) => hits[l]),
  };
}

/**
 * The merged hits followed by every library row no query retrieved, best first by the score of its
 * nearest query (ties: lower library row), with 0 hits: a whole pool ranked by retrieval.
 * `nearestQuery` is the search the other way round, each library row against the queries, k = 1.
 */
export function withUnretrieved(hits: Candidates, nearestQuery: Neighbours): Candidates {
  const nl = nearestQuery.index.length;
  const retrieved = new Uint8Array(nl);
  for (const l of hits.library) retrieved[l] = 1;
  const rest: number[] = [];
  for (let l = 0; l < nl; l++) if (!retrieved[l]) rest.push(l);
  rest.sort((x, y) => nearestQuery.score[y] - nearestQuery.score[x] || x - y);
  const concat = <T extends Int32Array | Float64Array>(a: T, b: T, make: (n: number) => T): T => {
    const out = make(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    library: concat(hits.library, Int32Array.from(rest), (n) => new Int32Array(n)),
    score: concat(
      hits.score,
      Float64Array.from(rest, (l) => nearestQuery.score[l]),
      (n) => new Float64Array(n),
    ),
    query: concat(
      hits.query,
      Int32Array.from(rest, (l) => nearestQuery.index[l]),
      (n) => new Int32Array(n),
    ),
    hits: concat(hits.hits, new Int32Array(rest.length), (n) => new Int32Array(n)),
  };
}

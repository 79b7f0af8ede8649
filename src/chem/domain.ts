/**
 * The applicability domain of a model trained on reference molecules: how similar each molecule
 * is to its nearest reference molecule, and the similarity below which a prediction is an
 * extrapolation. The threshold comes from the cross-validation the model was judged by: in CV
 * each molecule was predicted by a model that had only the other folds, so the similarity of a
 * molecule to its nearest molecule in the other folds is what a validated prediction had to go
 * on; a low percentile of those is the least the model was shown to cope with. Searches go
 * through src/chem/nearest.ts (exact, ties to the lower row).
 */
import { nearestEuclidean, nearestTanimoto } from './nearest.js';
import { percentile } from '../ml/metrics/bootstrap.js';

/** Points to compare: packed fingerprints (Tanimoto) or standardised dense rows (Euclidean). */
export type Points = { kind: 'bits'; packed: Uint32Array; words: number } | { kind: 'dense'; rows: Float64Array; d: number };

export interface Nearest {
  /** Row of the nearest reference point, -1 when none is similar at all (no shared fingerprint bit). */
  index: Int32Array;
  /** Tanimoto similarity, or 1 / (1 + Euclidean distance); 0 when index is -1. */
  similarity: Float64Array;
}

function width(p: Points): number {
  return p.kind === 'bits' ? p.words : p.d;
}

/** The points at `rows`, in that order. */
function subset(p: Points, rows: ArrayLike<number>): Points {
  const w = width(p);
  const src = p.kind === 'bits' ? p.packed : p.rows;
  const out = p.kind === 'bits' ? new Uint32Array(rows.length * w) : new Float64Array(rows.length * w);
  for (let i = 0; i < rows.length; i++) out.set(src.subarray(rows[i] * w, rows[i] * w + w), i * w);
  return p.kind === 'bits' ? { kind: 'bits', packed: out as Uint32Array, words: w } : { kind: 'dense', rows: out as Float64Array, d: w };
}

/** The k best reference points of each query point, best first; similarities as in Nearest. */
function search(query: Points, nq: number, reference: Points, nr: number, k: number): { k: number; index: Int32Array; similarity: Float64Array } {
  if (query.kind === 'bits' && reference.kind === 'bits') {
    const n = nearestTanimoto(query.packed, nq, reference.packed, nr, reference.words, k);
    return { k: n.k, index: n.index, similarity: n.score.map((s, i) => (n.index[i] < 0 ? 0 : s)) };
  }
  if (query.kind === 'dense' && reference.kind === 'dense') {
    const n = nearestEuclidean(query.rows, nq, reference.rows, nr, reference.d, k);
    return { k: n.k, index: n.index, similarity: n.score.map((s, i) => (n.index[i] < 0 ? 0 : 1 / (1 + Math.sqrt(-s)))) };
  }
  throw new Error('query and reference points must be of one kind');
}

/** Each query point's nearest reference point. */
export function nearestReference(query: Points, nq: number, reference: Points, nr: number): Nearest {
  if (nr === 0) return { index: new Int32Array(nq).fill(-1), similarity: new Float64Array(nq) };
  const n = search(query, nq, reference, nr, 1);
  return { index: n.index, similarity: n.similarity };
}

/** Each reference point's nearest other reference point (leave-one-out); a duplicate of it counts, with similarity 1. */
export function nearestOther(reference: Points, n: number): Nearest {
  const index = new Int32Array(n).fill(-1);
  const similarity = new Float64Array(n);
  if (n < 2) return { index, similarity };
  // The point itself is among its own two nearest (unless it shares nothing even with itself: an
  // empty fingerprint); the best of the two that is not itself is its nearest other.
  const s = search(reference, n, reference, n, 2);
  for (let q = 0; q < n; q++) {
    for (let r = 0; r < s.k; r++) {
      const l = s.index[q * s.k + r];
      if (l >= 0 && l !== q) {
        index[q] = l;
        similarity[q] = s.similarity[q * s.k + r];
        break;
      }
    }
  }
  return { index, similarity };
}

/** Each reference point's nearest point in the other folds (fold[i] of point i), what its CV model was trained on. */
export function nearestInOtherFolds(reference: Points, fold: ArrayLike<number>): Nearest {
  const n = fold.length;
  const index = new Int32Array(n).fill(-1);
  const similarity = new Float64Array(n);
  for (const f of [...new Set(Array.from(fold))].sort((a, b) => a - b)) {
    const inside: number[] = [];
    const outside: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? inside : outside).push(i);
    const found = nearestReference(subset(reference, inside), inside.length, subset(reference, outside), outside.length);
    inside.forEach((row, j) => {
      index[row] = found.index[j] < 0 ? -1 : outside[found.index[j]];
      similarity[row] = found.similarity[j];
    });
  }
  return { index, similarity };
}

/** The `pct` percentile (0-100, numpy's linear method) of the similarities: the domain threshold. */
export function domainThreshold(similarities: Float64Array, pct: number): number {
  return percentile(Float64Array.from(similarities).sort(), pct / 100);
}

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2; Lundberg et al. 2020):
 * the Shapley values of a tree ensemble's output for one row, in polynomial time, by walking
 * each tree once and keeping, for every feature on the path to a leaf, the fraction of coalitions
 * that go each way (EXTEND adds a feature to the path, UNWIND takes it back out).
 *
 * The value function is the tree's "expected output given the features in S": a split on a feature
 * in S follows the row; a split on any other feature averages both children, weighted by the share of
 * the training rows ("cover") that went each way. medpipe's forest artifact does not store covers,
 * so the caller passes them (the register step counts the training rows reaching each node; see
 * covers.ts). A node no training row reached splits its weight evenly, so the value function is
 * defined everywhere.
 */
import type { ForestModel, Tree } from '../ml/forest/types.js';
import { outputsPerNode } from '../ml/forest/types.js';

/** Per tree, the share of a node's cover that goes left (indexed by node id; leaves unused). */
export type LeftFractions = Float64Array[];

/** Left-child shares from per-node covers (row counts or weights): cover(left) / (cover(left) + cover(right)). */
export function leftFractions(model: ForestModel, covers: readonly Float64Array[]): LeftFractions {
  return model.trees.map((t, i) => {
    const c = covers[i];
    const out = new Float64Array(t.feature.length);
    for (let n = 0; n < t.feature.length; n++) {
      if (t.feature[n] < 0) continue;
      const l = c[t.left[n]];
      const r = c[t.left[n] + 1];
      out[n] = l + r > 0 ? l / (l + r) : 0.5;
    }
    return out;
  });
}

/** The expected output of one tree under its covers (the value for S = {}), nOut numbers added into `out`. */
function treeExpectation(tree: Tree, frac: Float64Array, nOut: number, out: Float64Array, scale: number): void {
  const walk = (node: number, weight: number): void => {
    if (tree.feature[node] < 0) {
      for (let c = 0; c < nOut; c++) out[c] += scale * weight * tree.value[node * nOut + c];
      return;
    }
    const f = frac[node];
    if (f > 0) walk(tree.left[node], weight * f);
    if (f < 1) walk(tree.left[node] + 1, weight * (1 - f));
  };
  walk(0, 1);
}

/** Base value per output: the forest's mean expected output (what the contributions start from). */
export function forestBase(model: ForestModel, fractions: LeftFractions): Float64Array {
  const nOut = outputsPerNode(model.task, model.nClasses);
  const out = new Float64Array(nOut);
  model.trees.forEach((t, i) => treeExpectation(t, fractions[i], nOut, out, 1 / model.trees.length));
  return out;
}

/**
 * The working path of Algorithm 2, one slot per recursion depth: depth d owns entries
 * [d * width, d * width + d + 1). A child copies its parent's path into its own slot before
 * extending it, so the parent's path survives for the other child.
 */
class PathStore {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
  constructor(readonly width: number) {
    const size = width * (width + 1);
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }
}

/** EXTEND: appends (feature, zero fraction, one fraction) to the path of length `len` at `at`. */
function extend(p: PathStore, at: number, len: number, pz: number, po: number, pi: number): void {
  p.feature[at + len] = pi;
  p.zero[at + len] = pz;
  p.one[at + len] = po;
  p.weight[at + len] = len === 0 ? 1 : 0;
  for (let i = len - 1; i >= 0; i--) {
    p.weight[at + i + 1] += (po * p.weight[at + i] * (i + 1)) / (len + 1);
    p.weight[at + i] = (pz * p.weight[at + i] * (len - i)) / (len + 1);
  }
}

/** UNWIND: removes entry `i` from the path of length `len` + 1 at `at` (its last index is `len`). */
function unwind(p: PathStore, at: number, len: number, i: number): void {
  const o = p.one[at + i];
  const z = p.zero[at + i];
  let n = p.weight[at + len];
  for (let j = len - 1; j >= 0; j--) {
    if (o !== 0) {
      const t = p.weight[at + j];
      p.weight[at + j] = (n * (len + 1)) / ((j + 1) * o);
      n = t - (p.weight[at + j] * z * (len - j)) / (len + 1);
    } else p.weight[at + j] = (p.weight[at + j] * (len + 1)) / (z * (len - j));
  }
  for (let j = i; j < len; j++) {
    p.feature[at + j] = p.feature[at + j + 1];
    p.zero[at + j] = p.zero[at + j + 1];
    p.one[at + j] = p.one[at + j + 1];
  }
}

/** The total weight of the path with entry `i` unwound, without changing the path. */
function unwoundSum(p: PathStore, at: number, len: number, i: number): number {
  const o = p.one[at + i];
  const z = p.zero[at + i];
  let total = 0;
  if (o !== 0) {
    let n = p.weight[at + len];
    for (let j = len - 1; j >= 0; j--) {
      const t = (n * (len + 1)) / ((j + 1) * o);
      total += t;
      n = p.weight[at + j] - (t * z * (len - j)) / (len + 1);
    }
  } else if (z !== 0) for (let j = len - 1; j >= 0; j--) total += (p.weight[at + j] * (len + 1)) / (z * (len - j));
  return total;
}

interface TreeWalk {
  tree: Tree;
  frac: Float64Array;
  nOut: number;
  nFeatures: number;
  x: Float64Array;
  xAt: number;
  /** Contributions, nOut x nFeatures, added into with `scale`. */
  phi: Float64Array;
  scale: number;
  path: PathStore;
}

function recurse(w: TreeWalk, node: number, depth: number, parentAt: number, len: number, pz: number, po: number, pi: number): void {
  const p = w.path;
  const at = depth * p.width;
  if (depth > 0) {
    p.feature.copyWithin(at, parentAt, parentAt + len);
    p.zero.copyWithin(at, parentAt, parentAt + len);
    p.one.copyWithin(at, parentAt, parentAt + len);
    p.weight.copyWithin(at, parentAt, parentAt + len);
  }
  extend(p, at, len, pz, po, pi);
  const { tree } = w;
  const split = tree.feature[node];
  if (split < 0) {
    // Entry 0 is the root's placeholder (feature -1); every other entry is a feature on the path.
    for (let i = 1; i <= len; i++) {
      const s = unwoundSum(p, at, len, i) * (p.one[at + i] - p.zero[at + i]) * w.scale;
      const f = p.feature[at + i];
      for (let c = 0; c < w.nOut; c++) w.phi[c * w.nFeatures + f] += s * tree.value[node * w.nOut + c];
    }
    return;
  }
  const goesLeft = w.x[w.xAt + split] <= tree.threshold[node];
  const left = tree.left[node];
  const hot = goesLeft ? left : left + 1;
  const cold = goesLeft ? left + 1 : left;
  const f = w.frac[node];
  const hotShare = goesLeft ? f : 1 - f;
  let iz = 1;
  let io = 1;
  let pathLen = len + 1;
  // A feature already on the path is taken out first: its fractions multiply into this split's.
  for (let k = 1; k < pathLen; k++) {
    if (p.feature[at + k] === split) {
      iz = p.zero[at + k];
      io = p.one[at + k];
      unwind(p, at, len, k);
      pathLen--;
      break;
    }
  }
  // A child no coalition reaches (no cover and not on the row's path) adds nothing; skipping it
  // also keeps UNWIND from dividing by its zero fractions.
  if (iz * hotShare !== 0 || io !== 0) recurse(w, hot, depth + 1, at, pathLen, iz * hotShare, io, split);
  if (iz * (1 - hotShare) !== 0) recurse(w, cold, depth + 1, at, pathLen, iz * (1 - hotShare), 0, split);
}

function treeDepth(tree: Tree): number {
  let max = 0;
  const stack = [0, 0];
  while (stack.length) {
    const d = stack.pop() as number;
    const n = stack.pop() as number;
    if (d > max) max = d;
    if (tree.feature[n] >= 0) stack.push(tree.left[n], d + 1, tree.left[n] + 1, d + 1);
  }
  return max;
}

export interface TreeShapResult {
  /** Per output, the forest's expected output under the covers. */
  base: Float64Array;
  /** Row-major nRows x nOut x nFeatures. */
  contributions: Float64Array;
  nOut: number;
}

/**
 * SHAP values of a forest's output (class probabilities, or the regression value) for each row of
 * X (row-major nRows x nFeatures): for every row and output, base + sum of contributions equals
 * the forest's prediction up to rounding.
 */
export function forestShap(model: ForestModel, fractions: LeftFractions, X: Float64Array, nRows: number): TreeShapResult {
  const nOut = outputsPerNode(model.task, model.nClasses);
  const nFeatures = model.nFeatures;
  const depth = Math.max(0, ...model.trees.map(treeDepth));
  const path = new PathStore(depth + 2);
  const contributions = new Float64Array(nRows * nOut * nFeatures);
  const scale = 1 / model.trees.length;
  for (let r = 0; r < nRows; r++) {
    const phi = contributions.subarray(r * nOut * nFeatures, (r + 1) * nOut * nFeatures);
    model.trees.forEach((tree, t) => {
      recurse({ tree, frac: fractions[t], nOut, nFeatures, x: X, xAt: r * nFeatures, phi, scale, path }, 0, 0, 0, 0, 1, 1, -1);
    });
  }
  return { base: forestBase(model, fractions), contributions, nOut };
}

/**
 * Grows one tree of the forest on the pre-binned training matrix. This is the hot loop; it runs
 * inside worker threads (forest-worker.ts) or on the calling thread when threads = 1, and its
 * result depends only on the data, the settings and the tree's index, never on which thread ran it.
 *
 * Split search is histogram based: for each candidate feature of a node, the node's samples are
 * accumulated into per-bin counts (class weights, or weight and weighted sum of the target), then
 * the bins are scanned left to right maximising sklearn's impurity proxy
 * sum(L²)/W_L + sum(R²)/W_R, which is Gini decrease for class weights and MSE decrease for sums.
 * Only bins a node actually touches are scanned and cleared, so small nodes near the leaves cost
 * O(samples) rather than O(256).
 *
 * Why no parent-minus-sibling histogram subtraction: each node draws its own random subset of
 * features (max_features), so a child's features are mostly ones its parent never histogrammed;
 * keeping full per-node histograms for subtraction would cost more than it saves at sqrt(p).
 */
import { createRng } from '../../rng.js';
import type { Tree, TreeSettings } from './types.js';
import { outputsPerNode } from './types.js';

/** The shared, read-only training data every tree is grown from. */
export interface TrainingData {
  /** Bin codes, column-major nCols * nRows. */
  codes: Uint8Array;
  /** Cut points per feature (threshold of a split at bin b is edges[f][b]). */
  edges: Float64Array[];
  nRows: number;
  nCols: number;
  /** Class index per row (classification) or target value (regression). */
  y: Int32Array | Float64Array;
  /** Per-row weight from class weights ('balanced' or given); undefined means 1. */
  rowWeight?: Float64Array;
  /** Reweight each tree's bootstrap sample to balanced classes (sklearn's 'balanced_subsample'). */
  balancedSubsample?: boolean;
}

export interface GrownTree {
  tree: Tree;
  /** Impurity importances of this tree, summing to 1; undefined for a single-leaf tree. */
  importances?: Float64Array;
  /** Rows left out of the bootstrap and the leaf each one lands in (for the out-of-bag score). */
  oobRows: Int32Array;
  oobLeaves: Int32Array;
}

const EPSILON = 2.220446049250313e-16;

function insertionSort(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/** Bootstrap counts (or all ones) and the per-row training weight for one tree. */
function sampleRows(data: TrainingData, s: TreeSettings, rng: ReturnType<typeof createRng>): { counts: Int32Array; weight: Float64Array } {
  const n = data.nRows;
  const counts = new Int32Array(n);
  if (s.bootstrap) for (let i = 0; i < n; i++) counts[rng.int(n)]++;
  else counts.fill(1);
  const weight = new Float64Array(n);
  let classScale: Float64Array | undefined;
  if (data.balancedSubsample && s.task === 'classification') {
    const perClass = new Float64Array(s.nClasses);
    for (let i = 0; i < n; i++) perClass[data.y[i]] += counts[i];
    let present = 0;
    for (let c = 0; c < s.nClasses; c++) if (perClass[c] > 0) present++;
    classScale = new Float64Array(s.nClasses);
    for (let c = 0; c < s.nClasses; c++) classScale[c] = perClass[c] > 0 ? n / (present * perClass[c]) : 0;
  }
  for (let i = 0; i < n; i++) {
    let w = counts[i];
    if (data.rowWeight) w *= data.rowWeight[i];
    if (classScale) w *= classScale[data.y[i]];
    weight[i] = w;
  }
  return { counts, weight };
}

export function growTree(data: TrainingData, s: TreeSettings, treeIndex: number): GrownTree {
  const { codes, edges, nRows: n, nCols, y } = data;
  const classification = s.task === 'classification';
  const k = s.nClasses;
  const nOut = outputsPerNode(s.task, k);
  const rng = createRng(s.seed).fork(treeIndex);
  const { counts, weight } = sampleRows(data, s, rng);

  // Samples in the tree: distinct in-bag rows with a positive weight (zero weights are dropped, as sklearn does).
  let m = 0;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) if (counts[i] > 0 && weight[i] > 0) idx[m++] = i;

  const cap = Math.max(1, 2 * m - 1);
  const feature = new Int32Array(cap).fill(-1);
  const threshold = new Float64Array(cap);
  const splitBin = new Int32Array(cap);
  const left = new Int32Array(cap).fill(-1);
  const value = new Float64Array(cap * nOut);
  const nodeWeight = new Float64Array(cap);
  const nodeImpurity = new Float64Array(cap);
  let nodeCount = 1;

  // Histogram of one feature: stride per bin = [count, w_0 … w_{k-1}] or [count, w, w*y].
  const stride = classification ? k + 1 : 3;
  const hist = new Float64Array(256 * stride);
  const touched = new Int32Array(256);
  const totals = new Float64Array(stride);
  const leftAcc = new Float64Array(stride);
  const features = new Int32Array(nCols);
  for (let f = 0; f < nCols; f++) features[f] = f;
  const maxDepth = s.maxDepth;
  const minLeaf = s.minSamplesLeaf;

  // Depth-first growth with an explicit stack of (node, start, end, depth).
  const stack: number[] = [0, 0, m, 0];
  while (stack.length) {
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    const node = stack.pop()!;
    const count = end - start;

    // Node statistics: totals, value, impurity.
    totals.fill(0);
    if (classification) {
      for (let p = start; p < end; p++) {
        const r = idx[p];
        totals[1 + (y[r] as number)] += weight[r];
      }
      let W = 0;
      for (let c = 0; c < k; c++) W += totals[1 + c];
      let sq = 0;
      for (let c = 0; c < k; c++) {
        const pc = totals[1 + c] / W;
        value[node * nOut + c] = pc;
        sq += pc * pc;
      }
      nodeWeight[node] = W;
      nodeImpurity[node] = 1 - sq;
    } else {
      let W = 0,
        sy = 0,
        syy = 0;
      for (let p = start; p < end; p++) {
        const r = idx[p];
        const w = weight[r];
        const v = y[r];
        W += w;
        sy += w * v;
        syy += w * v * v;
      }
      const mean = sy / W;
      totals[1] = W;
      totals[2] = sy;
      value[node] = mean;
      nodeWeight[node] = W;
      nodeImpurity[node] = Math.max(0, syy / W - mean * mean);
    }
    if (depth >= maxDepth || count < s.minSamplesSplit || count < 2 * minLeaf || nodeImpurity[node] <= EPSILON) continue;

    // Best split over up to maxFeatures non-constant features, drawn without replacement.
    let bestScore = -Infinity,
      bestFeature = -1,
      bestLo = 0,
      bestHi = 0;
    let found = 0;
    for (let i = 0; i < nCols && found < s.maxFeatures; i++) {
      const j = i + rng.int(nCols - i);
      const f = features[j];
      features[j] = features[i];
      features[i] = f;
      const col = f * n;
      let nTouched = 0;
      let minBin = 255,
        maxBin = 0;
      if (classification) {
        for (let p = start; p < end; p++) {
          const r = idx[p];
          const b = codes[col + r];
          const o = b * stride;
          if (hist[o] === 0) {
            touched[nTouched++] = b;
            if (b < minBin) minBin = b;
            if (b > maxBin) maxBin = b;
          }
          hist[o] += 1;
          hist[o + 1 + (y[r] as number)] += weight[r];
        }
      } else {
        for (let p = start; p < end; p++) {
          const r = idx[p];
          const b = codes[col + r];
          const o = b * stride;
          if (hist[o] === 0) {
            touched[nTouched++] = b;
            if (b < minBin) minBin = b;
            if (b > maxBin) maxBin = b;
          }
          const w = weight[r];
          hist[o] += 1;
          hist[o + 1] += w;
          hist[o + 2] += w * y[r];
        }
      }
      if (nTouched > 1) {
        found++;
        // Visit the touched bins in ascending order: sort a short list, or walk the range.
        const sorted = nTouched * 4 < maxBin - minBin;
        if (sorted) insertionSort(touched, nTouched);
        leftAcc.fill(0);
        let seen = 0;
        let prev = -1;
        let b = sorted ? touched[0] : minBin;
        for (;;) {
          const o = b * stride;
          if (prev >= 0) {
            // Candidate split between bin `prev` (last non-empty on the left) and `b`.
            const nl = leftAcc[0];
            const nr = count - nl;
            if (nl >= minLeaf && nr >= minLeaf) {
              let score: number;
              if (classification) {
                let wl = 0,
                  wr = 0,
                  sl = 0,
                  sr = 0;
                for (let c = 1; c <= k; c++) {
                  const l = leftAcc[c];
                  const rr = totals[c] - l;
                  wl += l;
                  wr += rr;
                  sl += l * l;
                  sr += rr * rr;
                }
                score = wl > 0 && wr > 0 ? sl / wl + sr / wr : -Infinity;
              } else {
                const wl = leftAcc[1];
                const wr = totals[1] - wl;
                const yl = leftAcc[2];
                const yr = totals[2] - yl;
                score = wl > 0 && wr > 0 ? (yl * yl) / wl + (yr * yr) / wr : -Infinity;
              }
              if (score > bestScore) {
                bestScore = score;
                bestFeature = f;
                bestLo = prev;
                bestHi = b;
              }
            }
          }
          for (let q = 0; q < stride; q++) leftAcc[q] += hist[o + q];
          for (let q = 0; q < stride; q++) hist[o + q] = 0;
          prev = b;
          seen++;
          if (seen === nTouched) break;
          if (sorted) b = touched[seen];
          else {
            b++;
            while (hist[b * stride] === 0) b++;
          }
        }
      } else {
        for (let t = 0; t < nTouched; t++) hist.fill(0, touched[t] * stride, touched[t] * stride + stride);
      }
    }
    if (bestFeature < 0) continue;

    // Put the threshold in the middle of the empty bins between the two sides (sklearn uses the midpoint of the gap).
    const cut = (bestLo + bestHi - 1) >> 1;
    const col = bestFeature * n;
    let lo = start,
      hi = end - 1;
    while (lo <= hi) {
      if (codes[col + idx[lo]] <= cut) lo++;
      else {
        const t = idx[lo];
        idx[lo] = idx[hi];
        idx[hi] = t;
        hi--;
      }
    }
    const l = nodeCount;
    nodeCount += 2;
    feature[node] = bestFeature;
    splitBin[node] = cut;
    threshold[node] = edges[bestFeature][cut];
    left[node] = l;
    stack.push(l + 1, lo, end, depth + 1, l, start, lo, depth + 1);
  }

  const tree: Tree = {
    feature: feature.slice(0, nodeCount),
    threshold: threshold.slice(0, nodeCount),
    left: left.slice(0, nodeCount),
    value: value.slice(0, nodeCount * nOut),
  };
  return { tree, importances: treeImportances(tree, nodeWeight, nodeImpurity, nCols), ...outOfBag(data, counts, tree, splitBin) };
}

/** sklearn's Tree.compute_feature_importances: weighted impurity decrease per feature, normalised. */
function treeImportances(tree: Tree, w: Float64Array, imp: Float64Array, nCols: number): Float64Array | undefined {
  if (tree.feature.length <= 1) return undefined;
  const out = new Float64Array(nCols);
  for (let node = 0; node < tree.feature.length; node++) {
    const f = tree.feature[node];
    if (f < 0) continue;
    const l = tree.left[node];
    out[f] += w[node] * imp[node] - w[l] * imp[l] - w[l + 1] * imp[l + 1];
  }
  let sum = 0;
  for (let f = 0; f < nCols; f++) sum += out[f] / w[0];
  if (sum > 0) for (let f = 0; f < nCols; f++) out[f] = out[f] / w[0] / sum;
  return out;
}

/** Leaves reached by the rows this tree never saw, walking the binned codes. */
function outOfBag(data: TrainingData, counts: Int32Array, tree: Tree, splitBin: Int32Array): { oobRows: Int32Array; oobLeaves: Int32Array } {
  let nOob = 0;
  for (let i = 0; i < data.nRows; i++) if (counts[i] === 0) nOob++;
  const oobRows = new Int32Array(nOob);
  const oobLeaves = new Int32Array(nOob);
  let o = 0;
  for (let i = 0; i < data.nRows; i++) {
    if (counts[i] !== 0) continue;
    let node = 0;
    while (tree.feature[node] >= 0) {
      node = data.codes[tree.feature[node] * data.nRows + i] <= splitBin[node] ? tree.left[node] : tree.left[node] + 1;
    }
    oobRows[o] = i;
    oobLeaves[o++] = node;
  }
  return { oobRows, oobLeaves };
}

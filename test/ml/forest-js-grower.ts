/**
 * The test oracle of the forest's compiled tree grower (src/ml/forest/wasm/grow.ts): the JavaScript
 * grower that medpipe used until the forest's trees were grown in WebAssembly, kept unchanged
 * (only moved here) because its trees are the ones the committed models, metrics and lock files
 * were made with, so the parity tests compare the module against the code that made those bytes.
 * Not used in production: one implementation grows production trees, and this copy is not kept
 * fast or warm for that.
 *
 * What it does, as it said when it was the production grower:
 *
 * Grows the trees of the forest on the pre-binned training matrix. A tree depends only on the
 * data, the settings and the tree's index, never on which thread grew it or what it grew before.
 *
 * Split search is histogram based: for each candidate feature of a node, the node's samples are
 * accumulated into per-bin counts (class weights, or weight and weighted sum of the target), then
 * the bins are scanned left to right maximising sklearn's impurity proxy
 * sum(L²)/W_L + sum(R²)/W_R, which is Gini decrease for class weights and MSE decrease for sums.
 * Only bins a node actually touches are scanned and cleared, and only the classes present in the
 * node are summed, so small nodes near the leaves cost O(samples + touched bins × classes present)
 * rather than O(256 × classes).
 *
 * Why a class of small methods rather than one function: V8 optimises a small method after a few
 * calls, and each of these is called once per node or per candidate feature, so they are
 * optimised within the first tree. One large function ran interpreted, was optimised on-stack,
 * deoptimised and recompiled over the first four trees (~30 ms each on digits, against ~1.5 ms
 * once optimised), and a cold fit is what a pipeline step pays. The scratch arrays live on the
 * grower and are reused tree after tree, so a fit allocates them once per thread.
 *
 * Why no parent-minus-sibling histogram subtraction: each node draws its own random subset of
 * features (max_features), so a child's features are mostly ones its parent never histogrammed;
 * keeping full per-node histograms for subtraction would cost more than it saves at sqrt(p).
 */
import { createRng } from '../../src/rng.js';
import type { Rng } from '../../src/rng.js';
import type { GrownTree, Tree, TrainingData, TreeSettings } from '../../src/ml/forest/types.js';
import { outputsPerNode } from '../../src/ml/forest/types.js';

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

export class TreeGrower {
  private readonly data: TrainingData;
  private readonly s: TreeSettings;
  private readonly classification: boolean;
  private readonly k: number;
  private readonly nOut: number;
  /** Per bin: [count, w_0 … w_{k-1}] (classification) or [count, w, w*y] (regression). */
  private readonly stride: number;
  /**
   * Int32 when every training weight is a whole number (classification without class weights:
   * the weights are bootstrap counts), else Float64. Sums of whole numbers are exact either way,
   * so the scan sees the same values; integer adds are shorter dependency chains when consecutive
   * samples land in the same bin.
   */
  private readonly hist: Float64Array | Int32Array;
  private readonly integral: boolean;
  private readonly touched = new Int32Array(256);
  private readonly totals: Float64Array;
  private readonly leftAcc: Float64Array;
  private readonly features: Int32Array;
  /**
   * The current node's classes (as histogram offsets 1 + c, ascending): the split scan sums over
   * these only. An absent class would add exact zeros to every sum, so skipping it changes no bit
   * of a score, and deep nodes, with two or three of digits' ten classes, cost a fraction.
   */
  private readonly present: Int32Array;
  private nPresent = 0;
  // Per tree, reused: bootstrap counts, training weights, the in-tree rows (partitioned per node).
  private readonly counts: Int32Array;
  private readonly weight: Float64Array;
  private readonly idx: Int32Array;
  // Node tables sized for the largest possible tree (2n - 1 nodes); leaves keep feature and left -1, threshold 0.
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly splitBin: Int32Array;
  private readonly left: Int32Array;
  private readonly value: Float64Array;
  private readonly nodeWeight: Float64Array;
  private readonly nodeImpurity: Float64Array;
  // Results of histogram() and the best split so far of the current node.
  private minBin = 0;
  private maxBin = 0;
  private bestScore = -Infinity;
  private bestFeature = -1;
  private bestLo = 0;
  private bestHi = 0;

  constructor(data: TrainingData, s: TreeSettings) {
    this.data = data;
    this.s = s;
    this.classification = s.task === 'classification';
    this.k = s.nClasses;
    this.nOut = outputsPerNode(s.task, s.nClasses);
    this.stride = this.classification ? this.k + 1 : 3;
    this.integral = this.classification && !data.rowWeight && !data.balancedSubsample;
    this.hist = this.integral ? new Int32Array(256 * this.stride) : new Float64Array(256 * this.stride);
    this.totals = new Float64Array(this.stride);
    this.leftAcc = new Float64Array(this.stride);
    this.features = new Int32Array(data.nCols);
    this.present = new Int32Array(this.k);
    const n = data.nRows;
    this.counts = new Int32Array(n);
    this.weight = new Float64Array(n);
    this.idx = new Int32Array(n);
    const cap = Math.max(1, 2 * n - 1);
    this.feature = new Int32Array(cap).fill(-1);
    this.threshold = new Float64Array(cap);
    this.splitBin = new Int32Array(cap);
    this.left = new Int32Array(cap).fill(-1);
    this.value = new Float64Array(cap * this.nOut);
    this.nodeWeight = new Float64Array(cap);
    this.nodeImpurity = new Float64Array(cap);
  }

  grow(treeIndex: number): GrownTree {
    const { s, data, feature, threshold, splitBin, left, idx, nodeImpurity } = this;
    const { nCols, nRows: n, codes, edges } = data;
    const rng = createRng(s.seed).fork(treeIndex);
    this.sampleRows(rng);
    // Samples in the tree: distinct in-bag rows with a positive weight (zero weights are dropped, as sklearn does).
    let m = 0;
    for (let i = 0; i < n; i++) if (this.counts[i] > 0 && this.weight[i] > 0) idx[m++] = i;
    const features = this.features;
    for (let f = 0; f < nCols; f++) features[f] = f;
    const maxDepth = s.maxDepth;
    const minLeaf = s.minSamplesLeaf;
    let nodeCount = 1;

    // Depth-first growth with an explicit stack of (node, start, end, depth).
    const stack: number[] = [0, 0, m, 0];
    while (stack.length) {
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const node = stack.pop()!;
      const count = end - start;
      if (this.classification) this.classStats(node, start, end);
      else this.regressionStats(node, start, end);
      if (depth >= maxDepth || count < s.minSamplesSplit || count < 2 * minLeaf || nodeImpurity[node] <= EPSILON) continue;

      // Best split over up to maxFeatures non-constant features, drawn without replacement.
      this.bestScore = -Infinity;
      this.bestFeature = -1;
      let found = 0;
      for (let i = 0; i < nCols && found < s.maxFeatures; i++) {
        const j = i + rng.int(nCols - i);
        const f = features[j];
        features[j] = features[i];
        features[i] = f;
        const nTouched = !this.classification
          ? this.regressionHistogram(f * n, start, end)
          : this.integral
            ? this.countHistogram(f * n, start, end)
            : this.classHistogram(f * n, start, end);
        if (nTouched > 1) {
          found++;
          if (this.classification) this.scanClass(f, nTouched, count);
          else this.scanRegression(f, nTouched, count);
        } else this.clearTouched(nTouched);
      }
      const bestFeature = this.bestFeature;
      if (bestFeature < 0) continue;

      // Put the threshold in the middle of the empty bins between the two sides (sklearn uses the midpoint of the gap).
      const cut = (this.bestLo + this.bestHi - 1) >> 1;
      const mid = this.partition(bestFeature * n, cut, start, end);
      const l = nodeCount;
      nodeCount += 2;
      feature[node] = bestFeature;
      splitBin[node] = cut;
      threshold[node] = edges[bestFeature][cut];
      left[node] = l;
      stack.push(l + 1, mid, end, depth + 1, l, start, mid, depth + 1);
    }

    const tree: Tree = {
      feature: feature.slice(0, nodeCount),
      threshold: threshold.slice(0, nodeCount),
      left: left.slice(0, nodeCount),
      value: this.value.slice(0, nodeCount * this.nOut),
    };
    const importances = treeImportances(tree, this.nodeWeight, nodeImpurity, nCols);
    // Timed for FitTimings only (a pair of clock reads per tree, against ~1 ms of work); nothing depends on it.
    const oobStart = performance.now();
    const oob = outOfBag(codes, n, this.counts, tree, splitBin);
    const oobWalkMs = performance.now() - oobStart;
    feature.fill(-1, 0, nodeCount);
    left.fill(-1, 0, nodeCount);
    threshold.fill(0, 0, nodeCount);
    return { tree, importances, ...oob, oobWalkMs };
  }

  /** Bootstrap counts (or all ones) and the per-row training weight for one tree. */
  private sampleRows(rng: Rng): void {
    const { data, s, counts, weight } = this;
    const n = data.nRows;
    const y = data.y;
    if (s.bootstrap) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[rng.int(n)]++;
    } else counts.fill(1);
    let classScale: Float64Array | undefined;
    if (data.balancedSubsample && this.classification) {
      const perClass = new Float64Array(s.nClasses);
      for (let i = 0; i < n; i++) perClass[y[i]] += counts[i];
      let present = 0;
      for (let c = 0; c < s.nClasses; c++) if (perClass[c] > 0) present++;
      classScale = new Float64Array(s.nClasses);
      for (let c = 0; c < s.nClasses; c++) classScale[c] = perClass[c] > 0 ? n / (present * perClass[c]) : 0;
    }
    const rowWeight = data.rowWeight;
    for (let i = 0; i < n; i++) {
      let w = counts[i];
      if (rowWeight) w *= rowWeight[i];
      if (classScale) w *= classScale[y[i]];
      weight[i] = w;
    }
  }

  /** Class weights of the node's samples: its value (class frequencies), weight and Gini impurity. */
  private classStats(node: number, start: number, end: number): void {
    const { idx, weight, totals, value, k, nOut } = this;
    const y = this.data.y as Int32Array;
    totals.fill(0);
    for (let p = start; p < end; p++) {
      const r = idx[p];
      totals[1 + y[r]] += weight[r];
    }
    let W = 0;
    for (let c = 0; c < k; c++) W += totals[1 + c];
    let sq = 0;
    const present = this.present;
    let nPresent = 0;
    for (let c = 0; c < k; c++) {
      const pc = totals[1 + c] / W;
      value[node * nOut + c] = pc;
      sq += pc * pc;
      if (totals[1 + c] > 0) present[nPresent++] = 1 + c;
    }
    this.nPresent = nPresent;
    this.nodeWeight[node] = W;
    this.nodeImpurity[node] = 1 - sq;
  }

  /** Weight, weighted target sum and variance of the node's samples; its value is the weighted mean. */
  private regressionStats(node: number, start: number, end: number): void {
    const { idx, weight, totals } = this;
    const y = this.data.y as Float64Array;
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
    totals[0] = 0;
    totals[1] = W;
    totals[2] = sy;
    this.value[node] = mean;
    this.nodeWeight[node] = W;
    this.nodeImpurity[node] = Math.max(0, syy / W - mean * mean);
  }

  /** Accumulates the node's samples of the column starting at `col`; returns the number of bins touched. */
  private classHistogram(col: number, start: number, end: number): number {
    const { idx, weight, touched, stride } = this;
    const hist = this.hist as Float64Array;
    const codes = this.data.codes;
    const y = this.data.y as Int32Array;
    let nTouched = 0;
    let minBin = 255,
      maxBin = 0;
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
      hist[o + 1 + y[r]] += weight[r];
    }
    this.minBin = minBin;
    this.maxBin = maxBin;
    return nTouched;
  }

  /**
   * classHistogram for whole-number weights: the bootstrap counts, added as integers. Written out
   * again rather than shared with a type parameter on purpose: each copy of this hot loop reads
   * one array type (Int32Array here, Float64Array there), which V8 keeps monomorphic.
   */
  private countHistogram(col: number, start: number, end: number): number {
    const { idx, counts, touched, stride } = this;
    const hist = this.hist as Int32Array;
    const codes = this.data.codes;
    const y = this.data.y as Int32Array;
    let nTouched = 0;
    let minBin = 255,
      maxBin = 0;
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
      hist[o + 1 + y[r]] += counts[r];
    }
    this.minBin = minBin;
    this.maxBin = maxBin;
    return nTouched;
  }

  private regressionHistogram(col: number, start: number, end: number): number {
    const { idx, weight, touched } = this;
    const hist = this.hist as Float64Array;
    const codes = this.data.codes;
    const y = this.data.y as Float64Array;
    let nTouched = 0;
    let minBin = 255,
      maxBin = 0;
    for (let p = start; p < end; p++) {
      const r = idx[p];
      const b = codes[col + r];
      const o = b * 3;
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
    this.minBin = minBin;
    this.maxBin = maxBin;
    return nTouched;
  }

  /** Zeroes the bins a histogram touched (when it was not scanned, which zeroes as it goes). */
  private clearTouched(nTouched: number): void {
    const { hist, touched, stride } = this;
    for (let t = 0; t < nTouched; t++) hist.fill(0, touched[t] * stride, touched[t] * stride + stride);
  }

  /**
   * Visits the touched bins in ascending order (sorting a short list, or walking the range),
   * adding each to the left side and zeroing it, and calls `score` for the split before each bin
   * after the first. Returns nothing; the best split is kept on the grower.
   */
  private scanClass(f: number, nTouched: number, count: number): void {
    const { hist, touched, stride, leftAcc, totals, present, nPresent } = this;
    const minLeaf = this.s.minSamplesLeaf;
    const sorted = nTouched * 4 < this.maxBin - this.minBin;
    if (sorted) insertionSort(touched, nTouched);
    leftAcc[0] = 0;
    for (let j = 0; j < nPresent; j++) leftAcc[present[j]] = 0;
    let seen = 0;
    let prev = -1;
    let b = sorted ? touched[0] : this.minBin;
    for (;;) {
      const o = b * stride;
      if (prev >= 0) {
        // Candidate split between bin `prev` (last non-empty on the left) and `b`.
        const nl = leftAcc[0];
        const nr = count - nl;
        if (nl >= minLeaf && nr >= minLeaf) {
          let wl = 0,
            wr = 0,
            sl = 0,
            sr = 0;
          for (let j = 0; j < nPresent; j++) {
            const c = present[j];
            const l = leftAcc[c];
            const rr = totals[c] - l;
            wl += l;
            wr += rr;
            sl += l * l;
            sr += rr * rr;
          }
          const score = wl > 0 && wr > 0 ? sl / wl + sr / wr : -Infinity;
          if (score > this.bestScore) {
            this.bestScore = score;
            this.bestFeature = f;
            this.bestLo = prev;
            this.bestHi = b;
          }
        }
      }
      leftAcc[0] += hist[o];
      hist[o] = 0;
      for (let j = 0; j < nPresent; j++) {
        const q = o + present[j];
        leftAcc[present[j]] += hist[q];
        hist[q] = 0;
      }
      prev = b;
      seen++;
      if (seen === nTouched) break;
      if (sorted) b = touched[seen];
      else {
        b++;
        while (hist[b * stride] === 0) b++;
      }
    }
  }

  private scanRegression(f: number, nTouched: number, count: number): void {
    const { hist, touched, leftAcc, totals } = this;
    const minLeaf = this.s.minSamplesLeaf;
    const sorted = nTouched * 4 < this.maxBin - this.minBin;
    if (sorted) insertionSort(touched, nTouched);
    leftAcc[0] = 0;
    leftAcc[1] = 0;
    leftAcc[2] = 0;
    let seen = 0;
    let prev = -1;
    let b = sorted ? touched[0] : this.minBin;
    for (;;) {
      const o = b * 3;
      if (prev >= 0) {
        const nl = leftAcc[0];
        const nr = count - nl;
        if (nl >= minLeaf && nr >= minLeaf) {
          const wl = leftAcc[1];
          const wr = totals[1] - wl;
          const yl = leftAcc[2];
          const yr = totals[2] - yl;
          const score = wl > 0 && wr > 0 ? (yl * yl) / wl + (yr * yr) / wr : -Infinity;
          if (score > this.bestScore) {
            this.bestScore = score;
            this.bestFeature = f;
            this.bestLo = prev;
            this.bestHi = b;
          }
        }
      }
      leftAcc[0] += hist[o];
      leftAcc[1] += hist[o + 1];
      leftAcc[2] += hist[o + 2];
      hist[o] = 0;
      hist[o + 1] = 0;
      hist[o + 2] = 0;
      prev = b;
      seen++;
      if (seen === nTouched) break;
      if (sorted) b = touched[seen];
      else {
        b++;
        while (hist[b * 3] === 0) b++;
      }
    }
  }

  /** Moves the node's rows with code <= cut to the front of idx[start, end); returns where the right side starts. */
  private partition(col: number, cut: number, start: number, end: number): number {
    const { idx } = this;
    const codes = this.data.codes;
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
    return lo;
  }
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
function outOfBag(codes: Uint8Array, nRows: number, counts: Int32Array, tree: Tree, splitBin: Int32Array): { oobRows: Int32Array; oobLeaves: Int32Array } {
  let nOob = 0;
  for (let i = 0; i < nRows; i++) if (counts[i] === 0) nOob++;
  const oobRows = new Int32Array(nOob);
  const oobLeaves = new Int32Array(nOob);
  const { feature, left } = tree;
  let o = 0;
  for (let i = 0; i < nRows; i++) {
    if (counts[i] !== 0) continue;
    let node = 0;
    while (feature[node] >= 0) {
      node = codes[feature[node] * nRows + i] <= splitBin[node] ? left[node] : left[node] + 1;
    }
    oobRows[o] = i;
    oobLeaves[o++] = node;
  }
  return { oobRows, oobLeaves };
}

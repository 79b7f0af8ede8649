/**
 * AssemblyScript: grows one tree of the random forest per call (the bootstrap, the per-node random
 * feature draws, the histogram split search, the partition, the impurity importances) and walks
 * the out-of-bag rows down it. Why compiled ahead of time: the same loops in JavaScript ran as
 * interpreted and baseline code for a process's first trees while V8 compiled them (digits: 171 ms
 * of growing cold against 123 ms warm), and a pipeline step's fit is usually its process's first.
 *
 * Bit for bit what the JavaScript grower that made medpipe's committed models did
 * (test/ml/forest-js-grower.ts keeps it, as the oracle of the parity tests): the same generator
 * (xoshiro128** seeded through splitmix32, src/rng.ts, `createRng(seed).fork(tree)`), the same
 * draws in the same order, and every floating point sum in the same order: node totals over the
 * node's rows in partition order, class sums over the classes present only, bins left to right.
 * One deliberate difference: a node without weight holds zeros where that grower made NaN (0 / 0).
 *
 * Built by `npm run build:wasm` into dist/src/ml/forest/forest-grower.wasm; loaded by
 * ../wasm-grower.ts, which lays out every array in this module's memory and writes their addresses
 * into a configuration block of f64 slots (C_* below, mirrored there). This module allocates
 * nothing. Not part of the tsc build (its types and load/store are AssemblyScript's).
 */

// --- configuration block (f64 slots), mirrored in ../wasm-grower.ts ---
const C_ROWS = 0, C_COLS = 1, C_CLASSES = 2, C_CLASSIFICATION = 3, C_INTEGRAL = 4, C_BALANCED_SUBSAMPLE = 5;
const C_BOOTSTRAP = 6, C_MAX_DEPTH = 7, C_MIN_SPLIT = 8, C_MIN_LEAF = 9, C_MAX_FEATURES = 10, C_SEED_BASE = 11;
const C_CODES = 12, C_EDGES = 13, C_EDGE_START = 14, C_Y = 15, C_ROW_WEIGHT = 16, C_COUNTS = 17, C_WEIGHT = 18;
const C_IDX = 19, C_FEATURES = 20, C_HIST = 21, C_TOUCHED = 22, C_TOTALS = 23, C_LEFT_ACC = 24, C_PRESENT = 25;
const C_FEATURE = 26, C_THRESHOLD = 27, C_SPLIT_BIN = 28, C_LEFT = 29, C_VALUE = 30, C_NODE_WEIGHT = 31;
const C_NODE_IMPURITY = 32, C_STACK = 33, C_CLASS_SCALE = 34, C_IMPORTANCES = 35, C_OOB_ROWS = 36, C_OOB_LEAVES = 37;

const EPSILON: f64 = 2.220446049250313e-16;

let n: i32 = 0, nCols: i32 = 0, k: i32 = 0, stride: i32 = 0;
let classification = false, integral = false, balancedSubsample = false, bootstrap = false;
let maxDepth: i32 = 0, minSplit: i32 = 0, minLeaf: i32 = 0, maxFeatures: i32 = 0;
let seedBase: u32 = 0;
// Addresses of the arrays the JavaScript side laid out (see wasm-grower.ts for their sizes).
let codes: usize = 0, edges: usize = 0, edgeStart: usize = 0, y: usize = 0, rowWeight: usize = 0;
let counts: usize = 0, weight: usize = 0, idx: usize = 0, features: usize = 0, hist: usize = 0, touched: usize = 0;
let totals: usize = 0, leftAcc: usize = 0, present: usize = 0, classScale: usize = 0, stack: usize = 0;
let feature: usize = 0, threshold: usize = 0, splitBin: usize = 0, left: usize = 0, value: usize = 0;
let nodeWeight: usize = 0, nodeImpurity: usize = 0, importances: usize = 0, oobRows: usize = 0, oobLeaves: usize = 0;

// Per node: the classes present (as histogram offsets 1 + c), the touched bin range, the best split so far.
let nPresent: i32 = 0, minBin: i32 = 0, maxBin: i32 = 0;
let bestScore: f64 = 0, bestFeature: i32 = -1, bestLo: i32 = 0, bestHi: i32 = 0;

// xoshiro128** state.
let s0: u32 = 0, s1: u32 = 0, s2: u32 = 0, s3: u32 = 0;

@inline function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function setI32(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
/** Bin code of row r in the column starting at `col` (col = feature * n, as an address offset). */
@inline function code(col: usize, r: i32): i32 {
  return <i32>load<u8>(codes + col + <usize>r);
}
@inline function cfgF(at: usize, slot: i32): f64 {
  return load<f64>(at + (<usize>slot << 3));
}
@inline function cfgI(at: usize, slot: i32): i32 {
  return <i32>cfgF(at, slot);
}
@inline function cfgP(at: usize, slot: i32): usize {
  return <usize>cfgF(at, slot);
}

export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Reads the settings and array addresses of one fit from the configuration block at `at`. */
export function configure(at: usize): void {
  n = cfgI(at, C_ROWS);
  nCols = cfgI(at, C_COLS);
  k = cfgI(at, C_CLASSES);
  classification = cfgI(at, C_CLASSIFICATION) != 0;
  integral = cfgI(at, C_INTEGRAL) != 0;
  balancedSubsample = cfgI(at, C_BALANCED_SUBSAMPLE) != 0;
  bootstrap = cfgI(at, C_BOOTSTRAP) != 0;
  stride = classification ? k + 1 : 3;
  maxDepth = cfgI(at, C_MAX_DEPTH);
  minSplit = cfgI(at, C_MIN_SPLIT);
  minLeaf = cfgI(at, C_MIN_LEAF);
  maxFeatures = cfgI(at, C_MAX_FEATURES);
  seedBase = <u32>cfgF(at, C_SEED_BASE);
  codes = cfgP(at, C_CODES);
  edges = cfgP(at, C_EDGES);
  edgeStart = cfgP(at, C_EDGE_START);
  y = cfgP(at, C_Y);
  rowWeight = cfgP(at, C_ROW_WEIGHT);
  counts = cfgP(at, C_COUNTS);
  weight = cfgP(at, C_WEIGHT);
  idx = cfgP(at, C_IDX);
  features = cfgP(at, C_FEATURES);
  hist = cfgP(at, C_HIST);
  touched = cfgP(at, C_TOUCHED);
  totals = cfgP(at, C_TOTALS);
  leftAcc = cfgP(at, C_LEFT_ACC);
  present = cfgP(at, C_PRESENT);
  feature = cfgP(at, C_FEATURE);
  threshold = cfgP(at, C_THRESHOLD);
  splitBin = cfgP(at, C_SPLIT_BIN);
  left = cfgP(at, C_LEFT);
  value = cfgP(at, C_VALUE);
  nodeWeight = cfgP(at, C_NODE_WEIGHT);
  nodeImpurity = cfgP(at, C_NODE_IMPURITY);
  stack = cfgP(at, C_STACK);
  classScale = cfgP(at, C_CLASS_SCALE);
  importances = cfgP(at, C_IMPORTANCES);
  oobRows = cfgP(at, C_OOB_ROWS);
  oobLeaves = cfgP(at, C_OOB_LEAVES);
}

// --- the generator: src/rng.ts's createRng(seed).fork(label), operation for operation ---

@inline function rotl(x: u32, r: u32): u32 {
  return (x << r) | (x >>> (32 - r));
}

/** createRng(seed) for a seed that is already a 32-bit unsigned integer (as every fork's is). */
function seedRng(seed: u32): void {
  let sm = seed;
  sm += 0x9e3779b9;
  s0 = mix32(sm);
  sm += 0x9e3779b9;
  s1 = mix32(sm);
  sm += 0x9e3779b9;
  s2 = mix32(sm);
  sm += 0x9e3779b9;
  s3 = mix32(sm);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

/** splitmix32's output function. */
@inline function mix32(s: u32): u32 {
  let z = s;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

@inline function nextU32(): u32 {
  const b = s1;
  const result = rotl(b * 5, 7) * 9;
  const t = b << 9;
  s2 ^= s0;
  s3 ^= b;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

/** rng.int(m): Math.floor((nextU32() / 2^32) * m), in f64 as JavaScript computes it. */
@inline function randInt(m: i32): i32 {
  return <i32>Math.floor((<f64>nextU32() / 4294967296.0) * <f64>m);
}

// --- one tree ---

/** Bootstrap counts (or all ones) and the per-row training weight for one tree. */
function sampleRows(): void {
  if (bootstrap) {
    memory.fill(counts, 0, <usize>n << 2);
    for (let i = 0; i < n; i++) {
      const r = randInt(n);
      setI32(counts, r, i32At(counts, r) + 1);
    }
  } else for (let i = 0; i < n; i++) setI32(counts, i, 1);
  const scaled = balancedSubsample && classification;
  if (scaled) {
    // Per class in-bag count, then, in place, n / (classes present * count): sklearn's 'balanced_subsample'.
    memory.fill(classScale, 0, <usize>k << 3);
    for (let i = 0; i < n; i++) {
      const c = i32At(y, i);
      setF64(classScale, c, f64At(classScale, c) + <f64>i32At(counts, i));
    }
    let nClassesIn = 0;
    for (let c = 0; c < k; c++) if (f64At(classScale, c) > 0) nClassesIn++;
    for (let c = 0; c < k; c++) {
      const per = f64At(classScale, c);
      setF64(classScale, c, per > 0 ? <f64>n / (<f64>nClassesIn * per) : 0);
    }
  }
  for (let i = 0; i < n; i++) {
    let w = <f64>i32At(counts, i);
    if (rowWeight != 0) w *= f64At(rowWeight, i);
    if (scaled) w *= f64At(classScale, i32At(y, i));
    setF64(weight, i, w);
  }
}

/** Class weights of the node's samples: its value (class frequencies), weight and Gini impurity. */
function classStats(node: i32, start: i32, end: i32): void {
  memory.fill(totals, 0, <usize>stride << 3);
  for (let p = start; p < end; p++) {
    const r = i32At(idx, p);
    const o = 1 + i32At(y, r);
    setF64(totals, o, f64At(totals, o) + f64At(weight, r));
  }
  let W: f64 = 0;
  for (let c = 0; c < k; c++) W += f64At(totals, 1 + c);
  let sq: f64 = 0;
  let np = 0;
  const base = node * k;
  for (let c = 0; c < k; c++) {
    const tc = f64At(totals, 1 + c);
    // A node without weight (a bootstrap that drew only rows weighted 0) holds zeros, as
    // scikit-learn's does, not 0 / 0: NaN would reach every prediction through this tree.
    const pc = W > 0 ? tc / W : 0;
    setF64(value, base + c, pc);
    sq += pc * pc;
    if (tc > 0) setI32(present, np++, 1 + c);
  }
  nPresent = np;
  setF64(nodeWeight, node, W);
  setF64(nodeImpurity, node, 1 - sq);
}

/** Weight, weighted target sum and variance of the node's samples; its value is the weighted mean. */
function regressionStats(node: i32, start: i32, end: i32): void {
  let W: f64 = 0,
    sy: f64 = 0,
    syy: f64 = 0;
  for (let p = start; p < end; p++) {
    const r = i32At(idx, p);
    const w = f64At(weight, r);
    const v = f64At(y, r);
    W += w;
    sy += w * v;
    syy += w * v * v;
  }
  const mean = sy / W;
  setF64(totals, 0, 0);
  setF64(totals, 1, W);
  setF64(totals, 2, sy);
  setF64(value, node, mean);
  setF64(nodeWeight, node, W);
  setF64(nodeImpurity, node, Math.max(0, syy / W - mean * mean));
}

/**
 * Accumulates the node's samples of the column at `col` into per-bin [count, class weights]:
 * whole-number bootstrap counts in an i32 histogram (T = i32), any weights in an f64 one. Sums of
 * whole numbers are exact either way, so the scan sees the same values. Returns the bins touched.
 */
function classHistogram<T>(col: usize, start: i32, end: i32): i32 {
  let nTouched = 0;
  let lo = 255,
    hi = 0;
  for (let p = start; p < end; p++) {
    const r = i32At(idx, p);
    const b = code(col, r);
    const o = hist + ((<usize>(b * stride)) << alignof<T>());
    if (load<T>(o) == 0) {
      setI32(touched, nTouched++, b);
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    store<T>(o, load<T>(o) + <T>1);
    const q = o + ((<usize>(1 + i32At(y, r))) << alignof<T>());
    if (isInteger<T>()) store<T>(q, load<T>(q) + <T>i32At(counts, r));
    else store<T>(q, load<T>(q) + <T>f64At(weight, r));
  }
  minBin = lo;
  maxBin = hi;
  return nTouched;
}

function regressionHistogram(col: usize, start: i32, end: i32): i32 {
  let nTouched = 0;
  let lo = 255,
    hi = 0;
  for (let p = start; p < end; p++) {
    const r = i32At(idx, p);
    const b = code(col, r);
    const o = hist + (<usize>(b * 3) << 3);
    if (load<f64>(o) == 0) {
      setI32(touched, nTouched++, b);
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    const w = f64At(weight, r);
    store<f64>(o, load<f64>(o) + 1);
    store<f64>(o, load<f64>(o, 8) + w, 8);
    store<f64>(o, load<f64>(o, 16) + w * f64At(y, r), 16);
  }
  minBin = lo;
  maxBin = hi;
  return nTouched;
}

/** Zeroes the bins a histogram touched (when it was not scanned, which zeroes as it goes). */
function clearTouched<T>(nTouched: i32): void {
  const bytes = <usize>stride << alignof<T>();
  for (let t = 0; t < nTouched; t++) memory.fill(hist + <usize>i32At(touched, t) * bytes, 0, bytes);
}

function insertionSort(a: usize, m: i32): void {
  for (let i = 1; i < m; i++) {
    const v = i32At(a, i);
    let j = i - 1;
    while (j >= 0 && i32At(a, j) > v) {
      setI32(a, j + 1, i32At(a, j));
      j--;
    }
    setI32(a, j + 1, v);
  }
}

@inline function histAt<T>(i: i32): f64 {
  return <f64>load<T>(hist + (<usize>i << alignof<T>()));
}

/**
 * Visits the touched bins in ascending order (sorting a short list, or walking the range), adding
 * each to the left side and zeroing it, and scores the split before each bin after the first by
 * sklearn's proxy sum(L²)/W_L + sum(R²)/W_R over the classes present.
 */
function scanClass<T>(f: i32, nTouched: i32, count: i32): void {
  const sorted = nTouched * 4 < maxBin - minBin;
  if (sorted) insertionSort(touched, nTouched);
  setF64(leftAcc, 0, 0);
  for (let j = 0; j < nPresent; j++) setF64(leftAcc, i32At(present, j), 0);
  let seen = 0;
  let prev = -1;
  let b = sorted ? i32At(touched, 0) : minBin;
  const fcount = <f64>count;
  const fminLeaf = <f64>minLeaf;
  while (true) {
    const o = b * stride;
    if (prev >= 0) {
      const nl = f64At(leftAcc, 0);
      const nr = fcount - nl;
      if (nl >= fminLeaf && nr >= fminLeaf) {
        let wl: f64 = 0,
          wr: f64 = 0,
          sl: f64 = 0,
          sr: f64 = 0;
        for (let j = 0; j < nPresent; j++) {
          const c = i32At(present, j);
          const l = f64At(leftAcc, c);
          const rr = f64At(totals, c) - l;
          wl += l;
          wr += rr;
          sl += l * l;
          sr += rr * rr;
        }
        const score = wl > 0 && wr > 0 ? sl / wl + sr / wr : -Infinity;
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestLo = prev;
          bestHi = b;
        }
      }
    }
    setF64(leftAcc, 0, f64At(leftAcc, 0) + histAt<T>(o));
    store<T>(hist + (<usize>o << alignof<T>()), 0);
    for (let j = 0; j < nPresent; j++) {
      const c = i32At(present, j);
      setF64(leftAcc, c, f64At(leftAcc, c) + histAt<T>(o + c));
      store<T>(hist + (<usize>(o + c) << alignof<T>()), 0);
    }
    prev = b;
    seen++;
    if (seen == nTouched) break;
    if (sorted) b = i32At(touched, seen);
    else {
      b++;
      while (load<T>(hist + (<usize>(b * stride) << alignof<T>())) == 0) b++;
    }
  }
}

function scanRegression(f: i32, nTouched: i32, count: i32): void {
  const sorted = nTouched * 4 < maxBin - minBin;
  if (sorted) insertionSort(touched, nTouched);
  let l0: f64 = 0,
    l1: f64 = 0,
    l2: f64 = 0;
  const t1 = f64At(totals, 1);
  const t2 = f64At(totals, 2);
  let seen = 0;
  let prev = -1;
  let b = sorted ? i32At(touched, 0) : minBin;
  const fcount = <f64>count;
  const fminLeaf = <f64>minLeaf;
  while (true) {
    const o = hist + (<usize>(b * 3) << 3);
    if (prev >= 0) {
      const nl = l0;
      const nr = fcount - nl;
      if (nl >= fminLeaf && nr >= fminLeaf) {
        const wl = l1;
        const wr = t1 - wl;
        const yl = l2;
        const yr = t2 - yl;
        const score = wl > 0 && wr > 0 ? (yl * yl) / wl + (yr * yr) / wr : -Infinity;
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestLo = prev;
          bestHi = b;
        }
      }
    }
    l0 += load<f64>(o);
    l1 += load<f64>(o, 8);
    l2 += load<f64>(o, 16);
    store<f64>(o, 0);
    store<f64>(o, 0, 8);
    store<f64>(o, 0, 16);
    prev = b;
    seen++;
    if (seen == nTouched) break;
    if (sorted) b = i32At(touched, seen);
    else {
      b++;
      while (load<f64>(hist + (<usize>(b * 3) << 3)) == 0) b++;
    }
  }
}

/** tryFeature for classification, with whole-number (T = i32) or any (T = f64) weights. */
function tryClassFeature<T>(f: i32, col: usize, start: i32, end: i32): bool {
  const nTouched = classHistogram<T>(col, start, end);
  if (nTouched > 1) {
    scanClass<T>(f, nTouched, end - start);
    return true;
  }
  clearTouched<T>(nTouched);
  return false;
}

/** Histogram and scan of feature f for the node's rows; returns whether the feature varies in the node. */
function tryFeature(f: i32, start: i32, end: i32): bool {
  const col = <usize>f * <usize>n;
  if (classification) return integral ? tryClassFeature<i32>(f, col, start, end) : tryClassFeature<f64>(f, col, start, end);
  const nTouched = regressionHistogram(col, start, end);
  if (nTouched > 1) {
    scanRegression(f, nTouched, end - start);
    return true;
  }
  clearTouched<f64>(nTouched);
  return false;
}

/** Moves the node's rows with code <= cut to the front of idx[start, end); returns where the right side starts. */
function partition(col: usize, cut: i32, start: i32, end: i32): i32 {
  let lo = start,
    hi = end - 1;
  while (lo <= hi) {
    if (code(col, i32At(idx, lo)) <= cut) lo++;
    else {
      const t = i32At(idx, lo);
      setI32(idx, lo, i32At(idx, hi));
      setI32(idx, hi, t);
      hi--;
    }
  }
  return lo;
}

/** sklearn's Tree.compute_feature_importances: weighted impurity decrease per feature, normalised. */
function treeImportances(nodeCount: i32): void {
  memory.fill(importances, 0, <usize>nCols << 3);
  for (let node = 0; node < nodeCount; node++) {
    const f = i32At(feature, node);
    if (f < 0) continue;
    const l = i32At(left, node);
    const dec =
      f64At(nodeWeight, node) * f64At(nodeImpurity, node) -
      f64At(nodeWeight, l) * f64At(nodeImpurity, l) -
      f64At(nodeWeight, l + 1) * f64At(nodeImpurity, l + 1);
    setF64(importances, f, f64At(importances, f) + dec);
  }
  const w0 = f64At(nodeWeight, 0);
  let sum: f64 = 0;
  for (let f = 0; f < nCols; f++) sum += f64At(importances, f) / w0;
  if (sum > 0) for (let f = 0; f < nCols; f++) setF64(importances, f, f64At(importances, f) / w0 / sum);
}

/**
 * Grows tree `treeIndex` into the node tables (feature, threshold, left, value; leaves have feature
 * and left -1, threshold 0) and, when it splits at all, its importances. Returns the node count.
 */
export function grow(treeIndex: u32): i32 {
  // createRng(seed).fork(treeIndex): the sum of two int32 products, taken modulo 2^32.
  seedRng(<u32>((seedBase ^ 0x27d4eb2d) * 31) + treeIndex * 0x9e3779b1);
  sampleRows();
  // Samples in the tree: distinct in-bag rows with a positive weight (zero weights are dropped, as sklearn does).
  let m = 0;
  for (let i = 0; i < n; i++) if (i32At(counts, i) > 0 && f64At(weight, i) > 0) setI32(idx, m++, i);
  for (let f = 0; f < nCols; f++) setI32(features, f, f);
  let nodeCount = 1;

  // Depth-first growth with an explicit stack of (node, start, end, depth), the left child on top.
  let sp = 0;
  setI32(stack, 0, 0);
  setI32(stack, 1, 0);
  setI32(stack, 2, m);
  setI32(stack, 3, 0);
  sp = 4;
  while (sp > 0) {
    const depth = i32At(stack, sp - 1);
    const end = i32At(stack, sp - 2);
    const start = i32At(stack, sp - 3);
    const node = i32At(stack, sp - 4);
    sp -= 4;
    setI32(feature, node, -1);
    setI32(left, node, -1);
    setF64(threshold, node, 0);
    const count = end - start;
    if (classification) classStats(node, start, end);
    else regressionStats(node, start, end);
    if (depth >= maxDepth || count < minSplit || count < 2 * minLeaf || f64At(nodeImpurity, node) <= EPSILON) continue;

    // Best split over up to maxFeatures non-constant features, drawn without replacement.
    bestScore = -Infinity;
    bestFeature = -1;
    let found = 0;
    for (let i = 0; i < nCols && found < maxFeatures; i++) {
      const j = i + randInt(nCols - i);
      const f = i32At(features, j);
      setI32(features, j, i32At(features, i));
      setI32(features, i, f);
      if (tryFeature(f, start, end)) found++;
    }
    const best = bestFeature;
    if (best < 0) continue;

    // The threshold in the middle of the empty bins between the two sides (sklearn uses the midpoint of the gap).
    const cut = (bestLo + bestHi - 1) >> 1;
    const mid = partition(<usize>best * <usize>n, cut, start, end);
    const l = nodeCount;
    nodeCount += 2;
    setI32(feature, node, best);
    setI32(splitBin, node, cut);
    setF64(threshold, node, f64At(edges, i32At(edgeStart, best) + cut));
    setI32(left, node, l);
    setI32(stack, sp, l + 1);
    setI32(stack, sp + 1, mid);
    setI32(stack, sp + 2, end);
    setI32(stack, sp + 3, depth + 1);
    setI32(stack, sp + 4, l);
    setI32(stack, sp + 5, start);
    setI32(stack, sp + 6, mid);
    setI32(stack, sp + 7, depth + 1);
    sp += 8;
  }
  if (nodeCount > 1) treeImportances(nodeCount);
  return nodeCount;
}

/** The rows the last grown tree never saw (bootstrap count 0) and the leaf each reaches; returns how many. */
export function outOfBag(): i32 {
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (i32At(counts, i) != 0) continue;
    let node = 0;
    while (i32At(feature, node) >= 0) {
      const f = i32At(feature, node);
      node = code(<usize>f * <usize>n, i) <= i32At(splitBin, node) ? i32At(left, node) : i32At(left, node) + 1;
    }
    setI32(oobRows, o, i);
    setI32(oobLeaves, o++, node);
  }
  return o;
}

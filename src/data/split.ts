/**
 * Train/test splits and cross-validation folds over row indices, with scikit-learn's semantics
 * for sizes and stratification (train_test_split, StratifiedShuffleSplit, KFold, StratifiedKFold),
 * driven by medpipe's seeded RNG: the same seed gives the same rows on every machine. The numbers
 * drawn differ from numpy's, so the exact rows differ from scikit-learn's; sizes and per-class
 * counts follow the same rules.
 */
import { StepInputError } from '../errors.js';
import { createRng, type Rng } from '../rng.js';

export interface TrainTestOptions {
  /** A fraction in (0, 1) of the rows, or a row count (an integer >= 1). */
  testSize: number;
  /** Class index per row (0..k-1) to keep class proportions in both parts; omit for a plain split. */
  stratify?: Int32Array;
  /** Shuffle before splitting (default true). Without shuffling the test part is the last rows. */
  shuffle?: boolean;
  seed: number;
}

export interface TrainTestSplit {
  train: Int32Array;
  test: Int32Array;
}

/** Test and train sizes like scikit-learn: the test part is ceil(fraction * n), the rest is train. */
export function splitSizes(n: number, testSize: number): { nTrain: number; nTest: number } {
  let nTest: number;
  if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else throw new StepInputError(`test_size must be a fraction between 0 and 1 or a whole number of rows, got ${testSize}`);
  if (nTest >= n) throw new StepInputError(`test_size ${testSize} leaves no rows for training (the data has ${n} rows)`);
  return { nTrain: n - nTest, nTest };
}

export function trainTestSplit(n: number, options: TrainTestOptions): TrainTestSplit {
  const { nTrain, nTest } = splitSizes(n, options.testSize);
  const shuffle = options.shuffle ?? true;
  if (options.stratify) {
    if (!shuffle) throw new StepInputError('a stratified split needs shuffle: true (set stratify: false to split without shuffling)');
    return stratifiedSplit(options.stratify, nTrain, nTest, createRng(options.seed));
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return { train: order.slice(0, nTrain), test: order.slice(nTrain) };
  createRng(options.seed).shuffle(order);
  return { test: order.slice(0, nTest), train: order.slice(nTest, nTest + nTrain) };
}

/** Row indices of each class, in row order. */
function classMembers(labels: Int32Array): number[][] {
  const members: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0) throw new StepInputError(`cannot stratify: row ${i + 1} has no class (missing target value)`);
    (members[c] ??= []).push(i);
  }
  for (let c = 0; c < members.length; c++) members[c] ??= [];
  return members;
}

/**
 * scikit-learn's _approximate_mode: split `total` draws over classes in proportion to their
 * counts, flooring, then giving the remainder to the largest fractional parts (ties to the first
 * class, where scikit-learn breaks them at random).
 */
export function approximateMode(counts: readonly number[], total: number): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * total) / sum);
  const floor = exact.map(Math.floor);
  let left = total - floor.reduce((a, b) => a + b, 0);
  const order = counts.map((_, c) => c).sort((a, b) => exact[b] - floor[b] - (exact[a] - floor[a]) || a - b);
  for (const c of order) {
    if (left <= 0) break;
    if (floor[c] < counts[c]) {
      floor[c]++;
      left--;
    }
  }
  return floor;
}

function stratifiedSplit(labels: Int32Array, nTrain: number, nTest: number, rng: Rng): TrainTestSplit {
  const members = classMembers(labels).filter((m) => m.length > 0);
  const counts = members.map((m) => m.length);
  if (counts.some((c) => c < 2)) throw new StepInputError('cannot stratify: a class has only one row; every class needs at least 2 (or set stratify: false)');
  if (nTest < members.length)
    throw new StepInputError(`cannot stratify: the test part (${nTest} rows) is smaller than the number of classes (${members.length}); raise test_size`);
  if (nTrain < members.length)
    throw new StepInputError(`cannot stratify: the train part (${nTrain} rows) is smaller than the number of classes (${members.length}); lower test_size`);
  const trainPerClass = approximateMode(counts, nTrain);
  const testPerClass = approximateMode(
    counts.map((c, k) => c - trainPerClass[k]),
    nTest,
  );
  const train: number[] = [];
  const test: number[] = [];
  members.forEach((rows, k) => {
    const shuffled = rng.shuffle(rows.slice());
    train.push(...shuffled.slice(0, trainPerClass[k]));
    test.push(...shuffled.slice(trainPerClass[k], trainPerClass[k] + testPerClass[k]));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

export interface FoldOptions {
  shuffle?: boolean;
  seed: number;
}

/** KFold: the fold (0..k-1) of each of n rows; the first n % k folds get one row more. */
export function kFold(n: number, k: number, options: FoldOptions): Int32Array {
  checkK(k, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (options.shuffle ?? true) createRng(options.seed).shuffle(order);
  const fold = new Int32Array(n);
  let pos = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let s = 0; s < size; s++) fold[order[pos++]] = f;
  }
  return fold;
}

/**
 * StratifiedKFold (scikit-learn >= 0.22): rows sorted by class are dealt to folds in turn, so each
 * fold holds every class within one row of its share; within a class, which rows go to which
 * fold is shuffled (or in row order without shuffling).
 */
export function stratifiedKFold(labels: Int32Array, k: number, options: FoldOptions): Int32Array {
  checkK(k, labels.length);
  const members = classMembers(labels);
  if (members.every((m) => m.length < k)) throw new StepInputError(`cannot make ${k} stratified folds: no class has ${k} rows; lower folds`);
  const rng = createRng(options.seed);
  const shuffle = options.shuffle ?? true;
  // allocation[f][c]: rows of class c in fold f, from dealing the class-sorted rows round-robin.
  const allocation = Array.from({ length: k }, () => new Array<number>(members.length).fill(0));
  let pos = 0;
  members.forEach((rows, c) => {
    for (let r = 0; r < rows.length; r++, pos++) allocation[pos % k][c]++;
  });
  const fold = new Int32Array(labels.length);
  members.forEach((rows, c) => {
    const folds: number[] = [];
    for (let f = 0; f < k; f++) for (let r = 0; r < allocation[f][c]; r++) folds.push(f);
    if (shuffle) rng.shuffle(folds);
    rows.forEach((row, r) => (fold[row] = folds[r]));
  });
  return fold;
}

function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new StepInputError(`folds must be a whole number >= 2, got ${k}`);
  if (k > n) throw new StepInputError(`cannot make ${k} folds from ${n} rows; lower folds`);
}

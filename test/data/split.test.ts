import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approximateMode, kFold, splitSizes, stratifiedKFold, trainTestSplit } from '../../src/data/split.js';
import { StepInputError } from '../../src/errors.js';
import { reference, repeatLabels } from './helpers.js';

function perClass(labels: Int32Array, rows: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < rows.length; i++) counts[labels[rows[i]]]++;
  return counts;
}

/** Whether scikit-learn had to break a tie at random when sharing `total` over `counts`. */
function hasTie(counts: readonly number[], total: number): boolean {
  const sum = counts.reduce((a, b) => a + b, 0);
  const fractions = counts.map((c) => ((c * total) / sum) % 1).filter((f) => f > 0);
  return new Set(fractions).size < fractions.length;
}

describe('trainTestSplit', () => {
  for (const ref of reference.splits) {
    it(`matches scikit-learn's sizes and stratified class counts for n=${ref.n}, classes ${ref.class_counts.join('/')}, test_size ${ref.test_size}`, () => {
      assert.deepEqual(splitSizes(ref.n, ref.test_size), { nTrain: ref.n_train, nTest: ref.n_test });
      const plain = trainTestSplit(ref.n, { testSize: ref.test_size, seed: 1 });
      assert.equal(plain.train.length, ref.n_train);
      assert.equal(plain.test.length, ref.n_test);
      assert.deepEqual(
        [...plain.train, ...plain.test].sort((a, b) => a - b),
        Array.from({ length: ref.n }, (_, i) => i),
      );

      const labels = repeatLabels(ref.class_counts);
      const s = trainTestSplit(ref.n, { testSize: ref.test_size, stratify: labels, seed: 1 });
      const train = perClass(labels, s.train, ref.class_counts.length);
      const test = perClass(labels, s.test, ref.class_counts.length);
      if (hasTie(ref.class_counts, ref.n_train)) {
        // scikit-learn breaks ties at random, medpipe to the first class: same counts, maybe other classes.
        assert.deepEqual([...train].sort(), [...ref.stratified_train_per_class].sort());
        assert.deepEqual([...test].sort(), [...ref.stratified_test_per_class].sort());
      } else {
        assert.deepEqual(train, ref.stratified_train_per_class);
        assert.deepEqual(test, ref.stratified_test_per_class);
      }
      assert.equal(new Set([...s.train, ...s.test]).size, ref.n);
    });
  }

  it('is deterministic for a seed and differs between seeds', () => {
    const labels = repeatLabels([60, 40]);
    const a = trainTestSplit(100, { testSize: 0.2, stratify: labels, seed: 7 });
    assert.deepEqual(trainTestSplit(100, { testSize: 0.2, stratify: labels, seed: 7 }), a);
    assert.notDeepEqual(trainTestSplit(100, { testSize: 0.2, stratify: labels, seed: 8 }).test, a.test);
  });

  it('without shuffling takes the last rows as test, as scikit-learn does', () => {
    const s = trainTestSplit(10, { testSize: 0.3, shuffle: false, seed: 0 });
    assert.deepEqual(Array.from(s.train), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(s.test), [7, 8, 9]);
  });

  it('refuses impossible sizes and stratifications', () => {
    for (const t of [0, 1.5, -1, 10, 11]) assert.throws(() => splitSizes(10, t), StepInputError, `test_size ${t}`);
    assert.throws(() => trainTestSplit(5, { testSize: 0.4, stratify: Int32Array.from([0, 0, 0, 0, 1]), seed: 0 }), /only one row/);
    assert.throws(() => trainTestSplit(6, { testSize: 1, stratify: Int32Array.from([0, 0, 1, 1, 2, 2]), seed: 0 }), /smaller than the number of classes/);
    assert.throws(() => trainTestSplit(4, { testSize: 0.5, stratify: Int32Array.from([0, 0, 1, 1]), shuffle: false, seed: 0 }), /needs shuffle/);
  });

  it('approximateMode hands the remainder to the largest fractions', () => {
    const counts = reference.splits[0].class_counts;
    assert.deepEqual(approximateMode(counts, reference.splits[0].n_train), reference.splits[0].stratified_train_per_class);
  });
});

describe('k-fold assignments', () => {
  for (const ref of reference.kfold) {
    it(`match scikit-learn's KFold sizes and StratifiedKFold class counts for classes ${ref.class_counts.join('/')}, k=${ref.k}`, () => {
      const labels = repeatLabels(ref.class_counts);
      const n = labels.length;
      for (const shuffle of [false, true]) {
        const fold = kFold(n, ref.k, { shuffle, seed: 3 });
        const sizes = new Array<number>(ref.k).fill(0);
        for (const f of fold) sizes[f]++;
        assert.deepEqual(sizes, ref.fold_sizes);

        const strat = stratifiedKFold(labels, ref.k, { shuffle, seed: 3 });
        assert.equal(strat.length, n); // every row is in exactly one fold
        const counts = Array.from({ length: ref.k }, () => new Array<number>(ref.class_counts.length).fill(0));
        strat.forEach((f, i) => counts[f][labels[i]]++);
        assert.deepEqual(counts, ref.stratified_per_fold);
        // Class proportions kept within one row per fold.
        ref.class_counts.forEach((_c, k) => {
          const inFolds = counts.map((row) => row[k]);
          assert.ok(Math.max(...inFolds) - Math.min(...inFolds) <= 1);
        });
      }
    });
  }

  it('without shuffling, KFold folds are contiguous blocks; shuffled folds depend on the seed only', () => {
    assert.deepEqual(Array.from(kFold(7, 3, { shuffle: false, seed: 0 })), [0, 0, 0, 1, 1, 2, 2]);
    assert.deepEqual(kFold(50, 5, { seed: 9 }), kFold(50, 5, { seed: 9 }));
    assert.notDeepEqual(kFold(50, 5, { seed: 9 }), kFold(50, 5, { seed: 10 }));
  });

  it('refuses k < 2, k > n, and stratified k larger than every class', () => {
    assert.throws(() => kFold(10, 1, { seed: 0 }), StepInputError);
    assert.throws(() => kFold(3, 4, { seed: 0 }), StepInputError);
    assert.throws(() => stratifiedKFold(repeatLabels([3, 3]), 4, { seed: 0 }), /no class has 4 rows/);
  });
});

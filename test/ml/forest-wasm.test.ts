/**
 * The forest's compiled tree grower (src/ml/forest/wasm/grow.ts via wasm-grower.ts) against the
 * JavaScript grower that made medpipe's committed models (forest-js-grower.ts, the oracle): the
 * same trees bit for bit (feature, threshold, left, value), the same importances and the same
 * out-of-bag rows and leaves, tree after tree, over classification (integer-count and weighted
 * histograms, binary to ten classes), regression and every setting that changes how a tree grows;
 * then whole forests on 1, 2 and 3 threads. And a missing or broken module is an error naming the
 * file and `npm run build`, never a fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { binMatrix } from '../../src/ml/forest/binning.js';
import { createRng } from '../../src/rng.js';
import { fitForest, resolveMaxFeatures, rowWeights } from '../../src/ml/forest/fit.js';
import type { FitOptions } from '../../src/ml/forest/fit.js';
import type { GrownTree, TrainingData, TreeSettings } from '../../src/ml/forest/types.js';
import { WasmTreeGrower, forestGrowerModule } from '../../src/ml/forest/wasm-grower.js';
import { readNumericCsv, readSplit } from './forest-fixtures.js';
import type { NumericTable } from './forest-fixtures.js';
import { TreeGrower } from './forest-js-grower.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function bytes(a: Float64Array | Int32Array | undefined): Buffer {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
}

/** Every array of the two grown trees holds the same bits. */
function assertSameTree(wasm: GrownTree, js: GrownTree, what: string): void {
  assert.ok(bytes(wasm.tree.feature).equals(bytes(js.tree.feature)), `${what}: feature (${wasm.tree.feature.length} vs ${js.tree.feature.length} nodes)`);
  assert.ok(bytes(wasm.tree.threshold).equals(bytes(js.tree.threshold)), `${what}: threshold`);
  assert.ok(bytes(wasm.tree.left).equals(bytes(js.tree.left)), `${what}: left`);
  assert.ok(bytes(wasm.tree.value).equals(bytes(js.tree.value)), `${what}: value`);
  assert.equal(wasm.importances === undefined, js.importances === undefined, `${what}: importances defined`);
  assert.ok(bytes(wasm.importances).equals(bytes(js.importances)), `${what}: importances`);
  assert.ok(bytes(wasm.oobRows).equals(bytes(js.oobRows)), `${what}: out-of-bag rows`);
  assert.ok(bytes(wasm.oobLeaves).equals(bytes(js.oobLeaves)), `${what}: out-of-bag leaves`);
}

/** Ten classes on real features: the diabetes data's progression cut at its deciles. */
function diabetesDeciles(): NumericTable {
  const t = readNumericCsv(`${ROOT}data/diabetes-progression.csv`);
  const sorted = Float64Array.from(t.y).sort();
  const cuts = Array.from({ length: 9 }, (_, q) => sorted[Math.floor(((q + 1) * t.nRows) / 10)]);
  return { ...t, y: Float64Array.from(t.y, (v) => cuts.filter((c) => v >= c).length) };
}

const tables = {
  'breast-cancer': () => readSplit('breast-cancer').train,
  'three-class': () => readSplit('three-class').train,
  'diabetes-deciles': diabetesDeciles,
  diabetes: () => readSplit('diabetes').train,
};
type TableName = keyof typeof tables;
const loaded = new Map<TableName, NumericTable>();
function table(name: TableName): NumericTable {
  let t = loaded.get(name);
  if (!t) loaded.set(name, (t = tables[name]()));
  return t;
}

interface Case {
  name: string;
  data: TableName;
  options: Omit<FitOptions, 'task'>;
}

const classification: Case[] = [
  { name: 'binary, defaults', data: 'breast-cancer', options: {} },
  { name: 'binary, seed 123456789, all features', data: 'breast-cancer', options: { seed: 123456789, maxFeatures: 1 } },
  { name: 'binary, negative fractional seed', data: 'breast-cancer', options: { seed: -7.5 } },
  { name: 'three classes, max_depth 3', data: 'three-class', options: { maxDepth: 3, seed: 1 } },
  { name: 'three classes, min_samples_leaf 5, min_samples_split 12', data: 'three-class', options: { minSamplesLeaf: 5, minSamplesSplit: 12, seed: 2 } },
  { name: 'three classes, max_features log2', data: 'three-class', options: { maxFeatures: 'log2', seed: 3 } },
  { name: 'three classes, max_features 5', data: 'three-class', options: { maxFeatures: 5, seed: 4 } },
  { name: 'three classes, max_features 0.3, no bootstrap', data: 'three-class', options: { maxFeatures: 0.3, bootstrap: false, seed: 5 } },
  { name: 'ten classes, defaults', data: 'diabetes-deciles', options: { seed: 6 } },
  { name: 'ten classes, class_weight balanced', data: 'diabetes-deciles', options: { classWeight: 'balanced', seed: 7 } },
  {
    name: 'ten classes, balanced_subsample, min_samples_leaf 3',
    data: 'diabetes-deciles',
    options: { classWeight: 'balanced_subsample', minSamplesLeaf: 3, seed: 8 },
  },
  { name: 'binary, class_weight balanced, max_depth 6', data: 'breast-cancer', options: { classWeight: 'balanced', maxDepth: 6, seed: 9 } },
  { name: 'binary, balanced_subsample, no bootstrap', data: 'breast-cancer', options: { classWeight: 'balanced_subsample', bootstrap: false, seed: 10 } },
  // Fractional weights, and a class weighted 0 whose rows are dropped from every tree.
  { name: 'three classes, class weights [0.3, 2.5, 0]', data: 'three-class', options: { classWeight: [0.3, 2.5, 0], seed: 11 } },
  {
    name: 'ten classes, given class weights, all features',
    data: 'diabetes-deciles',
    options: { classWeight: [1, 2, 0.5, 1, 3, 1, 0.25, 1, 1, 7], maxFeatures: 1, seed: 12 },
  },
];
const regression: Case[] = [
  { name: 'regression, defaults', data: 'diabetes', options: {} },
  { name: 'regression, max_features sqrt, min_samples_leaf 4', data: 'diabetes', options: { maxFeatures: 'sqrt', minSamplesLeaf: 4, seed: 13 } },
  { name: 'regression, max_depth 4, no bootstrap', data: 'diabetes', options: { maxDepth: 4, bootstrap: false, seed: 14 } },
  { name: 'regression, min_samples_split 30', data: 'diabetes', options: { minSamplesSplit: 30, seed: 15 } },
];

/** The training data and settings fit.ts hands its growers, built the way it builds them. */
function problem(c: Case, task: 'classification' | 'regression'): { data: TrainingData; settings: TreeSettings } {
  const t = table(c.data);
  const o = c.options;
  const binned = binMatrix(t.X, t.nRows, t.nCols);
  const nClasses = task === 'classification' ? Math.max(...t.y) + 1 : 1;
  const cw = task === 'classification' ? o.classWeight : undefined;
  const data: TrainingData = {
    ...binned,
    y: task === 'classification' ? Int32Array.from(t.y) : Float64Array.from(t.y),
    rowWeight: rowWeights(t.y, nClasses, cw),
    balancedSubsample: cw === 'balanced_subsample',
  };
  const settings: TreeSettings = {
    task,
    nClasses,
    maxDepth: o.maxDepth ?? Infinity,
    minSamplesSplit: o.minSamplesSplit ?? 2,
    minSamplesLeaf: o.minSamplesLeaf ?? 1,
    maxFeatures: resolveMaxFeatures(o.maxFeatures ?? (task === 'classification' ? 'sqrt' : 1), t.nCols),
    bootstrap: o.bootstrap ?? true,
    seed: o.seed ?? 0,
  };
  return { data, settings };
}

const TREES = 25;

for (const [task, cases] of [
  ['classification', classification],
  ['regression', regression],
] as const) {
  test(`${task}: the compiled grower grows the JavaScript grower's trees bit for bit (${cases.length} configurations x ${TREES} trees)`, () => {
    for (const c of cases) {
      const { data, settings } = problem(c, task);
      const wasm = new WasmTreeGrower(data, settings);
      const js = new TreeGrower(data, settings);
      let splits = 0;
      for (let i = 0; i < TREES; i++) {
        const w = wasm.grow(i);
        assertSameTree(w, js.grow(i), `${c.name}, tree ${i}`);
        splits += w.tree.feature.filter((f) => f >= 0).length;
      }
      // The trees are real trees, so the comparison compares something.
      assert.ok(splits >= TREES, `${c.name}: ${splits} splits in ${TREES} trees`);
    }
  });
}

test('a tree is the same whatever the grower grew before it (out of order, and again)', () => {
  const { data, settings } = problem(classification[9], 'classification');
  const wasm = new WasmTreeGrower(data, settings);
  const js = new TreeGrower(data, settings);
  for (const i of [17, 3, 3, 250, 0]) assertSameTree(wasm.grow(i), js.grow(i), `tree ${i}`);
});

test('a single-leaf tree (every row one class) has no importances and the same bits', () => {
  const { data, settings } = problem(classification[0], 'classification');
  const pure = { ...data, y: new Int32Array(data.nRows) };
  const w = new WasmTreeGrower(pure, settings).grow(0);
  assert.equal(w.tree.feature.length, 1);
  assertSameTree(w, new TreeGrower(pure, settings).grow(0), 'single leaf');
});

test('a tree whose bootstrap drew only rows weighted 0 is a leaf of zeros (as scikit-learn), never NaN', async () => {
  // Ten rows, class 0 weighted 0 and one row of class 1: a bootstrap of ten draws misses that row a
  // third of the time, and such a tree has no weight at all (the oracle divided by it: NaN).
  const n = 10;
  const X = Float64Array.from({ length: n * 2 }, (_, i) => (i * 37) % 11);
  const y = Int32Array.from({ length: n }, (_, i) => (i === 3 ? 1 : 0));
  const model = await fitForest(X, n, 2, y, { task: 'classification', trees: 10, threads: 1, classWeight: [0, 1], seed: 1 });
  const empty = model.trees.filter((t) => t.feature.length === 1 && t.value[0] === 0 && t.value[1] === 0);
  assert.ok(empty.length > 0 && empty.length < 10, `${empty.length} trees without weight: seed 1 draws some`);
  for (const t of model.trees) assert.ok(t.value.every(Number.isFinite), 'no NaN in any node value');
  // Every other tree is still the oracle's.
  const { trees: _t, classWeight: _cw, ...settings } = model.settings;
  const data: TrainingData = { ...binMatrix(X, n, 2), y, rowWeight: rowWeights(y, 2, [0, 1]) };
  const js = new TreeGrower(data, settings);
  model.trees.forEach((tree, i) => {
    if (!empty.includes(tree)) assertSameTree({ ...js.grow(i), tree }, js.grow(i), `tree ${i}`);
  });
});

test('edge configurations, drawn from a seeded generator: the same trees as the oracle (1 to 300 rows, constant and tied columns, absent classes, given class weights with zeros, large seeds and tree indices)', () => {
  const rng = createRng(20261203);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  let compared = 0;
  for (let c = 0; c < 400; c++) {
    const n = pick([1, 2, 3, 5, 8, 20, 60, 300]);
    const p = 1 + rng.int(5);
    const levels = pick([1, 2, 3, 10, 1000]);
    const X = Float64Array.from({ length: n * p }, () => rng.int(levels) * (rng.next() < 0.5 ? 1 : -1e-3));
    const task = rng.next() < 0.7 ? 'classification' : 'regression';
    const k = 1 + rng.int(6);
    const y = Float64Array.from({ length: n }, () => (task === 'classification' ? rng.int(k) : rng.next() < 0.1 ? 1e150 : rng.next() * 100 - 50));
    const nClasses = task === 'classification' ? Math.max(...y) + 1 + rng.int(2) : 1;
    const choice = rng.int(4);
    const cw: FitOptions['classWeight'] =
      task === 'regression' || choice === 0
        ? undefined
        : choice === 1
          ? 'balanced'
          : choice === 2
            ? 'balanced_subsample'
            : Array.from({ length: nClasses }, () => rng.int(3) * 0.7);
    if (Array.isArray(cw) && !y.some((v) => cw[v] > 0)) continue;
    const data: TrainingData = {
      ...binMatrix(X, n, p),
      y: task === 'classification' ? Int32Array.from(y) : y,
      rowWeight: task === 'classification' ? rowWeights(y, nClasses, cw) : undefined,
      balancedSubsample: cw === 'balanced_subsample',
    };
    const settings: TreeSettings = {
      task,
      nClasses,
      maxDepth: pick([Infinity, 1, 2, 5]),
      minSamplesSplit: 2 + rng.int(4),
      minSamplesLeaf: 1 + rng.int(3),
      maxFeatures: resolveMaxFeatures(pick(['sqrt', 'log2', 1, 0.5] as const), p),
      bootstrap: rng.next() < 0.7,
      seed: pick([0, 1, -1, 2 ** 32 + 5, 2 ** 53, -123.75, 4294967295]),
    };
    const wasm = new WasmTreeGrower(data, settings);
    const js = new TreeGrower(data, settings);
    for (const i of [0, 1, 7, 2 ** 31 + 3]) {
      const expected = js.grow(i);
      const grown = wasm.grow(i);
      const what = `configuration ${c} (${n} rows x ${p}, ${task}, ${JSON.stringify(settings)}), tree ${i}`;
      // The one deliberate difference: a tree without weight is zeros, where the oracle made NaN.
      if (expected.tree.value.some(Number.isNaN))
        assert.ok(
          grown.tree.value.every((v) => v === 0),
          what,
        );
      else assertSameTree(grown, expected, what);
      compared++;
    }
  }
  assert.ok(compared > 1000, `${compared} trees compared`);
});

/** A forest grown from the oracle's trees: what fitForest's trees must equal. */
function oracleTrees(model: Awaited<ReturnType<typeof fitForest>>, data: TrainingData): GrownTree[] {
  const { trees, classWeight: _cw, ...settings } = model.settings;
  const js = new TreeGrower(data, settings);
  return Array.from({ length: trees }, (_, i) => js.grow(i));
}

for (const threads of [1, 2, 3]) {
  test(`fitForest on ${threads} thread${threads > 1 ? 's' : ''}: every tree is the oracle's`, async () => {
    for (const [task, c] of [
      ['classification', classification[10]],
      ['classification', classification[6]],
      ['regression', regression[1]],
    ] as const) {
      const t = table(c.data);
      const y = task === 'classification' ? Int32Array.from(t.y) : t.y;
      const model = await fitForest(t.X, t.nRows, t.nCols, y, { task, trees: 20, threads, ...c.options });
      const expected = oracleTrees(model, problem(c, task).data);
      model.trees.forEach((tree, i) => assertSameTree({ ...expected[i], tree }, expected[i], `${c.name}, ${threads} threads, tree ${i}`));
    }
  });
}

test('the compiled module is built (npm run build:wasm) and loads', () => {
  assert.ok(forestGrowerModule() instanceof WebAssembly.Module, 'dist/src/ml/forest/forest-grower.wasm missing: run npm run build');
});

test('a missing or broken module is a clear error naming the file and npm run build, not a fallback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'forest-grower-'));
  const missing = pathToFileURL(join(dir, 'forest-grower.wasm'));
  assert.throws(() => forestGrowerModule(missing), /tree grower .*forest-grower\.wasm could not be read \(ENOENT\): run `npm run build`/);
  const broken = join(dir, 'broken.wasm');
  writeFileSync(broken, 'not WebAssembly');
  assert.throws(() => forestGrowerModule(pathToFileURL(broken)), /tree grower .*broken\.wasm is not a valid WebAssembly module .*run `npm run build`/);
  const { data, settings } = problem(classification[0], 'classification');
  assert.throws(() => new WasmTreeGrower(data, settings, missing), /forest-grower\.wasm could not be read/);
});

test('training data beyond the module memory is a clear error saying what to do', () => {
  const { data, settings } = problem(classification[0], 'classification');
  // Only the sizes matter: the layout is checked before any data is copied in.
  const huge = { ...data, nRows: 2 ** 28 };
  assert.throws(
    () => new WasmTreeGrower(huge, settings),
    /training data \(268435456 rows x 30 features, 2 classes\) needs \d+\.\d GB of the tree grower's WebAssembly memory, which is more than its 4 GB: train on a sample of the rows or on fewer features/,
  );
});

test("a worker whose grower cannot be made answers the fit's trees with the reason, so the fit fails saying it", async () => {
  const { data, settings } = problem(classification[0], 'classification');
  const worker = new Worker(new URL('../../src/ml/forest/forest-worker.js', import.meta.url));
  try {
    worker.postMessage({ type: 'init', fit: 7, data: { ...data, nRows: 2 ** 28 }, settings });
    worker.postMessage({ type: 'grow', treeIndex: 0 });
    const [reply] = (await once(worker, 'message')) as [{ type: string; fit: number; name: string; message: string }];
    assert.equal(reply.type, 'error');
    assert.equal(reply.fit, 7);
    assert.equal(reply.name, 'StepInputError', 'a user error crosses by name, so the fit rethrows it as one');
    assert.match(reply.message, /needs \d+\.\d GB of the tree grower's WebAssembly memory.*train on a sample of the rows or on fewer features$/);
    assert.doesNotMatch(reply.message, /\n\s+at /, 'no stack in a message meant for the user');
  } finally {
    await worker.terminate();
  }
});

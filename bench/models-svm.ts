/**
 * SVM benchmark: medpipe's SVM against scikit-learn's SVC (libsvm, native), libsvm-js (libsvm
 * compiled to WebAssembly) and ml-svm (breast cancer only, capped), side by side in one run on
 * the same CSV files: (a) the breast cancer fixture split, (b) make_classification(20000, 40,
 * n_informative=15, random_state=0) standardised 80/20, and (c) a stratified 5,000-row subsample
 * of it, generated here with scikit-learn (not committed). SVC rbf, C=1, gamma='scale', tol 1e-3,
 * 200 MB kernel cache everywhere. Every measurement is a fresh child process, so its peak RSS is
 * that run's own; times are medians of REPEATS runs (SMALL_REPEATS on breast cancer). The first
 * fit in a process is the "cold" time (JIT warm-up and the compilation of medpipe's WebAssembly
 * module included); "import + first fit" adds the time to import the library, which is what a
 * fresh process pays for its first model (scikit-learn: `from sklearn.svm import SVC`, numpy
 * already imported). Each process then fits again on the
 * same data WARM_REPEATS times (WARM_REPEATS_LARGE on the 16k-row training set, to keep the bench
 * under ~10 minutes) and reports the median of those as the "warm" time, so both the first-call
 * cost and the steady-state cost are visible (ml-svm: cold only, it is too slow). Peak RSS is
 * taken after the cold fit and predict, before the warm fits. Also reports the Spearman
 * correlation of each library's decision values with scikit-learn's, where exposed.
 *
 * Usage: node dist/bench/models-svm.js   (needs /usr/bin/python3 with scikit-learn)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spearman } from '../test/ml/svm-fixtures.js';
import { median, printTable } from './measure.js';

const PYTHON = '/usr/bin/python3';
const REPEATS = 3;
/** Fresh processes per cell on the breast cancer set, where a fit takes milliseconds and the spread between processes is wide. */
const SMALL_REPEATS = 9;
const SMALL_TRAIN_ROWS = 1_000;
const WARM_REPEATS = 5;
const WARM_REPEATS_LARGE = 2;
/** Training sets at least this large get WARM_REPEATS_LARGE warm fits instead of WARM_REPEATS. */
const LARGE_TRAIN_ROWS = 10_000;
const ML_SVM_LIMIT_MS = 120_000;
const SELF = fileURLToPath(import.meta.url);
const BREAST_CANCER = fileURLToPath(new URL('../../test/fixtures/svm/breast-cancer.csv', import.meta.url));

interface RunResult {
  /** Importing the library (scikit-learn: `from sklearn.svm import SVC`, numpy already loaded). */
  importS: number;
  fitS: number;
  /** Median of the warm re-fits in the same process; null when none were run. */
  warmFitS: number | null;
  predictS: number;
  accuracy: number;
  peakRssMb: number;
  nSupport: number | null;
}

/** Writes split,y,x0.. CSVs like the test fixtures: the 20k set and a stratified 5k subsample. */
const MAKE_DATA_PY = `
import sys, numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
X, y = make_classification(n_samples=20000, n_features=40, n_informative=15, random_state=0)
def write(path, X, y):
    a, b, c, d = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    s = StandardScaler().fit(a)
    with open(path, 'w') as f:
        f.write(','.join(['split', 'y'] + [f'x{i}' for i in range(X.shape[1])]) + '\\n')
        for part, X_, y_ in (('train', s.transform(a), c), ('test', s.transform(b), d)):
            for row, t in zip(X_, y_):
                f.write(part + ',' + str(int(t)) + ',' + ','.join('%.17g' % v for v in row) + '\\n')
write(sys.argv[1] + '/synthetic-20k.csv', X, y)
Xs, _, ys, _ = train_test_split(X, y, train_size=5000, stratify=y, random_state=0)
write(sys.argv[1] + '/synthetic-5k.csv', Xs, ys)
`;

const SKLEARN_PY = `
import sys, time, json, resource, numpy as np
t_import = time.perf_counter()
from sklearn.svm import SVC
import_s = time.perf_counter() - t_import
path, dec_out, warm = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [l.rstrip('\\n').split(',') for l in open(path).readlines()[1:]]
tr = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == 'train'])
te = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == 'test'])
fit = lambda: SVC(kernel='rbf', C=1.0, gamma='scale', tol=1e-3, cache_size=200).fit(tr[:, 1:], tr[:, 0].astype(int))
t0 = time.perf_counter(); m = fit(); t1 = time.perf_counter()
p = m.predict(te[:, 1:]); t2 = time.perf_counter()
np.savetxt(dec_out, m.decision_function(te[:, 1:]), fmt='%.17g')
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ws = []
for _ in range(warm):
    w0 = time.perf_counter(); fit(); ws.append(time.perf_counter() - w0)
print(json.dumps({'importS': import_s, 'fitS': t1 - t0, 'warmFitS': float(np.median(ws)) if ws else None, 'predictS': t2 - t1, 'accuracy': float((p == te[:, 0]).mean()), 'peakRssMb': rss, 'nSupport': int(m.n_support_.sum())}))
`;

interface Split {
  Xtr: Float64Array;
  ytr: Int32Array;
  Xte: Float64Array;
  yte: Int32Array;
  nTrain: number;
  nTest: number;
  nCols: number;
}

function readSplit(path: string): Split {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const nCols = lines[0].split(',').length - 2;
  const tr = lines.filter((l) => l.startsWith('train,')),
    te = lines.filter((l) => l.startsWith('test,'));
  const pack = (ls: string[]) => {
    const X = new Float64Array(ls.length * nCols),
      y = new Int32Array(ls.length);
    ls.forEach((l, r) => {
      const c = l.split(',');
      y[r] = Number(c[1]);
      for (let j = 0; j < nCols; j++) X[r * nCols + j] = Number(c[j + 2]);
    });
    return { X, y };
  };
  const a = pack(tr),
    b = pack(te);
  return { Xtr: a.X, ytr: a.y, Xte: b.X, yte: b.y, nTrain: tr.length, nTest: te.length, nCols };
}

function rowsOf(X: Float64Array, n: number, nCols: number): number[][] {
  return Array.from({ length: n }, (_, r) => Array.from(X.subarray(r * nCols, (r + 1) * nCols)));
}

function accuracyOf(pred: ArrayLike<number>, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

/**
 * scikit-learn's gamma='scale', 1 / (nCols * var(X)), for the libraries that take a number.
 * Computed here rather than with medpipe's resolveGamma, which would compile and run medpipe's
 * WebAssembly solver module before its timed first fit.
 */
function scaleGamma(X: Float64Array, nCols: number): number {
  let mean = 0;
  for (let i = 0; i < X.length; i++) mean += X[i];
  mean /= X.length;
  let v = 0;
  for (let i = 0; i < X.length; i++) v += (X[i] - mean) * (X[i] - mean);
  v /= X.length;
  return v !== 0 ? 1 / (nCols * v) : 1;
}

/** Times `warm` more fits of the same data in this (now warmed-up) process; median seconds. */
async function warmFits(warm: number, fit: () => unknown): Promise<number | null> {
  const times: number[] = [];
  for (let k = 0; k < warm; k++) {
    const t0 = performance.now();
    await fit();
    times.push((performance.now() - t0) / 1000);
  }
  return times.length ? median(times) : null;
}

/** One measured cold fit + predict, then `warm` re-fits, inside a child process; prints a RunResult as JSON. */
async function child(lib: string, path: string, decOut: string, warm: number): Promise<void> {
  const s = readSplit(path);
  const gamma = scaleGamma(s.Xtr, s.nCols);
  const tImport = performance.now();
  let importS: number,
    fitS: number,
    predictS: number,
    pred: ArrayLike<number>,
    nSupport: number | null = null;
  let refit: (() => unknown) | null = null;
  if (lib === 'medpipe') {
    const { fitSvm, predictSvm, decisionFunction } = await import('../src/ml/svm/index.js');
    importS = (performance.now() - tImport) / 1000;
    const fit = () => fitSvm(s.Xtr, s.nTrain, s.nCols, s.ytr, { kernel: 'rbf', C: 1, gamma: 'scale', tol: 1e-3, cacheMb: 200 });
    const t0 = performance.now();
    const model = await fit();
    const t1 = performance.now();
    pred = predictSvm(model, s.Xte, s.nTest);
    const t2 = performance.now();
    [fitS, predictS, nSupport] = [(t1 - t0) / 1000, (t2 - t1) / 1000, model.nSupport];
    writeFileSync(decOut, Array.from(decisionFunction(model, s.Xte, s.nTest)).join('\n'));
    refit = fit;
  } else if (lib === 'libsvm-js') {
    const require = createRequire(import.meta.url);
    type LibSvm = new (o: object) => { train(x: number[][], y: number[]): void; predict(x: number[][]): number[]; getSVIndices(): number[] };
    const SVM = await (require('libsvm-js') as Promise<LibSvm & { KERNEL_TYPES: { RBF: number }; SVM_TYPES: { C_SVC: number } }>);
    importS = (performance.now() - tImport) / 1000;
    const X = rowsOf(s.Xtr, s.nTrain, s.nCols),
      Xt = rowsOf(s.Xte, s.nTest, s.nCols);
    const svm = new SVM({
      kernel: (SVM as unknown as { KERNEL_TYPES: { RBF: number } }).KERNEL_TYPES.RBF,
      type: (SVM as unknown as { SVM_TYPES: { C_SVC: number } }).SVM_TYPES.C_SVC,
      gamma,
      cost: 1,
      tolerance: 1e-3,
      cacheSize: 200,
      shrinking: true,
      quiet: true,
    });
    const t0 = performance.now();
    svm.train(X, Array.from(s.ytr));
    const t1 = performance.now();
    pred = svm.predict(Xt);
    const t2 = performance.now();
    [fitS, predictS, nSupport] = [(t1 - t0) / 1000, (t2 - t1) / 1000, svm.getSVIndices().length];
    // train() frees the previous model first, so re-training the same instance does not leak wasm memory.
    refit = () => svm.train(X, Array.from(s.ytr));
  } else {
    // ml-svm used as documented, with what its README leaves implicit made to match SVC: labels
    // +1/-1, no min-max "whitening" (the data is already standardised), sigma from gamma.
    const require = createRequire(import.meta.url);
    type MlSvm = new (o: object) => { train(x: number[][], y: number[]): void; predict(x: number[][]): number[]; margin(x: number[][]): number[] };
    const SVM = require('ml-svm') as MlSvm;
    importS = (performance.now() - tImport) / 1000;
    const { createRng } = await import('../src/rng.js');
    const rng = createRng(0);
    const svm = new SVM({
      C: 1,
      tol: 1e-3,
      maxPasses: 10,
      maxIterations: 10000,
      kernel: 'rbf',
      kernelOptions: { sigma: Math.sqrt(1 / (2 * gamma)) },
      whitening: false,
      random: () => rng.next(),
    });
    const X = rowsOf(s.Xtr, s.nTrain, s.nCols),
      Xt = rowsOf(s.Xte, s.nTest, s.nCols);
    const t0 = performance.now();
    svm.train(
      X,
      Array.from(s.ytr, (v) => (v === 1 ? 1 : -1)),
    );
    const t1 = performance.now();
    pred = svm.predict(Xt).map((v) => (v > 0 ? 1 : 0));
    const t2 = performance.now();
    [fitS, predictS] = [(t1 - t0) / 1000, (t2 - t1) / 1000];
    writeFileSync(decOut, svm.margin(Xt).join('\n'));
  }
  // Peak RSS of the cold fit + predict, so it stays comparable with earlier runs of this bench.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const accuracy = accuracyOf(pred, s.yte);
  const warmFitS = refit ? await warmFits(warm, refit) : null;
  const result: RunResult = { importS, fitS, warmFitS, predictS, accuracy, peakRssMb, nSupport };
  console.log(JSON.stringify(result));
}

function readNumbers(path: string): number[] {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').map(Number) : [];
}

function runOnce(lib: string, path: string, decOut: string, warm: number, timeoutMs: number): RunResult | 'timeout' {
  const r =
    lib === 'scikit-learn'
      ? spawnSync(PYTHON, ['-c', SKLEARN_PY, path, decOut, String(warm)], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 })
      : spawnSync(process.execPath, [SELF, '--child', lib, path, decOut, String(warm)], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return 'timeout';
  if (r.status !== 0) throw new Error(`${lib} on ${path} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as RunResult;
}

export async function benchSvm(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-svm-'));
  const gen = spawnSync(PYTHON, ['-c', MAKE_DATA_PY, dir], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`generating data with scikit-learn failed: ${gen.stderr}`);
  // [label, path, training rows] (training rows decide how many warm fits a process does)
  const datasets: [string, string, number][] = [
    ['breast cancer (455 train)', BREAST_CANCER, 455],
    ['synthetic 5k (4,000 train)', join(dir, 'synthetic-5k.csv'), 4000],
    ['synthetic 20k (16,000 train)', join(dir, 'synthetic-20k.csv'), 16000],
  ];
  const header = [
    'data',
    'library',
    'first fit s (cold)',
    'cold / sklearn',
    'import + first fit s',
    'import+cold / sklearn',
    `warm fit s (median of ${WARM_REPEATS}; ${WARM_REPEATS_LARGE} on 16k)`,
    'warm / sklearn',
    'predict s',
    'peak RSS MB',
    'accuracy',
    'n SV',
    'Spearman vs sklearn',
  ];
  const rows: string[][] = [header];
  for (const [label, path, nTrain] of datasets) {
    const libs = ['scikit-learn', 'medpipe', 'libsvm-js', ...(path === BREAST_CANCER ? ['ml-svm'] : [])];
    let sklearnFit = NaN,
      sklearnWarm = NaN,
      sklearnFirst = NaN;
    const sklearnDec = join(dir, 'dec-scikit-learn.txt');
    for (const lib of libs) {
      const decOut = join(dir, `dec-${lib}.txt`);
      const runs: RunResult[] = [];
      let timedOut = false;
      for (let k = 0; k < (lib === 'ml-svm' ? 1 : nTrain < SMALL_TRAIN_ROWS ? SMALL_REPEATS : REPEATS); k++) {
        const warm = lib === 'ml-svm' ? 0 : nTrain >= LARGE_TRAIN_ROWS ? WARM_REPEATS_LARGE : WARM_REPEATS;
        const r = runOnce(lib, path, decOut, warm, lib === 'ml-svm' ? ML_SVM_LIMIT_MS : 600_000);
        if (r === 'timeout') {
          timedOut = true;
          break;
        }
        runs.push(r);
      }
      if (timedOut) {
        rows.push([label, lib, `> ${ML_SVM_LIMIT_MS / 1000} (killed)`, '', '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const fit = median(runs.map((r) => r.fitS));
      const first = median(runs.map((r) => r.importS + r.fitS));
      const warmRuns = runs.map((r) => r.warmFitS).filter((w): w is number => w !== null);
      const warmFit = warmRuns.length ? median(warmRuns) : null;
      if (lib === 'scikit-learn') [sklearnFit, sklearnWarm, sklearnFirst] = [fit, warmFit ?? NaN, first];
      const dec = readNumbers(decOut),
        ref = readNumbers(sklearnDec);
      const rho = lib !== 'scikit-learn' && dec.length === ref.length && dec.length > 0 ? spearman(dec, ref).toFixed(5) : lib === 'scikit-learn' ? '1' : 'n/a';
      rows.push([
        label,
        lib,
        fit.toFixed(3),
        (fit / sklearnFit).toFixed(2) + 'x',
        first.toFixed(3),
        (first / sklearnFirst).toFixed(2) + 'x',
        warmFit === null ? '-' : warmFit.toFixed(3),
        warmFit === null ? '-' : (warmFit / sklearnWarm).toFixed(2) + 'x',
        median(runs.map((r) => r.predictS)).toFixed(3),
        median(runs.map((r) => r.peakRssMb)).toFixed(0),
        runs[0].accuracy.toFixed(4),
        runs[0].nSupport === null ? 'n/a' : String(runs[0].nSupport),
        rho,
      ]);
      process.stderr.write(`${label} ${lib}: cold fit ${fit.toFixed(3)} s, warm ${warmFit === null ? '-' : warmFit.toFixed(3)} s\n`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  printTable(
    `SVC rbf C=1 gamma=scale, ${REPEATS} fresh processes per cell (${SMALL_REPEATS} on breast cancer; ml-svm: 1), times are medians over processes; warm = median of ${WARM_REPEATS} re-fits after the first in the same process (${WARM_REPEATS_LARGE} on the 16,000-row set; ml-svm: none), ${new Date().toISOString().slice(0, 10)}`,
    rows,
  );
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
  else await benchSvm();
}

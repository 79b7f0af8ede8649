/**
 * Random forest benchmark: medpipe's forest against scikit-learn (n_jobs 1 and 2) and
 * ml-random-forest, side by side in one run on the same CSV files, for (a) the breast cancer
 * fixture split and (b) make_classification(20000, 40, n_informative=15, random_state=0) 80/20,
 * generated here with scikit-learn (not committed). Every measurement runs in a fresh child
 * process, so peak RSS is that run's own; ml-random-forest is killed after 120 s. The first fit in
 * a process is the "cold" time; medpipe and scikit-learn then fit again on the same data
 * WARM_REPEATS times (WARM_REPEATS_LARGE on the 16k-row set, to keep the bench under ~10 minutes)
 * and report the median as the "warm" time (ml-random-forest: cold only, it is too slow). Peak
 * RSS is taken after the cold fit and predict, before the warm fits. medpipe starts its worker
 * threads afresh in every fit, so its warm threads=2 time still includes starting them.
 *
 * Usage: node dist/bench/models-forest.js   (needs /usr/bin/python3 with scikit-learn)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNumericCsv } from '../test/ml/forest-fixtures.js';
import { median, printTable } from './measure.js';

const PYTHON = '/usr/bin/python3';
const TREES = 100;
const SEED = 0;
const REPEATS = 3;
const WARM_REPEATS = 5;
const WARM_REPEATS_LARGE = 2;
const ML_RF_LIMIT_MS = 120_000;
const SELF = fileURLToPath(import.meta.url);
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/forest/', import.meta.url));

interface RunResult {
  fitS: number;
  /** Median of the warm re-fits in the same process; null when none were run. */
  warmFitS: number | null;
  predictS: number;
  accuracy: number;
  peakRssMb: number;
}

const MAKE_DATA_PY = `
import sys, numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
X, y = make_classification(n_samples=20000, n_features=40, n_informative=15, random_state=0)
a, b, c, d = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
head = ','.join([f'x{i}' for i in range(40)] + ['label'])
for name, X_, y_ in (('train', a, c), ('test', b, d)):
    np.savetxt(f'{sys.argv[1]}/synthetic-{name}.csv', np.column_stack([X_, y_]), delimiter=',', fmt='%.17g', header=head, comments='')
`;

const SKLEARN_PY = `
import sys, time, json, resource, numpy as np
from sklearn.ensemble import RandomForestClassifier
train, test, jobs, trees, seed, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
a = np.loadtxt(train, delimiter=',', skiprows=1); b = np.loadtxt(test, delimiter=',', skiprows=1)
X, y, Xt, yt = a[:, :-1], a[:, -1], b[:, :-1], b[:, -1]
fit = lambda: RandomForestClassifier(n_estimators=trees, n_jobs=jobs, random_state=seed).fit(X, y)
t0 = time.perf_counter(); m = fit(); t1 = time.perf_counter()
p = m.predict(Xt); t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ws = []
for _ in range(warm):
    w0 = time.perf_counter(); fit(); ws.append(time.perf_counter() - w0)
print(json.dumps({'fitS': t1 - t0, 'warmFitS': float(np.median(ws)) if ws else None, 'predictS': t2 - t1, 'accuracy': float((p == yt).mean()), 'peakRssMb': rss}))
`;

/** Child-process side: cold fit and predict one implementation, then `warm` re-fits; print one JSON line. */
async function child(impl: string, trainPath: string, testPath: string, threads: number, warm: number): Promise<void> {
  const train = readNumericCsv(trainPath);
  const test = readNumericCsv(testPath);
  let fitS: number, predictS: number, predicted: ArrayLike<number>;
  let refit: (() => Promise<unknown>) | null = null;
  if (impl === 'ours') {
    const { fitForest, predictClasses } = await import('../src/ml/forest/index.js');
    const labels = Int32Array.from(train.y);
    const fit = () => fitForest(train.X, train.nRows, train.nCols, labels, { task: 'classification', trees: TREES, seed: SEED, threads });
    const t0 = performance.now();
    const model = await fit();
    const t1 = performance.now();
    predicted = predictClasses(model, test.X, test.nRows);
    predictS = (performance.now() - t1) / 1000;
    fitS = (t1 - t0) / 1000;
    refit = fit;
  } else {
    const { RandomForestClassifier } = await import('ml-random-forest');
    const rows = (t: typeof train): number[][] => Array.from({ length: t.nRows }, (_, i) => Array.from(t.X.subarray(i * t.nCols, (i + 1) * t.nCols)));
    const Xtr = rows(train);
    const Xte = rows(test);
    const t0 = performance.now();
    const rf = new RandomForestClassifier({ nEstimators: TREES, seed: SEED + 1 });
    rf.train(Xtr, Array.from(train.y));
    const t1 = performance.now();
    predicted = rf.predict(Xte);
    predictS = (performance.now() - t1) / 1000;
    fitS = (t1 - t0) / 1000;
  }
  let correct = 0;
  for (let i = 0; i < test.nRows; i++) if (predicted[i] === test.y[i]) correct++;
  // Peak RSS of the cold fit + predict, so it stays comparable with earlier runs of this bench.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const warmTimes: number[] = [];
  for (let k = 0; refit && k < warm; k++) {
    const t0 = performance.now();
    await refit();
    warmTimes.push((performance.now() - t0) / 1000);
  }
  const result: RunResult = { fitS, warmFitS: warmTimes.length ? median(warmTimes) : null, predictS, accuracy: correct / test.nRows, peakRssMb };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(command: string, args: string[], timeoutMs?: number): RunResult | 'timeout' {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return 'timeout';
  if (r.signal === 'SIGKILL' && timeoutMs !== undefined) return 'timeout';
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunResult;
}

interface Row {
  dataset: string;
  impl: string;
  runs: RunResult[] | 'timeout';
}

function measure(dataset: string, impl: string, command: string, args: string[], repeats: number, timeoutMs?: number): Row {
  const runs: RunResult[] = [];
  for (let i = 0; i < repeats; i++) {
    const r = runChild(command, args, timeoutMs);
    if (r === 'timeout') return { dataset, impl, runs: 'timeout' };
    runs.push(r);
    process.stderr.write(`  ${dataset} ${impl}: cold fit ${r.fitS.toFixed(2)} s, warm ${r.warmFitS === null ? '-' : r.warmFitS.toFixed(2)} s\n`);
  }
  return { dataset, impl, runs };
}

function warmOf(runs: RunResult[]): number | null {
  const w = runs.map((x) => x.warmFitS).filter((v): v is number => v !== null);
  return w.length ? median(w) : null;
}

/** The target compares against scikit-learn with n_jobs=2, so the warm ratio uses that row of the same data set. */
function table(rows: Row[]): string[][] {
  const out = [
    [
      'data',
      'implementation',
      'first fit s (cold)',
      'cold fit s (runs)',
      `warm fit s (median of ${WARM_REPEATS}; ${WARM_REPEATS_LARGE} on 16000 rows)`,
      'warm / sklearn n_jobs=2',
      'predict s',
      'peak RSS MB',
      'test accuracy',
    ],
  ];
  for (const r of rows) {
    if (r.runs === 'timeout') {
      out.push([r.dataset, r.impl, `>${ML_RF_LIMIT_MS / 1000} (killed)`, '', '', '', '', '', '']);
      continue;
    }
    const runs = r.runs;
    const ref = rows.find((x) => x.dataset === r.dataset && x.impl === 'scikit-learn n_jobs=2');
    const refWarm = ref && ref.runs !== 'timeout' ? warmOf(ref.runs) : null;
    const warm = warmOf(runs);
    const ratio = warm !== null && refWarm !== null ? `${(warm / refWarm).toFixed(2)}x` : '-';
    out.push([
      r.dataset,
      r.impl,
      median(runs.map((x) => x.fitS)).toFixed(2),
      runs.map((x) => x.fitS.toFixed(2)).join(', '),
      warm === null ? '-' : warm.toFixed(2),
      ratio,
      median(runs.map((x) => x.predictS)).toFixed(3),
      median(runs.map((x) => x.peakRssMb)).toFixed(0),
      runs[0].accuracy.toFixed(3),
    ]);
  }
  return out;
}

export async function benchForest(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-forest-'));
  writeFileSync(join(dir, 'make_data.py'), MAKE_DATA_PY);
  writeFileSync(join(dir, 'sklearn_rf.py'), SKLEARN_PY);
  const gen = spawnSync(PYTHON, [join(dir, 'make_data.py'), dir], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`generating the synthetic data failed: ${gen.stderr}`);
  const datasets: [string, string, string][] = [
    ['breast cancer 455x30', join(FIXTURES, 'breast-cancer-train.csv'), join(FIXTURES, 'breast-cancer-test.csv')],
    ['make_classification 16000x40', join(dir, 'synthetic-train.csv'), join(dir, 'synthetic-test.csv')],
  ];
  const rows: Row[] = [];
  for (const [name, train, test] of datasets) {
    const big = name.startsWith('make');
    const warm = String(big ? WARM_REPEATS_LARGE : WARM_REPEATS);
    for (const jobs of [1, 2])
      rows.push(
        measure(
          name,
          `scikit-learn n_jobs=${jobs}`,
          PYTHON,
          [join(dir, 'sklearn_rf.py'), train, test, String(jobs), String(TREES), String(SEED), warm],
          REPEATS,
        ),
      );
    rows.push(
      measure(
        name,
        'ml-random-forest 2.1 (defaults)',
        process.execPath,
        [SELF, '--child', 'ml-random-forest', train, test, '1', '0'],
        big ? 1 : REPEATS,
        ML_RF_LIMIT_MS,
      ),
    );
    for (const threads of [1, 2])
      rows.push(measure(name, `medpipe forest threads=${threads}`, process.execPath, [SELF, '--child', 'ours', train, test, String(threads), warm], REPEATS));
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  printTable(
    `Random forest, ${TREES} trees, seed ${SEED}; ${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores (${cpu}), machine shared with other jobs; median of ${REPEATS} runs (ml-random-forest on the large set: 1 run, killed after ${ML_RF_LIMIT_MS / 1000} s); warm = median of ${WARM_REPEATS} re-fits after the first in the same process (${WARM_REPEATS_LARGE} on the 16000-row set; ml-random-forest: none), then the median over runs.`,
    table(rows),
  );
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]), Number(process.argv[7]));
  else await benchForest();
}

/**
 * Random forest benchmark: medpipe's forest against scikit-learn (n_jobs 1 and 2), side by side in
 * one run on the same CSV files: (a) the breast cancer fixture split, (b) scikit-learn's digits
 * (1,797 x 64, ten classes; stratified 75/25, random_state=0, so 1,347 training rows) and (c)
 * make_classification(20000, 40, n_informative=15, random_state=0) 80/20; (b) and (c) are
 * generated here with scikit-learn into a temp dir (not committed). ml-random-forest runs on (a)
 * only: on (c) it did not finish in 120 s (2026-11-26).
 *
 * Every measurement runs in a fresh child process, and the implementations take turns: repeat 1
 * of every row, then repeat 2, and so on, so that load from other jobs on the machine falls on all
 * of them alike. The first fit in a process is the "cold" time; then WARM_REPEATS re-fits in the
 * same process (WARM_REPEATS_LARGE on the 16k-row set) give the "warm" time (their median).
 *
 * medpipe is measured three ways: the library (fitForest on the CSV's arrays, threads 1 and 2),
 * the whole `train.random-forest` step (its default threads; reading its Arrow input, fitting,
 * out-of-bag score, writing the model), and a breakdown of that step's work into phases. With
 * `--baseline DIR` (a checkout's built dist/, e.g. of main), the library rows are repeated with
 * that build, in the same turns, for before/after comparisons in one run.
 *
 * Usage: node dist/bench/models-forest.js [--baseline /path/to/other/dist]
 *   (needs /usr/bin/python3 with scikit-learn)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readNumericCsv } from '../test/ml/forest-fixtures.js';
import type { NumericTable } from '../test/ml/forest-fixtures.js';
import type { FitTimings } from '../src/ml/forest/index.js';
import { median, printTable } from './measure.js';

const PYTHON = '/usr/bin/python3';
const TREES = 100;
const SEED = 0;
const REPEATS = 3;
const WARM_REPEATS = 5;
const WARM_REPEATS_LARGE = 1;
const ML_RF_LIMIT_MS = 120_000;
const SELF = fileURLToPath(import.meta.url);
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/forest/', import.meta.url));
const OWN_FOREST = fileURLToPath(new URL('../src/ml/forest/index.js', import.meta.url));
/** The job that times the step's phases (shown in its own table). */
const PHASES = 'medpipe step, phase by phase';

interface RunResult {
  fitS: number;
  /** Median of the warm re-fits in the same process; null when none were run. */
  warmFitS: number | null;
  predictS: number;
  accuracy: number;
  peakRssMb: number;
}

/** One pass of the step's work, in ms: what the step adds around the fit, and the fit's own phases. */
interface Phases extends FitTimings {
  /** Reading the Arrow file and building the feature matrix and target. */
  readMs: number;
  /** fitForest as a whole. */
  fitMs: number;
  /** The model artifact: forestToJSON, JSON text, writing the file. */
  writeMs: number;
}

interface StepResult {
  /** The whole step, first run in the process. */
  coldS: number;
  warmS: number;
}

interface PhasesResult {
  cold: Phases;
  warm: Phases;
}

const MAKE_DATA_PY = `
import sys, numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import train_test_split
def save(name, X, y, test_size):
    a, b, c, d = train_test_split(X, y, test_size=test_size, stratify=y, random_state=0)
    head = ','.join([f'x{i}' for i in range(X.shape[1])] + ['label'])
    for part, X_, y_ in (('train', a, c), ('test', b, d)):
        np.savetxt(f'{sys.argv[1]}/{name}-{part}.csv', np.column_stack([X_, y_]), delimiter=',', fmt='%.17g', header=head, comments='')
save('digits', *load_digits(return_X_y=True), 0.25)
save('synthetic', *make_classification(n_samples=20000, n_features=40, n_informative=15, random_state=0), 0.2)
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

/** A whole Python process that fits once: interpreter start, importing scikit-learn, reading the CSV, the fit. */
const SKLEARN_ONCE_PY = `
import sys, numpy as np
from sklearn.ensemble import RandomForestClassifier
a = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
RandomForestClassifier(n_estimators=int(sys.argv[2]), n_jobs=2, random_state=int(sys.argv[3])).fit(a[:, :-1], a[:, -1])
`;

/**
 * Fresh processes that fit once, timed from spawn to exit, taking turns: what a user waits for
 * when one training runs on its own (scikit-learn's import and Node's module loading included).
 */
function wholeProcessTable(datasets: readonly { name: string; csv: string; arrow: string; out: string }[], script: string): string[][] {
  const rows = [
    [
      'data',
      'scikit-learn n_jobs=2: python3, import, read CSV, fit (s, runs)',
      'medpipe: node, the train.random-forest step: read Arrow, fit, write model (s, runs)',
      'medpipe / scikit-learn',
    ],
  ];
  for (const d of datasets) {
    const py: number[] = [];
    const node: number[] = [];
    for (let round = 0; round < REPEATS; round++) {
      for (const [times, command, args] of [
        [py, PYTHON, [script, d.csv, String(TREES), String(SEED)]],
        [node, process.execPath, [SELF, '--child', 'step-once', d.arrow, d.out]],
      ] as const) {
        const t0 = performance.now();
        const r = spawnSync(command, args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
        times.push((performance.now() - t0) / 1000);
      }
    }
    const runs = (xs: number[]): string => `${fmt(median(xs))} (${xs.map(fmt).join(', ')})`;
    rows.push([d.name, runs(py), runs(node), `${(median(node) / median(py)).toFixed(2)}x`]);
  }
  return rows;
}

/** Child: cold fit and predict with medpipe's library (from `forestModule`), then `warm` re-fits. */
async function childLibrary(forestModule: string, trainPath: string, testPath: string, threads: number, warm: number): Promise<RunResult> {
  const train = readNumericCsv(trainPath);
  const test = readNumericCsv(testPath);
  const { fitForest, predictClasses } = (await import(pathToFileURL(forestModule).href)) as typeof import('../src/ml/forest/index.js');
  const labels = Int32Array.from(train.y);
  const fit = () => fitForest(train.X, train.nRows, train.nCols, labels, { task: 'classification', trees: TREES, seed: SEED, threads });
  const t0 = performance.now();
  const model = await fit();
  const t1 = performance.now();
  const predicted = predictClasses(model, test.X, test.nRows);
  const predictS = (performance.now() - t1) / 1000;
  // Peak RSS of the cold fit + predict, so it stays comparable with earlier runs of this bench.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const warmTimes: number[] = [];
  for (let k = 0; k < warm; k++) {
    const w0 = performance.now();
    await fit();
    warmTimes.push((performance.now() - w0) / 1000);
  }
  return { fitS: (t1 - t0) / 1000, warmFitS: warmTimes.length ? median(warmTimes) : null, predictS, accuracy: accuracyOf(predicted, test), peakRssMb };
}

async function childMlRandomForest(trainPath: string, testPath: string): Promise<RunResult> {
  const train = readNumericCsv(trainPath);
  const test = readNumericCsv(testPath);
  const { RandomForestClassifier } = await import('ml-random-forest');
  const rows = (t: NumericTable): number[][] => Array.from({ length: t.nRows }, (_, i) => Array.from(t.X.subarray(i * t.nCols, (i + 1) * t.nCols)));
  const Xtr = rows(train);
  const Xte = rows(test);
  const t0 = performance.now();
  const rf = new RandomForestClassifier({ nEstimators: TREES, seed: SEED + 1 });
  rf.train(Xtr, Array.from(train.y));
  const t1 = performance.now();
  const predicted = rf.predict(Xte);
  const predictS = (performance.now() - t1) / 1000;
  return { fitS: (t1 - t0) / 1000, warmFitS: null, predictS, accuracy: accuracyOf(predicted, test), peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function accuracyOf(predicted: ArrayLike<number>, test: NumericTable): number {
  let correct = 0;
  for (let i = 0; i < test.nRows; i++) if (predicted[i] === test.y[i]) correct++;
  return correct / test.nRows;
}

/** Child: the `train.random-forest` step as a pipeline runs it (100 trees, seed 0, default threads), first in the process, then warm. */
async function childStep(arrowPath: string, outDir: string, warm: number): Promise<StepResult> {
  const { default: step } = await import('../src/steps/train.random-forest.js');
  const { runStep } = await import('../test/helpers/step-harness.js');
  const run = async (): Promise<number> => {
    const t0 = performance.now();
    await runStep(step, { train: arrowPath }, { seed: SEED, trees: TREES }, process.cwd(), { outputDir: outDir });
    return (performance.now() - t0) / 1000;
  };
  const coldS = await run();
  const warmSteps: number[] = [];
  for (let k = 0; k < warm; k++) warmSteps.push(await run());
  return { coldS, warmS: median(warmSteps) };
}

/** Child: the step's work done by hand, phase by phase, first in the process and then warm. */
async function childPhases(arrowPath: string, outDir: string, warm: number): Promise<PhasesResult> {
  const passes: Phases[] = [];
  for (let k = 0; k <= warm; k++) passes.push(await stepPhases(arrowPath, outDir));
  return { cold: passes[0], warm: medianPhases(passes.slice(1)) };
}

/** The step's work by hand, timed phase by phase (the same calls train.random-forest makes). */
async function stepPhases(arrowPath: string, outDir: string): Promise<Phases> {
  const { readDatasetFile } = await import('../src/data/arrow.js');
  const { featureMatrix, targetVector } = await import('../src/data/matrix.js');
  const { fitForest, forestToJSON } = await import('../src/ml/forest/index.js');
  const { modelArtifactHead } = await import('../src/ml/model-artifact.js');
  const { FOREST_MODEL_FORMAT } = await import('../src/ml/model-formats.js');
  const t0 = performance.now();
  const ds = await readDatasetFile(arrowPath);
  const target = targetVector(ds);
  const { X, nRows, nCols, names } = featureMatrix(ds);
  const t1 = performance.now();
  if (target.type !== 'classification') throw new Error(`${arrowPath}: the benchmark's target must be a class`);
  const timings = {} as FitTimings;
  const model = await fitForest(X, nRows, nCols, target.y, { task: 'classification', nClasses: target.classes.length, trees: TREES, seed: SEED, timings });
  const t2 = performance.now();
  const artifact = { format: FOREST_MODEL_FORMAT, ...forestToJSON(model), ...modelArtifactHead(target, names, undefined) };
  await writeFile(join(outDir, 'model.json'), JSON.stringify(artifact));
  const t3 = performance.now();
  return { ...timings, readMs: t1 - t0, fitMs: t2 - t1, writeMs: t3 - t2 };
}

function medianPhases(ps: readonly Phases[]): Phases {
  const keys = Object.keys(ps[0]) as (keyof Phases)[];
  return Object.fromEntries(keys.map((k) => [k, median(ps.map((p) => p[k]))])) as unknown as Phases;
}

/** Writes a numeric CSV (last column the class) as the Arrow dataset a load step would make. */
async function arrowFromCsv(csv: string, out: string): Promise<void> {
  const { writeDatasetFile } = await import('../src/data/arrow.js');
  const { makeDataset } = await import('../src/data/dataset.js');
  const t = readNumericCsv(csv);
  const classes = [...new Set(Array.from(t.y))].sort((a, b) => a - b);
  const columns = t.features.map((f, j) => ({
    name: f,
    kind: 'numeric' as const,
    data: { type: 'numeric' as const, values: Float64Array.from({ length: t.nRows }, (_, i) => t.X[i * t.nCols + j]) },
  }));
  const label = {
    name: 'label',
    kind: 'target' as const,
    data: { type: 'categorical' as const, codes: Int32Array.from(t.y, (v) => classes.indexOf(v)), categories: classes.map(String) },
  };
  await writeDatasetFile(out, makeDataset([...columns, label], { column: 'label' }));
}

type Outcome = RunResult | StepResult | PhasesResult | 'timeout';

function runChild(command: string, args: string[], timeoutMs?: number): Outcome {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return 'timeout';
  if (r.signal === 'SIGKILL' && timeoutMs !== undefined) return 'timeout';
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Exclude<Outcome, 'timeout'>;
}

interface Job {
  dataset: string;
  impl: string;
  command: string;
  args: string[];
  repeats: number;
  timeoutMs?: number;
  runs: Outcome[];
}

/** Runs every job `repeats` times, taking turns: one run of each job per round. */
function runInTurns(jobs: Job[]): void {
  const rounds = Math.max(...jobs.map((j) => j.repeats));
  for (let round = 0; round < rounds; round++) {
    for (const job of jobs) {
      if (round >= job.repeats || job.runs.includes('timeout')) continue;
      const r = runChild(job.command, job.args, job.timeoutMs);
      job.runs.push(r);
      const what =
        r === 'timeout'
          ? 'timeout'
          : 'coldS' in r
            ? `step ${r.coldS.toFixed(2)} s cold`
            : 'cold' in r
              ? `fit ${(r.cold.fitMs / 1000).toFixed(2)} s cold`
              : `fit ${r.fitS.toFixed(2)} s cold`;
      process.stderr.write(`  [${round + 1}/${rounds}] ${job.dataset} ${job.impl}: ${what}\n`);
    }
  }
}

const fmt = (s: number | null): string => (s === null ? '-' : s.toFixed(2));
const ms = (v: number): string => (v < 10 ? v.toFixed(1) : v.toFixed(0));

/** The target compares against scikit-learn with n_jobs=2, so ratios use that row of the same data set. */
function fitTable(jobs: Job[]): string[][] {
  const out = [
    [
      'data',
      'implementation',
      'first fit s (cold)',
      'cold fit s (runs)',
      'cold / sklearn n_jobs=2',
      `warm fit s (median of ${WARM_REPEATS}; ${WARM_REPEATS_LARGE} on 16000 rows)`,
      'warm / sklearn n_jobs=2',
      'predict s',
      'peak RSS MB',
      'test accuracy',
    ],
  ];
  const fits = (j: Job): RunResult[] => j.runs.filter((r): r is RunResult => r !== 'timeout' && 'fitS' in r);
  const steps = (j: Job): StepResult[] => j.runs.filter((r): r is StepResult => r !== 'timeout' && 'coldS' in r);
  for (const j of jobs) {
    if (j.impl === PHASES) continue;
    const ref = fits(jobs.find((x) => x.dataset === j.dataset && x.impl === 'scikit-learn n_jobs=2')!);
    const refCold = median(ref.map((r) => r.fitS));
    const refWarm = median(ref.map((r) => r.warmFitS ?? NaN));
    const ratio = (v: number | null, r: number): string => (v === null || !Number.isFinite(r) ? '-' : `${(v / r).toFixed(2)}x`);
    if (j.runs.includes('timeout')) {
      out.push([j.dataset, j.impl, `>${(j.timeoutMs ?? 0) / 1000} (killed)`, '', '', '', '', '', '', '']);
      continue;
    }
    const st = steps(j);
    if (st.length) {
      const cold = median(st.map((r) => r.coldS));
      const warm = median(st.map((r) => r.warmS));
      out.push([j.dataset, j.impl, fmt(cold), st.map((r) => fmt(r.coldS)).join(', '), ratio(cold, refCold), fmt(warm), ratio(warm, refWarm), '', '', '']);
      continue;
    }
    const rs = fits(j);
    const cold = median(rs.map((r) => r.fitS));
    const warms = rs.map((r) => r.warmFitS).filter((v): v is number => v !== null);
    const warm = warms.length ? median(warms) : null;
    out.push([
      j.dataset,
      j.impl,
      fmt(cold),
      rs.map((r) => fmt(r.fitS)).join(', '),
      ratio(cold, refCold),
      fmt(warm),
      ratio(warm, refWarm),
      median(rs.map((r) => r.predictS)).toFixed(3),
      median(rs.map((r) => r.peakRssMb)).toFixed(0),
      rs[0].accuracy.toFixed(3),
    ]);
  }
  return out;
}

function phaseTable(jobs: Job[]): string[][] {
  const out = [
    [
      'data',
      'pass',
      'read input (Arrow -> matrix) ms',
      'checks + binning ms',
      'cold workers; ms until every worker sent its first tree',
      'growing trees ms',
      'of which out-of-bag walks (CPU, all threads) ms',
      'out-of-bag score + importances ms',
      'write model ms',
      'fit ms',
      'step total ms',
    ],
  ];
  for (const j of jobs) {
    const st = j.runs.filter((r): r is PhasesResult => r !== 'timeout' && 'cold' in r);
    if (!st.length) continue;
    for (const pass of ['cold', 'warm'] as const) {
      const p = medianPhases(st.map((r) => r[pass]));
      out.push([
        j.dataset,
        pass === 'cold' ? 'first in process' : 'warm (median)',
        ms(p.readMs),
        ms(p.binningMs),
        p.workersStarted || p.workerFirstTreeMs ? `${p.workersStarted}; ${ms(p.workerFirstTreeMs)}` : '- (1 thread)',
        ms(p.growingMs),
        ms(p.oobWalkMs),
        ms(p.oobScoreMs),
        ms(p.writeMs),
        ms(p.fitMs),
        ms(p.readMs + p.fitMs + p.writeMs),
      ]);
    }
  }
  return out;
}

export async function benchForest(baseline?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-forest-'));
  writeFileSync(join(dir, 'make_data.py'), MAKE_DATA_PY);
  writeFileSync(join(dir, 'sklearn_rf.py'), SKLEARN_PY);
  writeFileSync(join(dir, 'sklearn_rf_once.py'), SKLEARN_ONCE_PY);
  const whole: { name: string; csv: string; arrow: string; out: string }[] = [];
  const gen = spawnSync(PYTHON, [join(dir, 'make_data.py'), dir], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`generating the benchmark data failed: ${gen.stderr}`);
  const datasets: [string, string, string][] = [
    ['breast cancer 455x30', join(FIXTURES, 'breast-cancer-train.csv'), join(FIXTURES, 'breast-cancer-test.csv')],
    ['digits 1347x64, 10 classes', join(dir, 'digits-train.csv'), join(dir, 'digits-test.csv')],
    ['make_classification 16000x40', join(dir, 'synthetic-train.csv'), join(dir, 'synthetic-test.csv')],
  ];
  const baselineForest = baseline ? join(resolve(baseline), 'src/ml/forest/index.js') : undefined;
  const jobs: Job[] = [];
  for (const [name, train, test] of datasets) {
    const big = name.startsWith('make');
    const warm = String(big ? WARM_REPEATS_LARGE : WARM_REPEATS);
    const arrow = join(dir, `${name.split(' ')[0]}-train.arrow`);
    await arrowFromCsv(train, arrow);
    const job = (impl: string, command: string, args: string[], timeoutMs?: number, repeats = REPEATS): Job => ({
      dataset: name,
      impl,
      command,
      args,
      repeats,
      ...(timeoutMs ? { timeoutMs } : {}),
      runs: [],
    });
    for (const jobsN of [1, 2])
      jobs.push(job(`scikit-learn n_jobs=${jobsN}`, PYTHON, [join(dir, 'sklearn_rf.py'), train, test, String(jobsN), String(TREES), String(SEED), warm]));
    if (name.startsWith('breast'))
      jobs.push(job('ml-random-forest 2.1 (defaults)', process.execPath, [SELF, '--child', 'ml-random-forest', train, test], ML_RF_LIMIT_MS));
    for (const threads of [1, 2]) {
      if (baselineForest)
        jobs.push(
          job(`medpipe baseline build, threads=${threads}`, process.execPath, [SELF, '--child', 'library', baselineForest, train, test, String(threads), warm]),
        );
      jobs.push(job(`medpipe forest threads=${threads}`, process.execPath, [SELF, '--child', 'library', OWN_FOREST, train, test, String(threads), warm]));
    }
    const out = mkdtempSync(join(dir, 'out-'));
    whole.push({ name, csv: train, arrow, out });
    jobs.push(job('medpipe train.random-forest step (default threads)', process.execPath, [SELF, '--child', 'step', arrow, out, warm]));
    jobs.push(job(PHASES, process.execPath, [SELF, '--child', 'phases', arrow, out, warm]));
  }
  runInTurns(jobs);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const when = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpus().length} cores (${cpu}), machine shared with other jobs`;
  printTable(
    `Random forest, ${TREES} trees, seed ${SEED}; ${when}; median of ${REPEATS} runs, each a fresh process, the rows taking turns; warm = median of ${WARM_REPEATS} re-fits after the first in the same process (${WARM_REPEATS_LARGE} on the 16000-row set; ml-random-forest: none), then the median over runs. The step rows time the whole train.random-forest step (read the Arrow input, fit, out-of-bag score, write the model).`,
    fitTable(jobs),
  );
  printTable(
    `Random forest: where the train.random-forest step's time goes (its calls made one by one and timed; default threads), median of ${REPEATS} processes; "first in process" is a fresh process's first pass, "warm" the median of the later ones.`,
    phaseTable(jobs),
  );
  printTable(
    `Random forest: one training in a fresh process, spawn to exit, median of ${REPEATS} taking turns (${when})`,
    wholeProcessTable(whole, join(dir, 'sklearn_rf_once.py')),
  );
}

if (process.argv[1] === SELF) {
  const a = process.argv.slice(2);
  let result: Exclude<Outcome, 'timeout'> | undefined;
  if (a[0] === '--child' && a[1] === 'library') result = await childLibrary(a[2], a[3], a[4], Number(a[5]), Number(a[6]));
  else if (a[0] === '--child' && a[1] === 'ml-random-forest') result = await childMlRandomForest(a[2], a[3]);
  else if (a[0] === '--child' && a[1] === 'step') result = await childStep(a[2], a[3], Number(a[4]));
  else if (a[0] === '--child' && a[1] === 'phases') result = await childPhases(a[2], a[3], Number(a[4]));
  else if (a[0] === '--child' && a[1] === 'step-once') {
    await childStep(a[2], a[3], 0);
    process.exit(0);
  }
  if (result) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const at = a.indexOf('--baseline');
    await benchForest(at >= 0 ? a[at + 1] : undefined);
  }
}

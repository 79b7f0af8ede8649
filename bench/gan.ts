/**
 * GAN training benchmark (issues 7 and 20), three configurations side by side with PyTorch:
 * - the benchmark networks, 200 steps of generator 32->64->64->30 and critic 30->64->64->1,
 *   batch 64, on the standardised breast-cancer features: the standard sigmoid-cross-entropy GAN
 *   (1 critic update per step) and WGAN-GP (5 critic updates per step, gradient penalty);
 * - the shipped drug-discovery GAN's settings (pipelines/drug-discovery.yaml): standard loss,
 *   5 critic updates per step, PacGAN 4, generator 16->64->64->12, critic 48->64->64->1, batch
 *   128, 2000 steps, Adam (0, 0.9) at 5e-4, on 12 standardised columns (the first 12
 *   breast-cancer features: the time depends on the shapes, not the values).
 * Engines: medpipe's compiled WebAssembly kernels (train.gan's `backend: kernels`), each available
 * TensorFlow.js backend (wasm; tensorflow when @tensorflow/tfjs-node is installed; cpu once, on
 * the benchmark networks only, as it is 10-15x slower), and PyTorch on the CPU with 2 threads
 * (bench/gan_torch.py; it packs the critic's rows as PacGAN does too), and with 1 thread, which
 * suffers less when other processes load the machine. Ratios are against the faster of the two
 * PyTorch medians.
 *
 * Each engine runs in a fresh child process (tfjs's backend is process-wide state) and fits
 * twice: "cold" includes compilation and JIT warm-up, "warm" is the second fit. The whole set is
 * repeated (`--repeats N`, default 3; engines alternate within each repeat, so load drifts hit
 * all of them alike) and the tables give medians of warm times.
 *
 * Usage: npm run bench -- gan      or   node dist/bench/gan.js [--repeats N]
 *        (installs python3-torch with apt-get when root and missing)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, printTable } from './measure.js';

const PYTHON = '/usr/bin/python3';
const SELF = fileURLToPath(import.meta.url);
const CSV = fileURLToPath(new URL('../../data/breast-cancer-wisconsin.csv', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/gan_torch.py', import.meta.url));

/** One benchmarked training configuration, as both sides read it. */
interface BenchConfig {
  title: string;
  loss: 'standard' | 'wgan-gp';
  steps: number;
  critic_iters: number;
  noise: number;
  hidden: number[];
  columns: number;
  batch: number;
  pac: number;
  lr: number;
  beta1: number;
  beta2: number;
  gp_weight: number;
}

const NETWORKS = { noise: 32, hidden: [64, 64], columns: 30, batch: 64, pac: 1, beta1: 0.5, beta2: 0.9, gp_weight: 10 };
const CONFIGS = {
  standard: {
    ...NETWORKS,
    title: 'standard GAN (sigmoid cross-entropy, 1 critic update / step), G 32->64->64->30, D 30->64->64->1, batch 64, 200 steps',
    loss: 'standard',
    steps: 200,
    critic_iters: 1,
    lr: 2e-4,
  },
  'wgan-gp': {
    ...NETWORKS,
    title: 'WGAN-GP (5 critic updates / step, gradient penalty), G 32->64->64->30, D 30->64->64->1, batch 64, 200 steps',
    loss: 'wgan-gp',
    steps: 200,
    critic_iters: 5,
    lr: 1e-4,
  },
  shipped: {
    title: 'drug-discovery GAN settings (standard loss, 5 critic updates / step, PacGAN 4), G 16->64->64->12, D 48->64->64->1, batch 128, 2000 steps',
    loss: 'standard',
    steps: 2000,
    critic_iters: 5,
    noise: 16,
    hidden: [64, 64],
    columns: 12,
    batch: 128,
    pac: 4,
    lr: 5e-4,
    beta1: 0,
    beta2: 0.9,
    gp_weight: 10,
  },
} satisfies Record<string, BenchConfig>;
type ConfigName = keyof typeof CONFIGS;

interface Timing {
  coldS: number;
  warmS: number;
  backend?: string;
  torch?: string;
}

/** The first `nCols` feature columns of the shipped CSV, standardised, row-major float32. */
function readFeatures(nCols: number): { X: Float32Array; nRows: number } {
  const lines = readFileSync(CSV, 'utf8').trim().split('\n').slice(1);
  const X = new Float32Array(lines.length * nCols);
  lines.forEach((line, r) =>
    line
      .split(',')
      .slice(0, nCols)
      .forEach((v, c) => (X[r * nCols + c] = Number(v))),
  );
  for (let c = 0; c < nCols; c++) {
    let s = 0,
      s2 = 0;
    for (let r = 0; r < lines.length; r++) s += X[r * nCols + c];
    const mean = s / lines.length;
    for (let r = 0; r < lines.length; r++) s2 += (X[r * nCols + c] - mean) ** 2;
    const sd = Math.sqrt(s2 / lines.length) || 1;
    for (let r = 0; r < lines.length; r++) X[r * nCols + c] = (X[r * nCols + c] - mean) / sd;
  }
  return { X, nRows: lines.length };
}

/** Child side: fit twice with the engine asked for ('kernels', or a tfjs backend name), print one JSON line. */
async function child(name: ConfigName, engine: string): Promise<void> {
  const { fitGan, fitGanKernels } = await import('../src/ml/gan/train.js');
  const c: BenchConfig = CONFIGS[name];
  const { X, nRows } = readFeatures(c.columns);
  let fit: typeof fitGanKernels = fitGanKernels;
  let backend = 'kernels';
  if (engine !== 'kernels') {
    const { loadTf } = await import('../src/ml/tf/backend.js');
    const loaded = await loadTf(engine as 'node' | 'wasm' | 'cpu');
    fit = (...args) => fitGan(loaded.tf, ...args);
    backend = loaded.backend;
  }
  const run = () =>
    fit(
      { X, nRows },
      {
        dataDim: c.columns,
        numericColumns: c.columns,
        condDim: 0,
        noiseDim: c.noise,
        generatorHidden: c.hidden,
        criticHidden: c.hidden,
        loss: c.loss,
        lrGenerator: c.lr,
        lrCritic: c.lr,
        beta1: c.beta1,
        beta2: c.beta2,
        batchSize: c.batch,
        steps: c.steps,
        criticIters: c.critic_iters,
        pac: c.pac,
        gpWeight: c.gp_weight,
        seed: 0,
        logEvery: c.steps,
        checkpointEvery: 0,
      },
    );
  // The cpu backend is ~10x slower: one fit only (its warm column then repeats the cold time).
  const fits = engine === 'cpu' ? 1 : 2;
  const times: number[] = [];
  for (let i = 0; i < fits; i++) {
    const t0 = performance.now();
    await run();
    times.push((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ coldS: times[0], warmS: times[fits - 1], backend } satisfies Timing));
}

function parse(r: ReturnType<typeof spawnSync>): Timing | string {
  const stdout = String(r.stdout ?? '');
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Timing;
  } catch {
    const lines = String(r.stderr ?? '')
      .trim()
      .split('\n');
    return (lines.find((l) => l.includes('Error')) ?? lines.pop() ?? `exit ${r.status}`).slice(0, 120);
  }
}

function runChild(engine: string, name: ConfigName): Timing | string {
  return parse(spawnSync(process.execPath, [SELF, 'child', name, engine], { encoding: 'utf8' }));
}

function runTorch(name: ConfigName, threads: number): Timing | string {
  return parse(spawnSync(PYTHON, [TORCH_SCRIPT, CSV, JSON.stringify(CONFIGS[name]), String(threads)], { encoding: 'utf8' }));
}

function ensureTorch(): boolean {
  const probe = () => spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (probe()) return true;
  if (process.getuid?.() === 0) {
    console.log('installing python3-torch with apt-get (PyTorch reference)…');
    spawnSync('apt-get', ['install', '-y', '-q', 'python3-torch'], { stdio: 'inherit' });
    return probe();
  }
  console.log(`PyTorch is missing for ${PYTHON} and this is not root: apt-get install python3-torch for the reference column`);
  return false;
}

/** Median cold and warm times of the runs that succeeded, or the first failure's message. */
function summarise(runs: readonly (Timing | string)[]): { cold: number; warm: number; n: number; torch?: string } | string {
  const ok = runs.filter((r): r is Timing => typeof r !== 'string');
  if (ok.length === 0) return (runs[0] as string | undefined) ?? 'not run';
  return { cold: median(ok.map((r) => r.coldS)), warm: median(ok.map((r) => r.warmS)), n: ok.length, torch: ok[0].torch };
}

export async function benchGan(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const at = argv.indexOf('--repeats');
  const repeats = at >= 0 ? Math.max(1, Number(argv[at + 1]) || 1) : 3;
  const torch = ensureTorch();
  const nodeInstalled =
    spawnSync(process.execPath, ['-e', "import('@tensorflow/tfjs-node').then(() => process.exit(0), () => process.exit(1))"], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
    }).status === 0;
  if (!nodeInstalled) console.log('@tensorflow/tfjs-node is not installed: no native tensorflow row');
  const engines = ['kernels', ...(nodeInstalled ? ['node'] : []), 'wasm'];
  for (const name of Object.keys(CONFIGS) as ConfigName[]) {
    const runs = new Map<string, (Timing | string)[]>();
    const add = (key: string, t: Timing | string) => runs.set(key, [...(runs.get(key) ?? []), t]);
    for (let r = 0; r < repeats; r++) {
      add('torch', torch ? runTorch(name, 2) : 'not installed');
      // One thread as well: on a loaded machine PyTorch's two threads wait on each other, and this row shows how much.
      add('torch1', torch ? runTorch(name, 1) : 'not installed');
      for (const e of engines) add(e, runChild(e, name));
    }
    if (name !== 'shipped') add('cpu', runChild('cpu', name));
    const c: BenchConfig = CONFIGS[name];
    const ref = summarise(runs.get('torch')!);
    const ref1 = summarise(runs.get('torch1')!);
    // The reference is PyTorch's faster setting in this run (2 threads on a quiet machine, 1 on a loaded one).
    const refWarm = Math.min(typeof ref === 'string' ? Infinity : ref.warm, typeof ref1 === 'string' ? Infinity : ref1.warm);
    const rows: string[][] = [['engine', `s / ${c.steps} steps (warm, median)`, 'ms / step', 'cold s', 'x PyTorch (faster)', 'runs']];
    const torchName = `PyTorch ${typeof ref === 'string' ? '' : (ref.torch ?? '')} CPU`;
    const label = (e: string): string =>
      e === 'kernels'
        ? 'medpipe kernels (WebAssembly)'
        : e === 'torch'
          ? `${torchName}, 2 threads`
          : e === 'torch1'
            ? `${torchName}, 1 thread`
            : `tfjs ${e === 'node' ? 'tensorflow' : e}`;
    for (const e of [...engines, ...(runs.has('cpu') ? ['cpu'] : []), 'torch', 'torch1']) {
      const s = summarise(runs.get(e)!);
      rows.push(
        typeof s === 'string'
          ? [label(e), s, '', '', '', '0']
          : [
              label(e),
              s.warm.toFixed(3),
              ((s.warm / c.steps) * 1000).toFixed(2),
              s.cold.toFixed(3),
              !Number.isFinite(refWarm) ? '-' : (s.warm / refWarm).toFixed(2),
              String(s.n),
            ],
      );
    }
    printTable(c.title, rows);
  }
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'child') await child(process.argv[3] as ConfigName, process.argv[4]);
  else await benchGan();
}

/**
 * GAN training benchmark (issue 7): 200 steps of generator 32->64->64->30 and critic
 * 30->64->64->1, batch 64, on the standardised breast-cancer features, on each available
 * TensorFlow.js backend (wasm, cpu; tensorflow when @tensorflow/tfjs-node is installed), side by
 * side with the same networks and steps in PyTorch on the CPU (bench/gan_torch.py, 2 threads).
 * Two formulations: the standard sigmoid-cross-entropy GAN (1 critic update per step; the
 * issue's reference measurement) and WGAN-GP (5 critic updates per step, gradient penalty).
 *
 * Each backend runs in a fresh child process (tfjs's backend is process-wide state) and fits
 * twice: "cold" includes kernel compilation and JIT warm-up, "warm" is the second fit. Ratios
 * are warm against PyTorch's warm fit.
 *
 * Usage: npm run bench -- gan      (installs python3-torch with apt-get when root and missing)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable } from './measure.js';

const PYTHON = '/usr/bin/python3';
const SELF = fileURLToPath(import.meta.url);
const CSV = fileURLToPath(new URL('../../data/breast-cancer-wisconsin.csv', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/gan_torch.py', import.meta.url));
const STEPS = 200;
const WGAN_CRITIC_ITERS = 5;
const LOSSES = ['standard', 'wgan-gp'] as const;
type Loss = (typeof LOSSES)[number];

interface Timing {
  coldS: number;
  warmS: number;
  backend?: string;
  torch?: string;
}

/** The 30 feature columns of the shipped CSV, standardised, row-major float32. */
function readFeatures(): { X: Float32Array; nRows: number; nCols: number } {
  const lines = readFileSync(CSV, 'utf8').trim().split('\n').slice(1);
  const nCols = 30;
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
  return { X, nRows: lines.length, nCols };
}

/** Child side: fit twice on the backend MEDPIPE_TF_BACKEND names, print one JSON line. */
async function child(loss: Loss): Promise<void> {
  const { loadTf } = await import('../src/ml/tf/backend.js');
  const { fitGan } = await import('../src/ml/gan/train.js');
  const { tf, backend } = await loadTf();
  const { X, nRows, nCols } = readFeatures();
  const wgan = loss === 'wgan-gp';
  const fit = () =>
    fitGan(
      tf,
      { X, nRows },
      {
        dataDim: nCols,
        numericColumns: nCols,
        condDim: 0,
        noiseDim: 32,
        generatorHidden: [64, 64],
        criticHidden: [64, 64],
        loss,
        lrGenerator: wgan ? 1e-4 : 2e-4,
        lrCritic: wgan ? 1e-4 : 2e-4,
        beta1: 0.5,
        beta2: 0.9,
        batchSize: 64,
        steps: STEPS,
        criticIters: wgan ? WGAN_CRITIC_ITERS : 1,
        gpWeight: 10,
        seed: 0,
        logEvery: STEPS,
        checkpointEvery: 0,
      },
    );
  // The cpu backend is ~10x slower: one fit only (its warm column then repeats the cold time).
  const fits = backend === 'cpu' ? 1 : 2;
  const times: number[] = [];
  for (let i = 0; i < fits; i++) {
    const t0 = performance.now();
    await fit();
    times.push((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ coldS: times[0], warmS: times[fits - 1], backend } satisfies Timing));
}

function runChild(backend: string, loss: Loss): Timing | string {
  const r = spawnSync(process.execPath, [SELF, 'child', loss], { env: { ...process.env, MEDPIPE_TF_BACKEND: backend }, encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Timing;
  } catch {
    return (
      r.stderr
        .trim()
        .split('\n')
        .find((l) => l.includes('Error')) ?? `exit ${r.status}`
    ).slice(0, 120);
  }
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

function runTorch(loss: Loss): Timing | string {
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, CSV, loss, String(STEPS), String(loss === 'wgan-gp' ? WGAN_CRITIC_ITERS : 1), '2'], { encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Timing;
  } catch {
    return r.stderr.trim().split('\n').pop()?.slice(0, 120) ?? `exit ${r.status}`;
  }
}

export async function benchGan(): Promise<void> {
  const torch = ensureTorch();
  const nodeInstalled =
    spawnSync(process.execPath, ['-e', "import('@tensorflow/tfjs-node').then(() => process.exit(0), () => process.exit(1))"], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
    }).status === 0;
  const backends = [...(nodeInstalled ? ['node'] : []), 'wasm', 'cpu'];
  if (!nodeInstalled) console.log('@tensorflow/tfjs-node is not installed: no native tensorflow backend row');
  for (const loss of LOSSES) {
    const ref = torch ? runTorch(loss) : 'not installed';
    const rows: string[][] = [['backend', `s / ${STEPS} steps (warm)`, 'ms / step', 'cold s', 'x PyTorch']];
    const refWarm = typeof ref === 'string' ? NaN : ref.warmS;
    const row = (name: string, t: Timing | string): string[] =>
      typeof t === 'string'
        ? [name, t, '', '', '']
        : [name, t.warmS.toFixed(3), ((t.warmS / STEPS) * 1000).toFixed(2), t.coldS.toFixed(3), Number.isNaN(refWarm) ? '-' : (t.warmS / refWarm).toFixed(2)];
    for (const b of backends) rows.push(row(`tfjs ${b === 'node' ? 'tensorflow' : b}`, runChild(b, loss)));
    rows.push(row(`PyTorch ${typeof ref === 'string' ? '' : (ref.torch ?? '')} CPU, 2 threads`, ref));
    const what =
      loss === 'standard'
        ? 'standard GAN (sigmoid cross-entropy, 1 critic update / step)'
        : `WGAN-GP (${WGAN_CRITIC_ITERS} critic updates / step, gradient penalty)`;
    printTable(`${what}, G 32->64->64->30, D 30->64->64->1, batch 64, breast-cancer features`, rows);
  }
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'child') await child(process.argv[3] as Loss);
  else await benchGan();
}

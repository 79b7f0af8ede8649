/** Shared fixtures for the GAN tests: a seeded Gaussian mixture, datasets, and a step context with a store. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import type { RunInfo, StepSummary, StepType } from '../../src/engine/step-type.js';
import { runStep } from '../helpers/step-harness.js';
import { createRng } from '../../src/rng.js';

/** Four Gaussian modes along the diagonal: strongly correlated columns that independent marginals cannot reproduce. */
export function mixture(n: number, seed: number): { x: Float64Array; y: Float64Array; label: Int32Array } {
  const rng = createRng(seed);
  const centres = [
    [-3, -3],
    [-1, -1],
    [1, 1],
    [3, 3],
  ];
  const x = new Float64Array(n),
    y = new Float64Array(n),
    label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(centres.length);
    label[i] = c;
    x[i] = centres[c][0] + 0.5 * rng.normal();
    y[i] = centres[c][1] + 0.5 * rng.normal();
  }
  return { x, y, label };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `medpipe-gan-${prefix}-`));
}

/** The x and y columns of a mixture (see `mixture`) as a training table. */
export function writeMixtureTable(dir: string, m: { x: Float64Array; y: Float64Array }): Promise<string> {
  return writeTable(dir, 'train.arrow', [
    { name: 'x', kind: 'numeric', data: { type: 'numeric', values: m.x } },
    { name: 'y', kind: 'numeric', data: { type: 'numeric', values: m.y } },
  ]);
}

export async function writeTable(dir: string, name: string, columns: Column[]): Promise<string> {
  const path = join(dir, name);
  await writeDatasetFile(path, makeDataset(columns));
  return path;
}

export interface StepRun {
  outputs: Record<string, string>;
  summary: StepSummary | void;
  logs: string[];
}

/** What the engine tells a step of its run, with the store folder and step key a test chooses (train.gan checkpoints under them). */
export function runInfoWithStore(storeDir: string, stepKey: string): RunInfo {
  return {
    runId: 'test',
    stepKey,
    pipeline: { name: 'test', file: 'test.yaml', path: 'test.yaml', digest: '0', overrides: [] },
    git: null,
    storeDir,
    upstream: {},
  };
}

/**
 * Runs a step like the engine does, with `ctx.run` pointing at a store folder and a fixed step
 * key (so train.gan checkpoints), and an optional hook on progress lines (to interrupt a fit).
 */
export async function runWithStore(
  step: StepType,
  inputs: Record<string, string>,
  params: Record<string, unknown>,
  store: { dir: string; key: string },
  onProgress?: (message: string) => void,
): Promise<StepRun> {
  return runStep(step, inputs, params, process.cwd(), { onProgress, run: runInfoWithStore(store.dir, store.key) });
}

/** The small networks the train.gan step tests fit in a few hundred milliseconds (steps, seed and checkpoints are each test's own). */
export const TINY_GAN = {
  critic_iters: 2,
  batch_size: 32,
  noise_dim: 4,
  generator_hidden: [16, 16],
  critic_hidden: [16, 16],
  log_every: 10,
};

/**
 * Clones of one small real project (the Wisconsin breast cancer table → split → preprocess →
 * a 20-tree forest → evaluate, whose metrics file is published) sharing a remote cache, for the
 * tests of `run` with a remote: each clone has its own folder and its own empty store.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { runPipeline, type RunOptions, type RunResult } from '../../src/engine/execute.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { LocalStore } from '../../src/engine/local-store.js';
import { loadPipeline } from '../../src/engine/open.js';
import { parseOverride } from '../../src/engine/params.js';
import { catalogue } from '../../src/steps/index.js';
import { FileBackend } from '../../src/remote/file-backend.js';
import { RemoteCache, type RemoteCacheOptions } from '../../src/remote/remote-cache.js';
import type { RemoteBackend } from '../../src/remote/backend.js';

export const STEPS = ['load', 'split', 'prep', 'forest', 'eval'] as const;

/** The pipeline; `resamples` changes only the last step's key; `extra`: more steps (YAML lines under steps:). */
export function pipelineText(resamples = 100, extra = ''): string {
  return `medpipe: 1
name: remote-tier
steps:
  load: { uses: load.csv, with: { path: data.csv, target: diagnosis, positive: malignant } }
  split: { uses: split, in: { data: load }, with: { seed: 3 } }
  prep: { uses: preprocess, in: { train: split.train, test: split.test }, with: { impute: median, scale: standard } }
  forest: { uses: train.random-forest, in: { train: prep.train }, with: { trees: 20, seed: 1 } }
  eval: { uses: evaluate, in: { model: forest, test: prep.test }, with: { bootstrap: { resamples: ${resamples} }, metrics_file: metrics/forest.json } }
${extra}`;
}

export interface Clone {
  readonly dir: string;
  readonly store: LocalStore;
  /** Runs the pipeline against the clone's store, with `--set` overrides `set`; events are collected. */
  run(remote: RemoteCache | undefined, options?: Omit<RunOptions, 'remote' | 'onEvent'>, set?: string[]): Promise<{ result: RunResult; events: EngineEvent[] }>;
  read(rel: string): Buffer;
}

/** A fresh clone: the pipeline file (with `resamples`), the data file, an empty store. */
export function clone(prefix: string, resamples = 100, extra = ''): Clone {
  const dir = mkdtempSync(join(tmpdir(), `medpipe-remote-${prefix}-`));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'p.yaml'), pipelineText(resamples, extra));
  copyFileSync(join(ROOT, 'data/breast-cancer-wisconsin.csv'), join(dir, 'data.csv'));
  const store = new LocalStore(join(dir, '.medpipe'));
  return {
    dir,
    store,
    async run(remote, options = {}, set = []) {
      const pipeline = await loadPipeline('p.yaml', { catalogue, cwd: dir, overrides: set.map(parseOverride) });
      const events: EngineEvent[] = [];
      const result = await runPipeline(pipeline, store, { concurrency: 2, ...options, remote, onEvent: (e) => events.push(e) });
      return { result, events };
    },
    read: (rel) => readFileSync(join(dir, rel)),
  };
}

/** A new empty folder for a file:// remote. */
export function remoteFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `medpipe-remote-${prefix}-store-`));
}

/** A remote cache over a backend (a folder: a FileBackend), with its warnings collected, as each process opens it. */
export function openRemote(backend: string | RemoteBackend, options: RemoteCacheOptions = {}): { remote: RemoteCache; warnings: string[] } {
  const warnings: string[] = [];
  const remote = new RemoteCache(typeof backend === 'string' ? new FileBackend(backend) : backend, {
    retries: 1,
    retryDelayMs: 10,
    ...options,
    onWarning: (m) => warnings.push(m),
  });
  return { remote, warnings };
}

/** The steps of a run by their outcome, e.g. { done: [...], cached: [...] }. */
export function outcomes(result: RunResult): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const [id, rec] of Object.entries(result.record.steps)) {
    const state = rec.status === 'cached' && rec.source === 'remote' ? 'remote' : rec.status;
    by[state] = [...(by[state] ?? []), id];
  }
  return by;
}

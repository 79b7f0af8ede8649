/** Loading a pipeline file into a validated Pipeline, and finding its store. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readPipelineSource } from './load.js';
import type { Override } from './params.js';
import type { Pipeline } from './pipeline.js';
import type { StepCatalogue } from './step-catalogue.js';
import { DEFAULT_STORE_DIR, Store } from './store.js';
import { validatePipeline } from './validate.js';

export interface LoadOptions {
  /** The step types `uses:` may name: the CLI passes medpipe's built-in ones (src/steps/index.ts). */
  catalogue: StepCatalogue;
  /** `--set` overrides, already parsed (see parseOverride). */
  overrides?: readonly Override[];
  /** `--params FILE`: parameter files, applied after the pipeline's own params. */
  paramsFiles?: readonly string[];
}

/** Reads, parses and validates a pipeline file. Throws PipelineError listing every problem. */
export async function loadPipeline(file: string, options: LoadOptions): Promise<Pipeline> {
  return validatePipeline(readPipelineSource(file), { catalogue: options.catalogue, overrides: options.overrides, paramsFiles: options.paramsFiles });
}

/**
 * The project a folder belongs to: the nearest ancestor that has a store already, a `.git` or a
 * `package.json` (like git and DVC find their repository), else the folder itself. Pipelines in
 * one project share one store, and `medpipe runs` or `cache` work from anywhere inside it.
 */
export function findProjectRoot(startDir: string): string {
  let dir = resolve(startDir);
  for (;;) {
    if (existsSync(join(dir, DEFAULT_STORE_DIR)) || existsSync(join(dir, '.git')) || existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(startDir);
    dir = parent;
  }
}

/** The store: `dir` if given (--store), else $MEDPIPE_STORE, else `.medpipe/` at the project root of `fromDir`. */
export function openStore(fromDir: string, dir?: string): Store {
  const chosen = dir ?? process.env.MEDPIPE_STORE;
  if (chosen) return new Store(isAbsolute(chosen) ? chosen : resolve(chosen));
  return new Store(join(findProjectRoot(fromDir), DEFAULT_STORE_DIR));
}

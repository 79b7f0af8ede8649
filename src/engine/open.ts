/** Loading a pipeline file into a validated Pipeline, and opening its store. */
import { readPipelineSource } from './load.js';
import { LocalStore } from './local-store.js';
import type { Override } from './params.js';
import type { Pipeline } from './pipeline.js';
import type { StepCatalogue } from './step-catalogue.js';
import type { Store } from './store.js';
import { locateStore } from './store-location.js';
import { validatePipeline } from './validate.js';

export interface LoadOptions {
  /** The step types `uses:` may name: the CLI passes medpipe's built-in ones (src/steps/index.ts). */
  catalogue: StepCatalogue;
  /** `--set` overrides, already parsed (see parseOverride). */
  overrides?: readonly Override[];
  /** `--params FILE`: parameter files, applied after the pipeline's own params. */
  paramsFiles?: readonly string[];
  /** The folder relative paths (the file, --params files) are resolved against, as a shell would: the CLI's working folder; default process.cwd(). */
  cwd?: string;
  /**
   * The folder of the store the pipeline runs with: an unchanged file's parsed value and its
   * custom steps' compiled validators are kept there (parsed-cache.ts, schema-validators.ts).
   */
  storeDir?: string;
}

/** Reads, parses and validates a pipeline file. Throws PipelineError listing every problem. */
export async function loadPipeline(file: string, options: LoadOptions): Promise<Pipeline> {
  const cwd = options.cwd ?? process.cwd();
  const { storeDir } = options;
  return validatePipeline(readPipelineSource(file, cwd, storeDir), {
    catalogue: options.catalogue,
    overrides: options.overrides,
    paramsFiles: options.paramsFiles,
    cwd,
    ...(storeDir ? { storeDir } : {}),
  });
}

/** The store of the project `fromDir` is in, or `dir` (--store, relative to `cwd`); see store-location.ts. */
export function openStore(fromDir: string, dir?: string, cwd = process.cwd()): Store {
  return new LocalStore(locateStore(fromDir, dir, cwd));
}

/** Which files of a folder are pipelines, written once for the commands that work on every pipeline when none is named. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '../engine/store-location.js';

/** The names of the pipeline files in `dir`, sorted: YAML files that are not lock files; none when it does not exist. */
export function pipelineFileNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/i.test(n) && !/\.lock\.ya?ml$/i.test(n))
    .sort();
}

/** The pipeline files (absolute) in the pipelines/ folder of the project `cwd` is in (push, pull). */
export function defaultPipelineFiles(cwd: string): string[] {
  const dir = join(findProjectRoot(cwd), 'pipelines');
  return pipelineFileNames(dir).map((n) => join(dir, n));
}

/** The pipelines a project-wide command works on when none is named: the pipeline files in the project's pipelines/ folder. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '../engine/store-location.js';

export function defaultPipelineFiles(cwd: string): string[] {
  const dir = join(findProjectRoot(cwd), 'pipelines');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/i.test(n) && !/\.lock\.ya?ml$/i.test(n))
    .sort()
    .map((n) => join(dir, n));
}

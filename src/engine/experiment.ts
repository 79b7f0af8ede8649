/**
 * Experiments: runs that are not the committed pipeline. A run with `--set` overrides, or of a
 * pipeline file that differs from its committed version, is cached and recorded like any run,
 * but its results are not the record: it writes no metrics, table or lock file into the checkout
 * and moves no alias (see execute.ts and the register step). Otherwise an exploratory
 * `--set svm.C=10` silently replaces what git says produced the committed numbers, and moves
 * `staging` to a model nobody reviewed.
 */
import { basename, dirname, relative } from 'node:path';
import { gitRun } from './git.js';
import type { Pipeline } from './pipeline.js';

/**
 * Whether git reports a tracked file as changed (staged or not); undefined outside a git
 * repository. A file never committed has no committed version to differ from: a new pipeline's
 * first runs are its record, as they would be outside git.
 */
async function changedSinceCommit(file: string): Promise<boolean | undefined> {
  const r = await gitRun(dirname(file), ['status', '--porcelain', '--untracked-files=no', '--', basename(file)]);
  return r.code === 0 ? r.stdout.trim() !== '' : undefined;
}

/**
 * Why a run of `pipeline` is an experiment, or undefined when it runs the committed pipeline
 * (or a pipeline git does not track, which has no committed version to differ from).
 */
export async function experimentReason(pipeline: Pipeline): Promise<string | undefined> {
  const given = [...pipeline.paramsOverrides.map((f) => `--params ${f}`), ...pipeline.overrides.map((o) => `--set ${o}`)];
  if (given.length) return given.join(' ');
  if (await changedSinceCommit(pipeline.path)) return `${pipeline.file} differs from its committed version`;
  if (pipeline.paramsFile && (await changedSinceCommit(pipeline.paramsFile)))
    return `${relative(pipeline.dir, pipeline.paramsFile)} (its params_file) differs from its committed version`;
  return undefined;
}

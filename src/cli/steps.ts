/**
 * `medpipe steps [NAME] [--json] [--markdown FILE]`: the step types medpipe knows; with NAME,
 * one step type's reference (a built-in one, or a custom one named as `uses:` would name it);
 * with --markdown, the reference of every built-in step type written as docs/steps.md is.
 */
import type { StepType } from '../engine/step-type.js';
import { UsageError } from '../errors.js';
import { isCustomStepRef, loadCustomStep, resolveStepPackage } from '../engine/custom-step.js';
import { builtinSteps } from '../builtin-steps.js';
import { didYouMean } from '../suggest.js';
import { writeOutputFile } from './output-file.js';
import { stepReferenceText, stepsMarkdown } from './step-reference.js';
import { table } from './table.js';

export interface StepsOptions {
  json?: boolean;
  /** Write the Markdown reference of every built-in step type to this file. */
  markdown?: string;
  /** The folder the command runs in: a custom step's path, or its package, is found from it, and --markdown written relative to it. */
  cwd: string;
}

/** A built-in step type by name, or a custom one by path or package (as `uses:` would name it). */
async function findStepType(name: string, cwd: string): Promise<StepType> {
  const builtin = builtinSteps.get(name);
  if (builtin) return builtin;
  if (isCustomStepRef(name) || resolveStepPackage(name, cwd)) {
    const loaded = await loadCustomStep(name, cwd);
    if ('error' in loaded) throw new UsageError(loaded.error);
    return loaded.type;
  }
  throw new UsageError(`no step type "${name}"${didYouMean(name, builtinSteps.keys())}; medpipe steps lists them`);
}

function asJson(t: StepType): object {
  return { id: t.id, version: t.version, description: t.description, inputs: t.inputs, outputs: t.outputs, defaultOutput: t.defaultOutput, params: t.params };
}

export async function stepsCommand(rest: readonly string[], opts: StepsOptions, io: { out(text: string): void }): Promise<number> {
  if (rest.length > 1) throw new UsageError(`steps takes at most one step type, e.g. medpipe steps train.svm (got "${rest.join(' ')}")`);
  if (opts.markdown !== undefined) {
    if (rest.length) throw new UsageError('steps --markdown FILE writes the reference of every built-in step type; leave out the name');
    const file = writeOutputFile(opts.markdown, stepsMarkdown([...builtinSteps.values()]), opts.cwd);
    io.out(`wrote the reference of ${builtinSteps.size} step types to ${file}`);
    return 0;
  }
  if (rest.length) {
    const type = await findStepType(rest[0], opts.cwd);
    io.out(opts.json ? JSON.stringify(asJson(type), null, 2) : stepReferenceText(type));
    return 0;
  }
  const types = [...builtinSteps.values()];
  if (opts.json) io.out(JSON.stringify(types.map(asJson), null, 2));
  else
    io.out(
      `${table([['STEP TYPE', 'INPUTS', 'OUTPUTS', 'DESCRIPTION'], ...types.map((t) => [t.id, Object.keys(t.inputs).join(',') || '-', Object.keys(t.outputs).join(','), t.description])])}\n\nmedpipe steps NAME: a step type's ports and parameters`,
    );
  return 0;
}

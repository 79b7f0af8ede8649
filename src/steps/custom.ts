/**
 * Loads a user's own step type from a file (`uses: ./steps/my-step.js`). The module's default
 * export must implement the same StepType interface as the built-ins. The digest of the file's
 * code is part of the cache key, so editing the step re-runs it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StepType } from '../engine/step-type.js';

export function isCustomStepRef(uses: string): boolean {
  return uses.startsWith('./') || uses.startsWith('../') || isAbsolute(uses);
}

export interface LoadedCustomStep {
  type: StepType;
  modulePath: string;
  codeDigest: string;
}

/** Problems are returned as a message naming the plugin's path, never thrown as a stack. */
export async function loadCustomStep(uses: string, pipelineDir: string): Promise<LoadedCustomStep | { error: string }> {
  const modulePath = resolve(pipelineDir, uses);
  let code: Buffer;
  try {
    code = readFileSync(modulePath);
  } catch {
    return { error: `custom step ${modulePath} does not exist` };
  }
  const codeDigest = createHash('sha256').update(code).digest('hex');
  let mod: { default?: unknown };
  try {
    // The digest in the query makes Node load the edited file rather than a cached older module.
    mod = (await import(`${pathToFileURL(modulePath).href}?v=${codeDigest.slice(0, 16)}`)) as { default?: unknown };
  } catch (e) {
    return { error: `custom step ${modulePath} failed to load: ${(e as Error).message}` };
  }
  const problem = checkStepShape(mod.default);
  if (problem) return { error: `custom step ${modulePath}: ${problem}` };
  return { type: mod.default as StepType, modulePath, codeDigest };
}

/** Why a value is not a StepType, or undefined if it is one. */
export function checkStepShape(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the module must `export default` a step type object (id, version, inputs, outputs, defaultOutput, params, run)';
  const v = value as Record<string, unknown>;
  for (const field of ['id', 'version', 'description', 'defaultOutput'] as const) if (typeof v[field] !== 'string') return `"${field}" must be a string`;
  for (const field of ['inputs', 'outputs', 'params'] as const) if (typeof v[field] !== 'object' || v[field] === null) return `"${field}" must be an object`;
  if (typeof v.run !== 'function') return '"run" must be a function';
  if (!((v.defaultOutput as string) in (v.outputs as object))) return `defaultOutput "${String(v.defaultOutput)}" is not one of its outputs`;
  return undefined;
}

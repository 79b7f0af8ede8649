/**
 * Loads a user's own step type from a file (`uses: ./steps/my-step.mjs`) or an installed package
 * (`uses: medpipe-steps-lab`). The module's default export must implement the same StepType
 * interface as the built-ins. The digest of its code (and, for a package, its package.json) is
 * part of the cache key, so editing or upgrading the step re-runs it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

/**
 * The entry module of an installed package, found as Node would from the pipeline's folder
 * (node_modules upwards; `exports["."]` import/default, else `module`, else `main`).
 */
export function resolveStepPackage(name: string, pipelineDir: string): { entry: string; packageJson: string } | undefined {
  if (!PACKAGE_NAME.test(name)) return undefined;
  for (let dir = resolve(pipelineDir); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    const packageJson = join(pkgDir, 'package.json');
    if (existsSync(packageJson)) {
      let pkg: { exports?: unknown; module?: string; main?: string };
      try {
        pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as typeof pkg;
      } catch {
        // A broken package.json: point at the file, loading it reports the problem with its path.
        return { entry: packageJson, packageJson };
      }
      const dot = typeof pkg.exports === 'object' && pkg.exports !== null ? (pkg.exports as Record<string, unknown>)['.'] ?? pkg.exports : pkg.exports;
      const fromExports = typeof dot === 'string' ? dot : typeof dot === 'object' && dot !== null ? ((dot as Record<string, unknown>).import ?? (dot as Record<string, unknown>).default) : undefined;
      const entry = typeof fromExports === 'string' ? fromExports : pkg.module ?? pkg.main ?? 'index.js';
      return { entry: join(pkgDir, entry), packageJson };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Problems are returned as a message naming the plugin's path, never thrown as a stack. */
export async function loadCustomStep(uses: string, pipelineDir: string): Promise<LoadedCustomStep | { error: string }> {
  const pkg = isCustomStepRef(uses) ? undefined : resolveStepPackage(uses, pipelineDir);
  const modulePath = pkg ? pkg.entry : resolve(pipelineDir, uses);
  let code: Buffer;
  try {
    code = readFileSync(modulePath);
  } catch {
    return { error: `custom step ${modulePath} does not exist` };
  }
  const hash = createHash('sha256').update(code);
  if (pkg) hash.update(readFileSync(pkg.packageJson));
  const codeDigest = hash.digest('hex');
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

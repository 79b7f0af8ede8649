/**
 * Loads a user's own step type from a file (`uses: ./steps/my-step.mjs`) or an installed package
 * (`uses: medpipe-steps-lab`). The module's default export must implement the same StepType
 * interface as the built-ins. The digest of its code is part of the cache key, so editing or
 * upgrading the step re-runs it: for a file, the entry module and every local module it imports,
 * transitively; for a package, every file of the package (its own node_modules excepted).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StepType } from './step-type.js';

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
      const dot = typeof pkg.exports === 'object' && pkg.exports !== null ? ((pkg.exports as Record<string, unknown>)['.'] ?? pkg.exports) : pkg.exports;
      const fromExports =
        typeof dot === 'string'
          ? dot
          : typeof dot === 'object' && dot !== null
            ? ((dot as Record<string, unknown>).import ?? (dot as Record<string, unknown>).default)
            : undefined;
      const entry = typeof fromExports === 'string' ? fromExports : (pkg.module ?? pkg.main ?? 'index.js');
      return { entry: join(pkgDir, entry), packageJson };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Problems are returned as a message naming the plugin's path, never thrown as a stack. */
export async function loadCustomStep(uses: string, pipelineDir: string): Promise<LoadedCustomStep | { error: string }> {
  const pkg = isCustomStepRef(uses) ? undefined : resolveStepPackage(uses, pipelineDir);
  const modulePath = pkg ? pkg.entry : resolve(pipelineDir, uses);
  if (!isFile(modulePath)) return { error: `custom step ${modulePath} does not exist` };
  let codeDigest: string;
  try {
    codeDigest = pkg ? packageCodeDigest(dirname(pkg.packageJson)) : fileStepCodeDigest(modulePath);
  } catch (e) {
    return { error: `custom step ${modulePath}: ${(e as Error).message}` };
  }
  let exported: unknown;
  try {
    // Modules the entry imports keep their plain URLs and stay cached in a long-lived process: a
    // step definition (schema, version) taken from a helper is then stale here until the process
    // restarts, though the key (from the files' bytes) and the run (fresh workers) are not.
    exported = await importDefault(modulePath, codeDigest);
  } catch (e) {
    return { error: `custom step ${modulePath} failed to load: ${(e as Error).message}` };
  }
  const problem = checkStepShape(exported);
  if (problem) return { error: `custom step ${modulePath}: ${problem}` };
  return { type: exported as StepType, modulePath, codeDigest };
}

/**
 * A custom step's type, imported again where it runs (a worker thread) from the module path and
 * code digest validation recorded. Throws with the module's path if it is no longer a step type.
 */
export async function importCustomStep(custom: { readonly modulePath: string; readonly codeDigest: string }): Promise<StepType> {
  const exported = await importDefault(custom.modulePath, custom.codeDigest);
  const problem = checkStepShape(exported);
  if (problem) throw new Error(`custom step ${custom.modulePath}: ${problem}`);
  return exported as StepType;
}

/** The digest in the query makes Node load the edited entry rather than a cached older module. */
async function importDefault(modulePath: string, codeDigest: string): Promise<unknown> {
  const mod = (await import(`${pathToFileURL(modulePath).href}?v=${codeDigest.slice(0, 16)}`)) as { default?: unknown };
  return mod.default;
}

/** Most files one step's code may span; beyond it the digest is refused rather than slow. */
export const MAX_CODE_FILES = 2000;

/**
 * Specifiers of `import … from`, `export … from`, `import '…'`, `import('…')` and `require('…')`.
 * A scan, not a parser: a comment or string that merely looks like an import adds a file to the
 * digest, which at worst re-runs the step; a real import is never missed. Computed specifiers
 * (`import(name)`, template literals with `${}`) cannot be followed.
 */
const IMPORT_SPECIFIER = /\b(?:from|import)\s*(['"])([^'"\r\n]+)\1|\bimport\s*\(\s*(['"`])([^'"`\r\n]+)\3\s*[,)]|\brequire\s*\(\s*(['"`])([^'"`\r\n]+)\5\s*\)/g;
/** Files Node loads without evaluating imports in them. */
const NOT_SCANNED = new Set(['.json', '.node', '.wasm']);
/** Tried after the exact path by CommonJS `require` (Node itself tries .js, .json, .node; the rest only adds files). */
const REQUIRE_EXTENSIONS = ['.js', '.json', '.node', '.mjs', '.cjs'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isLocalSpecifier(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || spec.startsWith('file:') || isAbsolute(spec);
}

/** An ESM specifier is a URL: the exact file, no extension or index guessing; ?query and #hash are not part of the path. */
function importTarget(spec: string, from: string): string | undefined {
  try {
    const url = new URL(spec, pathToFileURL(from));
    return url.protocol === 'file:' ? fileURLToPath(url) : undefined;
  } catch {
    return undefined;
  }
}

/** What `require(spec)` from `from` reads, as Node resolves a relative or absolute path: the file, else `.js`…, else the folder's package.json `main` or index. */
function requireTargets(spec: string, from: string): string[] {
  const base = resolve(dirname(from), spec);
  const asFile = (p: string): string | undefined => [p, ...REQUIRE_EXTENSIONS.map((e) => p + e)].find(isFile);
  const asIndex = (p: string): string | undefined => REQUIRE_EXTENSIONS.map((e) => join(p, `index${e}`)).find(isFile);
  const file = asFile(base);
  if (file) return [file];
  const found: string[] = [];
  const manifest = join(base, 'package.json');
  if (isFile(manifest)) {
    found.push(manifest);
    let main: unknown;
    try {
      main = (JSON.parse(readFileSync(manifest, 'utf8')) as { main?: unknown }).main;
    } catch {
      main = undefined; // Node reports the broken package.json when it loads it
    }
    const target = typeof main === 'string' ? (asFile(resolve(base, main)) ?? asIndex(resolve(base, main))) : undefined;
    if (target) return [...found, target];
  }
  const index = asIndex(base);
  return index ? [...found, index] : found;
}

/**
 * The files a step module can load through local specifiers, transitively, with their bytes; and
 * the local paths it names that do not exist (an optional import: adding the file must re-key).
 * Bare package specifiers are not followed: a file step's dependencies are the project's.
 */
export function stepCodeFiles(entry: string): { files: Map<string, Buffer>; missing: Set<string> } {
  const files = new Map<string, Buffer>();
  const missing = new Set<string>();
  const queue: string[] = [];
  const add = (path: string): void => {
    if (files.has(path)) return;
    if (files.size >= MAX_CODE_FILES)
      throw new Error(
        `its code imports more than ${MAX_CODE_FILES} local files (reached ${relative(dirname(entry), path)}); medpipe hashes every module a step can load to key its cache: bundle the step or make it a package`,
      );
    files.set(path, readFileSync(path));
    queue.push(path);
  };
  add(entry);
  while (queue.length) {
    const from = queue.pop() as string;
    if (NOT_SCANNED.has(extname(from))) continue;
    for (const m of (files.get(from) as Buffer).toString('utf8').matchAll(IMPORT_SPECIFIER)) {
      const spec = m[2] ?? m[4] ?? m[6];
      if (!isLocalSpecifier(spec) || spec.includes('${')) continue;
      if (m[6] !== undefined && !spec.startsWith('file:')) {
        const targets = requireTargets(spec, from);
        if (!targets.length) missing.add(resolve(dirname(from), spec));
        targets.forEach(add);
      } else {
        const target = importTarget(spec, from);
        if (target === undefined) continue;
        if (isFile(target)) add(target);
        else missing.add(target);
      }
    }
  }
  return { files, missing };
}

/** sha256 over (path relative to root, bytes) of each file and the path of each missing one, sorted by path. */
function digestOf(root: string, files: ReadonlyMap<string, Buffer>, missing: ReadonlySet<string> = new Set()): string {
  const rel = (p: string): string => relative(root, p).split(sep).join('/');
  const entries: [string, Buffer | null][] = [
    ...[...files].map(([p, b]): [string, Buffer] => [rel(p), b]),
    ...[...missing].map((p): [string, null] => [rel(p), null]),
  ];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const [path, bytes] of entries) {
    if (bytes) hash.update(`file ${JSON.stringify(path)} ${bytes.length}\n`).update(bytes);
    else hash.update(`missing ${JSON.stringify(path)}\n`);
  }
  return hash.digest('hex');
}

/** The code digest of a file step: its entry and the local modules it reaches. */
export function fileStepCodeDigest(entry: string): string {
  const { files, missing } = stepCodeFiles(entry);
  // A step in one self-contained file keeps the digest it always had (the file's sha256), so
  // users' caches of such steps stay valid.
  if (files.size === 1 && missing.size === 0)
    return createHash('sha256')
      .update(files.get(entry) as Buffer)
      .digest('hex');
  return digestOf(dirname(entry), files, missing);
}

/**
 * The code digest of an installed package step: every file in its folder, whatever the entry
 * imports or reads at run time, except its own node_modules (other packages) and .git.
 */
export function packageCodeDigest(pkgDir: string): string {
  const files = new Map<string, Buffer>();
  const seenDirs = new Set<string>();
  const walk = (dir: string): void => {
    const real = realpathSync(dir);
    if (seenDirs.has(real)) return; // a symlinked folder loop
    seenDirs.add(real);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = join(dir, entry.name);
      const stat = entry.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : entry;
      if (!stat) continue; // a dangling link: nothing Node could load
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) {
        if (files.size >= MAX_CODE_FILES)
          throw new Error(
            `its package holds more than ${MAX_CODE_FILES} files outside node_modules (reached ${relative(pkgDir, path)}); medpipe hashes every file of a step package to key its cache: publish only what the step needs (package.json "files")`,
          );
        files.set(path, readFileSync(path));
      }
    }
  };
  walk(pkgDir);
  return digestOf(pkgDir, files);
}

/** Why a value is not a StepType, or undefined if it is one. */
export function checkStepShape(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return 'the module must `export default` a step type object (id, version, inputs, outputs, defaultOutput, params, run)';
  const v = value as Record<string, unknown>;
  for (const field of ['id', 'version', 'description', 'defaultOutput'] as const) if (typeof v[field] !== 'string') return `"${field}" must be a string`;
  for (const field of ['inputs', 'outputs', 'params'] as const) if (typeof v[field] !== 'object' || v[field] === null) return `"${field}" must be an object`;
  if (typeof v.run !== 'function') return '"run" must be a function';
  if (!((v.defaultOutput as string) in (v.outputs as object))) return `defaultOutput "${String(v.defaultOutput)}" is not one of its outputs`;
  return undefined;
}

/**
 * Which folder is the store, written once for the engine and every CLI command: `--store DIR`,
 * else $MEDPIPE_STORE, else `.medpipe/` at the root of the project the command runs in.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_STORE_DIR = '.medpipe';

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

/**
 * The store folder (absolute): `dir` if given (--store), else $MEDPIPE_STORE, else `.medpipe/` at
 * the project root of `fromDir`. A relative `dir` or $MEDPIPE_STORE is relative to `cwd`, the
 * folder the command runs in.
 */
export function locateStore(fromDir: string, dir?: string, cwd = process.cwd()): string {
  const chosen = dir ?? process.env.MEDPIPE_STORE;
  if (chosen) return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
  return join(findProjectRoot(fromDir), DEFAULT_STORE_DIR);
}

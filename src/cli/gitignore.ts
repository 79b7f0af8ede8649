/**
 * The store is not for git: artifacts, cache entries and the registry are machine-local (share
 * them through a remote). In a git repository whose ignore rules do not cover the store yet, the
 * first run adds it to the repository's .gitignore and says so, as DVC does for its cache. Data files
 * recorded by a pointer (`medpipe data add`) are kept out the same way.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { gitRun } from '../engine/git.js';

/** Adds the store to .gitignore when it is inside a git work tree that does not ignore it. Returns what it did, for the user (paths relative to `cwd`). */
export async function ignoreStoreInGit(storeDir: string, cwd: string): Promise<string | undefined> {
  const top = await gitRun(dirname(storeDir), ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) return undefined;
  const root = top.stdout.trim();
  const rel = relative(root, storeDir).split('\\').join('/');
  if (rel.startsWith('..') || rel === '') return undefined;
  // The trailing slash lets folder-only patterns (`.medpipe/`) match before the folder exists.
  // Exit 0: ignored; 1: not ignored; anything else: git could not tell, so leave the file alone.
  if ((await gitRun(root, ['check-ignore', '-q', '--no-index', `${rel}/`])).code !== 1) return undefined;
  const file = join(root, '.gitignore');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  appendFileSync(
    file,
    `${before && !before.endsWith('\n') ? '\n' : ''}# medpipe's store: artifacts, cache entries, run records, model registry (machine-local)\n/${rel}/\n`,
  );
  return `added /${rel}/ to ${relative(cwd, file) || '.gitignore'}: medpipe's store is machine-local and stays out of git`;
}

/**
 * Keeps a data file recorded by a pointer out of git, as `dvc add` does: `/NAME` in the
 * .gitignore beside it (anchored, so it matches that file only). Idempotent: a line already there
 * is not added again. Returns the .gitignore when it changed it.
 */
export function ignoreDataFileInGit(dataFile: string): string | undefined {
  const file = join(dirname(dataFile), '.gitignore');
  const line = `/${gitignoreName(basename(dataFile))}`;
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (before.split(/\r?\n/).some((l) => l === line || l.trim() === line)) return undefined;
  appendFileSync(file, `${before && !before.endsWith('\n') ? '\n' : ''}${line}\n`);
  return file;
}

/** A file name as a .gitignore pattern that matches only it: glob characters and trailing spaces escaped. */
export function gitignoreName(name: string): string {
  return name.replace(/[*?[\\]/g, '\\$&').replace(/ +$/, (spaces) => '\\ '.repeat(spaces.length));
}

/** Whether git would ignore a file (a pointer must be committed); false outside a repository. */
export async function ignoredByGit(file: string): Promise<boolean> {
  return (await gitRun(dirname(file), ['check-ignore', '-q', '--no-index', '--', basename(file)])).code === 0;
}

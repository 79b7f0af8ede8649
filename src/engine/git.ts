/** The git commit of the pipeline's repository and whether its tree is dirty, for run records and lineage. */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_STORE_DIR } from './store-location.js';

export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
}

/** Git's exit code for "not a git repository". */
const NOT_A_REPOSITORY = 128;

/**
 * Whether git could find a repository from `dir`: a `.git` (folder, or file of a worktree) in it
 * or a parent, or GIT_DIR set. Outside one every git command fails; knowing it spares a run
 * starting git processes (three of them, ~10 ms each) only to be told so. The parents are those
 * of the folder's real path, as git walks them: a project reached through a symbolic link is in
 * the repository its target is in.
 */
function mayBeInRepository(dir: string): boolean {
  if (process.env.GIT_DIR) return true;
  let start: string;
  try {
    start = realpathSync(dir);
  } catch {
    // git -C fails on a folder that does not exist; let it say so.
    return true;
  }
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}

/** `git -C dir ARGS`: its exit code (-1 when git could not be run) and output. Never throws. */
export function gitRun(dir: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  if (!mayBeInRepository(dir)) return Promise.resolve({ code: NOT_A_REPOSITORY, stdout: '' });
  return new Promise((resolvePromise) => {
    execFile('git', ['-C', dir, ...args], { timeout: 5000 }, (err, stdout) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolvePromise({ code: !err ? 0 : typeof code === 'number' ? code : -1, stdout });
    });
  });
}

/** The output of a git command that succeeded, else undefined. */
async function git(dir: string, args: string[]): Promise<string | undefined> {
  const r = await gitRun(dir, args);
  return r.code === 0 ? r.stdout : undefined;
}

/** undefined when the folder is not in a git repository (or git is not installed). */
export async function gitInfo(dir: string): Promise<GitInfo | undefined> {
  // Untracked files count: an uncommitted data file or custom step makes the commit unable to
  // reproduce the run. medpipe's own store does not.
  const [commit, status] = await Promise.all([git(dir, ['rev-parse', 'HEAD']), git(dir, ['status', '--porcelain', '--untracked-files=normal'])]);
  if (commit === undefined) return undefined;
  const changes = (status ?? '').split('\n').filter((l) => l.trim() && !l.includes(`${DEFAULT_STORE_DIR}/`));
  return { commit: commit.trim(), dirty: changes.length > 0 };
}

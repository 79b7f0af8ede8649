/** The git commit of the pipeline's repository and whether its tree is dirty, for run records and lineage. */
import { execFile } from 'node:child_process';
import { DEFAULT_STORE_DIR } from './store-location.js';

export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
}

/** `git -C dir ARGS`: its exit code (-1 when git could not be run) and output. Never throws. */
export function gitRun(dir: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
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

/** The git commit of the pipeline's repository and whether its tree is dirty, for run records and lineage. */
import { execFile } from 'node:child_process';

export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
}

function git(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    execFile('git', ['-C', dir, ...args], { timeout: 5000 }, (err, stdout) => resolvePromise(err ? undefined : stdout));
  });
}

/** undefined when the folder is not in a git repository (or git is not installed). */
export async function gitInfo(dir: string): Promise<GitInfo | undefined> {
  const [commit, status] = await Promise.all([git(dir, ['rev-parse', 'HEAD']), git(dir, ['status', '--porcelain', '--untracked-files=no'])]);
  if (commit === undefined) return undefined;
  return { commit: commit.trim(), dirty: (status ?? '').trim().length > 0 };
}

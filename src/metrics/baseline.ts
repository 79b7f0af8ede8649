/**
 * Where the baseline metrics come from: the committed contents at a git ref (read with
 * `git show REF:path`, no checkout), or a metrics file or folder on disk.
 */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DataError, UsageError } from '../errors.js';
import { parseMetricsFile, readMetricsFile, type MetricsFile } from './metrics-file.js';

export interface Baseline {
  /** How reports name it: `main (3f2a9c1)` or a path. */
  readonly description: string;
  /** The baseline of one current metrics file; undefined when the baseline has no such file. */
  metricsFor(currentPath: string): Promise<MetricsFile | undefined>;
  readonly notes: readonly string[];
}

function git(cwd: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; stderr: string }> {
  return new Promise((done) => {
    execFile('git', args, { cwd, timeout: 20_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      done(err ? { ok: false, stderr: String(stderr || err.message) } : { ok: true, stdout }),
    );
  });
}

/**
 * A path on disk (relative to `cwd`) when one exists, else a git ref of the repository holding
 * `gitDir` (the pipeline's folder). A file wins over a ref of the same name.
 */
export async function openBaseline(spec: string, cwd: string, gitDir: string): Promise<Baseline> {
  const onDisk = resolve(cwd, spec);
  if (existsSync(onDisk)) return fileBaseline(onDisk, relative(cwd, onDisk) || '.');
  return gitBaseline(spec, gitDir);
}

/** A single file is the baseline of every current file (meant for one); a folder matches by file name. */
export function fileBaseline(path: string, label = path): Baseline {
  const isDir = statSync(path).isDirectory();
  return {
    description: label,
    notes: [],
    async metricsFor(currentPath) {
      const candidate = isDir ? join(path, basename(currentPath)) : path;
      if (!existsSync(candidate)) return undefined;
      return readMetricsFile(candidate, isDir ? join(label, basename(currentPath)) : label);
    },
  };
}

export async function gitBaseline(ref: string, cwd: string): Promise<Baseline> {
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new UsageError(`--baseline ${ref}: no such file or folder, and ${cwd} is not in a git repository, so it cannot be a git ref either`);
  const root = realpathSync(top.stdout.trim());
  const notes: string[] = [];
  let resolvedRef = ref;
  let commit = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!commit.ok) {
    // CI checkouts often have origin/main but no local main branch.
    const remote = await git(root, ['rev-parse', '--verify', '--quiet', `origin/${ref}^{commit}`]);
    if (!remote.ok) {
      throw new UsageError(
        `--baseline ${ref}: not a file, folder or git ref in ${root} (in CI, fetch it first: git fetch origin ${ref}; with actions/checkout use fetch-depth: 0)`,
      );
    }
    resolvedRef = `origin/${ref}`;
    commit = remote;
    notes.push(`baseline: no local ref "${ref}", used origin/${ref}`);
  }
  const sha = commit.stdout.trim();
  return {
    description: `${resolvedRef} (${sha.slice(0, 7)})`,
    notes,
    async metricsFor(currentPath) {
      // Relative to the repository root with forward slashes, as `git show REF:path` wants it.
      const real = existsSync(currentPath) ? realpathSync(currentPath) : join(realpathSync(dirname(currentPath)), basename(currentPath));
      const rel = relative(root, real).split(sep).join('/');
      if (rel.startsWith('../')) throw new DataError('the metrics file is outside the git repository of the baseline', { file: currentPath });
      const shown = await git(root, ['show', `${sha}:${rel}`]);
      if (!shown.ok) {
        if (/does not exist|exists on disk, but not in/.test(shown.stderr)) return undefined;
        throw new DataError(`git show ${resolvedRef}:${rel} failed: ${shown.stderr.trim().split('\n')[0]}`, { file: currentPath });
      }
      return parseMetricsFile(shown.stdout, `${resolvedRef}:${rel}`);
    },
  };
}

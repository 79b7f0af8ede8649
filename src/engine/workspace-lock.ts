/**
 * One run at a time publishes into a checkout. A run writes files for git (metrics and tables
 * via `publish`, and the pipeline's lock file), and two concurrent runs of one pipeline (its
 * file edited between them) would otherwise leave the lock file of one and the metrics of the
 * other. Runs that publish take this lock for the whole run; a second such run waits.
 * Experiments publish nothing (see experiment.ts) and do not take it.
 *
 * The lock lives in the project's default store folder (not --store): two runs into separate
 * stores still share the checkout they publish into. It is keyed by the pipeline file, so
 * different pipelines in one checkout run side by side. It is a lock file like a step key's
 * (Store.tryLock): one whose process is gone (a killed run) is taken over.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './fingerprint.js';
import { tryLockFile } from './lock-file.js';
import { DEFAULT_STORE_DIR, findProjectRoot } from './store-location.js';

export interface WorkspaceLockHolder {
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
}

const POLL_MS = 100;

export function workspaceLockPath(pipelinePath: string, pipelineDir: string): string {
  return join(findProjectRoot(pipelineDir), DEFAULT_STORE_DIR, 'workspace-locks', `${sha256(pipelinePath).slice(0, 20)}.lock`);
}

function holderOf(file: string): WorkspaceLockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WorkspaceLockHolder;
  } catch {
    return undefined;
  }
}

/**
 * Takes the workspace lock of a pipeline, waiting while another live run holds it (`onWait` is
 * told once who holds it). Returns the release function.
 */
export async function takeWorkspaceLock(file: string, runId: string, onWait: (holder: WorkspaceLockHolder | undefined) => void): Promise<() => void> {
  mkdirSync(join(file, '..'), { recursive: true });
  let told = false;
  while (!tryLockFile(file, { runId })) {
    if (!told) onWait(holderOf(file));
    told = true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return () => {
    // Only our own lock: a lock taken over after we were presumed dead is not ours to remove.
    if (holderOf(file)?.runId === runId) rmSync(file, { force: true });
  };
}

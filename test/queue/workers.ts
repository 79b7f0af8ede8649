/**
 * `medpipe worker` processes for the queue's tests, each with its own store, started against a
 * test's Redis and remote, and everything they print kept, so a test can see which worker ran
 * which step (and kill the one running it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach } from 'node:test';
import type { RedisServer } from '../helpers/redis-server.js';
import { ROOT } from '../helpers/cli.js';

export const BIN = join(ROOT, 'dist/src/cli/bin.js');

/** A killed worker's step is taken over after this lock time: short, for the tests (BullMQ's default is 30 s). */
export const TEST_WORKER_ENV = { MEDPIPE_WORKER_LOCK_MS: '1500', MEDPIPE_WORKER_STALLED_MS: '500' };

export interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  log(): string;
  /** Resolves once the worker logged a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(
  project: string,
  queue: string,
  remote: string,
  name: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--queue', queue, '--remote', remote, '--store', join(project, `.store-${name}`), '--project', project, '--name', name, ...extra],
    { cwd: project, env: { ...process.env, ...TEST_WORKER_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout?.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (text += d));
  const waitFor = (pattern: RegExp, timeoutMs = 20_000): Promise<void> =>
    new Promise((resolveWait, reject) => {
      const started = Date.now();
      const check = (): void => {
        if (pattern.test(text)) resolveWait();
        else if (child.exitCode !== null) reject(new Error(`worker ${name} exited (${child.exitCode}) before ${pattern}:\n${text}`));
        else if (Date.now() - started > timeoutMs) reject(new Error(`worker ${name}: no ${pattern} in ${timeoutMs} ms:\n${text}`));
        else setTimeout(check, 50);
      };
      check();
    });
  const w: WorkerProcess = {
    name,
    child,
    log: () => text,
    waitFor,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGKILL');
      });
    },
  };
  await waitFor(/ready:/, 20_000).catch(async (e) => {
    await w.stop();
    throw e;
  });
  return w;
}

/** How many times each step was computed (not found on the remote) by these workers, from their logs. */
export function computedCounts(workers: readonly WorkerProcess[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of workers) for (const m of w.log().matchAll(/: [^ ]+\/(\S+) done in \d+ ms/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
}

/** What a test file's tests start: workers and Redis are stopped after each test, folders removed after the file. */
export function trackStarted(): { workers: WorkerProcess[]; redis: RedisServer[]; dirs: string[] } {
  const started = { workers: [] as WorkerProcess[], redis: [] as RedisServer[], dirs: [] as string[] };
  afterEach(async () => {
    await Promise.all(started.workers.splice(0).map((w) => w.stop()));
    await Promise.all(started.redis.splice(0).map((r) => r.stop()));
  });
  after(() => {
    for (const d of started.dirs) rmSync(d, { recursive: true, force: true });
  });
  return started;
}

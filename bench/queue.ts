/**
 * Distributed runs through the queue (issue 17), side by side in one run, on this one machine:
 *   1. a 24-combination sweep of the flagship's SVM and forest, each combination cross-validated
 *      (bench/pipelines/queue-sweep.yaml), by the CLI: locally, and through the queue with 1 and
 *      2 worker processes; each run from an empty local store, an empty file:// remote, a fresh
 *      redis-server and freshly started workers with empty stores (worker start-up not timed);
 *   2. the queue's overhead per step on 200-step tiny DAGs (a chain and a fan-out): enqueue to
 *      start and finish to noticed, as the coordinator reports them (QueuedStepResult), read by an
 *      in-process harness that runs the pipeline with runPipeline and a QueueCoordinator wrapped
 *      to keep those numbers (no product code changed), against one worker process;
 *   3. the 1,000-step tiny DAG of the engine benchmark through the queue, and the same DAG locally.
 * Redis is Debian's redis-server on a free loopback port (test/helpers/redis-server.ts). Workers,
 * Redis, the coordinator and the local runs all share this machine's cores.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openRemoteFromOptions } from '../src/cli/remote-option.js';
import type { StepQueue } from '../src/engine/executor.js';
import { runPipeline } from '../src/engine/execute.js';
import { loadPipeline, openStore } from '../src/engine/open.js';
import type { RunRecord } from '../src/engine/record.js';
import type { CacheEntry } from '../src/engine/store.js';
import { Job, Queue } from 'bullmq';
import { QueueCoordinator } from '../src/queue/coordinator.js';
import { queueNameFor } from '../src/queue/job-spec.js';
import { connectionOptions, parseQueueUrl } from '../src/queue/queue-url.js';
import { catalogue } from '../src/steps/index.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { syntheticPipeline, TINY_STEP } from './engine.js';
import { measureNode, median, printTable } from './measure.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const SWEEP = 'bench/pipelines/queue-sweep.yaml';
/** Repetitions of each sweep scenario (MEDPIPE_BENCH_QUEUE_REPS, default 3; 0 skips the sweep); the table gives the median. */
const REPS = Number(process.env.MEDPIPE_BENCH_QUEUE_REPS ?? 3);

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-queue-'));
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'bench'));
  cpSync(join(ROOT, 'bench/pipelines'), join(dir, 'bench/pipelines'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tiny.mjs'), TINY_STEP);
  return dir;
}

interface Worker {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** A `medpipe worker` process with its own empty store, once it says it is ready. Production defaults (no test lock times). */
async function startWorker(dir: string, queue: string, remote: string, name: string, concurrency: number): Promise<Worker> {
  const store = mkdtempSync(join(tmpdir(), `medpipe-bench-queue-${name}-`));
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--queue', queue, '--remote', remote, '--store', store, '--project', dir, '--name', name, '--concurrency', String(concurrency)],
    { cwd: dir, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null)
      await new Promise<void>((done) => {
        const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(hard);
          done();
        });
        child.kill('SIGTERM');
      });
    rmSync(store, { recursive: true, force: true });
  };
  const started = Date.now();
  while (!/ready:/.test(log)) {
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      await stop();
      throw new Error(`worker ${name} did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, stop };
}

/** A fresh Redis, an empty file:// remote and `workers` x `concurrency` workers around `body`; everything stopped after. */
async function withQueue<T>(dir: string, workers: number, concurrency: number, body: (queue: string, remote: string) => Promise<T>): Promise<T> {
  const redis = await startRedis();
  const remoteDir = mkdtempSync(join(tmpdir(), 'medpipe-bench-queue-remote-'));
  const remote = pathToFileURL(remoteDir).href;
  const started: Worker[] = [];
  try {
    for (let i = 0; i < workers; i++) started.push(await startWorker(dir, redis.url, remote, `w${i + 1}`, concurrency));
    return await body(redis.url, remote);
  } finally {
    await Promise.all(started.map((w) => w.stop()));
    await redis.stop();
    rmSync(remoteDir, { recursive: true, force: true });
  }
}

function lastRecord(store: string): RunRecord {
  const runs = readdirSync(join(store, 'runs')).sort();
  return JSON.parse(readFileSync(join(store, 'runs', runs[runs.length - 1]), 'utf8')) as RunRecord;
}

interface SweepRun {
  seconds: number;
  computed: number;
  /** Sum of the computed steps' durations: the work, however it was spread. */
  stepSeconds: number;
  perWorker: string;
  duplicates: number;
}

/**
 * A computed step's own time, from its cache entry (for a queued step, the worker's entry on the
 * remote: the coordinator keeps none locally): the run record's durationMs of a queued step is the
 * coordinator's wait, queueing included.
 */
function computeMs(roots: readonly string[], key: string | undefined): number {
  if (!key) return 0;
  for (const root of roots) {
    const file = join(root, 'entries', key.slice(0, 2), `${key}.json`);
    if (!existsSync(file)) continue;
    // A remote's entry file wraps the entry (entry-format.ts) with its signature.
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry | { entry: CacheEntry };
    return 'entry' in parsed ? parsed.entry.durationMs : parsed.durationMs;
  }
  throw new Error(`no cache entry for ${key} in ${roots.join(' or ')}`);
}

let storeCount = 0;
async function sweepRun(dir: string, queue?: { queue: string; remote: string }): Promise<SweepRun> {
  const store = `store-${++storeCount}`;
  const args = ['run', SWEEP, '--plain', '--store', store, ...(queue ? ['--queue', queue.queue, '--remote', queue.remote] : [])];
  const m = await measureNode(BIN, args, dir);
  if (m.code !== 0) throw new Error(`medpipe ${args.join(' ')} failed (${m.code}): ${m.stderr || m.stdout.slice(-2000)}`);
  const record = lastRecord(join(dir, store));
  const steps = Object.values(record.steps);
  const done = steps.filter((s) => s.status === 'done');
  const byWorker = new Map<string, number>();
  for (const s of steps) if (s.worker) byWorker.set(s.worker, (byWorker.get(s.worker) ?? 0) + 1);
  return {
    seconds: m.wallMs / 1000,
    computed: done.length,
    stepSeconds: done.reduce((t, s) => t + computeMs([join(dir, store), ...(queue ? [fileURLToPath(queue.remote)] : [])], s.key), 0) / 1000,
    perWorker: [...byWorker].map(([w, n]) => `${w}: ${n}`).join(', ') || '-',
    duplicates: record.queue?.duplicateExecutions ?? 0,
  };
}

async function benchSweep(dir: string): Promise<void> {
  const scenarios: { label: string; workers: number; concurrency: number }[] = [
    { label: 'local (`medpipe run`, default concurrency = 2 cores)', workers: 0, concurrency: 0 },
    { label: 'queue, 1 worker process, --concurrency 2', workers: 1, concurrency: 2 },
    { label: 'queue, 2 worker processes, --concurrency 1 each', workers: 2, concurrency: 1 },
    { label: 'queue, 2 worker processes, --concurrency 2 each', workers: 2, concurrency: 2 },
  ];
  const results = new Map<string, SweepRun[]>(scenarios.map((s) => [s.label, []]));
  // Interleaved (local, q1, q2, q2x2, local, …) so a burst of load elsewhere on the machine hits every scenario alike.
  for (let rep = 0; rep < REPS; rep++)
    for (const s of scenarios) {
      const r = s.workers ? await withQueue(dir, s.workers, s.concurrency, (queue, remote) => sweepRun(dir, { queue, remote })) : await sweepRun(dir);
      results.get(s.label)?.push(r);
    }
  const local = median(results.get(scenarios[0].label)?.map((r) => r.seconds) ?? []);
  const rows = [
    ['scenario', 'median s', 'runs (s)', 'x local', 'steps computed', 'sum of step times (s)', 'steps per worker (last run)', 'duplicate executions'],
  ];
  for (const s of scenarios) {
    const rs = results.get(s.label) ?? [];
    const med = median(rs.map((r) => r.seconds));
    rows.push([
      s.label,
      med.toFixed(2),
      rs.map((r) => r.seconds.toFixed(1)).join(', '),
      `${(med / local).toFixed(2)}x`,
      String(rs[rs.length - 1].computed),
      median(rs.map((r) => r.stepSeconds)).toFixed(1),
      rs[rs.length - 1].perWorker,
      String(rs.reduce((n, r) => n + r.duplicates, 0)),
    ]);
  }
  printTable(
    `24-combination sweep (12 SVM + 12 forest, each 5-fold cross-validated; 27 steps), empty store and remote each run; wall time of \`medpipe run\` incl. Node start-up, median of ${REPS}`,
    rows,
  );
}

/** One queued step, in epoch milliseconds where it says so (one machine: one clock). */
interface StepTiming {
  key: string;
  /** The engine handing the step to the coordinator, and the coordinator's answer (epoch ms). */
  asked: number;
  answered: number;
  /** The coordinator's own figures (QueuedStepResult). */
  waited: number;
  noticed: number;
  /** The step's own compute time, from its cache entry (the worker's). */
  compute: number;
}

/** BullMQ's timestamps of a finished job: added, started by a worker, finished (epoch ms). */
interface JobTimes {
  timestamp: number;
  processedOn: number;
  finishedOn: number;
}

/**
 * Runs `file` in-process through a QueueCoordinator wrapped to keep each step's timings (the
 * product's own QueueCoordinator.run, untouched), then reads each job's BullMQ timestamps.
 */
async function queuedRun(
  dir: string,
  file: string,
  queueUrl: string,
  remoteUrl: string,
  concurrency: number | undefined,
): Promise<{ seconds: number; timings: StepTiming[]; jobs: Map<string, JobTimes> }> {
  const pipeline = await loadPipeline(join(dir, file), { catalogue, cwd: dir });
  const store = openStore(dir, `store-${++storeCount}`, dir);
  const remote = await openRemoteFromOptions({ remote: remoteUrl, 'remote-required': true }, dir, () => {});
  if (!remote) throw new Error(`no remote at ${remoteUrl}`);
  const url = parseQueueUrl(queueUrl);
  const coordinator = new QueueCoordinator(url, remote.location);
  const timings: StepTiming[] = [];
  const queue: StepQueue = {
    location: coordinator.location,
    name: coordinator.name,
    async run(job, labels, handlers, signal) {
      const asked = Date.now();
      const r = await coordinator.run(job, labels, handlers, signal);
      timings.push({ key: job.key, asked, answered: Date.now(), waited: r.waitedMs, noticed: r.noticedMs, compute: r.entry.durationMs });
      return r;
    },
    close: () => coordinator.close(),
  };
  const reader = new Queue(queueNameFor([], remote.location), { connection: connectionOptions(url) });
  try {
    const t0 = performance.now();
    const result = await runPipeline(pipeline, store, { queue, ...(remote ? { remote } : {}), ...(concurrency ? { concurrency } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    if (result.status !== 'ok') {
      const failed = Object.entries(result.record.steps).filter(([, st]) => st.status === 'failed');
      throw new Error(
        `${file} through the queue: ${result.status}: ${failed.length} failed, e.g. ${failed
          .slice(0, 3)
          .map(([id, st]) => `${id}: ${st.error}`)
          .join('; ')}`,
      );
    }
    const jobs = new Map<string, JobTimes>();
    for (const t of timings) {
      const job = await Job.fromId(reader, t.key);
      if (job?.processedOn && job.finishedOn) jobs.set(t.key, { timestamp: job.timestamp, processedOn: job.processedOn, finishedOn: job.finishedOn });
    }
    return { seconds, timings, jobs };
  } finally {
    await reader.close();
    await coordinator.close();
    remote?.close();
  }
}

async function localRun(dir: string, file: string): Promise<number> {
  const pipeline = await loadPipeline(join(dir, file), { catalogue, cwd: dir });
  const t0 = performance.now();
  const result = await runPipeline(pipeline, openStore(dir, `store-${++storeCount}`, dir));
  if (result.status !== 'ok') throw new Error(`${file} locally: ${result.status}`);
  return (performance.now() - t0) / 1000;
}

function p90(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)];
}

function chain(n: number): string {
  const lines = ['medpipe: 1', `name: chain-${n}`, 'steps:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}: { uses: ../tiny.mjs, ${i ? `in: { a: s${i - 1} }, ` : ''}with: { i: ${i} } }`);
  return `${lines.join('\n')}\n`;
}

function fanOut(n: number): string {
  const lines = ['medpipe: 1', `name: fan-out-${n}`, 'steps:', '  root: { uses: ../tiny.mjs, with: { i: 0 } }'];
  for (let i = 1; i < n; i++) lines.push(`  s${i}: { uses: ../tiny.mjs, in: { a: root }, with: { i: ${i} } }`);
  return `${lines.join('\n')}\n`;
}

async function benchOverhead(dir: string): Promise<void> {
  mkdirSync(join(dir, 'dags'));
  writeFileSync(join(dir, 'dags/chain-200.yaml'), chain(200));
  writeFileSync(join(dir, 'dags/fan-out-200.yaml'), fanOut(200));
  writeFileSync(join(dir, 'dags/synthetic-1000.yaml'), syntheticPipeline(1000).replaceAll('./tiny.mjs', '../tiny.mjs'));
  const rows = [
    [
      'DAG (1 worker process)',
      'queue wall s',
      'local wall s',
      'queue ms/step',
      'enqueue→start',
      'finish→noticed',
      'coordinator: call→added',
      'worker: run − compute',
      'coordinator: noticed→answer',
      'call→answer − compute',
    ],
  ];
  const cases: { file: string; label: string; workerConcurrency: number; runConcurrency?: number }[] = [
    { file: 'dags/chain-200.yaml', label: '200-step chain, worker --concurrency 1', workerConcurrency: 1 },
    { file: 'dags/fan-out-200.yaml', label: '200-step fan-out, worker --concurrency 2, run queues ≤ 2 at once', workerConcurrency: 2, runConcurrency: 2 },
    { file: 'dags/fan-out-200.yaml', label: '200-step fan-out, worker --concurrency 2, run queues ≤ 64 (default)', workerConcurrency: 2 },
    { file: 'dags/synthetic-1000.yaml', label: '1,000-step DAG (bench/engine.ts), worker --concurrency 2', workerConcurrency: 2 },
  ];
  // MEDPIPE_BENCH_QUEUE_CASES=text: only the cases whose label contains it.
  const only = process.env.MEDPIPE_BENCH_QUEUE_CASES;
  for (const c of cases.filter((x) => !only || x.label.includes(only))) {
    const local = await localRun(dir, c.file);
    const { seconds, timings, jobs } = await withQueue(dir, 1, c.workerConcurrency, (queue, remote) => queuedRun(dir, c.file, queue, remote, c.runConcurrency));
    const col = (pick: (t: StepTiming, j: JobTimes) => number): string => {
      const xs = timings.flatMap((t) => {
        const j = jobs.get(t.key);
        return j ? [pick(t, j)] : [];
      });
      return `${median(xs).toFixed(0)} / ${p90(xs).toFixed(0)}`;
    };
    rows.push([
      `${c.label} (${timings.length} queued, ${jobs.size} read back)`,
      seconds.toFixed(2),
      local.toFixed(2),
      ((1000 * seconds) / timings.length).toFixed(1),
      col((t) => t.waited),
      col((t) => t.noticed),
      col((t, j) => j.timestamp - t.asked),
      col((t, j) => j.finishedOn - j.processedOn - t.compute),
      col((t, j) => t.answered - j.finishedOn - t.noticed),
      col((t) => t.answered - t.asked - t.compute),
    ]);
  }
  printTable(
    'Queue overhead per step on tiny steps, median / p90 in ms (in-process coordinator via runPipeline, fresh Redis, empty store and file:// remote; local = the same DAG in-process, worker threads; target: enqueue→start and finish→noticed under 20 ms at the median)',
    rows,
  );
}

export async function benchQueue(): Promise<void> {
  const cpu = cpus();
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, shared with other work; load average at start: ${load()}`,
  );
  const dir = project();
  try {
    if (REPS > 0) await benchSweep(dir);
    console.log(`load average after the sweep: ${load()}`);
    await benchOverhead(dir);
    console.log(`load average at the end: ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- serve`: `medpipe serve` against FastAPI + uvicorn (Debian's packages, one worker)
 * serving the same model trained by scikit-learn (bench/serve_fastapi.py), side by side in one run.
 * The flagship pipeline is run into a temporary store; its SVM (breast-cancer-svm@staging) is served
 * by medpipe, and scikit-learn fits the same recipe on the same training rows (the split step's
 * train artifact, written out as CSV). Each server runs alone in its own process; autocannon (in
 * this process) sends POST requests of 1 row and of 100 rows (Wisconsin rows) over loopback with
 * 10 connections for DURATION_S seconds after a WARMUP_S warm-up: requests/s and p50/p99 latency.
 *
 * medpipe serve logs every prediction and fdatasyncs the log before answering (group commit);
 * the FastAPI app logs nothing. A third column runs medpipe serve with its log on /dev/shm
 * (tmpfs, where a sync costs nothing) to show what the disk flush costs.
 *
 * Usage: node dist/bench/serve.js   (needs /usr/bin/python3 with scikit-learn, fastapi, uvicorn)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { readDatasetFile } from '../src/data/arrow.js';
import { datasetCsv } from '../src/data/csv-write.js';
import type { RunRecord } from '../src/engine/record.js';
import { printTable } from './measure.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const FASTAPI_APP = join(ROOT, 'bench/serve_fastapi.py');
const PYTHON = '/usr/bin/python3';
const DURATION_S = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const WARMUP_S = 2;
const CONNECTIONS = 10;
const PATH = '/v1/models/breast-cancer-svm@staging/predict';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d;
      const m = pattern.exec(text);
      if (m) resolve(m);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', (code) => reject(new Error(`${what} ended (exit ${code}) before it was ready:\n${text}`)));
  });
}

async function startMedpipe(dir: string, log: string): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'serve', 'breast-cancer-svm@staging', '--port', '0', '--log', log], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const m = await waitFor(child, /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*serving /, 'medpipe serve');
  return { child, url: m[1] };
}

async function startFastApi(train: string): Promise<Started> {
  const port = 18_000 + (process.pid % 1000);
  const child = spawn(PYTHON, [FASTAPI_APP, train, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`the FastAPI app ended (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the FastAPI app did not start within 30 s');
}

function stop(s: Started): Promise<void> {
  return new Promise((resolve) => {
    s.child.on('close', () => resolve());
    s.child.kill('SIGTERM');
  });
}

interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly failed: number;
}

async function load(url: string, body: string, seconds: number): Promise<Load> {
  const r = await autocannon({
    url: `${url}${PATH}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, failed: r.non2xx + r.errors + r.timeouts };
}

function wisconsinRows(dir: string): Record<string, number>[] {
  const [header, ...lines] = readFileSync(join(dir, 'data/breast-cancer-wisconsin.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.flatMap((n, j) => (n === 'id' || n === 'diagnosis' ? [] : [[n, Number(cells[j])]])));
  });
}

async function labelsFrom(url: string, rows: unknown[]): Promise<string[]> {
  const res = await fetch(`${url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
  return ((await res.json()) as { predictions: string[] }).predictions;
}

export async function benchServe(): Promise<void> {
  const check = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, sklearn; print(fastapi.__version__, uvicorn.__version__, sklearn.__version__)'], {
    encoding: 'utf8',
  });
  if (check.status !== 0) {
    console.log('serve: skipped: /usr/bin/python3 lacks fastapi, uvicorn or scikit-learn (apt-get install -y python3-fastapi python3-uvicorn python3-sklearn)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-serve-'));
  const shm = mkdtempSync('/dev/shm/medpipe-bench-serve-');
  try {
    cpSync(join(ROOT, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
    cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{}\n');
    const run = spawnSync(process.execPath, [BIN, 'run', 'pipelines/breast-cancer.yaml', '--plain'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the flagship run failed:\n${run.stdout}\n${run.stderr}`);
    const runs = join(dir, '.medpipe/runs');
    const record = JSON.parse(readFileSync(join(runs, readdirSync(runs).sort().pop() as string), 'utf8')) as RunRecord;
    const trainDigest = record.steps.split.outputs?.train as string;
    const train = await readDatasetFile(join(dir, '.medpipe/objects', trainDigest.slice(0, 2), trainDigest.slice(2)));
    writeFileSync(join(dir, 'train.csv'), datasetCsv(train));

    const rows = wisconsinRows(dir);
    const one = JSON.stringify({ rows: [rows[0]] });
    const hundred = JSON.stringify({ rows: rows.slice(0, 100) });
    const servers: [string, () => Promise<Started>][] = [
      ['medpipe serve (log fsync on disk)', () => startMedpipe(dir, join(dir, 'predictions.jsonl'))],
      ['medpipe serve (log on tmpfs)', () => startMedpipe(dir, join(shm, 'predictions.jsonl'))],
      [
        `FastAPI ${check.stdout.trim().split(' ')[0]} + uvicorn ${check.stdout.trim().split(' ')[1]} (sklearn ${check.stdout.trim().split(' ')[2]})`,
        () => startFastApi(join(dir, 'train.csv')),
      ],
    ];
    const table: string[][] = [['server', 'rows/request', 'requests/s', 'p50 ms', 'p99 ms', 'requests', 'failed']];
    const agreement: string[] = [];
    let reference: string[] | undefined;
    for (const [name, start] of servers) {
      const s = await start();
      try {
        const labels = await labelsFrom(s.url, rows);
        if (reference) agreement.push(`${name}: ${labels.filter((l, i) => l === reference?.[i]).length}/${rows.length} labels equal to medpipe's`);
        else reference = labels;
        for (const [size, body] of [
          ['1', one],
          ['100', hundred],
        ] as const) {
          await load(s.url, body, WARMUP_S);
          const m = await load(s.url, body, DURATION_S);
          table.push([name, size, m.rps.toFixed(0), String(m.p50), String(m.p99), String(m.requests), String(m.failed)]);
        }
      } finally {
        await stop(s);
      }
    }
    printTable(`medpipe serve vs FastAPI + uvicorn: breast-cancer-svm, ${CONNECTIONS} connections, ${DURATION_S} s per row (autocannon on loopback)`, table);
    for (const line of agreement) console.log(line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(shm, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchServe();

/**
 * For the server tests: a registry made by running the flagship pipeline into a project copy,
 * `medpipe serve` started as a real child process on a free loopback port, and small HTTP calls.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { BIN } from '../engine/project.js';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

export interface Flagship {
  readonly dir: string;
  readonly store: string;
}

/** A copy of the shipped project with the flagship pipeline run once: breast-cancer-svm@1 and breast-cancer-forest@1, both staging. */
export async function flagshipRegistry(prefix: string): Promise<Flagship> {
  const dir = shippedProjectCopy(prefix);
  const r = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err + r.out);
  return { dir, store: join(dir, '.medpipe') };
}

/** The Wisconsin rows as the model takes them (every column but id and diagnosis), as JSON objects. */
export function wisconsinRows(dir: string): Record<string, number>[] {
  const [header, ...lines] = readFileSync(join(dir, 'data/breast-cancer-wisconsin.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.flatMap((n, j) => (n === 'id' || n === 'diagnosis' ? [] : [[n, Number(cells[j])]])));
  });
}

export interface Server {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly closed: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `medpipe serve ARGS --port 0` in `dir` and waits for the address it prints. */
export async function startServer(dir: string, ...args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: dir,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let ended = false;
  void closed.then(() => (ended = true));
  for (;;) {
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (m && /serving /.test(out)) {
      const port = Number(m[1]);
      return {
        url: `http://127.0.0.1:${port}`,
        port,
        child,
        stderr: () => err,
        closed,
        stop: () => {
          if (!ended) child.kill('SIGTERM');
          return closed;
        },
      };
    }
    if (ended) throw new Error(`medpipe serve ended before listening:\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, read by each test as it expects
  readonly body: any;
}

export async function call(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function predict(server: Server, ref: string, rows: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return call(`${server.url}/v1/models/${ref}/predict`, { body: JSON.stringify({ rows }), headers });
}

/**
 * A real S3 API server for tests: s3rver (its own process, see s3rver-process.ts) on a free
 * 127.0.0.1 port, serving a fresh temporary folder with one bucket, started and stopped by the
 * test that uses it.
 *
 * The backend under test finds credentials through the AWS SDK's chain, as in production; s3rver
 * accepts signatures made with its fixed pair, so a test file that talks to it calls
 * `useS3rverCredentials()` (process.env of the test process only), or passes S3RVER_ENV to a child.
 *
 * s3rver is not S3 in two ways the tests must know: it ignores `If-None-Match: *` (a conditional
 * PUT overwrites), and it writes a PUT's body in place, so an interrupted upload can leave a
 * partial object under the final name, and concurrent PUTs of one key with different bodies can
 * mix (real S3 makes an object visible only when its PUT completes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

/** Sets s3rver's fixed credentials in this test process's environment, for the SDK's chain to find. */
export function useS3rverCredentials(): void {
  Object.assign(process.env, S3RVER_ENV);
}

export interface S3TestServer {
  /** A remote URL for the bucket, with `prefix` under it: s3://BUCKET/PREFIX?endpoint=http://127.0.0.1:PORT. */
  readonly url: string;
  readonly endpoint: string;
  readonly bucket: string;
  /** Where s3rver keeps the bucket's objects. */
  readonly directory: string;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
  /** Stops the server but keeps its folder (a server that goes down during a run). */
  halt(): Promise<void>;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./s3rver-process.js', import.meta.url));

export async function startS3Server(options: { bucket?: string; prefix?: string } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? 'medpipe-test';
  const prefix = options.prefix ?? 'team/cache';
  const directory = mkdtempSync(join(tmpdir(), 'medpipe-s3rver-'));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', SERVER_SCRIPT, directory, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const halt = async (): Promise<void> => {
    child.stdin?.end();
    await exited;
  };
  return {
    url: `s3://${bucket}/${prefix}?endpoint=${endpoint}`,
    endpoint,
    bucket,
    directory,
    halt,
    async stop() {
      await halt();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

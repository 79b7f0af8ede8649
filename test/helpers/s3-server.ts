/**
 * A real S3 API server for tests: s3rver on a free 127.0.0.1 port, serving a fresh temporary
 * folder with one bucket, started and stopped by the test that uses it.
 *
 * The backend under test finds credentials through the AWS SDK's chain, as in production; s3rver
 * takes any signature made with its own fixed pair, so a test file that talks to it calls
 * `useS3rverCredentials()` (process.env of the test process only), or passes S3RVER_ENV to a child.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

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
  /** Where s3rver keeps the bucket's objects (to damage one on purpose). */
  readonly directory: string;
  /** Stops the server, dropping open connections, and removes its folder. */
  stop(): Promise<void>;
  /** Stops the server but keeps its folder (a server that goes down during a run). */
  halt(): Promise<void>;
}

export async function startS3Server(options: { bucket?: string; prefix?: string } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? 'medpipe-test';
  const prefix = options.prefix ?? 'team/cache';
  const directory = mkdtempSync(join(tmpdir(), 'medpipe-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  let running = true;
  const halt = async (): Promise<void> => {
    if (!running) return;
    running = false;
    // Keep-alive sockets of the SDK's agent would hold close() open.
    server.httpServer?.closeAllConnections();
    await server.close();
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

/**
 * Raw transfer speed of the two remote backends on this machine (issue 16): an 8 MiB and a 64 MiB
 * artifact put (upload from a file) and got (download to a new file) through the file:// backend
 * (a folder on the local disk) and the S3 backend (s3rver, its own process, on loopback). Median
 * of 3 of each. The S3 figures are s3rver's, a Node server writing to the same disk: a floor for
 * what a real S3 service gives, not a prediction of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteBackend } from '../src/remote/backend.js';
import { FileBackend } from '../src/remote/file-backend.js';
import { parseRemoteUrl } from '../src/remote/remote-url.js';
import { S3Backend } from '../src/remote/s3-backend.js';
import { startS3Server, useS3rverCredentials } from '../test/helpers/s3-server.js';
import { median, printTable } from './measure.js';

const SIZES_MIB = [8, 64];
const RUNS = 3;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(name: string, backend: RemoteBackend, dir: string, rows: string[][]): Promise<void> {
  for (const mib of SIZES_MIB) {
    const bytes = mib * 1024 * 1024;
    const src = join(dir, `src-${mib}`);
    writeFileSync(src, randomBytes(bytes));
    const put: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      put.push(await timed(() => backend.write(`objects/bench/${mib}-${i}`, src)));
      const dest = join(dir, `dest-${mib}-${i}`);
      get.push(await timed(() => backend.download(`objects/bench/${mib}-${i}`, dest)));
      rmSync(dest);
    }
    const mbps = (ms: number): string => (bytes / 1e6 / (ms / 1000)).toFixed(0);
    rows.push([name, `${mib} MiB`, median(put).toFixed(0), mbps(median(put)), median(get).toFixed(0), mbps(median(get))]);
  }
}

export async function benchRemoteTransfer(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-remote-'));
  const rows = [['backend', 'size', 'put ms', 'put MB/s', 'get ms', 'get MB/s']];
  useS3rverCredentials();
  const server = await startS3Server();
  try {
    await measure('file://', new FileBackend(join(dir, 'remote')), dir, rows);
    const url = parseRemoteUrl(server.url, '/');
    if (url.kind !== 's3') throw new Error('internal: not an s3 URL');
    const s3 = new S3Backend(url);
    try {
      await measure('s3 (s3rver, loopback)', s3, dir, rows);
    } finally {
      s3.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(`Remote backends, raw transfer (median of ${RUNS})`, rows);
}

/**
 * The two real backends the remote tests run against: a file:// folder and s3rver on loopback.
 * Each test gets an empty remote of its own (a fresh folder, or a fresh prefix in the bucket of
 * one s3rver per test file).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError, type RemoteBackend, type RemoteBlob } from '../../src/remote/backend.js';
import { FileBackend } from '../../src/remote/file-backend.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { S3Backend, type S3BackendOptions } from '../../src/remote/s3-backend.js';
import { type S3TestServer, startS3Server, useS3rverCredentials } from '../helpers/s3-server.js';

export interface BackendKind {
  readonly name: 'file' | 's3';
  /** A new empty remote; its URL is what a user would configure. */
  open(options?: S3BackendOptions): Promise<{ backend: RemoteBackend; url: string }>;
  /** Stops what the kind started (the S3 server). */
  shutdown(): Promise<void>;
}

export const tempDir = (label: string): string => mkdtempSync(join(tmpdir(), `medpipe-${label}-`));

export function fileKind(): BackendKind {
  return {
    name: 'file',
    async open() {
      const root = join(tempDir('remote'), 'remote');
      return { backend: new FileBackend(root), url: `file://${root}` };
    },
    async shutdown() {},
  };
}

export function s3Kind(): BackendKind & { server(): Promise<S3TestServer> } {
  let server: Promise<S3TestServer> | undefined;
  let n = 0;
  const started = (): Promise<S3TestServer> => {
    useS3rverCredentials();
    return (server ??= startS3Server());
  };
  return {
    name: 's3',
    server: started,
    async open(options) {
      const s = await started();
      const url = `s3://${s.bucket}/run${process.pid}-${++n}?endpoint=${s.endpoint}`;
      const parsed = parseRemoteUrl(url, '/');
      if (parsed.kind !== 's3') throw new Error('internal: not an s3 URL');
      return { backend: new S3Backend(parsed, options), url };
    },
    async shutdown() {
      if (server) await (await server).stop();
    },
  };
}

/**
 * A real backend with its calls counted: what a test needs to show that a remote set aside is no
 * longer asked anything. `failFirst` calls throw a transient RemoteError before reaching it (a
 * remote that hiccups once).
 */
export class CountingBackend implements RemoteBackend {
  calls = 0;
  constructor(
    private readonly inner: RemoteBackend,
    private failFirst = 0,
  ) {}
  get location(): string {
    return this.inner.location;
  }
  private count(): void {
    this.calls++;
    if (this.failFirst > 0) {
      this.failFirst--;
      throw new RemoteError(`${this.location}: the connection was reset (a hiccup made by the test)`, true);
    }
  }
  async download(...args: Parameters<RemoteBackend['download']>): Promise<boolean> {
    this.count();
    return this.inner.download(...args);
  }
  async read(...args: Parameters<RemoteBackend['read']>): Promise<Buffer | undefined> {
    this.count();
    return this.inner.read(...args);
  }
  async write(...args: Parameters<RemoteBackend['write']>): Promise<void> {
    this.count();
    return this.inner.write(...args);
  }
  async stat(...args: Parameters<RemoteBackend['stat']>): Promise<{ readonly size: number } | undefined> {
    this.count();
    return this.inner.stat(...args);
  }
  async *list(...args: Parameters<RemoteBackend['list']>): AsyncIterable<RemoteBlob> {
    this.count();
    yield* this.inner.list(...args);
  }
  async remove(...args: Parameters<RemoteBackend['remove']>): Promise<void> {
    this.count();
    return this.inner.remove(...args);
  }
  close(): void {
    this.inner.close();
  }
}

/** PLACEHOLDER: the s3-remote helper replaces this file. */
import { RemoteError, type RemoteBackend, type RemoteBlob } from './backend.js';
import type { RemoteUrl } from './remote-url.js';

export class S3Backend implements RemoteBackend {
  readonly location: string;
  constructor(url: Extract<RemoteUrl, { kind: 's3' }>) {
    this.location = `s3://${url.bucket}/${url.prefix}`;
  }
  download(): Promise<boolean> {
    throw new RemoteError('not built yet', false);
  }
  read(): Promise<Buffer | undefined> {
    throw new RemoteError('not built yet', false);
  }
  write(): Promise<void> {
    throw new RemoteError('not built yet', false);
  }
  stat(): Promise<{ size: number } | undefined> {
    throw new RemoteError('not built yet', false);
  }
  // biome-ignore lint/correctness/useYield: placeholder
  async *list(): AsyncIterable<RemoteBlob> {
    throw new RemoteError('not built yet', false);
  }
  remove(): Promise<void> {
    throw new RemoteError('not built yet', false);
  }
  close(): void {}
}

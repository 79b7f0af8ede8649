/**
 * A remote as bytes under names: the one thing a `file://` folder and an S3 bucket must do for
 * medpipe. What the names mean (objects by digest, cache entries by step key, records), and every
 * check of what comes back, is remote-cache.ts's, written once above all backends.
 *
 * What every backend promises:
 * - a name becomes visible only with all of its bytes (a temporary name renamed or copied into
 *   place, or a single S3 PUT, which S3 makes visible only when complete), so a reader never sees
 *   a half-written blob and a killed upload leaves nothing under the final name;
 * - concurrent writers of one name are safe: the last complete write wins, whole;
 * - failures are RemoteError, marked transient when trying again later may succeed (a network
 *   error, a timeout, a 5xx, throttling), so the layer above can retry with backoff and then
 *   carry on without the remote.
 */

import { Transform } from 'node:stream';

/** Bytes moved so far and, when known, in all. */
export type TransferProgress = (done: number, total: number | undefined) => void;

export interface TransferOptions {
  readonly onProgress?: TransferProgress;
  readonly signal?: AbortSignal;
}

/** A pass-through stream that reports the bytes that went through it (progress for both backends). */
export function progressCounter(total: number | undefined, onProgress: TransferProgress | undefined): Transform {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, next) {
      done += chunk.length;
      onProgress?.(done, total);
      next(null, chunk);
    },
  });
}

/** A blob found by `list`. */
export interface RemoteBlob {
  /** Its name relative to the remote's root, `/`-separated (e.g. `objects/ab/cdef…`). */
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
}

export interface RemoteBackend {
  /** The remote's URL without credentials, for messages and records. */
  readonly location: string;
  /**
   * Writes the blob `name` into the new file `dest` (which must not exist); false when there is
   * no such blob. On failure no file is left at `dest`.
   */
  download(name: string, dest: string, options?: TransferOptions): Promise<boolean>;
  /** A small blob's bytes (an entry, a record), or undefined when there is none. */
  read(name: string, signal?: AbortSignal): Promise<Buffer | undefined>;
  /** Stores a file's (or a buffer's) bytes under `name`, visible only when complete. */
  write(name: string, source: string | Buffer, options?: TransferOptions): Promise<void>;
  /** The blob's size, or undefined when there is none. */
  stat(name: string, signal?: AbortSignal): Promise<{ readonly size: number } | undefined>;
  /** Every blob whose name starts with `prefix` (a folder such as `objects/`), in no set order. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<RemoteBlob>;
  /** Removes a blob; removing one that is not there is not an error. */
  remove(name: string, signal?: AbortSignal): Promise<void>;
  /** Releases connections, so a command can exit. */
  close(): void;
}

/** A remote operation that failed; `transient`: it may succeed if tried again. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An `s3://bucket/prefix` remote: AWS S3 or an S3-compatible service (MinIO, Cloudflare R2, Ceph,
 * Google Cloud Storage's S3 API), through @aws-sdk/client-s3.
 *
 * - Credentials come only from the SDK's standard chain (environment, shared config files, SSO,
 *   instance roles); the endpoint from the URL's `endpoint=`, else the SDK reads AWS_ENDPOINT_URL
 *   (and AWS_ENDPOINT_URL_S3) itself. With a custom endpoint, buckets are addressed by path
 *   (MinIO and s3rver do not serve bucket subdomains) and the region defaults to us-east-1
 *   (S3-compatible services ignore it, but the SDK signs with one).
 * - A blob is written with one PUT, which S3 makes visible only when complete, so a killed upload
 *   leaves nothing under the final name. One PUT takes at most 5 GiB: larger files are refused
 *   with a clear error (multipart uploads are not done yet).
 * - Retries are RemoteCache's (`maxAttempts: 1` here, so the two do not multiply); the request
 *   handler gives up on a connection that is not made, or a socket that stays silent, so a server
 *   that never answers cannot hang a run.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { RemoteError, type RemoteBackend, type RemoteBlob, type TransferOptions, progressCounter } from './backend.js';
import type { RemoteUrl } from './remote-url.js';

/** The largest object one S3 PUT may carry. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export interface S3BackendOptions {
  /** Longest wait for a TCP connection to the service. */
  readonly connectTimeoutMs?: number;
  /** Longest silence on an open connection (no byte sent or received) before the request fails. */
  readonly idleTimeoutMs?: number;
  /** Keys per ListObjectsV2 page (S3's own maximum, 1000, by default; smaller in tests of paging). */
  readonly pageSize?: number;
}

type S3Url = Extract<RemoteUrl, { kind: 's3' }>;

/** What the SDK's errors carry besides a message. */
interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly cause?: { readonly code?: string };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable']);
const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled']);
const CREDENTIALS_HINT =
  'check the credentials the AWS SDK finds (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role) and the bucket policy';

const statusOf = (e: SdkError): number | undefined => e.$metadata?.httpStatusCode;
const codeOf = (e: SdkError): string | undefined => e.code ?? e.cause?.code;

/** The endpoint the SDK will use besides AWS's own, if any: the URL's, else the one it reads from the environment. */
function customEndpoint(url: S3Url): string | undefined {
  return url.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
}

/**
 * The region: the URL's, else the SDK's chain (AWS_REGION, the profile); with a custom endpoint a
 * region the chain does not find is us-east-1, since the service ignores it.
 */
function regionConfig(url: S3Url, endpoint: string | undefined): S3ClientConfig['region'] {
  if (url.region) return url.region;
  if (!endpoint) return undefined;
  let found: Promise<string> | undefined;
  return () =>
    (found ??= (async () => {
      const probe = new S3Client({});
      try {
        return await probe.config.region();
      } catch {
        return 'us-east-1';
      } finally {
        probe.destroy();
      }
    })());
}

export class S3Backend implements RemoteBackend {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly endpoint: string | undefined;
  private readonly pageSize: number;

  constructor(url: S3Url, options: S3BackendOptions = {}) {
    this.bucket = url.bucket;
    this.prefix = url.prefix;
    this.endpoint = customEndpoint(url);
    const query = [url.endpoint ? `endpoint=${url.endpoint}` : '', url.region ? `region=${url.region}` : ''].filter(Boolean).join('&');
    this.location = `s3://${url.bucket}/${url.prefix}${query ? `?${query}` : ''}`;
    this.pageSize = options.pageSize ?? 1000;
    // The SDK warns on Node 20 that its releases after January 2027 need Node 22; medpipe pins a
    // release that runs on Node 20, so the warning tells its users nothing they can act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      ...(url.endpoint ? { endpoint: url.endpoint } : {}),
      ...(this.endpoint ? { forcePathStyle: true } : {}),
      region: regionConfig(url, this.endpoint),
      maxAttempts: 1,
      // Since early 2025 the SDK adds a CRC32 trailer to every upload by default (aws-chunked
      // encoding), which several S3-compatible services do not decode: s3rver stores the chunk
      // framing as the object's bytes. medpipe hashes every object it downloads, so checksums
      // are sent only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 10_000,
        // Idle time, not total time: a large transfer that keeps moving is never cut off.
        socketTimeout: options.idleTimeoutMs ?? 60_000,
      },
    });
  }

  /** The object key of a blob name. */
  private key(name: string): string {
    if (name.split('/').some((part) => part === '..' || part === '' || part === '.')) throw new RemoteError(`not a blob name: ${name}`, false);
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  /** An SDK or stream error as a RemoteError that says what happened and what to do. */
  private fail(what: string, name: string, e: unknown, signal?: AbortSignal): RemoteError {
    if (e instanceof RemoteError) return e;
    const err = (e ?? {}) as SdkError;
    const status = statusOf(err);
    const errName = err.name ?? '';
    const code = codeOf(err);
    const at = `${this.location}: ${what} ${name} failed`;
    const make = (detail: string, transient: boolean) => new RemoteError(`${at}: ${detail}`, transient, { cause: e });
    if (signal?.aborted || errName === 'AbortError') return make('no answer in the time allowed (request cancelled)', true);
    if (errName === 'NoSuchBucket') return make(`bucket ${this.bucket} does not exist: create it or fix the remote URL`, false);
    if (DENIED.has(errName) || status === 403) return make(`access denied (${errName || status}): ${CREDENTIALS_HINT}`, false);
    if (errName === 'CredentialsProviderError')
      return make('no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance role applies', false);
    if (/region is missing/i.test(err.message ?? '')) return make('no AWS region: add ?region=… to the remote URL or set AWS_REGION', false);
    if (errName === 'PermanentRedirect' || errName === 'AuthorizationHeaderMalformed' || status === 301)
      return make(`bucket ${this.bucket} is in another region: add ?region=… (the bucket's) to the remote URL or set AWS_REGION`, false);
    if (THROTTLED.has(errName) || status === 429 || (status !== undefined && status >= 500))
      return make(`the service is busy or failing (${errName || status}); try again later`, true);
    if (code && NETWORK_CODES.has(code))
      return make(`cannot reach ${this.endpoint ?? 'S3'} (${code}): check the network and that the endpoint is right and running`, true);
    if (errName === 'TimeoutError') return make(`${this.endpoint ?? 'S3'} did not answer in time`, true);
    if (status !== undefined) return make(`${errName || 'error'} (HTTP ${status}): ${err.message ?? ''}`, false);
    // No HTTP status: the request never got an answer (a dropped connection, a malformed reply).
    return make(`${errName || 'error'}: ${err.message ?? String(e)}`, true);
  }

  private static missing(e: unknown): boolean {
    const err = e as SdkError;
    return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || (statusOf(err) === 404 && err?.name !== 'NoSuchBucket');
  }

  async download(name: string, dest: string, options: TransferOptions = {}): Promise<boolean> {
    const key = this.key(name);
    // Created first, so a dest that exists is refused before any byte moves, and is never removed.
    let file: Awaited<ReturnType<typeof open>>;
    try {
      file = await open(dest, 'wx');
    } catch (e) {
      throw new RemoteError(`${this.location}: cannot download ${name} into ${dest}: ${(e as Error).message}`, false, { cause: e });
    }
    let body: Readable | undefined;
    try {
      let total: number | undefined;
      try {
        const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal });
        body = got.Body as Readable;
        total = got.ContentLength;
      } catch (e) {
        if (S3Backend.missing(e)) {
          await file.close();
          await rm(dest, { force: true });
          return false;
        }
        throw e;
      }
      await pipeline(body, progressCounter(total, options.onProgress), createWriteStream(dest, { fd: file }), { signal: options.signal });
      return true;
    } catch (e) {
      body?.destroy();
      await file.close().catch(() => {});
      await rm(dest, { force: true });
      throw this.fail('downloading', name, e, options.signal);
    }
  }

  async read(name: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), { abortSignal: signal });
      const body = got.Body as Readable;
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (e) {
      if (S3Backend.missing(e)) return undefined;
      throw this.fail('reading', name, e, signal);
    }
  }

  async write(name: string, source: string | Buffer, options: TransferOptions = {}): Promise<void> {
    const key = this.key(name);
    let body: Readable | Buffer;
    let size: number;
    let file: Readable | undefined;
    if (typeof source === 'string') {
      try {
        size = (await stat(source)).size;
      } catch (e) {
        throw new RemoteError(`${this.location}: cannot upload ${source}: ${(e as Error).message}`, false, { cause: e });
      }
      if (size > MAX_SINGLE_PUT_BYTES)
        throw new RemoteError(
          `${this.location}: ${name} is ${size} bytes, more than the 5 GiB one S3 upload takes (multipart uploads are not supported yet): keep it out of the remote`,
          false,
        );
      file = createReadStream(source);
      body = file.pipe(progressCounter(size, options.onProgress));
      file.on('error', (e) => (body as Transform).destroy(e));
    } else {
      size = source.length;
      body = source;
    }
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: size }), { abortSignal: options.signal });
      if (typeof source !== 'string') options.onProgress?.(size, size);
    } catch (e) {
      throw this.fail('writing', name, e, options.signal);
    } finally {
      file?.destroy();
    }
  }

  async stat(name: string, signal?: AbortSignal): Promise<{ size: number } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), { abortSignal: signal });
      return { size: head.ContentLength ?? 0 };
    } catch (e) {
      if (S3Backend.missing(e)) return undefined;
      throw this.fail('reading', name, e, signal);
    }
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<RemoteBlob> {
    const folder = prefix.replace(/\/+$/, '');
    const keyPrefix = folder ? `${this.key(folder)}/` : this.prefix ? `${this.prefix}/` : '';
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: keyPrefix, MaxKeys: this.pageSize, ContinuationToken: token }), {
          abortSignal: signal,
        });
      } catch (e) {
        throw this.fail('listing', prefix, e, signal);
      }
      for (const item of page.Contents ?? []) {
        if (!item.Key?.startsWith(keyPrefix)) continue;
        // No time given: taken as written now, so remote gc's in-flight grace keeps it rather than removes it.
        yield { name: item.Key.slice(strip), size: item.Size ?? 0, modified: item.LastModified ?? new Date() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), { abortSignal: signal });
    } catch (e) {
      if (S3Backend.missing(e)) return;
      throw this.fail('removing', name, e, signal);
    }
  }

  close(): void {
    this.client.destroy();
  }
}

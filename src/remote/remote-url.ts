/**
 * A remote from its URL: `file:///path` (or a plain path) and `s3://bucket/prefix`, with
 * `?endpoint=https://…` (or AWS_ENDPOINT_URL) for S3-compatible services (MinIO, R2, Ceph, GCS).
 * Credentials never go into a URL: it is written into the committed project config and into run
 * records, so one with a user or password is refused, and S3 credentials come from the AWS SDK's
 * standard chain (environment, shared config files, SSO, instance roles).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RemoteBackend } from './backend.js';
import { FileBackend } from './file-backend.js';

/** A remote URL that cannot be used; the message says why and what to write instead. */
export class RemoteUrlError extends Error {
  override readonly name = 'RemoteUrlError';
}

export type RemoteUrl =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly endpoint?: string; readonly region?: string };

/** Parses a remote URL; a plain path is a folder relative to `baseDir`. */
export function parseRemoteUrl(text: string, baseDir: string): RemoteUrl {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (!text.trim()) throw new RemoteUrlError('a remote URL is empty: use file:///path or s3://bucket/prefix');
    return { kind: 'file', path: isAbsolute(text) ? text : resolve(baseDir, text) };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RemoteUrlError(`"${text}" is not a URL: use file:///path or s3://bucket/prefix`);
  }
  if (url.username || url.password)
    throw new RemoteUrlError(
      `a remote URL must not hold credentials (it is written into the project config and run records): remove the user and password from it and give them to the AWS SDK (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)`,
    );
  if (url.protocol === 'file:') {
    if (url.search) throw new RemoteUrlError(`a file:// remote takes no query (${url.search})`);
    return { kind: 'file', path: fileURLToPath(url) };
  }
  if (url.protocol === 's3:') {
    if (!url.hostname) throw new RemoteUrlError(`"${text}" names no bucket: use s3://bucket/prefix`);
    for (const name of url.searchParams.keys())
      if (name !== 'endpoint' && name !== 'region')
        throw new RemoteUrlError(`unknown option "${name}" in the remote URL ${redactRemoteUrl(text)}: an s3:// URL takes endpoint= and region=`);
    const endpoint = url.searchParams.get('endpoint') ?? undefined;
    if (endpoint && /\/\/[^/]*@/.test(endpoint)) throw new RemoteUrlError('the endpoint= of a remote URL must not hold credentials');
    const region = url.searchParams.get('region') ?? undefined;
    return {
      kind: 's3',
      bucket: url.hostname,
      prefix: decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')),
      ...(endpoint ? { endpoint } : {}),
      ...(region ? { region } : {}),
    };
  }
  throw new RemoteUrlError(`remote URLs are file:///path or s3://bucket/prefix, not ${url.protocol}//`);
}

/** A URL as it may be shown: any user or password replaced (for messages about a refused URL). */
export function redactRemoteUrl(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

/** The backend for a remote URL; the S3 client is loaded only for an s3:// remote. */
export async function openBackend(text: string, baseDir: string): Promise<RemoteBackend> {
  const url = parseRemoteUrl(text, baseDir);
  if (url.kind === 'file') return new FileBackend(url.path);
  const { S3Backend } = await import('./s3-backend.js');
  return new S3Backend(url);
}

/**
 * The Redis that carries a distributed run's jobs, from its URL: `redis://[user:password@]host:port[/db]`
 * or `rediss://…` (TLS). Unlike a remote's URL, a queue URL may hold a password (Redis has no
 * credential chain), so it is never printed or recorded as given: `shownQueueUrl` replaces the
 * password, and the run record keeps only that form.
 */
import type { ConnectionOptions } from 'bullmq';

export class QueueUrlError extends Error {
  override readonly name = 'QueueUrlError';
}

export interface QueueUrl {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL with its password replaced by ***: what messages and run records show. */
  readonly shown: string;
}

const DEFAULT_PORT = 6379;

export function parseQueueUrl(text: string): QueueUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueUrlError(`the queue URL ${shownQueueUrl(text)} cannot be read: use redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://… (TLS)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new QueueUrlError(`a queue URL is redis://HOST:PORT[/DB] or rediss://… (TLS), not ${url.protocol}//`);
  if (!url.hostname) throw new QueueUrlError(`the queue URL ${shownQueueUrl(text)} names no host`);
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  if (path && !/^\d+$/.test(path)) throw new QueueUrlError(`the queue URL's path must be a database number (/0 … /15), not /${path}`);
  if (url.search) throw new QueueUrlError(`a queue URL takes no query (${url.search.split('=')[0]}…)`);
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path ? Number(path) : 0,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:',
    shown: shownQueueUrl(text),
  };
}

/**
 * The URL with any password replaced by ***, safe to print and record. The user part ends at the
 * last @ of the authority (a password may hold @ or /); text that is not a URL shows only its scheme.
 */
export function shownQueueUrl(text: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(text)?.[1];
  if (!scheme) return '***';
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return text;
  const userinfo = rest.slice(0, at);
  const user = userinfo.split(':')[0];
  return `${scheme}${userinfo.includes(':') ? `${user}:***` : user}@${rest.slice(at + 1)}`;
}

/**
 * BullMQ's connection options for a queue URL. `maxRetriesPerRequest: null` is what BullMQ needs
 * for its blocking commands; ioredis then reconnects on its own after Redis restarts, with this
 * backoff (capped at 2 s, so a restarted Redis is found again quickly), until `giveUp` says the
 * user of the connection has closed it.
 */
export function connectionOptions(url: QueueUrl, giveUp: () => boolean = () => false): ConnectionOptions {
  return {
    host: url.host,
    port: url.port,
    db: url.db,
    ...(url.username ? { username: url.username } : {}),
    ...(url.password ? { password: url.password } : {}),
    ...(url.tls ? { tls: { servername: url.host } } : {}),
    maxRetriesPerRequest: null,
    // null ends the reconnecting: a closed coordinator must not keep its process alive retrying a Redis that is gone.
    retryStrategy: (times: number) => (giveUp() ? null : Math.min(100 * 2 ** Math.min(times, 5), 2000)),
    connectTimeout: 5000,
  };
}

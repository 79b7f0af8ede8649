/**
 * A remote that fails: down (connection refused), silent (accepts and never answers), busy once
 * (503 SlowDown, then fine), refusing (bad credentials, no bucket, not a folder). Each is a real
 * server or folder; the run must get one clear warning and carry on without the remote, or an
 * error when the remote is required, and never hang.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileBackend } from '../../src/remote/file-backend.js';
import { RemoteCache, RemoteRequiredError, type RemoteCacheOptions } from '../../src/remote/remote-cache.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { S3Backend, type S3BackendOptions } from '../../src/remote/s3-backend.js';
import { startS3Server, useS3rverCredentials } from '../helpers/s3-server.js';
import { CountingBackend, tempDir } from './backends.js';
import { freshStore, stepKey, storeWithOutputs } from './stores.js';

useS3rverCredentials();

function s3(url: string, options?: S3BackendOptions): S3Backend {
  const parsed = parseRemoteUrl(url, '/');
  if (parsed.kind !== 's3') throw new Error('internal: not an s3 URL');
  return new S3Backend(parsed, options);
}

function cacheOver(backend: CountingBackend, options: RemoteCacheOptions = {}): { cache: RemoteCache; warnings: string[] } {
  const warnings: string[] = [];
  return { cache: new RemoteCache(backend, { retries: 2, retryDelayMs: 1, ...options, onWarning: (m) => warnings.push(m) }), warnings };
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const servers: { close(): void }[] = [];
after(() => {
  for (const s of servers) s.close();
});

test('an S3 server that went down: retried, one warning naming it, then never asked again in this process', async () => {
  const server = await startS3Server();
  const { store, entry } = await storeWithOutputs([randomBytes(1000)]);
  const backend = new CountingBackend(s3(server.url));
  try {
    const { cache, warnings } = cacheOver(backend);
    assert.equal(await cache.pushEntry(entry, store), true);
    await server.halt();
    const before = backend.calls;
    assert.deepEqual(await cache.lookupEntry(entry.key), { state: 'unavailable' });
    assert.equal(backend.calls - before, 3, 'the first try and two retries');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^remote s3:\/\/medpipe-test\/team\/cache\?endpoint=http:\/\/127\.0\.0\.1:\d+ is not usable/);
    assert.match(warnings[0]!, /ECONNREFUSED/);
    assert.match(warnings[0]!, /computing locally without it/);
    assert.equal(warnings[0]!.split(backend.location).length, 2, 'the remote is named once');
    const asked = backend.calls;
    assert.deepEqual(await cache.lookupEntry(stepKey()), { state: 'unavailable' });
    assert.equal(await cache.fetchObject(entry.outputs.out0!.digest, freshStore()), 'unavailable');
    assert.equal(await cache.pushObject(entry.outputs.out0!.digest, store), 'unavailable');
    assert.equal(await cache.pushEntry(entry, store), false);
    assert.equal(await cache.readRecord('pipelines/x'), undefined);
    assert.equal(await cache.writeRecord('pipelines/x', {}), false);
    assert.equal(await cache.listObjects(), undefined);
    assert.equal(backend.calls, asked, 'a remote set aside is not asked again');
    assert.equal(warnings.length, 1);
    assert.match(cache.unavailable ?? '', /ECONNREFUSED/);
  } finally {
    backend.close();
    await server.stop();
  }
});

test('many lookups at once on a remote that is down give one warning', async () => {
  const server = await startS3Server();
  await server.halt();
  const backend = new CountingBackend(s3(server.url));
  try {
    const { cache, warnings } = cacheOver(backend, { retries: 3, retryDelayMs: 20 });
    const found = await Promise.all(Array.from({ length: 6 }, () => cache.lookupEntry(stepKey())));
    assert.deepEqual(
      found.map((f) => f.state),
      Array(6).fill('unavailable'),
    );
    assert.equal(warnings.length, 1, warnings.join('\n'));
  } finally {
    backend.close();
    await server.stop();
  }
});

test('a required remote that is down stops the command with an error naming it', async () => {
  const server = await startS3Server();
  await server.halt();
  const backend = new CountingBackend(s3(server.url));
  try {
    const { cache, warnings } = cacheOver(backend, { required: true });
    await assert.rejects(cache.lookupEntry(stepKey()), (e: unknown) => {
      assert.ok(e instanceof RemoteRequiredError);
      assert.match(e.message, /^remote s3:\/\/medpipe-test\/team\/cache\?endpoint=.* failed \(reading a cache entry\): .*ECONNREFUSED/);
      return true;
    });
    assert.deepEqual(warnings, []);
  } finally {
    backend.close();
    await server.stop();
  }
});

test('a server that accepts connections and never answers times out and is set aside, for small requests and for downloads', async () => {
  const sockets = new Set<Socket>();
  const silent = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  servers.push({ close: () => (silent.close(), sockets.forEach((s) => s.destroy())) });
  const port = await listen(silent);
  const url = `s3://bucket/prefix?endpoint=http://127.0.0.1:${port}`;
  // Small requests: RemoteCache's own time limit.
  const lookups = new CountingBackend(s3(url));
  const { cache, warnings } = cacheOver(lookups, { retries: 1, requestTimeoutMs: 300 });
  assert.deepEqual(await cache.lookupEntry(stepKey()), { state: 'unavailable' });
  assert.equal(lookups.calls, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /reading a cache entry/);
  lookups.close();
  // Downloads have no overall limit (a large one may take long): the backend's idle limit ends a silent one.
  const downloads = new CountingBackend(s3(url, { idleTimeoutMs: 300 }));
  const fetcher = cacheOver(downloads, { retries: 1 });
  assert.equal(await fetcher.cache.fetchObject('a'.repeat(64), freshStore()), 'unavailable');
  assert.equal(fetcher.warnings.length, 1);
  assert.match(fetcher.warnings[0]!, /downloading an artifact.*did not answer in time|downloading an artifact.*timed out/);
  downloads.close();
});

test('an S3 service that is busy once (503 SlowDown) is tried again and works, without a warning', async () => {
  const server = await startS3Server();
  const target = new URL(server.endpoint);
  let refused = 0;
  const busyOnce = createHttpServer((req, res) => {
    if (refused === 0) {
      refused++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    // Then a plain proxy to s3rver: the request's signature (Host included) passes unchanged.
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  servers.push({ close: () => (busyOnce.close(), busyOnce.closeAllConnections()) });
  const port = await listen(busyOnce);
  const { store, entry } = await storeWithOutputs([randomBytes(2000)]);
  const backend = new CountingBackend(s3(`s3://${server.bucket}/busy?endpoint=http://127.0.0.1:${port}`));
  try {
    const { cache, warnings } = cacheOver(backend);
    assert.equal(await cache.pushEntry(entry, store), true);
    assert.equal(refused, 1, 'the service refused one request');
    assert.equal((await cache.lookupEntry(entry.key)).state, 'hit');
    assert.deepEqual(warnings, []);
    assert.equal(cache.unavailable, undefined);
  } finally {
    backend.close();
    await server.stop();
  }
});

test('a download cut off halfway (the connection dropped) is tried again from the start and verified, without a warning', async () => {
  const server = await startS3Server();
  const target = new URL(server.endpoint);
  let cut = 0;
  const dropsOnce = createHttpServer((req, res) => {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (req.method === 'GET' && req.url?.includes('/objects/') && cut === 0) {
        // Half the body, then the connection goes away, as a flaky network does.
        cut++;
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent > 200_000) return;
          sent += chunk.length;
          res.write(chunk);
          if (sent > 200_000) res.socket?.destroy();
        });
        return;
      }
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  servers.push({ close: () => (dropsOnce.close(), dropsOnce.closeAllConnections()) });
  const port = await listen(dropsOnce);
  const bytes = randomBytes(1024 * 1024);
  const { store, entry } = await storeWithOutputs([bytes]);
  const backend = new CountingBackend(s3(`s3://${server.bucket}/drops?endpoint=http://127.0.0.1:${port}`));
  try {
    const { cache, warnings } = cacheOver(backend);
    assert.equal(await cache.pushEntry(entry, store), true);
    const local = freshStore();
    const before = backend.calls;
    assert.equal(await cache.fetchObject(entry.outputs.out0!.digest, local), 'fetched');
    assert.equal(cut, 1, 'the first download was cut off');
    assert.equal(backend.calls - before, 2, 'and tried once more');
    assert.ok(readFileSync(local.objectPath(entry.outputs.out0!.digest)).equals(bytes));
    assert.deepEqual(warnings, []);
  } finally {
    backend.close();
    await server.stop();
  }
});

test('a file:// remote that hiccups once is tried again and works, without a warning', async () => {
  const root = join(tempDir('remote'), 'remote');
  const { store, entry } = await storeWithOutputs([randomBytes(2000)]);
  await new RemoteCache(new FileBackend(root)).pushEntry(entry, store);
  const backend = new CountingBackend(new FileBackend(root), 1);
  const { cache, warnings } = cacheOver(backend);
  assert.equal((await cache.lookupEntry(entry.key)).state, 'hit');
  assert.equal(await cache.fetchObject(entry.outputs.out0!.digest, freshStore()), 'fetched');
  assert.deepEqual(warnings, []);
  assert.equal(backend.calls, 4, 'read failed once and was tried again; then a size check and a download');
});

test('errors that trying again cannot fix are not retried, and say what to do', async () => {
  const server = await startS3Server();
  try {
    // No such bucket.
    const noBucket = new CountingBackend(s3(`s3://no-such-bucket/p?endpoint=${server.endpoint}`));
    const a = cacheOver(noBucket);
    assert.deepEqual(await a.cache.lookupEntry(stepKey()), { state: 'unavailable' });
    assert.equal(noBucket.calls, 1);
    assert.match(a.warnings[0]!, /bucket no-such-bucket does not exist: create it or fix the remote URL/);
    noBucket.close();
    // Credentials the service does not know (found by the SDK's chain, here the environment).
    const saved = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = 'NOT-A-KEY';
    const denied = new CountingBackend(s3(server.url));
    try {
      const b = cacheOver(denied);
      assert.deepEqual(await b.cache.lookupEntry(stepKey()), { state: 'unavailable' });
      assert.equal(denied.calls, 1);
      assert.match(b.warnings[0]!, /access denied \(InvalidAccessKeyId\): check the credentials the AWS SDK finds \(AWS_ACCESS_KEY_ID/);
      assert.doesNotMatch(b.warnings[0]!, /NOT-A-KEY|S3RVER/, 'no credential in the message');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved;
      denied.close();
    }
    // A file:// remote whose folder cannot exist: its parent is a file.
    const parent = join(tempDir('remote'), 'a-file');
    writeFileSync(parent, 'x');
    const notFolder = new CountingBackend(new FileBackend(join(parent, 'remote')));
    const c = cacheOver(notFolder);
    const { store, entry } = await storeWithOutputs([randomBytes(10)]);
    assert.equal(await c.cache.pushEntry(entry, store), false);
    assert.equal(notFolder.calls, 1, 'the size check fails for good (ENOTDIR) and is not retried');
    assert.match(c.warnings[0]!, /ENOTDIR/);
  } finally {
    await server.stop();
  }
});

/**
 * How the S3 backend finds its service: an endpoint from the environment (AWS_ENDPOINT_URL, read
 * by the SDK itself) with path-style addressing and a default region, as for MinIO or s3rver; and
 * what it refuses before sending anything.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { RemoteError } from '../../src/remote/backend.js';
import { openBackend } from '../../src/remote/remote-url.js';
import { MAX_SINGLE_PUT_BYTES } from '../../src/remote/s3-backend.js';
import { startS3Server, useS3rverCredentials } from '../helpers/s3-server.js';
import { tempDir } from './backends.js';

useS3rverCredentials();
const server = await startS3Server();
after(() => server.stop());

/** Runs `fn` with some environment variables set (or removed, when undefined), then puts them back. */
async function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  try {
    await fn();
  } finally {
    apply(saved);
  }
}

test('an s3:// URL without endpoint= uses AWS_ENDPOINT_URL, by path, with a region even when none is configured', async () => {
  await withEnv(
    { AWS_ENDPOINT_URL: server.endpoint, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_CONFIG_FILE: join(tempDir('aws'), 'none') },
    async () => {
      const backend = await openBackend(`s3://${server.bucket}/from-env`, '/');
      try {
        assert.equal(backend.location, `s3://${server.bucket}/from-env`);
        await backend.write('records/x.json', Buffer.from('{}'));
        assert.deepEqual(await backend.stat('records/x.json'), { size: 2 });
      } finally {
        backend.close();
      }
    },
  );
  // The same object, through the URL's endpoint: the environment's was not added to anything.
  const direct = await openBackend(`s3://${server.bucket}/from-env?endpoint=${server.endpoint}`, '/');
  try {
    assert.equal((await direct.read('records/x.json'))?.toString(), '{}');
  } finally {
    direct.close();
  }
});

test('a file over the 5 GiB one S3 upload takes is refused before any byte is sent, saying why', async () => {
  const backend = await openBackend(server.url, '/');
  try {
    const big = join(tempDir('big'), 'sparse');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_SINGLE_PUT_BYTES + 1); // sparse: no disk used
    closeSync(fd);
    await assert.rejects(backend.write('objects/ab/big', big), (e: unknown) => {
      assert.ok(e instanceof RemoteError && !e.transient);
      assert.match(e.message, /more than the 5 GiB one S3 upload takes/);
      return true;
    });
    assert.equal(await backend.stat('objects/ab/big'), undefined);
  } finally {
    backend.close();
  }
});

test('with no credentials anywhere in the SDK chain, the error says how to give them, and is not retried', async () => {
  const none = join(tempDir('aws'), 'none');
  await withEnv(
    {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    },
    async () => {
      const backend = await openBackend(server.url, '/');
      try {
        await assert.rejects(backend.read('records/x.json'), (e: unknown) => {
          assert.ok(e instanceof RemoteError && !e.transient, String(e));
          assert.match(e.message, /no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE/);
          return true;
        });
      } finally {
        backend.close();
      }
    },
  );
});

test('S3 error answers become errors that say whether trying again may help, and what to do', async () => {
  const answers: [number, string, boolean, RegExp][] = [
    [403, 'AccessDenied', false, /access denied \(AccessDenied\): check the credentials the AWS SDK finds/],
    [404, 'NoSuchBucket', false, /bucket medpipe-test does not exist: create it or fix the remote URL/],
    [301, 'PermanentRedirect', false, /is in another region: add \?region=/],
    [400, 'InvalidRequest', false, /InvalidRequest \(HTTP 400\)/],
    [503, 'SlowDown', true, /busy or failing \(SlowDown\); try again later/],
    [500, 'InternalError', true, /busy or failing \(InternalError\)/],
    [429, 'TooManyRequests', true, /busy or failing/],
  ];
  let next = 0;
  const http = createServer((req, res) => {
    const [status, code] = answers[next]!;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>answered by the test</Message></Error>`);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const backend = await openBackend(`s3://${server.bucket}/p?endpoint=http://127.0.0.1:${(http.address() as AddressInfo).port}`, '/');
  try {
    for (const [i, [status, code, transient, message]] of answers.entries()) {
      next = i;
      await assert.rejects(backend.read('records/x.json'), (e: unknown) => {
        assert.ok(e instanceof RemoteError, `${status} ${code}: ${String(e)}`);
        assert.equal(e.transient, transient, `${status} ${code}: ${e.message}`);
        assert.match(e.message, message);
        return true;
      });
    }
  } finally {
    backend.close();
    http.close();
  }
});

test('a command using an S3 remote on Node 20 prints nothing of the SDK on stderr (its Node 22 notice is for SDK releases medpipe does not use)', async () => {
  const backendModule = new URL('../../src/remote/remote-url.js', import.meta.url).href;
  const script = `const { openBackend } = await import(${JSON.stringify(backendModule)});
    const b = await openBackend(${JSON.stringify(server.url)}, '/');
    console.log(String(await b.read('records/none.json')));
    b.close();`;
  const env = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'undefined');
  assert.equal(run.stderr, '');
});

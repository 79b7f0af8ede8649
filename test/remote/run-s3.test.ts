/**
 * The main scenario of `run` with a remote, against a real S3 API server (s3rver on a free
 * loopback port, started and stopped here): clone A computes and pushes; a fresh clone B, as CI
 * starts, reports every step cached from the remote and writes byte-identical metrics and lock
 * files; a clone where only the last step must compute downloads exactly its inputs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { startS3Server, useS3rverCredentials, type S3TestServer } from '../helpers/s3-server.js';
import { clone, outcomes, STEPS } from './run-helpers.js';
import { openBackend } from '../../src/remote/remote-url.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';

let server: S3TestServer;
before(async () => {
  useS3rverCredentials();
  server = await startS3Server();
});
after(() => server.stop());

test('over S3: a fresh clone with a warm remote reports every step cached and writes byte-identical metrics and lock files', async () => {
  const a = clone('s3-a');
  const first = await runCli(a.dir, 'run', 'p.yaml', '--remote', server.url, '--plain');
  assert.equal(first.code, 0, first.err + first.out);
  for (const id of STEPS) assert.match(first.out, new RegExp(`^  ${id}: done in`, 'm'));

  const b = clone('s3-b');
  const r = await runCli(b.dir, 'run', 'p.yaml', '--remote', server.url, '--plain');
  assert.equal(r.code, 0, r.err + r.out);
  for (const id of STEPS) assert.match(r.out, new RegExp(`^  ${id}: cached \\(remote\\)$`, 'm'));
  assert.match(r.out, /remote s3:\/\/medpipe-test\/team\/cache\S*: 5 steps from the remote, [\d.]+ kB downloaded, 0 B uploaded/);
  assert.deepEqual(b.read('metrics/forest.json'), a.read('metrics/forest.json'));
  assert.deepEqual(b.read('p.lock.yaml'), a.read('p.lock.yaml'));
  assert.equal(r.err, '');

  // Lazy over S3 too: only the last step computes, and exactly its two inputs are downloaded.
  const c = clone('s3-c', 200);
  const remote = new RemoteCache(await openBackend(server.url, c.dir));
  try {
    const { result } = await c.run(remote);
    assert.deepEqual(outcomes(result), { remote: ['load', 'split', 'prep', 'forest'], done: ['eval'] });
    assert.equal(remote.stats.objectsDownloaded, 2);
    assert.equal(remote.stats.entriesUploaded, 1);
  } finally {
    remote.close();
  }
});

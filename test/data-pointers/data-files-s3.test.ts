/**
 * Data pointers against a real S3 API server (s3rver on a free loopback port, started and stopped
 * here): `data add` pushes the bytes, a clone restores them byte for byte with `data pull`, a clone
 * without them runs the pipeline from the bucket with the same keys, and an object replaced in the
 * bucket is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startS3Server, useS3rverCredentials } from '../helpers/s3-server.js';
import { runPipeline } from '../../src/engine/execute.js';
import { loadPipeline, openStore } from '../../src/engine/open.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { objectName } from '../../src/engine/store-layout.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { openBackend } from '../../src/remote/remote-url.js';
import { catalogue } from '../../src/steps/index.js';

const CSV = `patient,age,outcome\n${Array.from({ length: 40 }, (_, i) => `PT-SECRET-${i},${30 + i},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`;
const PIPELINE = `medpipe: 1
name: s3-pointer
steps:
  load:
    uses: load.csv
    with: { path: ../data/patients.csv, target: outcome, positive: "yes", id: patient }
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-data-s3-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'data/patients.csv'), CSV);
  writeFileSync(join(dir, 'pipelines/p.yaml'), PIPELINE);
  return dir;
}

function cloneOf(dir: string): string {
  const clone = mkdtempSync(join(tmpdir(), 'medpipe-data-s3-clone-'));
  cpSync(dir, clone, { recursive: true, filter: (src) => !/[/\\]\.medpipe([/\\]|$)/.test(src) });
  rmSync(join(clone, 'data/patients.csv'));
  return clone;
}

async function run(dir: string, remote: RemoteCache): Promise<{ status: string; keys: string[]; events: EngineEvent[] }> {
  const pipeline = await loadPipeline('pipelines/p.yaml', { catalogue, cwd: dir });
  const events: EngineEvent[] = [];
  const r = await runPipeline(pipeline, openStore(pipeline.dir, undefined, dir), { concurrency: 1, remote, onEvent: (e) => events.push(e) });
  return { status: r.status, keys: Object.values(r.record.steps).map((s) => s.key ?? ''), events };
}

test('over S3: data add pushes, data pull restores byte for byte, a clone runs from the bucket, a replaced object is refused', async () => {
  useS3rverCredentials();
  const server = await startS3Server();
  try {
    const dir = project();
    const add = await runCli(dir, 'data', 'add', 'data/patients.csv', '--remote', server.url);
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /^pushed it to s3:\/\/medpipe-test\/team\/cache/m);
    // Read-only: the original run pushes no cache entries, so the clone must compute its load
    // step and fetch the data from the bucket (with them, it would need no data at all).
    const first = new RemoteCache(await openBackend(server.url, dir), { retries: 0, readOnly: true });
    const original = await run(dir, first);
    first.close();
    assert.equal(original.status, 'ok');

    const pulled = cloneOf(dir);
    const pull = await runCli(pulled, 'data', 'pull', '--remote', server.url);
    assert.equal(pull.code, 0, pull.err);
    assert.match(pull.out, /^restored data\/patients\.csv \(40 rows, [\d.]+ kB\) from s3:\/\//m);
    assert.equal(readFileSync(join(pulled, 'data/patients.csv'), 'utf8'), CSV);

    const clone = cloneOf(dir);
    const remote = new RemoteCache(await openBackend(server.url, clone), { retries: 0, readOnly: true });
    const cloned = await run(clone, remote);
    assert.equal(cloned.status, 'ok');
    assert.deepEqual(cloned.keys, original.keys);
    assert.equal(remote.stats.objectsDownloaded, 1);
    assert.ok(!existsSync(join(clone, 'data/patients.csv')));
    remote.close();

    // Someone with write access replaces the object: its bytes no longer hash to the pointer's digest.
    const { digest } = JSON.parse(readFileSync(join(dir, 'data/patients.csv.medpipe'), 'utf8')) as { digest: string };
    const backend = await openBackend(server.url, dir);
    await backend.write(objectName(digest), Buffer.from(CSV.replace('PT-SECRET-3,', 'PT-SECRET-9,')));
    backend.close();
    const third = cloneOf(dir);
    const readOnly = new RemoteCache(await openBackend(server.url, third), { retries: 0, readOnly: true });
    const refused = await run(third, readOnly);
    readOnly.close();
    assert.equal(refused.status, 'failed');
    const failed = JSON.stringify(refused.events.filter((e) => e.type === 'step:failed'));
    assert.match(failed, /has a damaged copy of data\/patients\.csv \(sha256 [0-9a-f]{12}…\): its bytes do not match the digest; refused/);
    assert.doesNotMatch(failed + add.out + pull.out, /PT-SECRET/);
  } finally {
    await server.stop();
  }
});

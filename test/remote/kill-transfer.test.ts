/**
 * A run killed (SIGKILL) in the middle of a push or a pull leaves both stores consistent: a real
 * child process moves a 32 MiB artifact to or from a file:// remote and an S3 server, and is
 * killed with half of it moved.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FILE_REMOTE_TMP } from '../../src/remote/file-backend.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { objectName, scratchDir } from '../../src/engine/store-layout.js';
import { S3RVER_ENV } from '../helpers/s3-server.js';
import { type BackendKind, fileKind, s3Kind, tempDir } from './backends.js';
import { freshStore, storeWithOutputs } from './stores.js';

const TRANSFER = fileURLToPath(new URL('../helpers/remote-transfer-process.js', import.meta.url));
const SIZE = 32 * 1024 * 1024;

/** Runs the transfer process until it says it is frozen mid-transfer, then kills it. */
async function killMidTransfer(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [TRANSFER, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...S3RVER_ENV } });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  assert.equal(first, 'frozen', 'the process stopped mid-transfer (it did not finish first)');
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

for (const kind of [fileKind(), s3Kind()] as BackendKind[]) {
  describe(`killed transfers over ${kind.name}`, () => {
    after(() => kind.shutdown());

    test('a push killed mid-upload leaves no entry, and no partial artifact that a later push or fetch would take', async () => {
      const { backend, url } = await kind.open();
      try {
        const bytes = randomBytes(SIZE);
        const { store, entry } = await storeWithOutputs([bytes]);
        const entryFile = join(tempDir('entry'), 'entry.json');
        writeFileSync(entryFile, JSON.stringify(entry));
        await killMidTransfer(['push', url, store.root, entryFile]);

        const digest = entry.outputs.out0!.digest;
        const cache = new RemoteCache(backend, { retryDelayMs: 1 });
        assert.deepEqual(await cache.lookupEntry(entry.key), { state: 'miss' }, 'the entry is pushed last, so it is not there');
        const there = await backend.stat(objectName(digest));
        if (kind.name === 'file') {
          assert.equal(there, undefined, 'nothing under the final name: the upload went to tmp/');
          assert.equal(readdirSync(join(url.slice('file://'.length), FILE_REMOTE_TMP)).length, 1, 'the dead writer left its temporary file');
        } else {
          // S3 shows an object only when its PUT completes; s3rver writes in place, so it may show
          // a partial one, which must never pass for the artifact.
          assert.ok(there === undefined || there.size < SIZE, `no complete object: ${JSON.stringify(there)}`);
        }

        // The next push from this host uploads the artifact whole (and clears the dead writer's temporary file).
        assert.equal(await cache.pushEntry(entry, store), true);
        assert.equal(cache.stats.objectsUploaded, 1);
        if (kind.name === 'file') assert.deepEqual(readdirSync(join(url.slice('file://'.length), FILE_REMOTE_TMP)), []);
        const other = freshStore();
        assert.equal((await cache.lookupEntry(entry.key)).state, 'hit');
        assert.equal(await cache.fetchObject(digest, other), 'fetched');
        assert.ok(readFileSync(other.objectPath(digest)).equals(bytes));
      } finally {
        backend.close();
      }
    });

    test('a fetch killed mid-download leaves only scratch in the local store, which is cleaned; the next fetch works', async () => {
      const { backend, url } = await kind.open();
      try {
        const bytes = randomBytes(SIZE);
        const { store: source, entry } = await storeWithOutputs([bytes]);
        const cache = new RemoteCache(backend, { retryDelayMs: 1 });
        assert.equal(await cache.pushEntry(entry, source), true);
        const digest = entry.outputs.out0!.digest;

        const local = freshStore();
        await killMidTransfer(['fetch', url, local.root, digest]);
        assert.equal(local.hasObject(digest), false, 'no object under its digest');
        assert.equal(readdirSync(scratchDir(local.root)).length, 1, 'the killed fetch left its scratch folder');
        local.cleanStaleTemp();
        assert.deepEqual(readdirSync(scratchDir(local.root)), []);

        assert.equal(await cache.fetchObject(digest, local), 'fetched');
        assert.ok(readFileSync(local.objectPath(digest)).equals(bytes));
        assert.deepEqual(await backend.stat(objectName(digest)), { size: SIZE }, 'the remote copy is untouched');
      } finally {
        backend.close();
      }
    });
  });
}

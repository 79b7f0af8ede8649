/**
 * What every remote backend promises (backend.ts), held against both real ones: a file:// folder
 * and an S3 API server (s3rver) on loopback. Real bytes, real files, real network requests.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteError } from '../../src/remote/backend.js';
import { type BackendKind, fileKind, s3Kind, tempDir } from './backends.js';

async function listNames(backend: { list(prefix: string): AsyncIterable<{ name: string; size: number }> }, prefix: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const blob of backend.list(prefix)) found.set(blob.name, blob.size);
  return found;
}

for (const kind of [fileKind(), s3Kind()] as BackendKind[]) {
  describe(`${kind.name} backend`, () => {
    after(() => kind.shutdown());

    test('a written buffer is read back, its size is known, and missing names are undefined or false', async () => {
      const { backend } = await kind.open();
      try {
        await backend.write('records/pipelines/a.json', Buffer.from('{"a":1}'));
        assert.equal((await backend.read('records/pipelines/a.json'))?.toString(), '{"a":1}');
        assert.deepEqual(await backend.stat('records/pipelines/a.json'), { size: 7 });
        assert.equal(await backend.read('records/pipelines/b.json'), undefined);
        assert.equal(await backend.stat('records/pipelines/b.json'), undefined);
        const dest = join(tempDir('dl'), 'x');
        assert.equal(await backend.download('objects/ab/missing', dest), false);
        assert.equal(existsSync(dest), false, 'no file is left for a blob that is not there');
        await backend.write('objects/00/empty', Buffer.alloc(0));
        assert.deepEqual(await backend.stat('objects/00/empty'), { size: 0 });
        const empty = join(tempDir('dl'), 'empty');
        assert.equal(await backend.download('objects/00/empty', empty), true);
        assert.equal(readFileSync(empty).length, 0, 'an empty blob is an empty file');
        await backend.write('records/pipelines/a.json', Buffer.from('{"a":22}'));
        assert.equal((await backend.read('records/pipelines/a.json'))?.toString(), '{"a":22}', 'a second write replaces the blob');
      } finally {
        backend.close();
      }
    });

    test('binary content goes up from a file and comes down byte for byte, with progress both ways', async () => {
      const { backend } = await kind.open();
      try {
        const bytes = randomBytes(3 * 1024 * 1024 + 17);
        const src = join(tempDir('src'), 'blob');
        writeFileSync(src, bytes);
        const up: number[] = [];
        await backend.write('objects/12/binary', src, { onProgress: (done, total) => (up.push(done), assert.equal(total, bytes.length)) });
        assert.equal(up.at(-1), bytes.length, 'upload progress ends at the file size');
        assert.deepEqual(await backend.stat('objects/12/binary'), { size: bytes.length });
        const down: [number, number | undefined][] = [];
        const dest = join(tempDir('dl'), 'blob');
        assert.equal(await backend.download('objects/12/binary', dest, { onProgress: (done, total) => down.push([done, total]) }), true);
        assert.ok(readFileSync(dest).equals(bytes), 'downloaded bytes are identical');
        assert.deepEqual(down.at(-1), [bytes.length, bytes.length], 'download progress ends at the size');
        assert.ok((await backend.read('objects/12/binary'))?.equals(bytes), 'read gives the same bytes');
      } finally {
        backend.close();
      }
    });

    test('a download into a file that exists is refused and leaves that file as it was', async () => {
      const { backend } = await kind.open();
      try {
        await backend.write('objects/34/blob', Buffer.from('remote bytes'));
        const dest = join(tempDir('dl'), 'taken');
        writeFileSync(dest, 'local bytes');
        await assert.rejects(backend.download('objects/34/blob', dest), (e: unknown) => e instanceof RemoteError && !e.transient);
        assert.equal(readFileSync(dest, 'utf8'), 'local bytes');
      } finally {
        backend.close();
      }
    });

    test('list gives every blob under a folder with its size, across pages, and nothing else', async () => {
      // A page of 7 keys makes the S3 backend follow continuation tokens through several pages.
      const { backend } = await kind.open({ pageSize: 7 });
      try {
        const expected = new Map<string, number>();
        const names = Array.from({ length: 30 }, (_, i) => `objects/${(i % 5).toString().padStart(2, '0')}/blob${i}`);
        await Promise.all(
          names.map(async (name, i) => {
            expected.set(name, i + 1);
            await backend.write(name, Buffer.alloc(i + 1, i));
          }),
        );
        await backend.write('entries/00/e.json', Buffer.from('{}'));
        await backend.write('objects-not/x', Buffer.from('no'));
        assert.deepEqual(await listNames(backend, 'objects/'), expected);
        assert.deepEqual([...(await listNames(backend, 'entries/')).keys()], ['entries/00/e.json']);
        assert.equal((await listNames(backend, 'records/')).size, 0, 'an empty folder lists nothing');
        await backend.remove('objects/00/blob0');
        await backend.remove('objects/00/blob0'); // not there any more: not an error
        expected.delete('objects/00/blob0');
        assert.deepEqual(await listNames(backend, 'objects/'), expected);
        assert.equal(await backend.stat('objects/00/blob0'), undefined);
      } finally {
        backend.close();
      }
    });

    test('names that leave the remote are refused', async () => {
      const { backend } = await kind.open();
      try {
        await assert.rejects(backend.write('../escape', Buffer.from('x')), (e: unknown) => e instanceof RemoteError && !e.transient);
        await assert.rejects(backend.read('objects//x'), (e: unknown) => e instanceof RemoteError && !e.transient);
      } finally {
        backend.close();
      }
    });

    test('concurrent writers of one name leave one of their blobs, whole', async () => {
      const { backend } = await kind.open();
      try {
        const size = 2 * 1024 * 1024;
        // Distinct contents on a file:// remote. On S3 (where the service promises whole objects)
        // the writers send the same bytes, as concurrent pushers of one content-addressed object
        // do: s3rver writes a PUT's body in place, so distinct concurrent bodies would test it, not us.
        const contents = Array.from({ length: 4 }, (_, i) => (kind.name === 'file' || i === 0 ? randomBytes(size) : undefined));
        const bodies = contents.map((c) => c ?? contents[0]!);
        const dir = tempDir('src');
        await Promise.all(
          bodies.map((body, i) => {
            const src = join(dir, `w${i}`);
            writeFileSync(src, body);
            return backend.write('objects/56/contended', src);
          }),
        );
        const got = await backend.read('objects/56/contended');
        assert.ok(got && bodies.some((b) => b.equals(got)), "the blob is exactly one writer's bytes");
      } finally {
        backend.close();
      }
    });
  });
}

/**
 * The remote tier (remote-cache.ts) over both real backends: what one store pushes another finds
 * and fetches, and everything that must not be believed is refused: damaged artifacts, forged,
 * unsigned or wrongly signed entries, entries whose artifacts are missing.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { entryText } from '../../src/engine/entry-format.js';
import { scratchDir } from '../../src/engine/store-layout.js';
import { entryName, objectName } from '../../src/engine/store-layout.js';
import type { CacheEntry } from '../../src/engine/store.js';
import type { RemoteBackend } from '../../src/remote/backend.js';
import { RemoteCache, type RemoteCacheOptions } from '../../src/remote/remote-cache.js';
import { type BackendKind, fileKind, s3Kind } from './backends.js';
import { freshStore, storeWithOutputs } from './stores.js';

/** A RemoteCache over `backend` that collects its warnings. */
function cacheOver(backend: RemoteBackend, options: RemoteCacheOptions = {}): { cache: RemoteCache; warnings: string[] } {
  const warnings: string[] = [];
  return { cache: new RemoteCache(backend, { retryDelayMs: 1, ...options, onWarning: (m) => warnings.push(m) }), warnings };
}

/** The entry as the remote holds it (JSON, with its signature when signed). */
async function remoteEntryJson(backend: RemoteBackend, key: string): Promise<Record<string, unknown>> {
  const bytes = await backend.read(entryName(key));
  assert.ok(bytes, 'the entry is on the remote');
  return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
}

for (const kind of [fileKind(), s3Kind()] as BackendKind[]) {
  describe(`remote cache over ${kind.name}`, () => {
    after(() => kind.shutdown());

    test('what one store pushes, an empty store finds and fetches byte for byte', async () => {
      const { backend } = await kind.open();
      try {
        const contents = [randomBytes(200_000), Buffer.from('a,b\n1,2\n')];
        const { store: a, entry } = await storeWithOutputs(contents);
        const pusher = cacheOver(backend);
        assert.equal(await pusher.cache.pushEntry(entry, a), true);
        assert.equal(pusher.cache.stats.objectsUploaded, 2);
        assert.equal(pusher.cache.stats.bytesUploaded, 200_000 + contents[1]!.length);
        assert.equal(pusher.cache.stats.entriesUploaded, 1);
        // Pushing again moves no artifact: the remote has them, with their sizes.
        assert.equal(await pusher.cache.pushEntry(entry, a), true);
        assert.equal(pusher.cache.stats.objectsUploaded, 2);

        const b = freshStore();
        const reader = cacheOver(backend);
        const found = await reader.cache.lookupEntry(entry.key);
        assert.equal(found.state, 'hit');
        assert.deepEqual(found.state === 'hit' && found.entry, entry);
        for (const out of Object.values(entry.outputs)) {
          assert.equal(await reader.cache.fetchObject(out.digest, b), 'fetched');
          assert.equal((await b.verifyObject(out.digest)).state, 'ok');
        }
        assert.ok(readFileSync(b.objectPath(entry.outputs.out0!.digest)).equals(contents[0]!));
        assert.equal(reader.cache.stats.objectsDownloaded, 2);
        assert.equal(reader.cache.stats.entriesFound, 1);
        assert.deepEqual(readdirSync(scratchDir(b.root)), [], 'no scratch is left in the local store');
        assert.deepEqual(reader.warnings, []);
        assert.deepEqual(await reader.cache.lookupEntry('f'.repeat(64)), { state: 'miss' });
      } finally {
        backend.close();
      }
    });

    test('a damaged remote artifact is refused with one warning, removed from the remote, and not added locally', async () => {
      const { backend } = await kind.open();
      try {
        const bytes = randomBytes(100_000);
        const { store: a, entry } = await storeWithOutputs([bytes]);
        await cacheOver(backend).cache.pushEntry(entry, a);
        const digest = entry.outputs.out0!.digest;
        const damaged = Buffer.from(bytes);
        damaged[5000] = damaged[5000]! ^ 0xff;
        await backend.write(objectName(digest), damaged); // same size: only the hash can tell
        const b = freshStore();
        const reader = cacheOver(backend);
        assert.equal(await reader.cache.fetchObject(digest, b), 'damaged');
        assert.equal(reader.warnings.length, 1);
        assert.match(reader.warnings[0]!, /does not match its digest/);
        assert.equal(b.hasObject(digest), false);
        assert.deepEqual(readdirSync(scratchDir(b.root)), []);
        assert.equal(await backend.stat(objectName(digest)), undefined, 'the damaged artifact is removed so the next push replaces it');
        assert.equal(reader.cache.stats.refused, 1);
        // The entry now names a missing artifact: not a hit. A push from a store that has it repairs the remote.
        assert.equal((await reader.cache.lookupEntry(entry.key)).state, 'refused');
        assert.equal(await cacheOver(backend).cache.pushEntry(entry, a), true);
        assert.equal(await reader.cache.fetchObject(digest, b), 'fetched');
      } finally {
        backend.close();
      }
    });

    test('pushing what the remote has moves nothing and does not read the local copy; what it lacks is verified before it goes up', async () => {
      const { backend } = await kind.open();
      try {
        const { store, entry } = await storeWithOutputs([randomBytes(50_000), randomBytes(60_000)]);
        const pusher = cacheOver(backend);
        const [first, second] = Object.values(entry.outputs).map((o) => o.digest);
        assert.equal(await pusher.cache.pushObject(first!, store), 'pushed');
        // Both local copies damaged (same sizes): the one the remote has is not read, so not refused;
        // the one it lacks is hashed before upload and refused, so damage never spreads to the team.
        for (const digest of [first!, second!]) {
          const bytes = readFileSync(store.objectPath(digest));
          bytes[0] = bytes[0]! ^ 1;
          writeFileSync(store.objectPath(digest), bytes);
        }
        assert.equal(await pusher.cache.pushObject(first!, store), 'present');
        await assert.rejects(pusher.cache.pushObject(second!, store), /is damaged in the local store; not pushed/);
        assert.equal(await backend.stat(objectName(second!)), undefined);
        assert.equal(pusher.cache.stats.objectsUploaded, 1);
      } finally {
        backend.close();
      }
    });

    test('a read-only reader refuses a damaged artifact but leaves it on the remote', async () => {
      const { backend } = await kind.open();
      try {
        const { store: a, entry } = await storeWithOutputs([randomBytes(1000)]);
        await cacheOver(backend).cache.pushEntry(entry, a);
        const digest = entry.outputs.out0!.digest;
        await backend.write(objectName(digest), randomBytes(1000));
        const reader = cacheOver(backend, { readOnly: true });
        assert.equal(await reader.cache.fetchObject(digest, freshStore()), 'damaged');
        assert.deepEqual(await backend.stat(objectName(digest)), { size: 1000 });
      } finally {
        backend.close();
      }
    });

    test('with a signing key, forged, unsigned and wrongly signed entries are refused with a warning; without one, signed entries are used', async () => {
      const { backend } = await kind.open();
      try {
        const key = 'team secret';
        const { store: a, entry } = await storeWithOutputs([randomBytes(5000)]);
        const { store: o, entry: other } = await storeWithOutputs([randomBytes(7000)]);
        const signer = cacheOver(backend, { signingKey: key });
        assert.equal(await signer.cache.pushEntry(entry, a), true);
        const signed = await remoteEntryJson(backend, entry.key);
        assert.match(String(signed.signature), /^hmac-sha256:[0-9a-f]{64}$/);

        assert.equal((await cacheOver(backend, { signingKey: key }).cache.lookupEntry(entry.key)).state, 'hit', 'the right key verifies it');
        assert.equal((await cacheOver(backend).cache.lookupEntry(entry.key)).state, 'hit', 'a reader without a key takes a signed entry');

        const wrong = cacheOver(backend, { signingKey: 'another secret' });
        const wrongly = await wrong.cache.lookupEntry(entry.key);
        assert.equal(wrongly.state, 'refused');
        assert.equal(wrong.warnings.length, 1);
        assert.match(wrong.warnings[0]!, /signature that MEDPIPE_CACHE_KEY does not verify/);

        // A forgery: the output digest edited to bytes the attacker chose (present on the
        // remote, with their size), the checksum recomputed, the old signature kept.
        assert.equal(await signer.cache.pushObject(other.outputs.out0!.digest, o), 'pushed');
        const forgedEntry: CacheEntry = { ...entry, outputs: { out0: other.outputs.out0! } };
        await backend.write(entryName(entry.key), Buffer.from(JSON.stringify({ ...JSON.parse(entryText(forgedEntry)), signature: signed.signature })));
        const victim = cacheOver(backend, { signingKey: key });
        const forged = await victim.cache.lookupEntry(entry.key);
        assert.equal(forged.state, 'refused');
        assert.equal(victim.warnings.length, 1);
        assert.match(victim.warnings[0]!, /does not verify/);
        assert.equal(victim.cache.stats.entriesFound, 0);

        // An unsigned entry (pushed by someone without the key) is refused by a reader holding it.
        const { store: c, entry: unsignedEntry } = await storeWithOutputs([randomBytes(300)]);
        assert.equal(await cacheOver(backend).cache.pushEntry(unsignedEntry, c), true);
        const strict = cacheOver(backend, { signingKey: key });
        assert.equal((await strict.cache.lookupEntry(unsignedEntry.key)).state, 'refused');
        assert.match(strict.warnings[0]!, /is not signed, and MEDPIPE_CACHE_KEY is set/);
      } finally {
        backend.close();
      }
    });

    test('an entry whose artifact is missing or of another size on the remote is refused, not a hit', async () => {
      const { backend } = await kind.open();
      try {
        const { store: a, entry } = await storeWithOutputs([randomBytes(4000), randomBytes(10)]);
        const pusher = cacheOver(backend);
        await pusher.cache.pushEntry(entry, a);
        await backend.remove(objectName(entry.outputs.out1!.digest));
        const reader = cacheOver(backend);
        const missing = await reader.cache.lookupEntry(entry.key);
        assert.equal(missing.state, 'refused');
        assert.match(missing.state === 'refused' ? missing.problem : '', /output "out1".* is missing/);
        await pusher.cache.pushEntry(entry, a);
        await backend.write(objectName(entry.outputs.out0!.digest), randomBytes(3999));
        const shorter = await cacheOver(backend).cache.lookupEntry(entry.key);
        assert.match(shorter.state === 'refused' ? shorter.problem : '', /is 3999 bytes, not 4000/);
        // A push compares sizes, so it replaces the short artifact.
        await pusher.cache.pushEntry(entry, a);
        assert.equal((await cacheOver(backend).cache.lookupEntry(entry.key)).state, 'hit');
      } finally {
        backend.close();
      }
    });
  });
}

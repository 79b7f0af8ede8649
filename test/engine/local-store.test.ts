/**
 * The Store interface (engine/store.ts), exercised through the interface type on the folder store
 * (LocalStore): what every implementation promises, written as one contract so a remote store
 * (issue 16) can be held to the same one. Real files, real damage (bytes changed on disk), real
 * dead processes for stale locks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../src/engine/local-store.js';
import { sha256 } from '../../src/engine/fingerprint.js';
import { collectGarbage } from '../../src/engine/gc.js';
import { verifyStore } from '../../src/engine/verify.js';
import type { CacheEntry, Store } from '../../src/engine/store.js';
import { entryFile, objectFile } from '../../src/engine/store-layout.js';

function freshStore(): Store {
  return new LocalStore(join(mkdtempSync(join(tmpdir(), 'medpipe-store-')), '.medpipe'));
}

/** A finished output file in the store's scratch folder, as a step leaves it. */
function outputFile(store: Store, content: string): string {
  const file = join(store.makeTempDir('step'), 'out');
  writeFileSync(file, content);
  return file;
}

function entryFor(key: string, digest: string, size: number): CacheEntry {
  return {
    key,
    stepType: 'split',
    version: '1',
    outputs: { train: { digest, size, kind: 'dataset' } },
    durationMs: 12,
    finishedAt: '2026-01-01T00:00:00.000Z',
  };
}

const KEY = 'a'.repeat(64);

test('artifacts: add moves a file in under its digest, has and a verified read find it, list and delete see it', async () => {
  const store = freshStore();
  const file = outputFile(store, 'age,label\n61,1\n');
  const added = await store.addObject(file);
  assert.equal(added.digest, sha256(Buffer.from('age,label\n61,1\n')));
  assert.deepEqual({ size: added.size, replacedDamaged: added.replacedDamaged }, { size: 15, replacedDamaged: false });
  assert.equal(store.hasObject(added.digest), true);
  const read = store.readVerifiedObject(added.digest);
  assert.ok('bytes' in read);
  assert.equal(read.bytes.toString(), 'age,label\n61,1\n');
  assert.deepEqual(store.objects(), [{ digest: added.digest, size: 15 }]);
  assert.deepEqual(await store.verifyObject(added.digest), { state: 'ok' });
  store.deleteObject(added.digest);
  assert.equal(store.hasObject(added.digest), false);
  assert.deepEqual(store.readVerifiedObject(added.digest), { missing: true });
});

test('artifacts: bytes changed on disk are never handed out; they are set aside and the next add replaces them', async () => {
  const store = freshStore();
  const { digest } = await store.addObject(outputFile(store, 'the real bytes'));
  writeFileSync(store.objectPath(digest), 'the real bytez');
  const read = store.readVerifiedObject(digest);
  assert.deepEqual(read, { damaged: sha256(Buffer.from('the real bytez')) });
  const again = await store.addObject(outputFile(store, 'the real bytes'));
  assert.equal(again.replacedDamaged, true);
  assert.deepEqual(await store.verifyObject(digest), { state: 'ok' });
  assert.equal(readdirSync(store.quarantineLocation).length, 1, 'the damaged copy is kept in quarantine for inspection');
  assert.equal(store.clearQuarantine(), 1);
  assert.deepEqual(readdirSync(store.quarantineLocation), []);
});

test('cache entries: written after their artifacts, found intact; a missing artifact is a miss, an edited entry is damage', async () => {
  const store = freshStore();
  const { digest, size } = await store.addObject(outputFile(store, 'rows'));
  assert.deepEqual(store.lookupEntry(KEY), { state: 'miss' });
  store.writeEntry(entryFor(KEY, digest, size));
  assert.deepEqual(store.readEntry(KEY), entryFor(KEY, digest, size));
  assert.deepEqual(store.entries(), [KEY]);

  const text = readFileSync(entryFile(store.root, KEY), 'utf8');
  writeFileSync(entryFile(store.root, KEY), text.replace('"durationMs":12', '"durationMs":13'));
  const edited = store.lookupEntry(KEY);
  assert.equal(edited.state, 'damaged');
  store.quarantineEntry(KEY);
  assert.deepEqual(store.lookupEntry(KEY), { state: 'miss' });

  store.writeEntry(entryFor(KEY, digest, size));
  store.deleteObject(digest);
  assert.deepEqual(store.lookupEntry(KEY), { state: 'miss' }, 'an entry whose artifact is gone (collected) is a miss');
  store.deleteEntry(KEY);
  assert.deepEqual(store.entries(), []);
});

test('records: JSON by name, listed by folder; a damaged record reads as undefined', () => {
  const store = freshStore();
  store.writeJson('runs/20260101T000000Z-aaaaaa.json', { runId: '20260101T000000Z-aaaaaa', status: 'ok' });
  store.writeJson('runs/20260102T000000Z-bbbbbb.json', { runId: '20260102T000000Z-bbbbbb', status: 'failed' });
  assert.deepEqual(store.listJson('runs').sort(), ['20260101T000000Z-aaaaaa', '20260102T000000Z-bbbbbb']);
  assert.deepEqual(store.readJson('runs/20260102T000000Z-bbbbbb.json'), { runId: '20260102T000000Z-bbbbbb', status: 'failed' });
  assert.deepEqual(store.listJson('pipelines'), []);
  writeFileSync(join(store.root, 'runs', '20260101T000000Z-aaaaaa.json'), '{"runId": "2026');
  assert.equal(store.readJson('runs/20260101T000000Z-aaaaaa.json'), undefined);
  assert.deepEqual(readdirSync(join(store.root, 'tmp')), [], 'no temporary file is left in the scratch folder');
});

test('locks: one holder per key; a lock whose process is gone is stale, taken over and removable', () => {
  const store = freshStore();
  assert.equal(store.tryLock(KEY), true);
  assert.deepEqual(store.locks(), [{ name: `${KEY}.lock`, stale: false }]);
  store.unlock(KEY);
  assert.deepEqual(store.locks(), []);

  // A lock left by a process that no longer runs (a killed run).
  const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
  store.tryLock(KEY);
  writeFileSync(join(store.root, 'locks', `${KEY}.lock`), JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
  assert.deepEqual(store.locks(), [{ name: `${KEY}.lock`, stale: true }]);
  assert.equal(store.tryLock(KEY), true, 'a stale lock is taken over');
  store.removeLock(`${KEY}.lock`);
  assert.deepEqual(store.locks(), []);
});

test("the working area: scratch of a dead process is cleaned, this process's is kept", () => {
  const store = freshStore();
  const mine = store.makeTempDir('eval/svm');
  const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
  const theirs = mine.replace(`${process.pid}-`, `${gone}-`);
  writeFileSync(theirs, 'half-written');
  store.cleanStaleTemp();
  assert.deepEqual(readdirSync(join(store.root, 'tmp')), [mine.split('/').pop()]);
});

test('cache verify and gc work through the interface: damage is set aside, then collected with what no pipeline keeps', async () => {
  const store = freshStore();
  const kept = await store.addObject(outputFile(store, 'kept'));
  const loose = await store.addObject(outputFile(store, 'loose'));
  const damaged = await store.addObject(outputFile(store, 'damaged'));
  writeFileSync(objectFile(store.root, damaged.digest), 'DAMAGED');
  store.writeEntry(entryFor(KEY, kept.digest, kept.size));
  store.writeJson('pipelines/p.json', {
    name: 'p',
    path: '/p.yaml',
    lastRunId: 'r',
    steps: { split: { key: KEY, outputs: { train: { digest: kept.digest } } } },
  });

  const report = await verifyStore(store);
  assert.equal(report.objects, 3);
  assert.equal(report.damaged.length, 1);
  assert.equal(report.quarantine, store.quarantineLocation);

  const gc = collectGarbage(store);
  assert.ok(!('busy' in gc));
  assert.deepEqual(
    { keptObjects: gc.keptObjects, removedObjects: gc.removedObjects, keptEntries: gc.keptEntries, removedQuarantined: gc.removedQuarantined },
    { keptObjects: 1, removedObjects: 1, keptEntries: 1, removedQuarantined: 1 },
  );
  assert.equal(store.hasObject(loose.digest), false);
  assert.equal(store.readEntry(KEY)?.key, KEY);
});

test('gc removes an entry under a kept key that does not match its checksum (a run would only set it aside)', async () => {
  const store = freshStore();
  const { digest, size } = await store.addObject(outputFile(store, 'rows'));
  store.writeEntry(entryFor(KEY, digest, size));
  store.writeJson('pipelines/p.json', { name: 'p', path: '/p.yaml', lastRunId: 'r', steps: { split: { key: KEY, outputs: { train: { digest } } } } });
  const text = readFileSync(entryFile(store.root, KEY), 'utf8');
  writeFileSync(entryFile(store.root, KEY), text.replace('"durationMs":12', '"durationMs":99'));
  const gc = collectGarbage(store);
  assert.ok(!('busy' in gc));
  assert.equal(gc.removedEntries, 1);
  assert.deepEqual(store.entries(), []);
  assert.equal(store.hasObject(digest), true, 'its artifact is still referenced by the pipeline state and kept');
});

test("an entry's checksum is checked on its text as written, and on its parsed JSON when the file was reformatted: a changed value fails both", async () => {
  const store = freshStore();
  const { digest, size } = await store.addObject(outputFile(store, 'rows'));
  store.writeEntry(entryFor(KEY, digest, size));
  const file = entryFile(store.root, KEY);
  const written = readFileSync(file, 'utf8');
  assert.equal(store.lookupEntry(KEY).state, 'hit');
  // Pretty-printed: the same content, another text; taken on its parsed JSON.
  const pretty = JSON.stringify(JSON.parse(written), null, 2);
  writeFileSync(file, pretty);
  assert.equal(store.lookupEntry(KEY).state, 'hit');
  // A changed value, in the written form and in the reformatted one.
  for (const text of [written, pretty]) {
    writeFileSync(
      file,
      text.replace(/"durationMs": ?12/, (m) => m.replace('12', '13')),
    );
    const found = store.lookupEntry(KEY);
    assert.equal(found.state, 'damaged');
    assert.match(found.state === 'damaged' ? found.problem : '', /does not match its checksum/);
  }
  // The checksum itself changed to another entry's: the text no longer hashes to it.
  writeFileSync(file, written.replace(/sha256:[0-9a-f]{64}/, `sha256:${'0'.repeat(64)}`));
  assert.equal(store.lookupEntry(KEY).state, 'damaged');
});

test('gc refuses while a live run holds a step lock', () => {
  const store = freshStore();
  store.tryLock(KEY);
  assert.deepEqual(collectGarbage(store), { busy: [`${KEY}.lock`] });
});

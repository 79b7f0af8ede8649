/**
 * The registry keeps bundles among the store's artifacts: one layout rule (engine/store-layout.ts)
 * places them, so a bundle the registry stores is an intact artifact of the store, found, verified
 * and pinned against `cache gc` like any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../src/engine/local-store.js';
import { sha256 } from '../../src/engine/fingerprint.js';
import { collectGarbage } from '../../src/engine/gc.js';
import { verifyStore } from '../../src/engine/verify.js';
import { Registry } from '../../src/registry/index.js';
import { tempStore } from './helpers.js';

test("a registry bundle's path is the store's object path for the same digest, and the bundle is an intact artifact of the store", async () => {
  const dir = tempStore();
  const reg = Registry.open(dir);
  try {
    const file = join(mkdtempSync(join(tmpdir(), 'medpipe-bundle-')), 'bundle.json');
    const bytes = JSON.stringify({ format: 'medpipe.bundle/1', model: { kind: 'svm' } });
    writeFileSync(file, bytes);
    const digest = reg.storeBundle(file);
    assert.equal(digest, sha256(Buffer.from(bytes)));

    const store = new LocalStore(dir);
    assert.equal(reg.bundlePath(digest), store.objectPath(digest));
    assert.equal(store.hasObject(digest), true);
    const read = store.readVerifiedObject(digest);
    assert.ok('bytes' in read && read.bytes.toString() === bytes);
    const report = await verifyStore(store);
    assert.deepEqual({ objects: report.objects, damaged: report.damaged }, { objects: 1, damaged: [] });

    // Registered, it is pinned: gc keeps it although no pipeline state names it.
    reg.registerVersion({ name: 'svm', bundleDigest: digest, metrics: {}, params: {}, lineage: {}, card: '# svm\n' });
    const gc = collectGarbage(store);
    assert.ok(!('busy' in gc));
    assert.equal(gc.keptObjects, 1);
    assert.equal(store.hasObject(digest), true);
  } finally {
    reg.close();
  }
});

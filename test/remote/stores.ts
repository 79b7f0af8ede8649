/** Local stores with real artifacts in them, and the cache entry a step would have written for them. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../src/engine/fingerprint.js';
import { LocalStore } from '../../src/engine/local-store.js';
import type { CacheEntry } from '../../src/engine/store.js';
import { tempDir } from './backends.js';

export const freshStore = (): LocalStore => new LocalStore(join(tempDir('store'), '.medpipe'));

/** A step key no other test uses. */
export const stepKey = (): string => sha256(randomBytes(16));

/**
 * A store holding one artifact per content (added with addObject, as a step's outputs are), and
 * the entry that names them as outputs `out0`, `out1`, ….
 */
export async function storeWithOutputs(contents: Buffer[], key = stepKey()): Promise<{ store: LocalStore; entry: CacheEntry }> {
  const store = freshStore();
  const outputs: Record<string, CacheEntry['outputs'][string]> = {};
  for (const [i, bytes] of contents.entries()) {
    const file = join(store.makeTempDir('step'), 'out');
    writeFileSync(file, bytes);
    const added = await store.addObject(file);
    outputs[`out${i}`] = { digest: added.digest, size: added.size, kind: 'dataset' };
  }
  const entry: CacheEntry = { key, stepType: 'split', version: '1', outputs, durationMs: 1234, finishedAt: '2026-12-01T10:00:00.000Z' };
  store.writeEntry(entry);
  return { store, entry };
}

/**
 * Rules of the store that are written once (issue 15), checked on the source: only durable.ts
 * replaces files by renaming (and the folder store moves finished artifacts and damage with a
 * rename), only store-layout.ts names the store's folders, and only store-location.ts names the
 * default store folder. A second copy of any of them is how two writers came to differ before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `src/...` files whose code (comments left out) matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return sources(join(ROOT, 'src'))
    .filter((f) =>
      pattern.test(
        readFileSync(f, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, ''),
      ),
    )
    .map((f) => relative(ROOT, f));
}

test('one atomic-write path: only durable.ts (and the folder store moving finished artifacts, and the file:// remote placing an uploaded copy) renames files', () => {
  assert.deepEqual(filesMatching(/\brename(Sync)?\s*\(/).sort(), ['src/engine/durable.ts', 'src/engine/local-store.ts', 'src/remote/file-backend.ts']);
});

test('the store layout is defined once: only store-layout.ts names the objects and entries folders', () => {
  assert.deepEqual(filesMatching(/['"`]objects['"`/]|['"`]entries['"`/]/), ['src/engine/store-layout.ts']);
});

test('store discovery is defined once: only store-location.ts names the default store folder', () => {
  // data-pointer.ts names the suffix of pointer files (data/x.csv.medpipe), the same word but not the store.
  assert.deepEqual(filesMatching(/['"`]\.medpipe['"`/]/), ['src/engine/data-pointer.ts', 'src/engine/store-location.ts']);
});

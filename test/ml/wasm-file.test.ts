/**
 * The shared loader of medpipe's compiled WebAssembly modules (src/ml/wasm-file.ts): compiled once
 * per file, and a missing or broken file is an error in the loader's words with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledWasmFile } from '../../src/ml/wasm-file.js';

const messages = {
  unreadable: (path: string, code: string) => `cannot read ${path} (${code})`,
  invalid: (path: string, why: string) => `cannot compile ${path} (${why})`,
};

test('a module is compiled once per file: later calls get the same module, even once the file is gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-file-'));
  const file = join(dir, 'grower.wasm');
  copyFileSync(fileURLToPath(new URL('../../src/ml/forest/forest-grower.wasm', import.meta.url)), file);
  const first = compiledWasmFile(pathToFileURL(file), messages);
  assert.ok(first instanceof WebAssembly.Module);
  rmSync(file);
  assert.equal(compiledWasmFile(pathToFileURL(file), messages), first);
});

test("a missing file and a file that is not WebAssembly are errors in the loader's words, with the reason", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-file-'));
  const missing = join(dir, 'missing.wasm');
  assert.throws(() => compiledWasmFile(pathToFileURL(missing), messages), { message: `cannot read ${missing} (ENOENT)` });
  const broken = join(dir, 'broken.wasm');
  writeFileSync(broken, 'not WebAssembly');
  assert.throws(
    () => compiledWasmFile(pathToFileURL(broken), messages),
    (e: Error) => e.message.startsWith(`cannot compile ${broken} (`) && /magic/i.test(e.message),
  );
  // Nothing is cached for a file that failed: once it is fixed, it loads.
  copyFileSync(fileURLToPath(new URL('../../src/ml/forest/forest-grower.wasm', import.meta.url)), broken);
  assert.ok(compiledWasmFile(pathToFileURL(broken), messages) instanceof WebAssembly.Module);
});

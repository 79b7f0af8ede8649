/**
 * Files a store keeps only to spare work (a parsed pipeline, a compiled validator), each written
 * as `<sha256 of the content>\n<content>`. One is used only when its content matches its digest,
 * as everything read from the store is; a damaged one is deleted, and the work is done again.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from './durable.js';
import { sha256 } from './fingerprint.js';
import { scratchDir, STORE_FOLDERS } from './store-layout.js';

/** The content of a checked file, or undefined when there is none or it is damaged (then it is deleted, when the store can be written). */
export function readCheckedFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const content = text.slice(65);
  if (text[64] !== '\n' || sha256(content) !== text.slice(0, 64)) {
    try {
      rmSync(file, { force: true });
    } catch {
      // A store shared read-only: the entry stays, and is passed over again.
    }
    return undefined;
  }
  return content;
}

/**
 * Writes a checked file into the store at `storeRoot` (durably, through its scratch folder).
 * Best effort: nothing is written when the store does not exist yet (a command must not create
 * it as a side effect), and a failed write (read-only store, disk full) costs the work again later.
 */
export function writeCheckedFile(storeRoot: string, file: string, content: string): void {
  if (!existsSync(storeRoot)) return;
  try {
    writeFileDurably(file, `${sha256(content)}\n${content}`, { scratchDir: scratchDir(storeRoot) });
  } catch {
    // Only a cache: the next run does the work again.
  }
}

/**
 * Empties the store's folders of checked files (`cache gc`, `cache verify`): their digests catch
 * damage, not a file written on purpose, and a kept validator is code a run evaluates. Each
 * pipeline's next run parses and compiles what it needs again.
 */
export function clearCheckedFiles(storeRoot: string): void {
  for (const folder of [STORE_FOLDERS.parsed, STORE_FOLDERS.validators]) rmSync(join(storeRoot, folder), { recursive: true, force: true });
}

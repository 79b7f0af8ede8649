/**
 * A cache entry's file format, written once for the local store and the remote: the entry's JSON
 * with a checksum, and the checks an entry passes before it is believed (its shape, the key it
 * names, the checksum).
 */
import { sha256 } from './fingerprint.js';
import { ARTIFACT_KINDS } from './step-type.js';
import type { CacheEntry } from './store.js';

const DIGEST = /^[0-9a-f]{64}$/;
const KNOWN_KINDS: ReadonlySet<string> = new Set(ARTIFACT_KINDS);

/** Why a parsed cache entry is not a valid entry for `key`, or undefined when it is. */
function entryShapeProblem(json: unknown, key: string): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'is not a JSON object';
  const e = json as Record<string, unknown>;
  if (e.key !== key) return 'names another key: the file was moved or edited';
  if (typeof e.stepType !== 'string' || typeof e.version !== 'string') return 'has no step type or version';
  if (typeof e.durationMs !== 'number' || typeof e.finishedAt !== 'string') return 'has no duration or finishing time';
  if (typeof e.outputs !== 'object' || e.outputs === null || Array.isArray(e.outputs)) return 'has no outputs';
  for (const [port, out] of Object.entries(e.outputs as Record<string, unknown>)) {
    const o = out as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) return `output "${port}" is not an object`;
    if (typeof o.digest !== 'string' || !DIGEST.test(o.digest)) return `output "${port}" has no valid digest`;
    if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0) return `output "${port}" has no valid size`;
    if (typeof o.kind !== 'string' || !KNOWN_KINDS.has(o.kind)) return `output "${port}" has an unknown kind`;
  }
  return undefined;
}

/**
 * An entry's checksum: the sha256 of its JSON text without the checksum. JSON.parse then
 * JSON.stringify gives back the same text (same key order, same numbers), so it can be checked
 * on the parsed entry.
 */
function entryChecksum(entry: object): string {
  return `sha256:${sha256(JSON.stringify(entry))}`;
}

/** The text of an entry's file. */
export function entryText(entry: CacheEntry): string {
  return JSON.stringify({ ...entry, checksum: entryChecksum(entry) });
}

/** The entry in an entry file's text, checked for `key`; or what is wrong with it. */
export function parseEntry(text: string, key: string): { readonly entry: CacheEntry } | { readonly problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `cache entry ${key.slice(0, 12)}… is not valid JSON` };
  }
  return checkEntry(json, key, text);
}

/**
 * Whether the text of an entry file, as entryText writes it (the checksum last), hashes to its
 * checksum without serialising the parsed entry again: its content's text is the file's up to the
 * checksum, closed. A match proves that text is what was hashed when it was written; a file
 * written otherwise (by hand, reformatted) is not refused for it, but checked on its parsed JSON.
 */
function textMatchesChecksum(text: string, checksum: string): boolean {
  const tail = `,"checksum":"${checksum}"}`;
  if (!text.endsWith(tail)) return false;
  return `sha256:${sha256(`${text.slice(0, -tail.length)}}`)}` === checksum;
}

/**
 * An entry file's parsed JSON, checked for `key` (shape, key, checksum): the entry, or what is
 * wrong with it. `text`, the file's text when there is one, saves re-serialising a sound entry.
 */
export function checkEntry(json: unknown, key: string, text?: string): { readonly entry: CacheEntry } | { readonly problem: string } {
  const problem = entryShapeProblem(json, key);
  if (problem) return { problem: `cache entry ${key.slice(0, 12)}… ${problem}` };
  // The checksum covers what the shape check cannot: a changed digit in a size, a time or the
  // summary (which run records, `runs` and the report show). Entries written before it had one
  // are taken as they are.
  const { checksum, ...content } = json as Record<string, unknown>;
  const sound =
    checksum === undefined ||
    (typeof checksum === 'string' && text !== undefined && textMatchesChecksum(text, checksum)) ||
    checksum === entryChecksum(content);
  if (!sound) return { problem: `cache entry ${key.slice(0, 12)}… does not match its checksum: it was changed after it was written` };
  return { entry: content as unknown as CacheEntry };
}

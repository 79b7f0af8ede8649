/**
 * Parsed pipeline files, kept in the store by the digest of their text: a re-run of an unchanged
 * pipeline reads its value as JSON instead of parsing the YAML again. For a 1,000-step file the
 * YAML parse (lexer, composer, the nesting check) was the largest part of a cached re-run, and
 * JSON reads the same value back in about a millisecond.
 *
 * Only a text that parsed without a problem is cached, so a hit stands for a successful parse;
 * the document with its positions is parsed again only when a diagnostic needs one (load.ts).
 * Entries are checked files (checked-file.ts). A value JSON cannot hold exactly (.inf, .nan,
 * -0) is not cached.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readCheckedFile, writeCheckedFile } from './checked-file.js';
import { sha256 } from './fingerprint.js';
import { STORE_FOLDERS } from './store-layout.js';

/** Raised when how an entry is written changes. What a parse makes of a text is the caller's `rules` and the YAML library's version, both in the key. */
const FORMAT = 'medpipe.parsed/1';

let parserVersion: string | undefined;
function yamlVersion(): string {
  parserVersion ??= (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
  return parserVersion;
}

function entryFile(storeRoot: string, rules: string, text: string): string {
  const key = sha256(`${FORMAT}\0${rules}\0yaml ${yamlVersion()}\0${text}`);
  return join(storeRoot, STORE_FOLDERS.parsed, `${key}.json`);
}

/** The cached value of `text` parsed under `rules` (the loader's, load.ts) in the store at `storeRoot`, or undefined. */
export function readParsedValue(storeRoot: string, rules: string, text: string): { value: unknown } | undefined {
  const json = readCheckedFile(entryFile(storeRoot, rules, text));
  return json === undefined ? undefined : { value: JSON.parse(json) };
}

/** Whether JSON gives `value` back exactly: plain objects, arrays, strings, booleans, null and finite numbers other than -0. */
function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonExact);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(jsonExact);
  return false;
}

/** Caches the value `text` parsed to (see writeCheckedFile: best effort, never creates the store). */
export function writeParsedValue(storeRoot: string, rules: string, text: string, value: unknown): void {
  if (jsonExact(value)) writeCheckedFile(storeRoot, entryFile(storeRoot, rules, text), JSON.stringify(value));
}

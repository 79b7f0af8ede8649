/**
 * Reading a run's artifacts for the report: always through the store's digest check, so a damaged
 * artifact is reported as such and none of its content reaches the page. Each reader says why it
 * has nothing (gone, damaged, not what was expected) in words the report prints as they are.
 */
import type { Store } from '../engine/store.js';

export type ArtifactRead<T> = { value: T } | { missing: string };

/** How an artifact is named in the reasons: "its metrics artifact" … "so its numbers are not shown". */
export interface ArtifactNames {
  what: string;
  content: string;
}

/** The artifact's text, if it is in the store and matches its digest. */
export function readArtifactText(store: Store, digest: string, names: ArtifactNames): ArtifactRead<string> {
  const { what, content } = names;
  const read = store.readVerifiedObject(digest);
  if ('missing' in read)
    return { missing: `${what} is not in this store (removed by cache gc, or its step was taken from a remote cache: medpipe report --remote downloads it)` };
  if ('damaged' in read)
    return {
      missing: `${what} does not match its digest, so ${content} ${/s$/.test(content) ? 'are' : 'is'} not shown: run medpipe cache verify, then re-run the pipeline`,
    };
  return { value: read.bytes.toString('utf8') };
}

/** The artifact parsed as JSON and accepted by `accept` (which checks its shape and may narrow it). */
export function readArtifactJson<T>(store: Store, digest: string, names: ArtifactNames, accept: (parsed: unknown) => T | undefined): ArtifactRead<T> {
  const { what } = names;
  const text = readArtifactText(store, digest, names);
  if ('missing' in text) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.value);
  } catch {
    return { missing: `${what} is not JSON` };
  }
  const value = accept(parsed);
  return value === undefined ? { missing: `${what} is not in the expected format` } : { value };
}

/** A plain object (not an array, not null), for the `accept` functions. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

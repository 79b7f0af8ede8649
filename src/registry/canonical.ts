/**
 * Canonical JSON and sha256 for the registry's audit chain. The registry keeps its own copy rather
 * than sharing the cache-key module's: audit hashes are stored forever in users' registry files,
 * so their format must never change when the cache key's does.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level and undefined members dropped, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Digest of a JSON value by meaning, not by spelling: re-indenting stored JSON does not change it. */
export function jsonDigest(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * The cache key of a step: one pure function over plain data, and nothing else in medpipe
 * computes one. Two runs get the same key exactly when the step would produce the same outputs:
 * same step type and implementation version (or, for a custom step, the same code), same
 * resolved parameters (defaults applied), same input artifacts, same data files.
 */
import { createHash } from 'node:crypto';

/** Bump when the store's layout or the meaning of a key changes: every key changes with it. */
export const CACHE_FORMAT_VERSION = 1;

export interface KeyComponents {
  readonly stepType: string;
  readonly version: string;
  /** sha256 of a custom step's module file; absent for built-in steps. */
  readonly codeDigest?: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Input port -> artifact digest. */
  readonly inputs: Readonly<Record<string, string>>;
  /** File parameter -> content digest of the file it names. */
  readonly files: Readonly<Record<string, string>>;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function cacheKey(c: KeyComponents): string {
  return sha256(canonicalJson({ format: CACHE_FORMAT_VERSION, ...c }));
}

/** A digest of the parameters alone, kept so `status` can say "params changed". */
export function paramsDigest(params: Readonly<Record<string, unknown>>): string {
  return sha256(canonicalJson(params));
}

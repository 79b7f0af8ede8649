/**
 * The cache key of a step: one pure function over plain data, and nothing else in medpipe
 * computes one. Two runs get the same key exactly when the step would produce the same outputs:
 * same step type and implementation version (or, for a custom step, the same code), same
 * resolved parameters (defaults applied), same input artifacts, same data files.
 */
import { createHash } from 'node:crypto';

/** Bump when the store's layout or the meaning of a key changes: every key changes with it. */
export const CACHE_FORMAT_VERSION = 1;

/** One ancestor as a lineage step sees it (`ctx.run.upstream` without the ancestor's cache key). */
export interface LineageNode {
  readonly stepType: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Output port -> artifact digest. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly dependsOn: readonly string[];
}

export interface KeyComponents {
  readonly stepType: string;
  readonly version: string;
  /** Digest of a custom step's code (its module and the local modules it imports, or its package); absent for built-in steps. */
  readonly codeDigest?: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Input port -> artifact digest. */
  readonly inputs: Readonly<Record<string, string>>;
  /** File parameter -> content digest of the file it names. */
  readonly files: Readonly<Record<string, string>>;
  /**
   * Only for a step type with `lineage`: every ancestor by id, in the order the step receives
   * them. Such a step writes ancestors' ids and params into its outputs (select-best names the
   * winning step), which the input digests alone do not cover. Ancestors' keys are left out: they
   * change with an upstream code version even when its outputs do not, and a lineage step (register)
   * must not repeat its side effect for that. Absent for every other step, whose keys are unchanged.
   */
  readonly lineage?: readonly (readonly [string, LineageNode])[];
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
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

/** Hex sha256 of text (as UTF-8) or of bytes: artifacts are named by it. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function cacheKey(c: KeyComponents): string {
  return sha256(canonicalJson({ format: CACHE_FORMAT_VERSION, ...c }));
}

/** A digest of the parameters alone, kept so `status` can say "params changed". */
export function paramsDigest(params: Readonly<Record<string, unknown>>): string {
  return sha256(canonicalJson(params));
}

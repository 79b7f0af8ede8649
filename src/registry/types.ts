/** The registry's data types: what goes in when registering, and what comes out when reading. */
import type { MetricComparison } from './compare.js';

export type JsonObject = { [key: string]: unknown };

export interface RegisterInput {
  name: string;
  /** Sets the model's description (when given and different from the current one). */
  description?: string;
  /** sha256 of the bundle file, which lives in the store at objects/<digest[0:2]>/<digest[2:]>. */
  bundleDigest: string;
  /** The bundle's file name when exported; default "bundle.json". */
  bundleFile?: string;
  metrics: JsonObject;
  params: JsonObject;
  /** Where the version came from (pipeline, git commit, run, cache keys, data digests); opaque here. */
  lineage: JsonObject;
  /** The model card, Markdown. */
  card: string;
  tags?: Readonly<Record<string, string>>;
  /** Point this alias at the new version. */
  alias?: string;
  /**
   * Re-registering with the same key returns the existing version instead of adding one (e.g. the
   * register step's cache key). Such a repeat changes nothing: no alias, tag or description update.
   */
  dedupeKey?: string;
}

export interface ModelVersion {
  name: string;
  version: number;
  description: string;
  bundleDigest: string;
  bundleFile: string;
  /** Absolute path of the bundle in the store. */
  bundlePath: string;
  metrics: JsonObject;
  params: JsonObject;
  lineage: JsonObject;
  card: string;
  who: string;
  createdAt: string;
  status: string;
  tags: Record<string, string>;
  /** Aliases pointing at this version. */
  aliases: string[];
}

export interface ModelSummary {
  name: string;
  description: string;
  createdAt: string;
  versions: number;
  latest: number | null;
  aliases: Record<string, number>;
}

export interface Comparison {
  a: { name: string; version: number };
  b: { name: string; version: number };
  metrics: MetricComparison[];
}

export type AuditResult =
  /** head and headSeq: the last entry (`SEQ:HASH` pins it for --expect); signed: signatures were checked with MEDPIPE_AUDIT_KEY. */
  | { ok: true; entries: number; head: string; headSeq: number; signed: boolean }
  | { ok: false; entries: number; seq: number | null; subject: string; problem: string };

export interface RegistryOptions {
  /** Who makes the changes; default $MEDPIPE_USER, else the OS user name. */
  who?: string;
  /** Milliseconds to wait for another process's write; default 10 s. */
  busyTimeoutMs?: number;
}

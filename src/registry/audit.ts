/**
 * The audit log's entries and their hash chain. Every change to the registry appends one entry;
 * an entry's hash is sha256(previous hash + canonical JSON of the entry), so editing, removing or
 * reordering any entry breaks every hash after it. This module is pure: it builds and checks
 * entries, the Registry stores them.
 */
import { canonicalJson, sha256 } from './canonical.js';

/** The first entry's previous hash. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's details hold, per action. The facts of a version are kept as digests, so the log stays small. */
export interface AuditDetails {
  create: { description: string };
  register: { version: number; bundleDigest: string; bundleFile: string; status: string; dedupeKey: string | null; digests: VersionDigests };
  promote: { alias: string; version: number; previous: number | null };
  tag: { version: number; key: string; value: string };
  untag: { version: number; key: string };
  describe: { description: string };
  /** A monitoring check of a version (src/registry/monitoring.ts): its row id, outcome and the digest of the row. */
  monitor: { version: number; id: number; passed: boolean; digest: string };
}

export type AuditAction = keyof AuditDetails;

export interface VersionDigests {
  metrics: string;
  params: string;
  lineage: string;
  card: string;
}

/** An entry as it is hashed: everything but the hashes themselves. */
export interface AuditEntry<A extends AuditAction = AuditAction> {
  seq: number;
  /** ISO 8601 time of the change. */
  at: string;
  who: string;
  action: A;
  /** The model (`NAME`) or version (`NAME@3`) the change is about. */
  subject: string;
  details: AuditDetails[A];
}

export interface AuditRecord extends AuditEntry {
  prevHash: string;
  hash: string;
}

/** An audit row as stored: details still JSON text, so a row whose details were mangled can be reported rather than crash. */
export interface StoredAuditRow {
  seq: number;
  at: string;
  who: string;
  action: string;
  subject: string;
  details: string;
  prevHash: string;
  hash: string;
  /** HMAC of the hash with MEDPIPE_AUDIT_KEY, when the entry was written with a key set. */
  mac?: string | null;
}

export function entryHash(prevHash: string, entry: AuditEntry): string {
  const { seq, at, who, action, subject, details } = entry;
  return sha256(prevHash + canonicalJson({ seq, at, who, action, subject, details }));
}

const ACTIONS: ReadonlySet<string> = new Set<AuditAction>(['create', 'register', 'promote', 'tag', 'untag', 'describe', 'monitor']);

/** The first place the chain is broken, or undefined when every entry is intact and in order. */
export interface ChainBreak {
  seq: number;
  problem: string;
}

/**
 * Checks the chain and parses it. Returns the parsed records up to (not including) the first
 * broken entry, and that break if there is one.
 */
export function checkChain(rows: readonly StoredAuditRow[]): { records: AuditRecord[]; broken?: ChainBreak } {
  const records: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const fail = (problem: string): { records: AuditRecord[]; broken: ChainBreak } => ({ records, broken: { seq: row.seq, problem } });
    if (row.seq !== i + 1)
      return fail(
        i === 0
          ? `the log starts at entry ${row.seq}, not 1: earlier entries were removed`
          : `entry ${row.seq} follows entry ${rows[i - 1].seq}: entries in between were removed or renumbered`,
      );
    if (row.prevHash !== prevHash)
      return fail(`its previous-hash does not match the hash of entry ${row.seq - 1}: an entry was removed, inserted or rewritten`);
    if (!ACTIONS.has(row.action)) return fail(`unknown action "${row.action}": the entry was edited`);
    let details: unknown;
    try {
      details = JSON.parse(row.details);
    } catch {
      return fail('its details are not valid JSON: the entry was edited');
    }
    const record = {
      seq: row.seq,
      at: row.at,
      who: row.who,
      action: row.action as AuditAction,
      subject: row.subject,
      details: details as AuditDetails[AuditAction],
      prevHash: row.prevHash,
      hash: row.hash,
    };
    if (entryHash(prevHash, record) !== row.hash) return fail('its content does not match its hash: the entry was edited after it was written');
    records.push(record);
    prevHash = row.hash;
  }
  return { records };
}

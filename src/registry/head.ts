/**
 * The audit chain's head (its last entry's sequence number and hash), recorded outside the
 * database in `registry.head.json` beside it. A registry file that was emptied, replaced by an
 * older copy, or had its last entries dropped (say, a production promotion rolled back by hand)
 * still has an intact chain; only a record kept elsewhere shows that it is behind. CI can pin a
 * head it trusts with `medpipe models audit --expect SEQ:HASH`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../engine/durable.js';
import { scratchDir, STORE_FILES } from '../engine/store-layout.js';
import { RegistryError } from './errors.js';
import type { StoredAuditRow } from './audit.js';

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const HEAD_FILE = STORE_FILES.registryHead;

const HEAD_TEXT = /^(\d+):([0-9a-f]{64})$/;

/** `SEQ:HASH`, the form `models audit` prints and `--expect` takes. */
export function formatHead(head: ChainHead): string {
  return `${head.seq}:${head.hash}`;
}

export function parseHead(text: string, what: string): ChainHead {
  const m = HEAD_TEXT.exec(text.trim());
  if (!m)
    throw new RegistryError(
      'invalid',
      `${what} must be SEQ:HASH as \`medpipe models audit\` prints it (e.g. 12:3f5a…, the full 64-character hash), got "${text}"`,
    );
  return { seq: Number(m[1]), hash: m[2] };
}

/** The head recorded beside the registry of a store folder, if any. A damaged file is reported, not ignored. */
export function readRecordedHead(storeDir: string): ChainHead | undefined {
  const file = join(storeDir, HEAD_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const json = JSON.parse(text) as { seq?: unknown; hash?: unknown };
    return parseHead(`${String(json.seq)}:${String(json.hash)}`, file);
  } catch {
    throw new RegistryError(
      'corrupt',
      `${file} is damaged: it should hold the audit chain's last sequence number and hash; restore it from a backup, or delete it to accept the registry as it is now`,
    );
  }
}

export function recordHead(storeDir: string, head: ChainHead): void {
  // The temporary file in the store's tmp/, which the next run cleans if this process is killed before the rename.
  writeFileDurably(join(storeDir, HEAD_FILE), `${JSON.stringify({ seq: head.seq, hash: head.hash })}\n`, { scratchDir: scratchDir(storeDir) });
}

/** Why a chain (already checked to be intact) does not contain `head`, or undefined when it does. `source` names where the head came from. */
export function missingHead(rows: readonly StoredAuditRow[], head: ChainHead, source: string): string | undefined {
  const row = rows[head.seq - 1];
  if (!row) {
    return `the registry is behind ${source}: it has ${rows.length} audit entr${rows.length === 1 ? 'y' : 'ies'}, but entry ${head.seq} was recorded; the database was emptied, replaced by an older copy, or its last entries were removed. Restore registry.db from a backup${source.includes(HEAD_FILE) ? `, or delete ${HEAD_FILE} to accept the registry as it is now` : ''}`;
  }
  if (row.hash !== head.hash)
    return `entry ${head.seq} has hash ${row.hash.slice(0, 16)}…, but ${source} recorded ${head.hash.slice(0, 16)}…: the log was rewritten from entry ${head.seq} or earlier`;
  return undefined;
}

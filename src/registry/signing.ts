/**
 * Optional signatures on audit entries. The hash chain shows that entries were edited, removed
 * or reordered, but someone who can write the database can also recompute every hash after an
 * edit. With MEDPIPE_AUDIT_KEY set (a secret held by the people and CI that register models),
 * each entry also carries an HMAC of its hash, which cannot be recomputed without the key.
 */
import { createHmac } from 'node:crypto';

/** The signing key, or undefined when entries are not signed. */
export function auditKey(): string | undefined {
  const key = process.env.MEDPIPE_AUDIT_KEY;
  return key ? key : undefined;
}

export function entryMac(key: string, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

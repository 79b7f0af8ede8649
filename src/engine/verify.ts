/**
 * `medpipe cache verify`: every artifact of the store hashed against its name, every cache entry
 * checked as a run would load it. What is damaged is set aside in quarantine/ (kept for
 * inspection, removed by `cache gc`), so the next run recomputes it instead of using it.
 *
 * The parsed files and custom steps' validators are emptied instead (as `cache gc` does): their
 * digests catch damage but not a file written on purpose, and a validator is code a run evaluates.
 * A store restored from a CI cache is trusted after this; they only spare a re-run work.
 */
import { clearCheckedFiles } from './checked-file.js';
import type { Store } from './store.js';

export interface VerifyReport {
  objects: number;
  objectBytes: number;
  entries: number;
  /** What was found damaged and set aside, one line each, naming the object or entry. */
  damaged: string[];
  /** Where damaged items are set aside. */
  quarantine: string;
}

export async function verifyStore(store: Store): Promise<VerifyReport> {
  const report: VerifyReport = { objects: 0, objectBytes: 0, entries: 0, damaged: [], quarantine: store.quarantineLocation };
  clearCheckedFiles(store.root);
  for (const { digest, size } of store.objects()) {
    report.objects++;
    report.objectBytes += size;
    const found = await store.verifyObject(digest);
    if (found.state !== 'damaged') continue;
    store.quarantineObject(digest);
    report.damaged.push(`artifact ${digest} does not match its digest (its content hashes to ${found.actual})`);
  }
  // After the objects: an entry whose artifact was just set aside is now a plain miss, not damage.
  for (const key of store.entries()) {
    report.entries++;
    const found = store.lookupEntry(key);
    if (found.state !== 'damaged') continue;
    if (found.digest) store.quarantineObject(found.digest);
    store.quarantineEntry(key);
    report.damaged.push(found.problem);
  }
  return report;
}

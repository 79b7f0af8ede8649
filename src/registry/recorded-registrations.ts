/**
 * What the store's run records say was registered: every register step that finished (computed
 * or cached) names the version it registered and its bundle. A registry that lacks one of them
 * has lost history, whatever its own audit chain says.
 */
import { listRunRecords } from '../engine/record.js';
import { LocalStore } from '../engine/local-store.js';

export interface RecordedRegistration {
  readonly runId: string;
  readonly step: string;
  readonly name: string;
  readonly version: number;
  readonly bundleDigest: string;
}

export function recordedRegistrations(storeDir: string): RecordedRegistration[] {
  const found: RecordedRegistration[] = [];
  for (const record of listRunRecords(new LocalStore(storeDir), Number.POSITIVE_INFINITY)) {
    for (const [step, s] of Object.entries(record.steps)) {
      if (s.uses !== 'register' || (s.status !== 'done' && s.status !== 'cached')) continue;
      const summary = s.summary as { name?: unknown; version?: unknown } | undefined;
      const bundleDigest = s.outputs?.bundle;
      if (typeof summary?.name !== 'string' || typeof summary.version !== 'number' || typeof bundleDigest !== 'string') continue;
      found.push({ runId: record.runId, step, name: summary.name, version: summary.version, bundleDigest });
    }
  }
  return found;
}

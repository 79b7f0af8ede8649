/**
 * `medpipe cache info` and `cache gc`: what the store holds, and removing what no pipeline's
 * latest run refers to. Artifacts that other parts of medpipe pin (the registry's bundles) are
 * listed in pins/*.json and kept too.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineState } from './plan.js';
import { filesUnder, lockIsStale, type CacheEntry, type Store } from './store.js';

export interface StoreInfo {
  root: string;
  objects: number;
  objectBytes: number;
  entries: number;
  runs: number;
  pipelines: { name: string; path: string; lastRunId: string; steps: number }[];
}

export function storeInfo(store: Store): StoreInfo {
  const objects = store.objects().map((o) => o.file);
  return {
    root: store.root,
    objects: objects.length,
    objectBytes: objects.reduce((s, f) => s + statSync(f).size, 0),
    entries: store.entries().length,
    runs: filesUnder(store.path('runs')).length,
    pipelines: pipelineStates(store).map((p) => ({ name: p.name, path: p.path, lastRunId: p.lastRunId, steps: Object.keys(p.steps).length })),
  };
}

function pipelineStates(store: Store): PipelineState[] {
  return filesUnder(store.path('pipelines'))
    .map((f) => store.readJson<PipelineState>(join('pipelines', f.split('/').pop() as string)))
    .filter((p): p is PipelineState => p !== undefined);
}

export interface GcResult {
  removedEntries: number;
  removedObjects: number;
  freedBytes: number;
  keptEntries: number;
  keptObjects: number;
  /** Lock files left by runs whose process is gone. */
  removedLocks: number;
  /** Damaged artifacts and entries that runs or `cache verify` set aside. */
  removedQuarantined: number;
}

/** Keeps what the latest run of each pipeline (and any pin) refers to; removes the rest. */
export function collectGarbage(store: Store): GcResult | { busy: string[] } {
  // A lock left by a killed run protects nothing: it must not block gc, and gc removes it.
  const allLocks = filesUnder(store.path('locks'));
  const locks = allLocks.filter((f) => !lockIsStale(f));
  if (locks.length) return { busy: locks };
  for (const f of allLocks) rmSync(f, { force: true });
  const quarantined = filesUnder(store.path('quarantine'));
  for (const f of quarantined) rmSync(f, { force: true });
  const keepKeys = new Set<string>();
  const keepDigests = new Set<string>();
  for (const p of pipelineStates(store)) {
    for (const s of Object.values(p.steps)) {
      keepKeys.add(s.key);
      for (const o of Object.values(s.outputs)) keepDigests.add(o.digest);
    }
  }
  for (const f of filesUnder(store.path('pins'))) {
    const pin = store.readJson<{ digests: string[] }>(join('pins', f.split('/').pop() as string));
    for (const d of pin?.digests ?? []) keepDigests.add(d);
  }
  const result: GcResult = { removedEntries: 0, removedObjects: 0, freedBytes: 0, keptEntries: 0, keptObjects: 0, removedLocks: allLocks.length, removedQuarantined: quarantined.length };
  for (const { file: f } of store.entries()) {
    const entry = store.readJson<CacheEntry>(f.slice(store.root.length + 1));
    if (entry && keepKeys.has(entry.key)) result.keptEntries++;
    else {
      rmSync(f, { force: true });
      result.removedEntries++;
    }
  }
  for (const { file: f, digest } of store.objects()) {
    if (keepDigests.has(digest)) result.keptObjects++;
    else {
      result.freedBytes += statSync(f).size;
      rmSync(f, { force: true });
      result.removedObjects++;
    }
  }
  return result;
}

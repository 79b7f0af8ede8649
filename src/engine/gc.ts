/**
 * `medpipe cache info` and `cache gc`: what the store holds, and removing what no pipeline's
 * latest run refers to. Artifacts that other parts of medpipe pin (the registry's bundles) are
 * listed in pins/*.json and kept too.
 */
import type { PipelineState } from './plan.js';
import type { Store } from './store.js';
import { clearCheckedFiles } from './checked-file.js';
import { STORE_FOLDERS } from './store-layout.js';

export interface StoreInfo {
  root: string;
  objects: number;
  objectBytes: number;
  entries: number;
  runs: number;
  pipelines: { name: string; path: string; lastRunId: string; steps: number }[];
}

export function storeInfo(store: Store): StoreInfo {
  const objects = store.objects();
  return {
    root: store.root,
    objects: objects.length,
    objectBytes: objects.reduce((s, o) => s + o.size, 0),
    entries: store.entries().length,
    runs: store.listJson(STORE_FOLDERS.runs).length,
    pipelines: pipelineStates(store).map((p) => ({ name: p.name, path: p.path, lastRunId: p.lastRunId, steps: Object.keys(p.steps).length })),
  };
}

function pipelineStates(store: Store): PipelineState[] {
  return store
    .listJson(STORE_FOLDERS.pipelines)
    .map((id) => store.readJson<PipelineState>(`${STORE_FOLDERS.pipelines}/${id}.json`))
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
  const allLocks = store.locks();
  const busy = allLocks.filter((l) => !l.stale);
  if (busy.length) return { busy: busy.map((l) => l.name) };
  for (const l of allLocks) store.removeLock(l.name);
  const removedQuarantined = store.clearQuarantine();
  // Caches that only spare a re-run work: the next run of each pipeline makes what it needs again.
  clearCheckedFiles(store.root);
  const keepKeys = new Set<string>();
  const keepDigests = new Set<string>();
  for (const p of pipelineStates(store)) {
    for (const s of Object.values(p.steps)) {
      keepKeys.add(s.key);
      for (const o of Object.values(s.outputs)) keepDigests.add(o.digest);
    }
  }
  for (const pin of store.listJson(STORE_FOLDERS.pins)) {
    for (const d of store.readJson<{ digests: string[] }>(`${STORE_FOLDERS.pins}/${pin}.json`)?.digests ?? []) keepDigests.add(d);
  }
  const result: GcResult = {
    removedEntries: 0,
    removedObjects: 0,
    freedBytes: 0,
    keptEntries: 0,
    keptObjects: 0,
    removedLocks: allLocks.length,
    removedQuarantined,
  };
  for (const key of store.entries()) {
    // A damaged entry is removed even under a kept key: the next run would only set it aside.
    if (keepKeys.has(key) && store.lookupEntry(key).state !== 'damaged') result.keptEntries++;
    else {
      store.deleteEntry(key);
      result.removedEntries++;
    }
  }
  for (const { digest, size } of store.objects()) {
    if (keepDigests.has(digest)) result.keptObjects++;
    else {
      result.freedBytes += size;
      store.deleteObject(digest);
      result.removedObjects++;
    }
  }
  return result;
}

/**
 * `run` with a remote cache (engine/remote-tier.ts), on a real file:// remote folder shared by
 * clones of one small real project: computed steps are pushed, an empty clone takes every step
 * from the remote and publishes byte-identical files, downloads are lazy and counted, damage on
 * the remote is refused and recomputed, read-only pushes nothing, a remote that is down is one
 * warning, and --remote-required makes it an error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clone, openRemote, outcomes, remoteFolder, STEPS } from './run-helpers.js';
import { runSummaryLines } from '../../src/cli/run-summary.js';
import { loadPipeline } from '../../src/engine/open.js';
import { objectName } from '../../src/engine/store-layout.js';
import { catalogue } from '../../src/steps/index.js';
import { RemoteRequiredError } from '../../src/remote/remote-cache.js';
import { RemoteError, type RemoteBackend } from '../../src/remote/backend.js';
import { FileBackend } from '../../src/remote/file-backend.js';
import type { RunRecord } from '../../src/engine/record.js';

/** Every file under a folder, relative, at any depth. */
function filesUnder(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const rel = prefix ? `${prefix}/${n}` : n;
    return statSync(join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

const remoteDir = remoteFolder('shared');
const a = clone('a');
let recordA: RunRecord;

/** The digests of a step's outputs in clone A's run. */
const outputsOf = (step: string): string[] => Object.values(recordA.steps[step].outputs ?? {});

test('clone A computes every step and pushes each one, artifacts and entry', async () => {
  const { remote, warnings } = openRemote(remoteDir);
  const { result } = await a.run(remote);
  recordA = result.record;
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { done: [...STEPS] });
  assert.deepEqual(warnings, []);
  const entries = filesUnder(remoteDir, 'entries');
  assert.equal(entries.length, STEPS.length);
  for (const id of STEPS) {
    assert.ok(
      entries.some((e) => e.endsWith(`/${recordA.steps[id].key}.json`)),
      `entry of ${id} pushed`,
    );
    for (const d of outputsOf(id)) assert.ok(statSync(join(remoteDir, objectName(d))).isFile(), `artifact of ${id} pushed`);
  }
  assert.deepEqual(result.record.remote?.location, `file://${remoteDir}`);
  assert.equal(result.record.remote?.stats.entriesUploaded, STEPS.length);
  assert.equal(result.record.remote?.stats.objectsDownloaded, 0);
  const line = runSummaryLines(await loadPipeline('p.yaml', { catalogue, cwd: a.dir }), result, a.dir).find((l) => l.includes('remote '));
  assert.match(line ?? '', /remote file:\/\/.*: 0 steps from the remote, 0 B downloaded, [\d.]+ kB uploaded/);
});

test('an empty clone B computes nothing: every step comes from the remote, and its metrics and lock files are byte-identical', async () => {
  const b = clone('b');
  const { remote, warnings } = openRemote(remoteDir);
  const { result, events } = await b.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { remote: [...STEPS] });
  assert.deepEqual(warnings, []);
  assert.ok(events.some((e) => e.type === 'step:cached' && e.source === 'remote'));
  assert.deepEqual(b.read('metrics/forest.json'), a.read('metrics/forest.json'));
  assert.deepEqual(b.read('p.lock.yaml'), a.read('p.lock.yaml'));
  // Lazy: only the published metrics were downloaded; nothing was pushed.
  assert.equal(remote.stats.objectsDownloaded, 1);
  assert.ok(b.store.hasObject(recordA.steps.eval.outputs?.metrics as string));
  assert.deepEqual(
    b.store.objects().map((o) => o.digest),
    [recordA.steps.eval.outputs?.metrics],
  );
  assert.equal(remote.stats.objectsUploaded + remote.stats.entriesUploaded, 0);
  // An entry is local only once all its artifacts are: none here (eval's predictions stayed on the remote).
  assert.deepEqual(b.store.entries(), []);
  const line = runSummaryLines(await loadPipeline('p.yaml', { catalogue, cwd: b.dir }), result, b.dir).find((l) => l.includes('remote '));
  assert.match(line ?? '', /remote file:\/\/.*: 5 steps from the remote, [\d.]+ kB downloaded, 0 B uploaded$/);
});

test('lazy: in a clone where only the last step must compute, exactly its inputs are downloaded', async () => {
  const c = clone('c', 200);
  const { remote } = openRemote(remoteDir);
  const { result } = await c.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { remote: ['load', 'split', 'prep', 'forest'], done: ['eval'] });
  const inputs = [recordA.steps.forest.outputs?.model, recordA.steps.prep.outputs?.test] as string[];
  assert.equal(remote.stats.objectsDownloaded, inputs.length);
  const evalOutputs = Object.values(result.record.steps.eval.outputs ?? {});
  assert.deepEqual(
    c.store
      .objects()
      .map((o) => o.digest)
      .sort(),
    [...inputs, ...evalOutputs].sort(),
  );
  // forest's only artifact is now local, so its entry is too; the computed eval was pushed.
  assert.ok(c.store.readEntry(recordA.steps.forest.key as string));
  assert.equal(remote.stats.entriesUploaded, 1);
});

test('--materialize downloads every output of the selected steps, and their entries become local', async () => {
  const d = clone('d');
  const { remote } = openRemote(remoteDir);
  const { result } = await d.run(remote, { materialize: true });
  assert.deepEqual(outcomes(result), { remote: [...STEPS] });
  const all = new Set(STEPS.flatMap(outputsOf));
  assert.equal(remote.stats.objectsDownloaded, all.size);
  assert.deepEqual(
    d.store
      .objects()
      .map((o) => o.digest)
      .sort(),
    [...all].sort(),
  );
  // Without the remote now, every step is a local hit.
  const again = await d.run(undefined);
  assert.deepEqual(outcomes(again.result), { cached: [...STEPS] });
});

test('--remote-read-only looks up and downloads but pushes nothing', async () => {
  const e = clone('e', 300);
  const before = filesUnder(remoteDir).sort();
  const { remote } = openRemote(remoteDir, { readOnly: true });
  const { result } = await e.run(remote);
  assert.deepEqual(outcomes(result), { remote: ['load', 'split', 'prep', 'forest'], done: ['eval'] });
  assert.equal(remote.stats.objectsUploaded + remote.stats.entriesUploaded, 0);
  assert.deepEqual(filesUnder(remoteDir).sort(), before);
  const line = runSummaryLines(await loadPipeline('p.yaml', { catalogue, cwd: e.dir }), result, e.dir).find((l) => l.includes('remote '));
  assert.match(line ?? '', /nothing uploaded \(read-only\)$/);
});

test('a damaged remote artifact a computing step needs is refused, its producer recomputed here, and the good bytes pushed back', async () => {
  const own = remoteFolder('damaged');
  const { remote: seed } = openRemote(own);
  const first = await clone('seed').run(seed);
  assert.equal(first.result.status, 'ok');
  const model = first.result.record.steps.forest.outputs?.model as string;
  const file = join(own, objectName(model));
  const bytes = readFileSync(file);
  bytes[10] ^= 0x01; // same size, so the entry still looks complete on the remote
  writeFileSync(file, bytes);

  const f = clone('f', 400);
  const { remote, warnings } = openRemote(own);
  const { result, events } = await f.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { remote: ['load', 'split', 'prep'], done: ['forest', 'eval'] });
  assert.equal(result.record.steps.forest.outputs?.model, model, 'recomputed to the same bytes');
  assert.ok(
    warnings.some((w) => w.includes(`artifact ${model.slice(0, 12)}… does not match its digest`)),
    warnings.join('\n'),
  );
  assert.ok(events.some((e) => e.type === 'step:warning' && e.step === 'eval' && e.message.includes('recomputing forest')));
  assert.ok(events.some((e) => e.type === 'run:warning'));
  // The refused bytes were removed and the recomputed forest pushed again: the remote is whole.
  const { remote: check } = openRemote(own);
  assert.equal((await check.lookupEntry(first.result.record.steps.forest.key as string)).state, 'hit');
  assert.equal(await check.fetchObject(model, clone('g').store), 'fetched');
});

test('steps a store computed without the remote are pushed by its next run with the remote, which computes nothing', async () => {
  const own = remoteFolder('share');
  const h = clone('h');
  await h.run(undefined);
  const { remote } = openRemote(own);
  const { result } = await h.run(remote);
  assert.deepEqual(outcomes(result), { cached: [...STEPS] });
  assert.equal(remote.stats.entriesUploaded, STEPS.length);
  // A second run finds them all there and sends nothing.
  const { remote: again } = openRemote(own);
  await h.run(again);
  assert.equal(again.stats.entriesUploaded + again.stats.objectsUploaded, 0);
  const { remote: fresh } = openRemote(own);
  assert.deepEqual(outcomes((await clone('h2').run(fresh)).result), { remote: [...STEPS] });
});

test('with a required remote that fails, runPipeline records the run as failed and rejects with RemoteRequiredError', async () => {
  const parent = remoteFolder('required');
  writeFileSync(join(parent, 'file'), 'x');
  const { remote } = openRemote(join(parent, 'file', 'remote'), { required: true });
  const r = clone('required');
  await assert.rejects(r.run(remote), (e: Error) => e instanceof RemoteRequiredError && e.message.startsWith(`remote file://${parent}/file/remote failed`));
  const records = r.store.listJson('runs').map((id) => r.store.readJson<RunRecord>(`runs/${id}.json`) as RunRecord);
  assert.equal(records.length, 1);
  assert.equal(records[0].status, 'failed');
  assert.equal(records[0].steps.load.status, 'failed');
  assert.match(records[0].steps.load.error ?? '', /^remote file:\/\/.* failed \(reading a cache entry\)/);
  assert.equal(records[0].steps.eval.status, 'skipped');
});

const REGISTER = '  reg: { uses: register, in: { model: forest, evaluation: eval, transform: prep.transform }, with: { name: bc-forest, alias: staging } }\n';

/** Whether the store's registry holds the registration a register step made under `key`. */
async function registered(storeDir: string, key: string): Promise<boolean> {
  const { Registry } = await import('../../src/registry/index.js');
  const registry = Registry.open(storeDir);
  try {
    return registry.hasRegistration('bc-forest', key);
  } finally {
    registry.close();
  }
}

test('a register step taken from the remote registers the cached registration here, without computing', async () => {
  const own = remoteFolder('register');
  const { remote: first } = openRemote(own);
  const seed = await clone('reg-a', 100, REGISTER).run(first);
  assert.equal(seed.result.status, 'ok');
  const b = clone('reg-b', 100, REGISTER);
  const { remote } = openRemote(own);
  const { result, events } = await b.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { remote: [...STEPS, 'reg'] });
  assert.ok(events.some((e) => e.type === 'step:log' && e.step === 'reg' && /from the cached registration/.test(e.message)));
  assert.ok(await registered(b.store.root, result.record.steps.reg.key as string));
  // Its outputs were downloaded to register them, so its entry is local: the next run is a local hit.
  assert.deepEqual(outcomes((await b.run(undefined)).result).cached?.includes('reg'), true);
});

test("a register step whose entry on the remote cannot restore the registration here (an experiment's) is run again, and says why", async () => {
  const own = remoteFolder('register-experiment');
  const { remote: first } = openRemote(own);
  // The same value as the pipeline's: the same keys, but an experiment, which registers nothing.
  const seed = await clone('reg-x', 100, REGISTER).run(first, {}, ['forest.trees=20']);
  assert.equal(seed.result.experiment, '--set forest.trees=20');
  const b = clone('reg-y', 100, REGISTER);
  const { remote } = openRemote(own);
  const { result, events } = await b.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { remote: [...STEPS], done: ['reg'] });
  assert.equal(result.record.steps.reg.key, seed.result.record.steps.reg.key);
  assert.equal(result.record.steps.reg.reasons?.[0].kind, 'effect-missing');
  assert.ok(events.some((e) => e.type === 'step:warning' && e.step === 'reg' && /not registered by the cached run/.test(e.message)));
  assert.ok(await registered(b.store.root, result.record.steps.reg.key as string));
});

test('with a required remote that refuses a push, the run stops there and rejects with RemoteRequiredError', async () => {
  const files = new FileBackend(remoteFolder('refuses'));
  const refusing: RemoteBackend = {
    location: files.location,
    download: (name, dest, options) => files.download(name, dest, options),
    read: (name) => files.read(name),
    stat: (name) => files.stat(name),
    list: (prefix) => files.list(prefix),
    remove: (name) => files.remove(name),
    write: async (name) => {
      throw new RemoteError(`${files.location}: writing ${name} failed: permission denied`, false);
    },
    close: () => files.close(),
  };
  const { remote } = openRemote(refusing, { required: true });
  const r = clone('refuses');
  await assert.rejects(r.run(remote), (e: Error) => e instanceof RemoteRequiredError && /uploading an artifact/.test(e.message));
  const record = r.store.readJson<RunRecord>(`runs/${r.store.listJson('runs')[0]}.json`) as RunRecord;
  assert.equal(record.status, 'failed');
  assert.equal(record.steps.load.status, 'done');
  assert.notEqual(record.steps.eval.status, 'done', 'the run stopped at the first push');
  const events = Object.values(record.steps).map((s) => s.status);
  assert.ok(events.includes('skipped') || events.includes('cancelled'));
});

test('a step that cannot be pushed (its artifact damaged here) is a warning, not a failure, and the run pushes no record naming it', async () => {
  const own = remoteFolder('unpushable');
  const u = clone('unpushable');
  const computed = await u.run(undefined);
  const split = computed.result.record.steps.split;
  const file = u.store.objectPath(split.outputs?.train as string);
  const bytes = readFileSync(file);
  bytes[0] ^= 0x01; // same size: the local entry still looks complete, and no step reads it in a cached run
  writeFileSync(file, bytes);
  const { remote } = openRemote(own);
  const { result, events } = await u.run(remote);
  assert.equal(result.status, 'ok');
  assert.deepEqual(outcomes(result), { cached: [...STEPS] });
  const warnings = events.filter((e) => e.type === 'run:warning').map((e) => (e as { message: string }).message);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^split was not pushed to file:\/\/\S+: artifact [0-9a-f]{12}… is damaged in the local store; not pushed$/);
  assert.equal(remote.stats.entriesUploaded, STEPS.length - 1);
  assert.deepEqual(filesUnder(own, 'records'), [], 'no record names a step the remote lacks');
});

/**
 * Every kind of file in the store, damaged at a seeded position: each output of each flagship
 * step (Arrow datasets, transform, selection, models, metrics, bundles, cards) flipped and
 * truncated, each cache entry, the run records, the pipeline state, file-digests.json,
 * pins/registry.json and registry.head.json. After each, a re-run (forcing a step that reads the
 * damaged artifact when a cached run would not read it) succeeds with committed files
 * byte-identical to the undamaged run's and every step's outputs and summary equal to the
 * undamaged run's, so no step used damaged bytes, and leaves the store intact (`cache verify`,
 * `models audit`). What a re-run cannot repair (run records, the recorded registry head) is
 * reported with a clear message, never an internal error.
 */
import { storePaths } from '../integrity/helpers.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, type CliResult } from '../helpers/cli.js';
import { committedFiles } from '../integrity/helpers.js';
import type { RunRecord } from '../../src/engine/record.js';
import { assertClearError, assertCommittedEqual, assertSameOutputs, assertSameSummaries, damage, type DamageKind, projectCopy, recordOf } from './helpers.js';
import { seeded, suiteSeed } from './seeded.js';

const SEED = suiteSeed(0x5eed0003);
const rng = seeded(SEED);
const PIPELINE = 'pipelines/breast-cancer.yaml';
const dir = projectCopy('damage');
const store = join(dir, '.medpipe');
const { objectPath, entryPath } = storePaths(store);
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let baseline: RunRecord;
let committed: Map<string, Buffer>;
/** Which steps read each output (`step.port`), from the pipeline's `in:` wiring. */
const consumers = new Map<string, string[]>();
/** Outputs copied into the checkout (`metrics_file`): a cached run reads and checks them. */
const published = new Set<string>();

async function run(...args: string[]): Promise<CliResult> {
  return runCli(dir, 'run', PIPELINE, ...args);
}

/** The re-run succeeded and is the undamaged run again: files, artifacts, summaries. */
function assertRepaired(r: CliResult, context: string): RunRecord {
  assert.equal(r.code, 0, `${context}: the re-run failed\n${r.err}${r.out}`);
  assert.doesNotMatch(r.out + r.err, /internal error/, context);
  const record = recordOf(dir, r.out);
  assertCommittedEqual(dir, committed, context);
  assertSameOutputs(record, baseline, context);
  assertSameSummaries(record, baseline, context);
  return record;
}

/** Nothing damaged is left in the store, and the registry is whole. */
async function assertStoreIntact(context: string): Promise<void> {
  const verify = await runCli(dir, 'cache', 'verify');
  assert.equal(verify.code, 0, `${context}: damage left in the store after the re-run:\n${verify.err}`);
  const audit = await runCli(dir, 'models', 'audit');
  assert.equal(audit.code, 0, `${context}: ${audit.err}`);
}

test('an undamaged run: the reference', async () => {
  const r = await run();
  assert.equal(r.code, 0, r.err + r.out);
  baseline = recordOf(dir, r.out);
  committed = committedFiles(dir);
  const spec = parse(readFileSync(join(dir, PIPELINE), 'utf8')) as { steps: Record<string, { in?: Record<string, string>; with?: Record<string, unknown> }> };
  for (const [id, step] of Object.entries(spec.steps)) {
    for (const ref of Object.values(step.in ?? {})) {
      const [producer, port] = ref.split('.');
      const ports = Object.keys(baseline.steps[producer].outputs ?? {});
      const output = `${producer}.${port ?? (ports.length === 1 ? ports[0] : 'unknown')}`;
      consumers.set(output, [...(consumers.get(output) ?? []), id]);
    }
    if (typeof step.with?.metrics_file === 'string') published.add(`${id}.metrics`);
  }
  assert.deepEqual(consumers.get('prep.train'), ['select', 'forest']);
  assert.ok(published.has('eval-svm.metrics'));
});

test(`each output of each step, flipped and truncated: never used, recomputed, restored (seed 0x${SEED.toString(16)})`, async (t) => {
  for (const [id, step] of Object.entries(baseline.steps)) {
    for (const [port, digest] of Object.entries(step.outputs ?? {})) {
      const output = `${id}.${port}`;
      const readers = consumers.get(output) ?? [];
      for (const kind of [rng.pick<DamageKind>(['flip', 'digit']), 'truncate' as const]) {
        const what = damage(objectPath(digest), kind, rng);
        // A published output is read by every run; another is read by a step that computes (forced
        // here); one that nothing reads is checked when the step that makes it computes again.
        const args = published.has(output) ? [] : readers.length ? [`--force=${rng.pick(readers)}`] : [`--force=${id}`];
        const context = `${output} (${kind}): ${what}; run ${args.join(' ')}`;
        t.diagnostic(context);
        assertRepaired(await run(...args), context);
        assert.equal(sha256(objectPath(digest)), digest, `${context}: the artifact is not restored`);
        await assertStoreIntact(context);
      }
    }
  }
});

test(`each cache entry, damaged: set aside and recomputed, never trusted (seed 0x${SEED.toString(16)})`, async (t) => {
  for (const [id, step] of Object.entries(baseline.steps)) {
    const what = damage(entryPath(step.key as string), rng.pick<DamageKind>(['flip', 'digit', 'truncate']), rng);
    const context = `the entry of ${id}: ${what}`;
    t.diagnostic(context);
    assertRepaired(await run(), context);
    await assertStoreIntact(context);
  }
});

test('a digit changed in the summary of a cache entry is not carried into the run record', async () => {
  // The flagship's SVM entry: the number of support vectors, which the report and `runs` show.
  const file = entryPath(baseline.steps.svm.key as string);
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('"support_vectors":') + '"support_vectors":'.length;
  assert.match(text.slice(at), /^\d/);
  writeFileSync(file, text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1));
  assertRepaired(await run(), 'support_vectors changed in the entry of svm');
  await assertStoreIntact('support_vectors changed in the entry of svm');
});

test(`the pipeline state, file-digests.json and pins/registry.json, damaged: the re-run is the undamaged run (seed 0x${SEED.toString(16)})`, async (t) => {
  const files = [join(store, 'pipelines', readdirSync(join(store, 'pipelines'))[0]), join(store, 'file-digests.json'), join(store, 'pins', 'registry.json')];
  for (const file of files) {
    for (const kind of [rng.pick<DamageKind>(['flip', 'digit']), 'truncate' as const]) {
      const what = damage(file, kind, rng);
      t.diagnostic(what);
      assertRepaired(await run(), what);
      const status = await runCli(dir, 'status', PIPELINE, '--json');
      assert.equal(status.code, 0, `${what}: ${status.err}`);
      for (const s of (JSON.parse(status.out) as { steps: { step: string; state: string; lock: string }[] }).steps)
        assert.deepEqual([s.step, s.state, s.lock], [s.step, 'cached', 'matches'], what);
      // The registry's bundles are kept by gc whatever happened to the pins.
      assert.equal((await runCli(dir, 'cache', 'gc')).code, 0, what);
      await assertStoreIntact(what);
    }
  }
});

test('a digit changed in the digest file-digests.json remembers for the data file does not reach the cache key', async () => {
  const file = join(store, 'file-digests.json');
  const memo = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { digest: string }>;
  const [path, entry] = Object.entries(memo)[0];
  const d = entry.digest;
  memo[path] = { ...entry, digest: d.slice(0, 20) + String((Number(/\d/.exec(d.slice(20))?.[0] ?? 0) + 1) % 10) + d.slice(21) };
  assert.notEqual(memo[path].digest, d);
  writeFileSync(file, JSON.stringify(memo));
  assertRepaired(await run(), 'a digit of the remembered digest of the data file changed');
});

test(`a run record, damaged: the next run is unaffected; runs and audit report, never crash (seed 0x${SEED.toString(16)})`, async (t) => {
  for (const kind of ['digit', 'flip', 'truncate'] as const) {
    const file = join(store, 'runs', `${baseline.runId}.json`);
    const intact = readFileSync(file);
    const what = damage(file, kind, rng);
    t.diagnostic(what);
    assertRepaired(await run(), what);
    const runs = await runCli(dir, 'runs', '--json', '--limit', '1000');
    assert.equal(runs.code, 0, `${what}: ${runs.err}`);
    // A record is history: no run can restore it. Audit reads the registrations recorded in it, so
    // it may fail, saying why; it never fails with an internal error.
    const audit = await runCli(dir, 'models', 'audit');
    if (audit.code !== 0) {
      assert.equal(audit.code, 1, what);
      assertClearError(audit.err, what);
    }
    writeFileSync(file, intact);
    await assertStoreIntact(`${what}, then restored`);
  }
});

test(`registry.head.json, damaged: runs and predict are unaffected; audit says the record is damaged or disagrees (seed 0x${SEED.toString(16)})`, async (t) => {
  const file = join(store, 'registry.head.json');
  const intact = join(store, 'registry.head.intact');
  copyFileSync(file, intact);
  const head = JSON.parse(readFileSync(file, 'utf8')) as { seq: number; hash: string };
  const rows = join(dir, 'rows.csv');
  writeFileSync(
    rows,
    readFileSync(join(dir, 'data', 'breast-cancer-wisconsin.csv'), 'utf8')
      .split('\n')
      .slice(0, 6)
      .join('\n') + '\n',
  );
  const expected = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', rows);
  assert.equal(expected.code, 0, expected.err);
  for (const kind of ['flip', 'digit', 'truncate'] as const) {
    const what = damage(file, kind, rng);
    t.diagnostic(what);
    assertRepaired(await run(), what);
    assert.equal((await runCli(dir, 'run', PIPELINE, '--force=register-svm')).code, 0, `${what}: a registering run`);
    const predicted = await runCli(dir, 'predict', 'breast-cancer-svm@staging', '--input', rows);
    assert.deepEqual([predicted.code, predicted.out], [0, expected.out], what);
    const audit = await runCli(dir, 'models', 'audit');
    let same = false;
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as { seq: number; hash: string };
      same = now.seq === head.seq && now.hash === head.hash;
    } catch {
      // not JSON any more
    }
    if (same) assert.equal(audit.code, 0, `${what}: the head still reads the same, ${audit.err}`);
    else {
      assert.equal(audit.code, 1, `${what}: audit passed with a damaged head record`);
      assertClearError(audit.err, what);
      assert.match(audit.err, /registry\.head\.json/, what);
    }
    copyFileSync(intact, file);
    await assertStoreIntact(`${what}, then restored`);
  }
});

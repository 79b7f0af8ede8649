/**
 * Issue 18's monitoring on the shipped pipelines/breast-cancer-monitoring.yaml, run from an empty
 * store in a copy of the project: drift found where scripts/drift-wisconsin.mjs put it and not on
 * a resample of the training rows; labelled metrics with intervals against the registered ones;
 * the history in the registry, its audit chain and `models show`; `medpipe monitor` and its
 * gates; a monitor step naming NAME@ALIAS re-runs when the alias moves; an old bundle without a
 * training summary gets a clear message; and the committed files are reproduced byte for byte.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';
import { LocalStore } from '../../src/engine/local-store.js';
import { latestCompleteRun } from '../../src/engine/record.js';
import { readDatasetFile } from '../../src/data/arrow.js';
import { takeRows } from '../../src/data/dataset.js';
import { createRng } from '../../src/rng.js';
import { readRowsForBundle } from '../../src/bundle/predict.js';
import { monitorRows, type MonitoringReport } from '../../src/monitor/monitor.js';
import { Registry } from '../../src/registry/index.js';
import type { ModelBundle } from '../../src/bundle/bundle.js';

const PIPELINE = 'pipelines/breast-cancer-monitoring.yaml';
const NAME = 'breast-cancer-forest-monitored';
const DRIFTED = 'data/breast-cancer-wisconsin-drifted.csv';
/** The columns the script scales (one scanner's lengths ×1.15, areas ×1.3225). */
const SCALED = ['mean_radius', 'mean_perimeter', 'mean_area', 'worst_radius', 'worst_perimeter', 'worst_area'];

let dir: string;
let storeDir: string;
let firstRun: { code: number; out: string; err: string };

before(async () => {
  dir = shippedProjectCopy('monitoring');
  storeDir = join(dir, '.medpipe');
  firstRun = await runCli(dir, 'run', PIPELINE, '--plain');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function bundleOf(store: LocalStore): ModelBundle {
  const record = latestCompleteRun(store);
  assert.ok(record);
  return JSON.parse(readFileSync(store.objectPath(record.steps.register.outputs?.bundle as string), 'utf8')) as ModelBundle;
}

test('the shipped monitoring pipeline reports the drift and the labelled metrics, and reproduces its committed files', () => {
  assert.equal(firstRun.code, 0, firstRun.err + firstRun.out);
  assert.match(firstRun.out, /monitor: .*recorded in the monitoring history of breast-cancer-forest-monitored@1/);
  const report = JSON.parse(readFileSync(join(dir, 'results/breast-cancer-monitoring.json'), 'utf8')) as MonitoringReport & { bundle: string };
  assert.equal(report.rows, 300);
  assert.equal(report.training_rows, 455);
  assert.ok((report.summary['psi.max'] as number) > 0.2, 'a large shift somewhere');
  assert.ok((report.summary['prediction.psi'] as number) > 0.1, 'the scores moved with the case mix');
  const drifted = report.drift.columns.filter((c) => c.ks?.drifted).map((c) => c.column);
  for (const c of SCALED) assert.ok(drifted.includes(c), `${c} drifted`);
  assert.equal(report.drift.correction, 'benjamini-hochberg');
  const texture = report.drift.columns.find((c) => c.column === 'mean_texture');
  assert.ok(texture && texture.missing.training === 0 && texture.missing.current > 0.03, 'the missing texture values are seen');
  // Labelled metrics: the registered evaluation's four, with intervals, beside their registered values.
  const perf = report.performance;
  assert.ok(perf);
  assert.deepEqual(Object.keys(perf.metrics), ['roc_auc', 'sensitivity', 'specificity', 'brier']);
  for (const [k, m] of Object.entries(perf.metrics)) {
    assert.ok(
      m.current.ci_low !== null &&
        m.current.ci_high !== null &&
        m.current.ci_low <= (m.current.value as number) &&
        (m.current.value as number) <= m.current.ci_high,
      k,
    );
    assert.ok(m.registered && typeof m.registered.value === 'number' && m.change !== null, k);
  }
  assert.deepEqual(
    perf.subgroups?.[0].groups.map((g) => g.value),
    ['A', 'B'],
  );
  assert.ok(report.passed && report.gates.length === 3);
  // What the repository commits is what a run from an empty store writes.
  for (const file of ['results/breast-cancer-monitoring.json', 'pipelines/breast-cancer-monitoring.lock.yaml'])
    assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(ROOT, file)), file);
});

test('no drift on a resample of the training rows; clear drift on the scanner-shifted rows', async () => {
  const store = new LocalStore(storeDir);
  const bundle = bundleOf(store);
  assert.ok(bundle.training && bundle.training.columns.length === 30);
  const record = latestCompleteRun(store);
  const train = await readDatasetFile(store.objectPath(record?.steps.split.outputs?.train as string));
  const rng = createRng(7);
  const resample = takeRows(
    train,
    Int32Array.from({ length: 300 }, () => rng.int(train.rowCount)),
  );
  const options = { bootstrap: { resamples: 0, seed: 0, confidence: 0.95 }, gates: {} };
  const same = await monitorRows(bundle, resample, 'the model', options);
  assert.equal(same.summary['ks.drifted'], 0);
  assert.ok((same.summary['psi.max'] as number) < 0.1, `psi.max ${same.summary['psi.max']}`);
  assert.ok((same.summary['prediction.psi'] as number) < 0.1);
  const shifted = await monitorRows(bundle, await readRowsForBundle(join(dir, DRIFTED), bundle), 'the model', options);
  assert.ok((shifted.summary['ks.drifted'] as number) >= 10, `ks.drifted ${shifted.summary['ks.drifted']}`);
  assert.ok((shifted.summary['psi.max'] as number) > 0.2);
});

test('medpipe monitor: a failed gate exits 1, and every check is in the history, the audit log and models show', async () => {
  const failed = await runCli(dir, 'monitor', `${NAME}@production`, '--input', DRIFTED, '--labels', 'diagnosis', '--gate', 'psi.max<0.2');
  assert.equal(failed.code, 1, failed.err);
  assert.match(failed.out, /gate failed: psi\.max = 0\.3\d*, required < 0\.2/);
  assert.match(failed.out, /roc_auc +0\.99\d/);
  const ok = await runCli(dir, 'monitor', `${NAME}@production`, '--input', DRIFTED, '--gate', 'roc_auc.ci_low>=0.9', '--labels', 'diagnosis', '--json');
  assert.equal(ok.code, 0, ok.err + ok.out);
  const json = JSON.parse(ok.out) as { check: number; passed: boolean };
  assert.equal(json.check, 3);
  const bad = await runCli(dir, 'monitor', `${NAME}@production`, '--input', DRIFTED, '--gate', 'psi.max 0.2');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--gate "psi.max 0.2": write a figure, an operator and a number/);
  const unknown = await runCli(dir, 'monitor', `${NAME}@production`, '--input', DRIFTED, '--gate', 'auc<0.2');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.err, /gate "auc" names nothing monitoring measures: use psi\.max/);

  const show = await runCli(dir, 'models', 'show', `${NAME}@1`);
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /Monitoring \(3 checks\):/);
  assert.match(show.out, /1 .* 300 +0\.309 +16 .*passed +pipeline breast-cancer-monitoring, step monitor/);
  assert.match(show.out, /2 .*FAILED +medpipe monitor data\/breast-cancer-wisconsin-drifted\.csv/);
  const log = await runCli(dir, 'models', 'log', NAME);
  assert.match(log.out, /monitoring check 2 of version 1: failed/);
  const audit = await runCli(dir, 'models', 'audit');
  assert.equal(audit.code, 0, audit.err + audit.out);
});

test('a monitor step naming NAME@ALIAS is cached until the alias moves, then runs again for the new version', async () => {
  const watch = (gates: string) =>
    [
      'medpipe: 1',
      'name: watch',
      'steps:',
      '  rows:',
      '    uses: load.csv',
      `    with: { path: ../${DRIFTED}, target: diagnosis, positive: malignant }`,
      '  watch:',
      '    uses: monitor',
      '    in: { data: rows }',
      `    with: { model: "${NAME}@production", gates: { ${gates} } }`,
      '',
    ].join('\n');
  writeFileSync(join(dir, 'pipelines/watch.yaml'), watch('"psi.max": "< 0.5"'));
  const first = await runCli(dir, 'run', 'pipelines/watch.yaml', '--plain');
  assert.equal(first.code, 0, first.err + first.out);
  // rows is the shipped pipeline's new-rows step: cached.
  assert.match(first.out, /1 ran, 1 cached/);
  const again = await runCli(dir, 'run', 'pipelines/watch.yaml', '--plain');
  assert.match(again.out, /0 ran, 2 cached/);

  // A second version (the same bundle, registered again), and production moved to it.
  const reg = Registry.open(storeDir);
  try {
    const v1 = reg.getVersion(`${NAME}@1`);
    reg.registerVersion({
      name: NAME,
      bundleDigest: v1.bundleDigest,
      metrics: v1.metrics,
      params: {},
      lineage: {},
      card: v1.card,
      alias: 'production',
      dedupeKey: 'v2',
    });
  } finally {
    reg.close();
  }
  const moved = await runCli(dir, 'run', 'pipelines/watch.yaml', '--plain');
  assert.equal(moved.code, 0, moved.err + moved.out);
  assert.match(moved.out, /1 ran, 1 cached/);
  assert.match(moved.out, /recorded in the monitoring history of breast-cancer-forest-monitored@2/);

  writeFileSync(join(dir, 'pipelines/watch.yaml'), watch('"psi.max": "< 0.2"'));
  const strict = await runCli(dir, 'run', 'pipelines/watch.yaml', '--plain');
  assert.equal(strict.code, 1);
  assert.match(strict.out + strict.err, /gate failed: psi\.max = 0\.3\d*, required < 0\.2/);
  const show = await runCli(dir, 'models', 'show', `${NAME}@2`);
  assert.match(show.out, /Monitoring \(2 checks\):[\s\S]*passed[\s\S]*FAILED +pipeline watch, step watch/);
});

test('a bundle without a training summary (registered before monitoring, or without in.train) gets a clear message', async () => {
  const reg = Registry.open(storeDir);
  let old: number;
  try {
    const v1 = reg.getVersion(`${NAME}@1`);
    const { training: _dropped, ...before } = JSON.parse(readFileSync(v1.bundlePath, 'utf8')) as ModelBundle;
    const file = join(mkdtempSync(join(tmpdir(), 'medpipe-old-bundle-')), 'bundle.json');
    writeFileSync(file, JSON.stringify(before));
    old = reg.registerVersion({
      name: NAME,
      bundleDigest: reg.storeBundle(file),
      metrics: {},
      params: {},
      lineage: {},
      card: '# old\n',
      dedupeKey: 'old',
    }).version;
  } finally {
    reg.close();
  }
  const r = await runCli(dir, 'monitor', `${NAME}@${old}`, '--input', DRIFTED);
  assert.notEqual(r.code, 0);
  assert.match(
    r.err,
    /breast-cancer-forest-monitored@\d has no training data summary, so there is nothing to compare new rows with: .*register it again with in: \{ train: split\.train \}/,
  );
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
});

test('the drifted data file is what its seeded script writes, byte for byte', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'medpipe-drift-')), 'drifted.csv');
  execFileSync(process.execPath, [join(ROOT, 'scripts/drift-wisconsin.mjs'), out]);
  assert.deepEqual(readFileSync(out), readFileSync(join(ROOT, DRIFTED)));
});

test('a registry that lost its checks gets them back from the cached runs, without computing', async () => {
  // The registry reset (as after restoring an old copy): the register and monitor steps are cached,
  // and each puts its effect back from its cache entry.
  for (const f of ['registry.db', 'registry.db-wal', 'registry.db-shm', 'registry.head.json']) rmSync(join(storeDir, f), { force: true });
  const r = await runCli(dir, 'run', PIPELINE, '--plain');
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /0 ran, 8 cached/);
  assert.match(r.out, /recorded the check of breast-cancer-forest-monitored@1 in the monitoring history from the cached run/);
  const show = await runCli(dir, 'models', 'show', `${NAME}@1`);
  assert.match(show.out, /Monitoring \(1 check\):\n.*\n +1 .*passed +pipeline breast-cancer-monitoring, step monitor/);
});

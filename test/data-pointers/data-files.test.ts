/**
 * Data files kept out of git behind a committed pointer, end to end with the real CLI and a real
 * file:// remote folder: `data add`, a clone that never had the file running the pipeline with the
 * bytes fetched from the remote (same keys, same lock file), `data pull`, a working copy that
 * differs from its pointer, a damaged remote copy, a damaged pointer. No message may hold a row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { runPipeline } from '../../src/engine/execute.js';
import { loadPipeline, openStore } from '../../src/engine/open.js';
import { plan } from '../../src/engine/plan.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { FileBackend } from '../../src/remote/file-backend.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { catalogue } from '../../src/steps/index.js';

/** Words only the rows hold: no message may contain them. */
const SECRETS = /ZEBRA|PT-SECRET|hypertension note/;

/** 60 patients; a quoted note spans two lines, so rows (records) differ from lines. */
function patientsCsv(rows = 60): string {
  const lines = ['patient,age,bmi,notes,outcome'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `PT-SECRET-${String(i).padStart(4, '0')},${30 + (i % 40)},${(20 + ((i * 7) % 15)).toFixed(1)},"ZEBRA ${i}\nhypertension note",${i % 3 === 0 ? 'yes' : 'no'}`,
    );
  return `${lines.join('\n')}\n`;
}

const PIPELINE = (path: string): string => `medpipe: 1
name: pointer-demo
steps:
  load:
    uses: load.csv
    with: { path: ${path}, target: outcome, positive: "yes", id: patient, columns: { notes: text } }
  split:
    uses: split
    in: { data: load }
    with: { test_size: 0.25, seed: 1 }
`;

interface Setup {
  readonly dir: string;
  readonly remoteDir: string;
  readonly remoteUrl: string;
}

function setup(): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-data-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'data/patients.csv'), patientsCsv());
  writeFileSync(join(dir, 'pipelines/demo.yaml'), PIPELINE('../data/patients.csv'));
  writeFileSync(join(dir, 'pipelines/via-pointer.yaml'), PIPELINE('../data/patients.csv.medpipe').replace('pointer-demo', 'pointer-demo-2'));
  const remoteDir = mkdtempSync(join(tmpdir(), 'medpipe-data-remote-'));
  return { dir, remoteDir, remoteUrl: pathToFileURL(remoteDir).href };
}

/** A clone as git would make it: the committed files, no data file (it is ignored), no store. */
function cloneOf(dir: string): string {
  const clone = mkdtempSync(join(tmpdir(), 'medpipe-data-clone-'));
  // Not the store (.medpipe/); pointer files (*.medpipe) are committed and come along.
  cpSync(dir, clone, { recursive: true, filter: (src) => !/[/\\]\.medpipe([/\\]|$)/.test(src) });
  rmSync(join(clone, 'data/patients.csv'), { force: true });
  return clone;
}

async function run(
  dir: string,
  file: string,
  remote?: RemoteCache,
  force?: true,
): Promise<{ status: string; events: EngineEvent[]; keys: Record<string, string> }> {
  const pipeline = await loadPipeline(file, { catalogue, cwd: dir });
  const events: EngineEvent[] = [];
  const result = await runPipeline(pipeline, openStore(pipeline.dir, undefined, dir), {
    concurrency: 1,
    onEvent: (e) => events.push(e),
    ...(remote ? { remote } : {}),
    ...(force ? { force } : {}),
  });
  return { status: result.status, events, keys: Object.fromEntries(Object.entries(result.record.steps).map(([id, s]) => [id, s.key ?? ''])) };
}

async function plannedKeys(dir: string, file: string): Promise<Record<string, string>> {
  const pipeline = await loadPipeline(file, { catalogue, cwd: dir });
  const planned = await plan(pipeline, openStore(pipeline.dir, undefined, dir));
  return Object.fromEntries(planned.steps.map(({ step, decision }) => [step, 'key' in decision && decision.key ? decision.key : '']));
}

function remoteOf(s: Setup): RemoteCache {
  return new RemoteCache(new FileBackend(s.remoteDir), { retries: 0 });
}

function assertNoRows(...texts: string[]): void {
  for (const t of texts) assert.doesNotMatch(t, SECRETS, 'a message holds a data row');
}

test('data add writes the pointer, ignores the file beside it, pins and pushes the bytes; again it changes nothing, after an edit it updates', async () => {
  const s = setup();
  const add = await runCli(s.dir, 'data', 'add', 'data/patients.csv', '--remote', s.remoteUrl);
  assert.equal(add.code, 0, add.err);
  assert.match(
    add.out,
    /^added data\/patients\.csv \(60 rows, [\d.]+ kB, sha256 [0-9a-f]{12}…\): wrote data\/patients\.csv\.medpipe; commit it instead of the file$/m,
  );
  assert.match(add.out, /^added \/patients\.csv to data\/\.gitignore/m);
  assert.match(add.out, /^pushed it to file:\/\//m);
  const pointer = JSON.parse(readFileSync(join(s.dir, 'data/patients.csv.medpipe'), 'utf8')) as { digest: string; size: number; rows: number };
  assert.deepEqual(Object.keys(pointer), ['medpipe_data', 'path', 'digest', 'size', 'rows']);
  assert.equal(pointer.rows, 60, 'records, not the 121 lines');
  assert.equal(pointer.size, Buffer.byteLength(patientsCsv()));
  assert.equal(readFileSync(join(s.dir, 'data/.gitignore'), 'utf8'), '/patients.csv\n');
  const store = join(s.dir, '.medpipe');
  assert.ok(existsSync(join(store, 'objects', pointer.digest.slice(0, 2), pointer.digest.slice(2))), 'in the local store');
  assert.ok(existsSync(join(s.remoteDir, 'objects', pointer.digest.slice(0, 2), pointer.digest.slice(2))), 'on the remote');
  assert.ok(existsSync(join(s.remoteDir, 'records/data', `${pointer.digest}.json`)), 'recorded for remote gc');
  const pins = readdirSync(join(store, 'pins')).map((f) => JSON.parse(readFileSync(join(store, 'pins', f), 'utf8')) as { digests: string[] });
  assert.deepEqual(
    pins.map((p) => p.digests),
    [[pointer.digest]],
  );

  // cache gc keeps a pinned data file though no run refers to it.
  const gc = await runCli(s.dir, 'cache', 'gc');
  assert.equal(gc.code, 0, gc.err);
  assert.ok(existsSync(join(store, 'objects', pointer.digest.slice(0, 2), pointer.digest.slice(2))), 'kept by cache gc');

  const again = await runCli(s.dir, 'data', 'add', 'data/patients.csv', '--remote', s.remoteUrl);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /^data\/patients\.csv\.medpipe already records data\/patients\.csv/m);
  assert.match(again.out, /has it already/);
  assert.equal(readFileSync(join(s.dir, 'data/.gitignore'), 'utf8'), '/patients.csv\n', 'no second line');

  writeFileSync(join(s.dir, 'data/patients.csv'), patientsCsv(50));
  const updated = await runCli(s.dir, 'data', 'add', 'data/patients.csv');
  assert.equal(updated.code, 0, updated.err);
  assert.match(updated.out, /^updated data\/patients\.csv\.medpipe: data\/patients\.csv \(50 rows, .*was sha256 /m);
  assert.match(updated.out, /no remote configured/);
  const after = JSON.parse(readFileSync(join(s.dir, 'data/patients.csv.medpipe'), 'utf8')) as { digest: string; rows: number };
  assert.equal(after.rows, 50);
  assert.notEqual(after.digest, pointer.digest);
  const pinsAfter = readdirSync(join(store, 'pins')).map((f) => JSON.parse(readFileSync(join(store, 'pins', f), 'utf8')) as { digests: string[] });
  assert.deepEqual(
    pinsAfter.map((p) => p.digests),
    [[after.digest]],
    'the pointer pins its new version',
  );
  assertNoRows(add.out, add.err, again.out, updated.out);
});

test('data add refuses a folder, a path outside the project, a pointer, a missing file and a file git tracks', async () => {
  const s = setup();
  const outside = mkdtempSync(join(tmpdir(), 'medpipe-data-outside-'));
  writeFileSync(join(outside, 'x.csv'), 'a\n1\n');
  const cases: [string[], RegExp][] = [
    [['data'], /data is a folder: data add takes one file at a time \(folders are not supported yet\)/],
    [[join(outside, 'x.csv')], /is outside the project/],
    [['../' + outside.split(/[\\/]/).pop() + '/x.csv'], /is outside the project/],
    [['data/patients.csv.medpipe'], /is a data pointer; give the data file itself: medpipe data add data\/patients\.csv/],
    [['data/nothing.csv'], /data\/nothing\.csv: file not found/],
    [[], /data add takes one file/],
  ];
  writeFileSync(join(s.dir, 'data/patients.csv.medpipe'), '{}');
  for (const [args, expected] of cases) {
    const r = await runCli(s.dir, 'data', 'add', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.err, expected);
  }
  execFileSync('git', ['-C', s.dir, 'init', '-q']);
  execFileSync('git', ['-C', s.dir, 'add', 'data/patients.csv']);
  const tracked = await runCli(s.dir, 'data', 'add', 'data/patients.csv');
  assert.equal(tracked.code, 2);
  assert.match(tracked.err, /data\/patients\.csv is tracked by git: run git rm --cached data\/patients\.csv first \(it stays on disk\)/);
  execFileSync('git', ['-C', s.dir, 'rm', '-q', '--cached', 'data/patients.csv']);
  const ok = await runCli(s.dir, 'data', 'add', 'data/patients.csv');
  assert.equal(ok.code, 0, ok.err);
  assert.equal(
    execFileSync('git', ['-C', s.dir, 'status', '--porcelain', '--untracked-files=all', '--', 'data/'], { encoding: 'utf8' }).trim(),
    '?? data/.gitignore\n?? data/patients.csv.medpipe',
    'git sees the pointer and the .gitignore, not the data file',
  );
  // A name with glob characters is escaped, so the line ignores that file and no other.
  writeFileSync(join(s.dir, 'data/lab [2024].csv'), 'a,b\n1,2\n');
  writeFileSync(join(s.dir, 'data/lab 2.csv'), 'a,b\n1,2\n');
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/lab [2024].csv')).code, 0);
  assert.match(readFileSync(join(s.dir, 'data/.gitignore'), 'utf8'), /^\/lab \\\[2024\]\.csv$/m);
  const seen = execFileSync('git', ['-C', s.dir, 'status', '--porcelain', '--untracked-files=all', '--', 'data/'], { encoding: 'utf8' });
  assert.doesNotMatch(seen, /lab \[2024\]\.csv"?\n/, 'the data file is ignored');
  assert.match(seen, /lab \[2024\]\.csv\.medpipe/);
  assert.match(seen, /lab 2\.csv/, 'a file the pattern must not match');
  // A rule that would keep the pointer out of git is named.
  writeFileSync(join(s.dir, '.gitignore'), '*.medpipe\n');
  const hidden = await runCli(s.dir, 'data', 'add', 'data/patients.csv');
  assert.equal(hidden.code, 0, hidden.err);
  assert.match(
    hidden.err,
    /data\/patients\.csv\.medpipe is ignored by git \(a \.gitignore rule matches it\), but it must be committed: git add -f data\/patients\.csv\.medpipe/,
  );
});

test('a clone that never had the file runs the pipeline with the bytes from the remote: same keys, same lock file', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv', '--remote', s.remoteUrl)).code, 0);
  const original = await run(s.dir, 'pipelines/demo.yaml');
  assert.equal(original.status, 'ok');
  const lock = readFileSync(join(s.dir, 'pipelines/demo.lock.yaml'), 'utf8');

  const clone = cloneOf(s.dir);
  assert.ok(!existsSync(join(clone, 'data/patients.csv')) && !existsSync(join(clone, '.medpipe')));
  assert.ok(existsSync(join(clone, 'data/patients.csv.medpipe')));
  // Planned with only the pointer, the keys are those planned with the file: what lets a remote cache hit happen without the data.
  assert.deepEqual(await plannedKeys(clone, 'pipelines/demo.yaml'), await plannedKeys(s.dir, 'pipelines/demo.yaml'));
  const status = await runCli(clone, 'status', 'pipelines/demo.yaml');
  assert.equal(status.code, 0, status.err);
  assert.match(
    status.out,
    /^data\/patients\.csv is not pulled \(data\/patients\.csv\.medpipe records it\): its bytes are not in the local store either, so a run that computes with it needs the remote; medpipe data pull restores the file$/m,
  );

  // The committed lock file is removed, so the one compared below is the one the clone's run wrote.
  rmSync(join(clone, 'pipelines/demo.lock.yaml'));
  const remote = remoteOf(s);
  const cloned = await run(clone, 'pipelines/demo.yaml', remote);
  assert.equal(cloned.status, 'ok', JSON.stringify(cloned.events.filter((e) => e.type === 'step:failed')));
  assert.deepEqual(cloned.keys, original.keys);
  assert.equal(remote.stats.objectsDownloaded, 1, 'the data file, fetched once');
  assert.equal(readFileSync(join(clone, 'pipelines/demo.lock.yaml'), 'utf8'), lock, 'byte-identical lock file');
  assert.ok(!existsSync(join(clone, 'data/patients.csv')), 'a run reads the bytes from the store; it does not write the data file into the checkout');
  const loaded = cloned.events.find((e) => e.type === 'step:log' && e.step === 'load');
  assert.match(loaded && 'message' in loaded ? loaded.message : '', /loaded 60 rows/);

  // The pointer named directly works the same, from the local store now (nothing more is downloaded).
  const direct = await run(clone, 'pipelines/via-pointer.yaml', remote);
  assert.equal(direct.status, 'ok');
  assert.equal(remote.stats.objectsDownloaded, 1);
  // And the bytes stay after cache gc: the run pinned them.
  assert.equal((await runCli(clone, 'cache', 'gc')).code, 0);
  const offline = await run(clone, 'pipelines/via-pointer.yaml', undefined, true);
  assert.equal(offline.status, 'ok', 'recomputed from the local store without the remote');
});

test('without the bytes anywhere, the loader fails naming the pointer and saying to pull or configure the remote', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv')).code, 0);
  const clone = cloneOf(s.dir);
  const r = await runCli(clone, 'run', 'pipelines/demo.yaml');
  assert.equal(r.code, 1);
  assert.match(
    r.out + r.err,
    /load: FAILED .*: data\/patients\.csv\.medpipe: data\/patients\.csv \(sha256 [0-9a-f]{12}…\) is not in the local store, and no remote is configured \(run medpipe data pull data\/patients\.csv\.medpipe with a remote/,
  );
  const empty = mkdtempSync(join(tmpdir(), 'medpipe-data-empty-remote-'));
  const missing = await run(clone, 'pipelines/demo.yaml', new RemoteCache(new FileBackend(empty), { retries: 0 }));
  assert.equal(missing.status, 'failed');
  const failed = missing.events.find((e) => e.type === 'step:failed');
  assert.match(
    failed && 'error' in failed ? String(failed.error) : JSON.stringify(failed),
    /is neither in the local store nor on remote file:\/\/.*push them from a machine that has the file: medpipe data add data\/patients\.csv --remote/,
  );
  assertNoRows(r.out, r.err, JSON.stringify(missing.events));
});

test('a damaged remote copy is refused: the run and data pull fail clearly and nothing damaged enters the store', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv', '--remote', s.remoteUrl)).code, 0);
  const { digest } = JSON.parse(readFileSync(join(s.dir, 'data/patients.csv.medpipe'), 'utf8')) as { digest: string };
  const object = join(s.remoteDir, 'objects', digest.slice(0, 2), digest.slice(2));
  writeFileSync(object, patientsCsv().replace('ZEBRA 7', 'ZEBRA 8'));
  const clone = cloneOf(s.dir);
  const warnings: string[] = [];
  const result = await run(
    clone,
    'pipelines/demo.yaml',
    new RemoteCache(new FileBackend(s.remoteDir), { retries: 0, readOnly: true, onWarning: (m) => warnings.push(m) }),
  );
  assert.equal(result.status, 'failed');
  const failed = result.events.find((e) => e.type === 'step:failed' && e.step === 'load');
  const message = failed && 'error' in failed ? String(failed.error) : JSON.stringify(failed);
  assert.match(
    message,
    /data\/patients\.csv\.medpipe: remote file:\/\/.* has a damaged copy of data\/patients\.csv \(sha256 [0-9a-f]{12}…\): its bytes do not match the digest; refused/,
  );
  assert.ok(!existsSync(join(clone, '.medpipe/objects', digest.slice(0, 2), digest.slice(2))), 'never stored');
  assert.ok(warnings.some((w) => /does not match its digest/.test(w)));

  const pull = await runCli(clone, 'data', 'pull', '--remote', s.remoteUrl);
  assert.equal(pull.code, 1);
  assert.match(pull.err, /has a damaged copy of data\/patients\.csv/);
  assert.ok(!existsSync(join(clone, 'data/patients.csv')), 'no damaged data file written');
  assertNoRows(message, pull.out, pull.err, warnings.join('\n'));
});

test('data pull restores every pointer byte for byte, from the remote or the local store, and leaves a changed file alone unless --force', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv', '--remote', s.remoteUrl)).code, 0);
  mkdirSync(join(s.dir, 'data/scans'));
  writeFileSync(join(s.dir, 'data/scans/scan.bin'), Buffer.from([0, 1, 2, 255, 254]));
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/scans/scan.bin', '--remote', s.remoteUrl)).code, 0);
  assert.doesNotMatch(readFileSync(join(s.dir, 'data/scans/scan.bin.medpipe'), 'utf8'), /rows/, 'no row count for a file that is not CSV/TSV');
  const clone = cloneOf(s.dir);
  rmSync(join(clone, 'data/scans/scan.bin'));

  const pull = await runCli(clone, 'data', 'pull', '--remote', s.remoteUrl);
  assert.equal(pull.code, 0, pull.err);
  assert.match(pull.out, /^restored data\/patients\.csv \(60 rows, [\d.]+ kB\) from file:\/\//m);
  assert.match(pull.out, /^restored data\/scans\/scan\.bin \(0\.0 kB\) from file:\/\//m);
  assert.match(pull.out, /^2 restored, 0 already up to date$/m);
  assert.ok(readFileSync(join(clone, 'data/patients.csv')).equals(readFileSync(join(s.dir, 'data/patients.csv'))));
  assert.ok(readFileSync(join(clone, 'data/scans/scan.bin')).equals(Buffer.from([0, 1, 2, 255, 254])));
  assert.deepEqual(
    readdirSync(join(clone, 'data')).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left',
  );

  // Changed locally: left alone, and said so; status says so too.
  writeFileSync(join(clone, 'data/patients.csv'), patientsCsv(10));
  const status = await runCli(clone, 'status', 'pipelines/demo.yaml');
  assert.match(
    status.out,
    /^data\/patients\.csv differs from data\/patients\.csv\.medpipe: run medpipe data add data\/patients\.csv to record the change, or medpipe data pull --force data\/patients\.csv\.medpipe to restore it/m,
  );
  const kept = await runCli(clone, 'data', 'pull', 'data/patients.csv');
  assert.equal(kept.code, 0, kept.err);
  assert.match(kept.err, /data\/patients\.csv differs from data\/patients\.csv\.medpipe: left as it is .*--force/);
  assert.match(kept.out, /^0 restored, 0 already up to date, 1 changed and left as they are$/m);
  assert.equal(readFileSync(join(clone, 'data/patients.csv'), 'utf8'), patientsCsv(10));
  // --force restores it, from the local store: no remote needed now.
  const forced = await runCli(clone, 'data', 'pull', '--force', 'data/patients.csv.medpipe');
  assert.equal(forced.code, 0, forced.err);
  assert.match(forced.out, /^replaced data\/patients\.csv \(60 rows, [\d.]+ kB\) from the local store$/m);
  assert.ok(readFileSync(join(clone, 'data/patients.csv')).equals(readFileSync(join(s.dir, 'data/patients.csv'))));
  const again = await runCli(clone, 'data', 'pull');
  assert.match(again.out, /^0 restored, 2 already up to date$/m);
  const unknown = await runCli(clone, 'data', 'pull', 'data/other.csv');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /data\/other\.csv has no data pointer \(data\/other\.csv\.medpipe not found\)/);
  assertNoRows(pull.out, pull.err, status.out, kept.out, kept.err, forced.out);
});

test('a working copy that differs from its pointer: status says so, and the run reads the pointer’s bytes, with a warning', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv')).code, 0);
  const before = await run(s.dir, 'pipelines/demo.yaml');
  writeFileSync(join(s.dir, 'data/patients.csv'), patientsCsv(30));
  // The key follows the committed pointer, not the working copy.
  assert.deepEqual(await plannedKeys(s.dir, 'pipelines/demo.yaml'), before.keys);
  const forced = await run(s.dir, 'pipelines/demo.yaml', undefined, true);
  assert.equal(forced.status, 'ok');
  const warning = forced.events.find((e) => e.type === 'step:warning' && e.step === 'load');
  assert.match(
    warning && 'message' in warning ? warning.message : '',
    /^data\/patients\.csv differs from data\/patients\.csv\.medpipe: the pointer is what is committed, so its bytes are used; run medpipe data add data\/patients\.csv to record the change/,
  );
  const loaded = forced.events.find((e) => e.type === 'step:log' && e.step === 'load');
  assert.match(loaded && 'message' in loaded ? loaded.message : '', /loaded 60 rows/, 'the 60 rows the pointer records, not the 30 of the working copy');
  assert.deepEqual(forced.keys, before.keys);
  // Recording the change re-keys the load.
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv')).code, 0);
  const after = await plannedKeys(s.dir, 'pipelines/demo.yaml');
  assert.notEqual(after.load, before.keys.load);
});

test('a damaged pointer stops the pipeline at validation, naming the pointer and what is wrong', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv')).code, 0);
  writeFileSync(
    join(s.dir, 'data/patients.csv.medpipe'),
    readFileSync(join(s.dir, 'data/patients.csv.medpipe'), 'utf8').replace(/"digest": "[0-9a-f]+"/, '"digest": "xyz"'),
  );
  for (const file of ['pipelines/demo.yaml', 'pipelines/via-pointer.yaml']) {
    const r = await runCli(s.dir, 'run', file);
    assert.equal(r.code, 2, r.out);
    assert.match(r.err, /with\.path: \.\.\/data\/patients\.csv\.medpipe: not a valid data pointer: "digest" must be a sha256 digest \(64 hex digits\)/);
  }
  const pull = await runCli(s.dir, 'data', 'pull');
  assert.equal(pull.code, 1);
  assert.match(pull.err, /data\/patients\.csv\.medpipe: not a valid data pointer: "digest" must be a sha256 digest/);
});

test('a published file may not overwrite a data file read through its pointer, nor the pointer of one', async () => {
  const s = setup();
  assert.equal((await runCli(s.dir, 'data', 'add', 'data/patients.csv')).code, 0);
  const publishing = (path: string, metrics: string): string =>
    `${PIPELINE(path)}  svm: { uses: train.svm, in: { train: split.train } }\n  eval: { uses: evaluate, in: { model: svm, test: split.test }, with: { metrics_file: ${metrics} } }\n`;
  const cases: [string, string, string][] = [
    ['../data/patients.csv.medpipe', '../data/patients.csv', 'data/patients.csv'],
    ['../data/patients.csv', '../data/patients.csv.medpipe', 'data/patients.csv.medpipe'],
  ];
  for (const [path, metrics, overwritten] of cases) {
    writeFileSync(join(s.dir, 'pipelines/publish.yaml'), publishing(path, metrics));
    const r = await runCli(s.dir, 'validate', 'pipelines/publish.yaml');
    assert.equal(r.code, 1, `${path} / ${metrics}: ${r.out}`);
    assert.match(
      r.err,
      new RegExp(`with\\.metrics_file: would overwrite the file step "load" reads \\(with\\.path\\): .*/${overwritten.replace(/\./g, '\\.')} `),
    );
  }
});

test('a large data file shows its progress while it moves to and from the remote', async () => {
  const s = setup();
  const big = Buffer.alloc(9 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  writeFileSync(join(s.dir, 'data/big.bin'), big);
  const add = await runCli(s.dir, 'data', 'add', 'data/big.bin', '--remote', s.remoteUrl);
  assert.equal(add.code, 0, add.err);
  assert.match(add.err, /^medpipe: uploading data\/big\.bin: 100% of 9\.4 MB$/m);
  const small = await runCli(s.dir, 'data', 'add', 'data/patients.csv', '--remote', s.remoteUrl);
  assert.doesNotMatch(small.err, /uploading/, 'no progress for a small file');
  const clone = cloneOf(s.dir);
  rmSync(join(clone, 'data/big.bin'));
  const pull = await runCli(clone, 'data', 'pull', 'data/big.bin', '--remote', s.remoteUrl);
  assert.equal(pull.code, 0, pull.err);
  assert.deepEqual(
    pull.err.split('\n').filter((l) => l.includes('downloading')),
    [25, 50, 75, 100].map((p) => `medpipe: downloading data/big.bin: ${p}% of 9.4 MB`),
  );
  assert.ok(readFileSync(join(clone, 'data/big.bin')).equals(big));
});

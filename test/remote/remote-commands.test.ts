/**
 * `medpipe remote add|list|remove|gc`, `push` and `pull` through the real CLI, against a real
 * file:// remote folder and a git repository made by the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { FileBackend } from '../../src/remote/file-backend.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { remoteGc } from '../../src/remote/remote-gc.js';
import { pipelineRecords, pushPipelineRecord } from '../../src/remote/remote-records.js';
import { LocalStore } from '../../src/engine/local-store.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';

/** A copy of the shipped project and an empty file:// remote folder, both removed after `body`. */
async function withProjectAndRemote(prefix: string, body: (dir: string, remoteDir: string) => Promise<void>): Promise<void> {
  const dir = shippedProjectCopy(prefix);
  const remoteDir = mkdtempSync(join(tmpdir(), 'medpipe-remote-'));
  try {
    await body(dir, remoteDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(remoteDir, { recursive: true, force: true });
  }
}

test('remote add, list and remove edit medpipe.config.yaml, keep its comments, and refuse credentials in a URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-remote-cfg-'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  try {
    let r = await runCli(dir, 'remote', 'add', 'team', 's3://bucket/medpipe?endpoint=http://127.0.0.1:9000', '--default');
    assert.equal(r.code, 0, r.err);
    writeFileSync(join(dir, 'medpipe.config.yaml'), `# the team's shared cache\n${readFileSync(join(dir, 'medpipe.config.yaml'), 'utf8')}`);
    r = await runCli(dir, 'remote', 'add', 'nfs', 'file:///mnt/shared/medpipe');
    assert.equal(r.code, 0, r.err);
    r = await runCli(dir, 'remote', 'list');
    assert.match(r.out, /^\* team\ts3:\/\/bucket\/medpipe\?endpoint=http:\/\/127\.0\.0\.1:9000$/m);
    assert.match(r.out, /^ {2}nfs\tfile:\/\/\/mnt\/shared\/medpipe$/m);
    assert.match(readFileSync(join(dir, 'medpipe.config.yaml'), 'utf8'), /# the team's shared cache/);

    r = await runCli(dir, 'remote', 'add', 'leaky', 's3://AKIAEXAMPLE:s3cr3t@bucket/x');
    assert.equal(r.code, 2);
    assert.match(r.err, /must not hold credentials/);
    assert.doesNotMatch(r.err + r.out, /s3cr3t/);
    assert.doesNotMatch(readFileSync(join(dir, 'medpipe.config.yaml'), 'utf8'), /leaky/);

    r = await runCli(dir, 'remote', 'remove', 'team');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /it was the default/);
    r = await runCli(dir, 'remote', 'list', '--json');
    assert.deepEqual(JSON.parse(r.out), { default: null, remotes: { nfs: 'file:///mnt/shared/medpipe' } });

    // A name that is not in the config is an error, not a folder named after the typo.
    r = await runCli(dir, 'remote', 'gc', '--remote', 'tema');
    assert.equal(r.code, 2);
    assert.match(r.err, /no remote named "tema" \(the remotes are nfs\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config that medpipe cannot read is named with its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-remote-cfg-'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  try {
    writeFileSync(join(dir, 'medpipe.config.yaml'), 'remotes:\n  team: s3://b/p\ndefault_remot: team\n');
    const r = await runCli(dir, 'remote', 'list');
    assert.equal(r.code, 1);
    assert.match(r.err, /medpipe\.config\.yaml:3: unknown setting "default_remot"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('push from one store and pull into an empty one: the pulled store runs every step from cache (registering the cached versions), with byte-identical metrics and lock file', async () => {
  await withProjectAndRemote('push-pull', async (dir, remoteDir) => {
    const remote = pathToFileURL(remoteDir).href;
    let r = await runCli(dir, 'run', PIPELINE, '--store', 'store-a');
    assert.equal(r.code, 0, r.err);
    const metrics = readFileSync(join(dir, 'metrics/breast-cancer-svm.json'));
    const lock = readFileSync(join(dir, 'pipelines/breast-cancer.lock.yaml'));
    r = await runCli(dir, 'push', PIPELINE, '--store', 'store-a', '--remote', remote);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /pushed 10 steps/);
    r = await runCli(dir, 'push', PIPELINE, '--store', 'store-a', '--remote', remote);
    assert.match(r.out, /^0 artifacts uploaded/m, 'a second push uploads nothing');

    rmSync(join(dir, 'metrics'), { recursive: true });
    r = await runCli(dir, 'pull', PIPELINE, '--store', 'store-b', '--remote', remote);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /pulled 10 steps/);
    r = await runCli(dir, 'run', PIPELINE, '--store', 'store-b', '--json');
    assert.equal(r.code, 0, r.err);
    const done = r.out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; step?: string });
    assert.deepEqual(
      done.filter((e) => e.type === 'step:done').map((e) => e.step),
      [],
      'nothing computed: the register steps register their cached registrations into this store',
    );
    assert.equal(done.filter((e) => e.type === 'step:cached').length, 10);
    const summary = done.find((e) => e.type === 'run:summary') as unknown as { lines: string[] };
    assert.ok(summary.lines.includes('register-svm: registered breast-cancer-svm@1 (alias staging) from the cached registration'), summary.lines.join('\n'));
    assert.match((await runCli(dir, 'models', 'list', '--store', 'store-b')).out, /breast-cancer-svm\s+1\s+1\s+staging=1/);
    assert.deepEqual(readFileSync(join(dir, 'metrics/breast-cancer-svm.json')), metrics);
    assert.deepEqual(readFileSync(join(dir, 'pipelines/breast-cancer.lock.yaml')), lock);
  });
});

test('pull refuses a remote artifact that does not match its digest and says which step could not be pulled', async () => {
  await withProjectAndRemote('pull-damaged', async (dir, remoteDir) => {
    assert.equal((await runCli(dir, 'run', PIPELINE, '--store', 'a', '--only', 'split')).code, 0);
    // --only writes the pipeline state for what ran: push it.
    const pushed = await runCli(dir, 'push', PIPELINE, '--store', 'a', '--remote', remoteDir);
    assert.equal(pushed.code, 0, pushed.err);
    const objects = await new RemoteCache(new FileBackend(remoteDir)).listObjects();
    assert.ok(objects?.length);
    const victim = join(remoteDir, ...(objects?.[0].name.split('/') ?? []));
    const bytes = readFileSync(victim);
    bytes[0] ^= 1;
    writeFileSync(victim, bytes);
    const r = await runCli(dir, 'pull', PIPELINE, '--store', 'b', '--remote', remoteDir);
    assert.equal(r.code, 1);
    assert.match(r.err, /does not match its digest.*refused/);
    assert.match(r.err, /an artifact is damaged on the remote/);
    assert.ok(!existsSync(victim), 'the damaged remote copy is removed so the next push replaces it');
  });
});

test('remote gc keeps what recent runs on main use and each pipeline newest on main, removes the rest only with --delete', async () => {
  await withProjectAndRemote('remote-gc', async (dir, remoteDir) => {
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, '.gitignore'), '.medpipe/\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'main');
    assert.equal((await runCli(dir, 'run', PIPELINE, '--only', 'split')).code, 0);
    assert.equal((await runCli(dir, 'push', PIPELINE, '--remote', remoteDir)).code, 0);
    // A branch changes the split: its entries are used by no run on main.
    git(dir, 'checkout', '-qb', 'feature');
    const file = join(dir, PIPELINE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('test_size: 0.2', 'test_size: 0.25'));
    git(dir, 'commit', '-qam', 'feature');
    assert.equal((await runCli(dir, 'run', PIPELINE, '--only', 'split')).code, 0);
    assert.equal((await runCli(dir, 'push', PIPELINE, '--remote', remoteDir)).code, 0);

    const cache = new RemoteCache(new FileBackend(remoteDir));
    const later = new Date(Date.now() + 2 * 3600_000); // past the in-flight grace hour
    const dry = await remoteGc(cache, { projectDir: dir, ref: 'main', keepDays: 30, remove: false, now: later });
    assert.equal(dry.keptRecords, 1);
    assert.equal(dry.removableRecords, 1);
    assert.equal(dry.removableEntries, 1, 'the branch changed only the split step');
    assert.ok(dry.removableObjects >= 2, 'its train and test tables');
    const before = (await cache.listObjects())?.length;
    assert.equal((await cache.listObjects())?.length, before, 'a dry run removes nothing');

    // Long after: main's newest record is still kept, however old.
    const done = await remoteGc(cache, { projectDir: dir, ref: 'main', keepDays: 30, remove: true, now: new Date(Date.now() + 365 * 86_400_000) });
    assert.equal(done.keptRecords, 1);
    assert.equal((await cache.listEntries())?.length, done.keptEntries);
    assert.equal((await cache.listObjects())?.length, (before ?? 0) - done.removableObjects);

    git(dir, 'checkout', '-q', 'main');
    const r = await runCli(dir, 'pull', PIPELINE, '--store', 'fresh', '--remote', remoteDir);
    assert.equal(r.code, 0, r.err);

    // Through the CLI, now (inside the grace hour): nothing is removed, and it says it is a dry run.
    const cli = await runCli(dir, 'remote', 'gc', '--remote', remoteDir);
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /would remove 0 run records, 0 cache entries and 0 artifacts/);
  });
});

test('push does not upload an artifact damaged in the local store: it names the step and what to do', async () => {
  await withProjectAndRemote('push-damaged', async (dir, remoteDir) => {
    assert.equal((await runCli(dir, 'run', PIPELINE, '--store', 'a', '--only', 'split')).code, 0);
    const store = new LocalStore(join(dir, 'a'));
    const victim = store.objects().sort((x, y) => y.size - x.size)[0];
    const path = store.objectPath(victim.digest);
    const bytes = readFileSync(path);
    bytes[10] ^= 1;
    writeFileSync(path, bytes);
    const r = await runCli(dir, 'push', PIPELINE, '--store', 'a', '--remote', remoteDir);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`artifact ${victim.digest.slice(0, 12)}… is damaged in the local store; not pushed; run medpipe cache verify`));
    assert.equal(
      (await new RemoteCache(new FileBackend(remoteDir)).listObjects())?.some((b) => b.name.endsWith(victim.digest.slice(2))),
      false,
    );
  });
});

test('status with a remote says a run looks each stale step up there first; without one it does not', async () => {
  await withProjectAndRemote('status-remote', async (dir, remoteDir) => {
    const remote = pathToFileURL(remoteDir).href;
    let r = await runCli(dir, 'status', PIPELINE, '--json', '--remote', remote);
    assert.equal(r.code, 0, r.err);
    const steps = (JSON.parse(r.out) as { steps: { step: string; state: string; reason?: string }[] }).steps;
    assert.equal(steps.length, 10);
    for (const s of steps) {
      assert.equal(s.state, 'stale');
      assert.ok(s.reason?.endsWith(`; looked up on ${remote} first`), `${s.step}: ${s.reason}`);
    }
    r = await runCli(dir, 'status', PIPELINE, '--json');
    assert.doesNotMatch(r.out, /looked up on/);
  });
});

test('report after a run that took its steps from the remote: without --remote it says how to get what it lacks, with it the artifacts are downloaded', async () => {
  const a = shippedProjectCopy('report-remote-a');
  const b = shippedProjectCopy('report-remote-b');
  const remoteDir = mkdtempSync(join(tmpdir(), 'medpipe-remote-'));
  try {
    assert.equal((await runCli(a, 'run', PIPELINE, '--remote', remoteDir)).code, 0);
    assert.equal((await runCli(b, 'run', PIPELINE, '--remote', remoteDir)).code, 0);
    let r = await runCli(b, 'report', '--output', 'r1.html');
    assert.equal(r.code, 0, r.err);
    assert.match(
      readFileSync(join(b, 'r1.html'), 'utf8'),
      /not in this store \(removed by cache gc, or its step was taken from a remote cache: medpipe report --remote downloads it\)/,
    );
    r = await runCli(b, 'report', '--output', 'r2.html', '--remote', remoteDir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /downloaded \d+ artifacts of the run from file:\/\//);
    assert.doesNotMatch(readFileSync(join(b, 'r2.html'), 'utf8'), /not in this store/);
  } finally {
    for (const d of [a, b, remoteDir]) rmSync(d, { recursive: true, force: true });
  }
});

test('remote gc stops, removing nothing, when a pushed run names a commit this repository does not have', async () => {
  await withProjectAndRemote('remote-gc-unknown', async (dir, remoteDir) => {
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, '.gitignore'), '.medpipe/\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'main');
    assert.equal((await runCli(dir, 'run', PIPELINE, '--only', 'split')).code, 0);
    assert.equal((await runCli(dir, 'push', PIPELINE, '--remote', remoteDir)).code, 0);
    const cache = new RemoteCache(new FileBackend(remoteDir));
    const [{ record }] = (await pipelineRecords(cache)) ?? [];
    // A CI run on a main commit this (shallow, or not fetched) clone has never seen.
    await pushPipelineRecord(cache, { ...record, runId: 'ci-run', git: { commit: 'f'.repeat(40), dirty: false } });
    const objects = (await cache.listObjects())?.length;
    const later = new Date(Date.now() + 400 * 86_400_000);
    await assert.rejects(
      remoteGc(cache, { projectDir: dir, ref: 'main', keepDays: 30, remove: true, now: later }),
      /cannot tell whether commit ffffffffffff .*nothing was removed/,
    );
    assert.equal((await cache.listObjects())?.length, objects);
  });
});

test('push fails, naming the run record, when the remote takes the artifacts and entries but not the record', async () => {
  await withProjectAndRemote('push-no-record', async (dir, remoteDir) => {
    assert.equal((await runCli(dir, 'run', PIPELINE, '--only', 'split')).code, 0);
    writeFileSync(join(remoteDir, 'records'), 'not a folder');
    const r = await runCli(dir, 'push', PIPELINE, '--remote', remoteDir);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /the run record of pipelines\/breast-cancer\.yaml could not be written/);
  });
});

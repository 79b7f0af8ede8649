/** Running pipelines: caching, staleness reasons, resuming, parallelism and the run options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTER_STEP, makeProject } from './project.js';

const HEAD = 'medpipe: 1\nname: t\n';
const CHAIN = `${HEAD}params: { n: 2 }\nsteps:\n  a: { uses: ./steps/counter.js, with: { n: "\${params.n}", path: data.txt } }\n  b: { uses: ./steps/counter.js, in: { x: a }, with: { n: 10 } }\n  c: { uses: ./steps/counter.js, in: { x: b } }\n`;

function statusOf(out: string): Record<string, string> {
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => {
        const [step, state, , ...why] = l.trim().split(/\s{2,}/);
        return [step, why.length ? `${state}: ${why.join(' ')}` : state];
      }),
  );
}

function runRecord(dir: string, runId: string): { steps: Record<string, { status: string; summary?: { value: number } }> } {
  return JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8'));
}

function runIdOf(out: string): string {
  return /run (\d{8}T\d{6}Z-[0-9a-f]+)/.exec(out)?.[1] ?? '';
}

test('a second run is fully cached; a param, an input file or a step version change re-runs what depends on it', async () => {
  const p = makeProject({ 'p.yaml': CHAIN, 'data.txt': '100' });
  const first = await p.cli('run', 'p.yaml');
  assert.equal(first.code, 0, first.err);
  assert.deepEqual(p.computed(), ['a', 'b', 'c']);
  assert.equal(runRecord(p.dir, runIdOf(first.out)).steps.c.summary?.value, 113);

  const second = await p.cli('run', 'p.yaml');
  assert.equal(second.code, 0);
  assert.deepEqual(p.computed(), ['a', 'b', 'c'], 'nothing recomputed');
  assert.match(second.out, /0 ran, 3 cached/);

  // A parameter of b: a stays cached, b and c re-run.
  assert.deepEqual(statusOf((await p.cli('status', 'p.yaml', '--set', 'b.n=11')).out), {
    a: 'cached',
    b: 'stale: params changed (n)',
    c: 'stale: upstream will re-run (b)',
  });
  await p.cli('run', 'p.yaml', '--set', 'b.n=11');
  assert.deepEqual(p.computed().slice(3), ['b', 'c']);

  // The data file a reads.
  p.write('data.txt', '200');
  assert.equal(statusOf((await p.cli('status', 'p.yaml')).out).a, 'stale: data file changed (data.txt)');
  await p.cli('run', 'p.yaml');
  assert.deepEqual(p.computed().slice(5), ['a', 'b', 'c']);

  // A pipeline parameter flows through interpolation into the key.
  assert.equal(statusOf((await p.cli('status', 'p.yaml', '--set', 'n=3')).out).a, 'stale: params changed (n)');

  // A new implementation version of the step type.
  p.write('steps/counter.js', COUNTER_STEP.replace('VERSION', '2'));
  const st = statusOf((await p.cli('status', 'p.yaml')).out);
  assert.equal(st.a, 'stale: code version changed (1 -> 2); step code changed');
  const rerun = await p.cli('run', 'p.yaml');
  assert.equal(rerun.code, 0, rerun.err);
  assert.deepEqual(p.computed().slice(8), ['a', 'b', 'c']);
});

test('status says "never run" before the first run', async () => {
  const p = makeProject({ 'p.yaml': CHAIN, 'data.txt': '1' });
  assert.deepEqual(statusOf((await p.cli('status', 'p.yaml')).out), {
    a: 'stale: never run',
    b: 'stale: upstream will re-run (a)',
    c: 'stale: upstream will re-run (a, b)'.replace(' (a, b)', ' (b)'),
  });
});

test('a failed step stops its dependants, independent branches finish, and a re-run resumes', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  bad: { uses: ./steps/counter.js, in: { x: a }, with: { fail: true } }\n  after: { uses: ./steps/counter.js, in: { x: bad } }\n  other: { uses: ./steps/counter.js, in: { x: a }, with: { n: 5 } }\n`;
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli('run', 'p.yaml');
  assert.equal(r.code, 1);
  assert.match(r.out, /bad: FAILED after .*: asked to fail/);
  assert.match(r.out, /after: skipped, upstream failed \(bad\)/);
  assert.deepEqual(p.computed().sort(), ['a', 'bad', 'other']);
  const rec = runRecord(p.dir, runIdOf(r.out));
  assert.equal(rec.steps.other.status, 'done');
  assert.equal(rec.steps.after.status, 'skipped');

  const fixed = await p.cli('run', 'p.yaml', '--set', 'bad.fail=false');
  assert.equal(fixed.code, 0, fixed.err);
  // a and other were cached by the failed run: only the failed step and its dependant run now.
  assert.deepEqual(p.computed().slice(3), ['bad', 'after']);
});

test('--fail-fast stops every branch at the first failure: the running step is cancelled, the others skipped', async () => {
  const yaml = `${HEAD}steps:\n  bad: { uses: ./steps/counter.js, with: { fail: true } }\n  slow: { uses: ./steps/counter.js, with: { spin_ms: 3000 } }\n  later: { uses: ./steps/counter.js, in: { x: slow } }\n`;
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli('run', 'p.yaml', '--fail-fast', '--concurrency', '2');
  assert.equal(r.code, 1);
  assert.ok(!p.computed().includes('later'), 'nothing starts after the failure');
  assert.doesNotMatch(r.out, /slow: done/);
  // slow was started with bad (two slots, two ready steps) and stopped while running: cancelled;
  // later never started: skipped.
  assert.match(r.out, /bad: FAILED after .*: asked to fail/);
  assert.match(r.out, /slow: cancelled after .*, stopped by --fail-fast/);
  assert.match(r.out, /later: skipped, stopped by --fail-fast/);
  assert.doesNotMatch(r.out, /slow: FAILED/);
  assert.match(r.out, /medpipe: FAILED in .*: 0 ran, 0 cached, 1 failed, 1 cancelled, 1 skipped/);
  const rec = runRecord(p.dir, runIdOf(r.out));
  assert.deepEqual(Object.fromEntries(Object.entries(rec.steps).map(([id, s]) => [id, s.status])), { bad: 'failed', slow: 'cancelled', later: 'skipped' });
  const [header, row] = (await p.cli('runs')).out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
  assert.deepEqual(
    ['RAN', 'CACHED', 'FAILED', 'CANCELLED'].map((c) => row[header.indexOf(c)]),
    ['0', '0', '1', '1'],
    'runs counts the cancelled step',
  );
});

test('two independent CPU-heavy steps run at the same time in worker threads', async () => {
  const yaml = `${HEAD}steps:\n  left: { uses: ./steps/counter.js, with: { spin_ms: 1200 } }\n  right: { uses: ./steps/counter.js, with: { spin_ms: 1200, n: 2 } }\n`;
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli('run', 'p.yaml', '--concurrency', '2');
  assert.equal(r.code, 0, r.err);
  const objects = join(p.dir, '.medpipe', 'objects');
  const infos = readdirSync(objects, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath ?? d.path, d.name), 'utf8'))
    .filter((t) => t.startsWith('{"step"'))
    .map((t) => JSON.parse(t) as { start: number; end: number });
  assert.equal(infos.length, 2);
  const [x, y] = infos;
  const overlap = Math.min(x.end, y.end) - Math.max(x.start, y.start);
  // Each burns 1.2 s of CPU; run one after the other they would not overlap at all. The margin
  // leaves room for a worker thread that starts late on a busy machine.
  assert.ok(overlap > 400, `run intervals overlap by ${overlap} ms`);
});

test('--only runs a step with what it needs; --from and --force recompute; --dry-run runs nothing', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n  c: { uses: ./steps/counter.js, in: { x: b } }\n  d: { uses: ./steps/counter.js, with: { label: d } }\n`;
  const p = makeProject({ 'p.yaml': yaml });
  const dry = await p.cli('run', 'p.yaml', '--dry-run');
  assert.equal(dry.code, 0);
  assert.match(dry.out, /a\s+run\s+never run/);
  assert.deepEqual(p.computed(), []);

  const dryOnly = await p.cli('run', 'p.yaml', '--only', 'b', '--dry-run');
  assert.deepEqual(
    dryOnly.out
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]),
    ['a', 'b'],
    '--dry-run honours --only',
  );
  await p.cli('run', 'p.yaml', '--only', 'b');
  assert.deepEqual(p.computed(), ['a', 'b']);
  assert.match((await p.cli('run', 'p.yaml', '--dry-run', '--force=a')).out, /a\s+run\s+forced/);
  await p.cli('run', 'p.yaml');
  assert.deepEqual(p.computed().slice(2).sort(), ['c', 'd']);
  await p.cli('run', 'p.yaml', '--from', 'b');
  assert.deepEqual(p.computed().slice(4), ['b', 'c']);
  await p.cli('run', 'p.yaml', '--force=d');
  assert.deepEqual(p.computed().slice(6), ['d']);
  await p.cli('run', 'p.yaml', '--force');
  assert.equal(p.computed().length, 11);
  const bad = await p.cli('run', 'p.yaml', '--only', 'zz');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /there is no step "zz"/);
});

test('a custom step that breaks its contract fails with the plugin path', async () => {
  const p = makeProject({
    'steps/noout.js': COUNTER_STEP.replace('VERSION', '1').replace("writeFileSync(ctx.output('info')", "void (ctx.output('info')"),
    'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/noout.js }\n`,
  });
  const r = await p.cli('run', 'p.yaml');
  assert.equal(r.code, 1);
  assert.match(r.out, /a: FAILED .*custom step .*steps\/noout\.js did not write its output info/);
  const entries = join(p.dir, '.medpipe', 'entries');
  assert.ok(
    !existsSync(entries) || readdirSync(entries, { recursive: true }).filter((n) => String(n).endsWith('.json')).length === 0,
    'no cache entry for a failed step',
  );
});

test('runs lists the runs; cache info and gc keep what the latest run references', async () => {
  const p = makeProject({ 'p.yaml': CHAIN, 'data.txt': '1' });
  await p.cli('run', 'p.yaml');
  await p.cli('run', 'p.yaml', '--set', 'b.n=3');
  const runs = await p.cli('runs');
  assert.equal(runs.out.trim().split('\n').length, 3);
  const info = await p.cli('cache', 'info', '--json');
  const before = JSON.parse(info.out) as { entries: number; objects: number };
  assert.equal(before.entries, 5);
  const gc = await p.cli('cache', 'gc');
  assert.equal(gc.code, 0);
  assert.match(gc.out, /removed 2 cache entries/);
  const after = await p.cli('run', 'p.yaml', '--set', 'b.n=3');
  assert.match(after.out, /0 ran, 3 cached/);
});

test('status compares a fresh store with the committed lock file, step by step', async () => {
  const p = makeProject({ 'p.yaml': CHAIN, 'data.txt': '5' });
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  assert.match(p.read('p.lock.yaml'), /medpipe_lock: 1/);
  // Another clone: the same files, no store.
  const clone = makeProject({ 'p.yaml': CHAIN, 'data.txt': '5', 'p.lock.yaml': p.read('p.lock.yaml') });
  const fresh = (await clone.cli('status', 'p.yaml')).out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) =>
      l
        .trim()
        .split(/\s{2,}/)
        .slice(0, 3),
    );
  assert.deepEqual(fresh, [
    ['a', 'stale', 'matches'],
    ['b', 'stale', 'matches'],
    ['c', 'stale', 'matches'],
  ]);
  const changed = (await clone.cli('status', 'p.yaml', '--set', 'b.n=99')).out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) =>
      l
        .trim()
        .split(/\s{2,}/)
        .slice(0, 3),
    );
  assert.deepEqual(changed, [
    ['a', 'stale', 'matches'],
    ['b', 'stale', 'differs'],
    ['c', 'stale', 'unknown'],
  ]);
});

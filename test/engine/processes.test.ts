/** Real `medpipe` processes: the built executable, a run killed mid-step, and two runs at once on one pipeline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, makeProject } from './project.js';

const HEAD = 'medpipe: 1\nname: t\n';

function entries(dir: string): { key: string; outputs: Record<string, { digest: string }> }[] {
  const root = join(dir, '.medpipe', 'entries');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(join(root, n), 'utf8')));
}

test('the built CLI runs as an executable file, as `npx medpipe` may start it', () => {
  // Executed directly (shebang and the executable bit, set by npm run build), not through node.
  const r = spawnSync(BIN, ['--help'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, `could not execute ${BIN}: ${String(r.error)}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: medpipe <command>/);
});

test('a run killed with SIGKILL mid-step loses nothing finished and leaves no corrupt entry', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js, with: { n: 1 } }\n  b: { uses: ./steps/counter.js, in: { x: a }, with: { spin_ms: 2500 } }\n  c: { uses: ./steps/counter.js, in: { x: b } }\n`;
  const p = makeProject({ 'p.yaml': yaml });
  const child = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--plain'], { cwd: p.dir });
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setInterval(() => {
      if (p.computed().includes('b')) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolvePromise();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('the run ended before it could be killed'));
    });
  });
  await new Promise((r) => child.once('close', r));
  // a finished before the kill: its entry is complete; b has none.
  const after = entries(p.dir);
  assert.equal(after.length, 1);
  for (const e of after)
    for (const o of Object.values(e.outputs)) assert.ok(existsSync(join(p.dir, '.medpipe', 'objects', o.digest.slice(0, 2), o.digest.slice(2))));
  // The killed run's lock and temporary files are still there…
  assert.equal(readdirSync(join(p.dir, '.medpipe', 'locks')).length, 1);

  // …and the next run takes the stale lock over, reuses a, and completes correctly.
  const r = await p.spawnCli('run', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /a: cached/);
  assert.deepEqual(p.computed(), ['a', 'b', 'b', 'c']);
  assert.equal(readdirSync(join(p.dir, '.medpipe', 'locks')).length, 0, 'the stale lock was taken over and released');
  assert.equal(readdirSync(join(p.dir, '.medpipe', 'tmp')).filter((n) => !n.startsWith(`${process.pid}-`)).length, 0, 'stale temporary files are cleaned');
  const values = entries(p.dir)
    .map((e) => readFileSync(join(p.dir, '.medpipe', 'objects', e.outputs.out.digest.slice(0, 2), e.outputs.out.digest.slice(2)), 'utf8'))
    .sort();
  assert.deepEqual(values, ['1', '2', '3']);
});

test('two concurrent runs of one pipeline both succeed and compute each step once', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js, with: { spin_ms: 600 } }\n  b: { uses: ./steps/counter.js, in: { x: a }, with: { spin_ms: 300 } }\n  c: { uses: ./steps/counter.js, with: { spin_ms: 400, n: 7 } }\n  d: { uses: ./steps/counter.js, in: { x: b }, needs: [c] }\n`;
  const p = makeProject({ 'p.yaml': yaml });
  const [r1, r2] = await Promise.all([p.spawnCli('run', 'p.yaml'), p.spawnCli('run', 'p.yaml')]);
  assert.equal(r1.code, 0, r1.err);
  assert.equal(r2.code, 0, r2.err);
  assert.deepEqual(p.computed().sort(), ['a', 'b', 'c', 'd']);
  assert.equal(entries(p.dir).length, 4);
  assert.equal(readdirSync(join(p.dir, '.medpipe', 'locks')).length, 0, 'no lock left behind');
});

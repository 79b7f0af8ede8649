/**
 * A run whose output pipe closes (`medpipe run … | head`) or that is interrupted with Ctrl-C
 * ends cleanly: no stack trace, and a run record that says what happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { RunRecord } from '../../src/engine/record.js';
import { BIN, makeProject, type Project } from '../engine/project.js';

/** A step that waits until the file named by `until` exists in the project, so a test decides when it finishes. */
const GATE_STEP = `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  id: 'gate', version: '1', description: 'waits for a file', defaultOutput: 'out',
  inputs: { x: { kind: 'dataset', description: 'anything', optional: true } },
  outputs: { out: { kind: 'dataset', description: 'the step id' } },
  params: { type: 'object', additionalProperties: false, properties: { until: { type: 'string' } } },
  async run(ctx, p) {
    appendFileSync(join(ctx.pipelineDir, 'computed.log'), ctx.stepId + '\\n');
    while (p.until && !existsSync(join(ctx.pipelineDir, p.until))) await new Promise((r) => setTimeout(r, 20));
    writeFileSync(ctx.output('out'), ctx.stepId);
  },
};
`;

const PIPELINE =
  'medpipe: 1\nname: t\nsteps:\n  a: { uses: ./steps/gate.js, with: { until: release } }\n  b: { uses: ./steps/gate.js, in: { x: a } }\n  c: { uses: ./steps/gate.js, in: { x: b } }\n';

interface Running {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout(): string;
  stderr(): string;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `condition` holds; rejects if the process ends first. */
  until(condition: () => boolean): Promise<void>;
}

function start(p: Project, ...args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: p.dir, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let ended = false;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => {
      ended = true;
      r({ code, signal });
    }),
  );
  const until = async (condition: () => boolean): Promise<void> => {
    while (!condition()) {
      if (ended) throw new Error(`the run ended first:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, stdout: () => out, stderr: () => err, closed, until };
}

/** The run record as the run wrote it (not as it reads now, which turns a dead process's `running` into `interrupted`). */
function writtenRecord(p: Project): RunRecord {
  const runs = readdirSync(join(p.dir, '.medpipe', 'runs')).filter((n) => n.endsWith('.json'));
  assert.equal(runs.length, 1);
  return JSON.parse(readFileSync(join(p.dir, '.medpipe', 'runs', runs[0]), 'utf8')) as RunRecord;
}

for (const format of ['--plain', '--json']) {
  test(`run ${format} whose reader stops after one line (| head -1) finishes its work quietly and records it`, { timeout: 60_000 }, async () => {
    const p = makeProject({ 'steps/gate.js': GATE_STEP, 'p.yaml': PIPELINE });
    const run = start(p, 'run', 'p.yaml', format);
    await run.until(() => run.stdout().includes('\n'));
    run.child.stdout.destroy(); // what head does after its line: every later write meets a closed pipe
    writeFileSync(join(p.dir, 'release'), '');
    const { code, signal } = await run.closed;
    assert.equal(run.stderr(), '', 'no stack trace, nothing on stderr');
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.deepEqual(p.computed(), ['a', 'b', 'c'], 'the run did all its work');
    const record = writtenRecord(p);
    assert.equal(record.status, 'ok');
    assert.deepEqual(
      Object.values(record.steps).map((s) => s.status),
      ['done', 'done', 'done'],
    );
  });
}

test('Ctrl-C stops the running steps, records the run as interrupted and exits 130', { timeout: 60_000 }, async () => {
  const p = makeProject({ 'steps/gate.js': GATE_STEP, 'p.yaml': PIPELINE });
  const run = start(p, 'run', 'p.yaml', '--plain');
  // Interrupted inside the step, in its worker, once it has begun.
  await run.until(() => p.computed().includes('a'));
  run.child.kill('SIGINT');
  const { code, signal } = await run.closed;
  assert.equal(signal, null, 'medpipe handled the signal itself');
  assert.equal(code, 130);
  assert.doesNotMatch(run.stderr(), /Error|\n\s+at /, 'no stack trace');
  assert.match(run.stdout(), /^ {2}a: cancelled after .*, interrupted$/m);
  assert.match(run.stdout(), /^medpipe: INTERRUPTED in .*: 0 ran, 0 cached, 0 failed, 1 cancelled, 2 skipped/m);
  assert.match(run.stdout(), /^ {2}cancelled while running: a \(nothing of it was kept; the next run computes it\)$/m);
  assert.match(run.stderr(), /^medpipe: interrupted: stopping the running steps/);
  assert.deepEqual(p.computed(), ['a'], 'nothing started after the interrupt');
  const record = writtenRecord(p);
  assert.equal(record.status, 'interrupted');
  assert.ok(record.finishedAt, 'the record was completed');
  assert.deepEqual(
    Object.values(record.steps).map((s) => s.status),
    ['cancelled', 'skipped', 'skipped'],
  );
  assert.equal(existsSync(join(p.dir, '.medpipe', 'locks')) ? readdirSync(join(p.dir, '.medpipe', 'locks')).length : 0, 0, 'no lock left behind');

  // The next run starts afresh: nothing of the interrupted step was kept.
  writeFileSync(join(p.dir, 'release'), '');
  const again = await p.spawnCli('run', 'p.yaml');
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(p.computed(), ['a', 'a', 'b', 'c']);
});

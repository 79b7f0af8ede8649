/** The three ways a run is shown: live terminal table, plain CI lines, JSON lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../src/engine/events.js';
import { JsonReporter } from '../../src/cli/reporters/json.js';
import { PlainReporter } from '../../src/cli/reporters/plain.js';
import { TtyReporter } from '../../src/cli/reporters/tty.js';

const EVENTS: EngineEvent[] = [
  { type: 'run:start', runId: 'r1', pipeline: 'p', file: 'p.yaml', steps: ['load', 'train', 'eval'], concurrency: 2 },
  { type: 'step:cached', step: 'load', key: 'k1' },
  { type: 'step:start', step: 'train', key: 'k2' },
  { type: 'step:progress', step: 'train', message: '10/100 trees', fraction: 0.1 },
  { type: 'step:failed', step: 'train', durationMs: 1500, error: 'out of patience' },
  { type: 'step:skipped', step: 'eval', reason: 'upstream failed (train)' },
  { type: 'run:done', runId: 'r1', status: 'failed', durationMs: 1600, counts: { done: 0, cached: 1, failed: 1, cancelled: 0, skipped: 1 } },
];

test('plain lines name each step and outcome, and end with the counts', () => {
  const lines: string[] = [];
  const r = new PlainReporter((l) => lines.push(l));
  for (const e of EVENTS) r.onEvent(e);
  r.close();
  assert.deepEqual(lines, [
    'medpipe: running p (p.yaml), 3 steps, concurrency 2, run r1',
    '  load: cached',
    '  train: running',
    '  train: 10/100 trees (10%)',
    '  train: FAILED after 1.5 s: out of patience',
    '  eval: skipped, upstream failed (train)',
    'medpipe: FAILED in 1.6 s: 0 ran, 1 cached, 1 failed, 1 skipped (run r1)',
  ]);
});

test('JSON lines are the events themselves', () => {
  const lines: string[] = [];
  const r = new JsonReporter((l) => lines.push(l));
  for (const e of EVENTS) r.onEvent(e);
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    EVENTS,
  );
});

test('the terminal table redraws one row per step in place and prints failures after it', () => {
  let screen = '';
  const out = { columns: 80, write: (s: string) => ((screen += s), true) } as unknown as NodeJS.WriteStream;
  const r = new TtyReporter(out);
  for (const e of EVENTS) r.onEvent(e);
  r.close();
  // eslint-disable-next-line no-control-regex
  const plain = screen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const lastFrame = plain.split('medpipe: p (p.yaml)').pop() ?? '';
  assert.match(lastFrame, /= load\s+cached/);
  assert.match(lastFrame, /✗ train\s+failed\s+1\.5 s/);
  assert.match(lastFrame, /- eval\s+skipped\s+upstream failed \(train\)/);
  assert.match(lastFrame, /✗ train: out of patience\nmedpipe: FAILED in 1\.6 s/);
  assert.ok(screen.includes('\x1b[4A'), 'moves the cursor up to redraw the header and three rows');
});

test('a step stopped while running reads as cancelled, apart from the steps that never started', () => {
  const events: EngineEvent[] = [
    { type: 'run:start', runId: 'r2', pipeline: 'p', file: 'p.yaml', steps: ['train', 'eval'], concurrency: 1 },
    { type: 'step:start', step: 'train', key: 'k' },
    { type: 'step:cancelled', step: 'train', durationMs: 2300, reason: 'interrupted' },
    { type: 'step:skipped', step: 'eval', reason: 'interrupted' },
    { type: 'run:done', runId: 'r2', status: 'interrupted', durationMs: 2400, counts: { done: 0, cached: 0, failed: 0, cancelled: 1, skipped: 1 } },
  ];
  const lines: string[] = [];
  const plain = new PlainReporter((l) => lines.push(l));
  for (const e of events) plain.onEvent(e);
  assert.deepEqual(lines.slice(2), [
    '  train: cancelled after 2.3 s, interrupted',
    '  eval: skipped, interrupted',
    'medpipe: INTERRUPTED in 2.4 s: 0 ran, 0 cached, 0 failed, 1 cancelled, 1 skipped (run r2)',
  ]);

  let screen = '';
  const tty = new TtyReporter({ columns: 80, write: (s: string) => ((screen += s), true) } as unknown as NodeJS.WriteStream);
  for (const e of events) tty.onEvent(e);
  tty.close();
  const lastFrame =
    screen
      .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
      .split('medpipe: p (p.yaml)')
      .pop() ?? '';
  assert.match(lastFrame, /⊘ train\s+cancelled\s+2\.3 s\s+interrupted/);
  assert.match(lastFrame, /- eval\s+skipped\s+interrupted/);
});

/**
 * Every decision the plan makes, and why, as a typed value: one case per reason, each on a real
 * pipeline in a temporary folder, read from `status --json`, `run --dry-run --json`, the run
 * record (for the reasons only a run finds: it reads back what it is about to use) or, for what
 * the CLI cannot reach, the engine's `plan`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepDecision } from '../../src/engine/decision.js';
import { loadPipeline, openStore } from '../../src/engine/open.js';
import { plan } from '../../src/engine/plan.js';
import type { RunRecord } from '../../src/engine/record.js';
import { COUNTER_STEP, makeProject, type Project } from './project.js';
import { catalogue } from '../../src/steps/index.js';

const HEAD = 'medpipe: 1\nname: t\n';
const CHAIN = `${HEAD}steps:\n  a: { uses: ./steps/counter.js, with: { path: data.txt } }\n  b: { uses: ./steps/counter.js, in: { x: a }, with: { n: 10 } }\n  c: { uses: ./steps/counter.js, in: { x: b } }\n`;

/**
 * A step that publishes its output to `file` (as evaluate's metrics_file does) and whose effect
 * outside the store is the file `marker` (as register's model version is): gone, the cached step
 * runs again.
 */
const EFFECT_STEP = `
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  id: 'effect', version: '1', description: 'publishes and leaves a marker', defaultOutput: 'out',
  inputs: {}, outputs: { out: { kind: 'report', description: 'text' } },
  params: { type: 'object', additionalProperties: false, properties: { file: { type: 'string' }, marker: { type: 'string' } } },
  publish: { param: 'file', port: 'out' },
  async cachedEffectMissing(summary) {
    return existsSync(summary.marker) ? undefined : 'its marker file is gone';
  },
  async run(ctx, p) {
    writeFileSync(ctx.output('out'), 'published text');
    const marker = join(ctx.pipelineDir, p.marker);
    writeFileSync(marker, '');
    return { marker };
  },
};
`;

async function status(p: Project, ...args: string[]): Promise<Record<string, StepDecision>> {
  const r = await p.cli('status', 'p.yaml', '--json', ...args);
  assert.equal(r.code, 0, r.err);
  return Object.fromEntries((JSON.parse(r.out) as { steps: { step: string; decision: StepDecision }[] }).steps.map((s) => [s.step, s.decision]));
}

async function dryRun(p: Project, ...args: string[]): Promise<Record<string, StepDecision>> {
  const r = await p.cli('run', 'p.yaml', '--dry-run', '--json', ...args);
  assert.equal(r.code, 0, r.err);
  return Object.fromEntries((JSON.parse(r.out) as { steps: { step: string; decision: StepDecision }[] }).steps.map((s) => [s.step, s.decision]));
}

async function run(p: Project, ...args: string[]): Promise<RunRecord> {
  const r = await p.cli('run', 'p.yaml', '--plain', ...args);
  assert.equal(r.code, 0, r.err + r.out);
  const runId = /run (\d{8}T\d{6}Z-[0-9a-f]+)/.exec(r.out)?.[1] ?? '';
  return JSON.parse(p.read(`.medpipe/runs/${runId}.json`)) as RunRecord;
}

function reasons(d: StepDecision | undefined): unknown {
  return d?.action === 'run' ? d.reasons : d;
}

function chain(): Project {
  return makeProject({ 'p.yaml': CHAIN, 'data.txt': '1' });
}

function objectPath(p: Project, digest: string): string {
  return join(p.dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2));
}

test('never run, and the steps after it: upstream will run', async () => {
  const p = chain();
  const s = await status(p);
  assert.deepEqual(reasons(s.a), [{ kind: 'never-run' }]);
  assert.deepEqual(reasons(s.b), [{ kind: 'upstream-will-run', steps: ['a'] }]);
  assert.deepEqual(s.b, { action: 'run', reasons: [{ kind: 'upstream-will-run', steps: ['a'] }], lock: 'unknown' }, 'no key before its input is known');
  assert.deepEqual(reasons(s.c), [{ kind: 'upstream-will-run', steps: ['b'] }]);
});

test('cached: the key of the last run, its entry intact', async () => {
  const p = chain();
  await run(p);
  const s = await status(p);
  for (const id of ['a', 'b', 'c']) assert.equal(s[id].action, 'cached', id);
  assert.equal(s.a.action === 'cached' && s.a.lock, 'matches');
});

test('params changed, with their names', async () => {
  const p = chain();
  await run(p);
  assert.deepEqual(reasons((await status(p, '--set', 'b.n=11', '--set', 'b.label=x')).b), [{ kind: 'params-changed', names: ['n', 'label'] }]);
});

test('input changed, with the ports', async () => {
  const p = chain();
  await run(p);
  // a computed with another n, b not yet: b's input is known and differs from its last run's.
  await run(p, '--set', 'a.n=5', '--only', 'a');
  assert.deepEqual(reasons((await status(p, '--set', 'a.n=5')).b), [{ kind: 'input-changed', ports: ['x'] }]);
});

test('data file changed, with the file parameters and files', async () => {
  const p = chain();
  await run(p);
  p.write('data.txt', '2');
  assert.deepEqual(reasons((await status(p)).a), [{ kind: 'data-file-changed', params: ['path'], files: ['data.txt'] }]);
});

test("code changed: the step version, or only a custom step's code", async () => {
  const p = chain();
  await run(p);
  p.write('steps/counter.js', COUNTER_STEP.replace('VERSION', '1') + '\n// an edit\n');
  assert.deepEqual(reasons((await status(p)).a), [{ kind: 'code-changed', customCode: true }]);
  p.write('steps/counter.js', COUNTER_STEP.replace('VERSION', '2'));
  assert.deepEqual(reasons((await status(p)).a), [{ kind: 'code-changed', version: { from: '1', to: '2' }, customCode: true }]);
});

test('lineage changed: a lineage step after its upstream steps were renamed', async () => {
  const scored = `export default { id: 'scored', version: '1', description: 'x', defaultOutput: 'model', inputs: {},
    outputs: { model: { kind: 'model', description: 'm' }, metrics: { kind: 'metrics', description: 'm' } },
    params: { type: 'object', properties: { score: { type: 'number' } } },
    async run(ctx, p) { (await import('node:fs')).writeFileSync(ctx.output('model'), String(p.score)); (await import('node:fs')).writeFileSync(ctx.output('metrics'), JSON.stringify({ metrics: { auc: { value: p.score } } })); } };\n`;
  const yaml = (name: string): string =>
    `${HEAD}steps:\n  ${name}: { uses: ./steps/scored.mjs, matrix: { score: [1, 3] } }\n  best: { uses: select-best, in: { models: ${name}, evaluations: ${name}.metrics }, with: { metric: auc, direction: higher } }\n`;
  const p = makeProject({ 'steps/scored.mjs': scored, 'p.yaml': yaml('cand') });
  await run(p);
  p.write('p.yaml', yaml('model'));
  assert.deepEqual(reasons((await status(p)).best), [{ kind: 'lineage-changed' }]);
});

test('outputs missing from the store: the key of the last run, its entry gone', async () => {
  const p = chain();
  await run(p);
  rmSync(join(p.dir, '.medpipe', 'entries'), { recursive: true });
  const s = await status(p);
  assert.deepEqual(reasons(s.a), [{ kind: 'outputs-missing' }]);
  assert.deepEqual(reasons(s.b), [{ kind: 'upstream-will-run', steps: ['a'] }]);
});

test('entry damaged: the store says how; the run sets it aside and records why it ran', async () => {
  const p = chain();
  const first = await run(p);
  const key = first.steps.a.key as string;
  writeFileSync(join(p.dir, '.medpipe', 'entries', key.slice(0, 2), `${key}.json`), '{"not": "an entry"');
  const d = (await status(p)).a;
  assert.equal(d.action, 'run');
  assert.equal(d.action === 'run' && d.reasons[0].kind, 'entry-damaged');
  assert.deepEqual((await dryRun(p)).a, d);
  assert.deepEqual((await run(p)).steps.a.reasons, d.action === 'run' ? d.reasons : undefined);
});

test('an output damaged: status (which verifies) says cached but damaged; a run that reads it back recomputes, saying why', async () => {
  const p = makeProject({
    'steps/effect.js': EFFECT_STEP,
    'p.yaml': `${HEAD}steps:\n  e: { uses: ./steps/effect.js, with: { file: out.txt, marker: marker } }\n`,
  });
  const first = await run(p);
  const digest = first.steps.e.outputs?.out as string;
  writeFileSync(objectPath(p, digest), 'tampered text!');
  assert.deepEqual((await status(p)).e, { action: 'cached', key: first.steps.e.key, lock: 'matches', damage: { port: 'out', digest } });
  assert.deepEqual((await run(p)).steps.e.reasons, [{ kind: 'output-damaged', port: 'out', digest, state: 'damaged' }]);
});

test('effect missing: what a cached step did outside the store is gone, so the run runs it again', async () => {
  const p = makeProject({
    'steps/effect.js': EFFECT_STEP,
    'p.yaml': `${HEAD}steps:\n  e: { uses: ./steps/effect.js, with: { file: out.txt, marker: marker } }\n`,
  });
  await run(p);
  rmSync(join(p.dir, 'marker'));
  assert.deepEqual((await run(p)).steps.e.reasons, [{ kind: 'effect-missing', problem: 'its marker file is gone' }]);
});

test('forced, by --force / --force-steps or as downstream of --from', async () => {
  const p = chain();
  await run(p);
  assert.deepEqual(reasons((await dryRun(p, '--force-steps', 'a')).a), [{ kind: 'forced', by: 'force' }]);
  const from = await dryRun(p, '--from', 'b');
  assert.equal(from.a.action, 'cached');
  assert.deepEqual([reasons(from.b), reasons(from.c)], [[{ kind: 'forced', by: 'from' }], [{ kind: 'forced', by: 'from' }]]);
  assert.deepEqual((await run(p, '--from', 'b')).steps.c.reasons, [{ kind: 'forced', by: 'from' }]);
});

test('not in this store, but the lock file records this exact key', async () => {
  const p = chain();
  await run(p);
  const clone = makeProject({ 'p.yaml': CHAIN, 'data.txt': '1', 'p.lock.yaml': p.read('p.lock.yaml') });
  const s = await status(clone);
  for (const id of ['a', 'b', 'c']) assert.deepEqual([id, s[id].lock, reasons(s[id])], [id, 'matches', [{ kind: 'lock-records-key' }]]);
});

test('blocked: a data file that went missing after the pipeline was loaded', async () => {
  const p = chain();
  const pipeline = await loadPipeline(join(p.dir, 'p.yaml'), { catalogue });
  rmSync(join(p.dir, 'data.txt'));
  const planned = await plan(pipeline, openStore(p.dir));
  assert.deepEqual(planned.steps.find((s) => s.step === 'a')?.decision, {
    action: 'blocked',
    reason: { kind: 'data-file-missing', param: 'path', path: join(p.dir, 'data.txt') },
    lock: 'unknown',
  });
  assert.deepEqual(planned.steps.find((s) => s.step === 'b')?.decision, {
    action: 'run',
    reasons: [{ kind: 'upstream-will-run', steps: ['a'] }],
    lock: 'unknown',
  });
});

test('skipped: not selected by --only', async () => {
  const p = makeProject({ 'p.yaml': `${CHAIN}  d: { uses: ./steps/counter.js, with: { label: d } }\n`, 'data.txt': '1' });
  const planned = await plan(await loadPipeline(join(p.dir, 'p.yaml'), { catalogue }), openStore(p.dir), { only: ['b'] });
  assert.deepEqual([...planned.selected].sort(), ['a', 'b']);
  assert.deepEqual(Object.fromEntries(planned.steps.map((s) => [s.step, s.decision.action])), { a: 'run', b: 'run', c: 'skipped', d: 'skipped' });
  assert.deepEqual(planned.steps.find((s) => s.step === 'd')?.decision, { action: 'skipped', reason: { kind: 'not-selected' }, lock: 'unknown' });
  // --dry-run lists the selected steps only.
  assert.deepEqual(Object.keys(await dryRun(p, '--only', 'b')), ['a', 'b']);
  assert.equal(readdirSync(p.dir).includes('computed.log'), false, 'planning ran nothing');
  assert.equal(readFileSync(join(p.dir, 'data.txt'), 'utf8'), '1');
});

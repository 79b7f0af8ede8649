/**
 * `status`, `run --dry-run` and `run` read one plan: on every step of every shipped pipeline they
 * agree on what a run does (compute or take from the store) and why. Checked on a fresh copy
 * (nothing stored: the committed lock file records each key) and again after a parameter change
 * (some steps cached, some stale, the ones after them decided only once their upstream has run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepDecision } from '../../src/engine/decision.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { RunRecord } from '../../src/engine/record.js';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';

const pipelines = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.lock.yaml'));

/**
 * drug-discovery in full takes minutes (RDKit on 5,000 molecules, a 150-tree forest, a GAN of 2,000
 * steps): smaller here, and its GAN gate (which 50 steps cannot pass) off, so every step runs. The
 * others run as shipped.
 */
const SMALLER: Readonly<Record<string, readonly string[]>> = {
  'drug-discovery.yaml': ['--set', 'qsar.trees=10', '--set', 'gan.steps=50', '--set', 'eval-gan.must_beat_baseline=[]'],
  'drug-discovery-retrospective.yaml': ['--set', 'qsar.trees=10', '--set', 'gan.steps=50'],
};

type Decisions = Record<string, StepDecision>;

async function statusDecisions(dir: string, args: readonly string[]): Promise<Decisions> {
  const r = await runCli(dir, 'status', ...args, '--json');
  assert.equal(r.code, 0, r.err);
  const steps = (JSON.parse(r.out) as { steps: { step: string; decision: StepDecision }[] }).steps;
  return Object.fromEntries(steps.map((s) => [s.step, s.decision]));
}

async function dryRunDecisions(dir: string, args: readonly string[]): Promise<Decisions> {
  const r = await runCli(dir, 'run', ...args, '--dry-run', '--json');
  assert.equal(r.code, 0, r.err);
  const steps = (JSON.parse(r.out) as { steps: { step: string; would: string; decision: StepDecision }[] }).steps;
  for (const s of steps) assert.equal(s.would, s.decision.action === 'cached' ? 'skip' : s.decision.action, `${s.step}: WOULD column`);
  return Object.fromEntries(steps.map((s) => [s.step, s.decision]));
}

/** What the run did with each step (cached or computed), and its record. */
async function runOutcomes(dir: string, args: readonly string[]): Promise<{ did: Record<string, string>; record: RunRecord }> {
  const r = await runCli(dir, 'run', ...args, '--json');
  assert.equal(r.code, 0, r.err + r.out);
  const events = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EngineEvent | { type: 'run:summary' });
  const did: Record<string, string> = {};
  let runId = '';
  for (const e of events) {
    if (e.type === 'run:start') runId = e.runId;
    if (e.type === 'step:cached') did[e.step] = 'cached';
    if (e.type === 'step:done') did[e.step] = 'run';
  }
  const record = JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord;
  return { did, record };
}

async function assertAgree(dir: string, file: string, args: readonly string[], phase: string): Promise<Decisions> {
  const where = `${file}, ${phase}`;
  const status = await statusDecisions(dir, args);
  const dry = await dryRunDecisions(dir, args);
  assert.deepEqual(dry, status, `${where}: --dry-run and status decide differently`);
  const { did, record } = await runOutcomes(dir, args);
  const planned = Object.fromEntries(Object.entries(status).map(([id, d]) => [id, d.action]));
  assert.deepEqual(did, planned, `${where}: the run did not do what the plan said`);
  // The reasons the run recorded for the steps it computed are the plan's, except for steps the
  // plan could only say would run after their upstream (the run then knows the real reason).
  for (const [id, d] of Object.entries(status)) {
    if (d.action !== 'run' || d.reasons[0].kind === 'upstream-will-run') continue;
    assert.deepEqual(record.steps[id]?.reasons, d.reasons, `${where}: ${id}'s recorded reasons`);
  }
  return status;
}

test('status, run --dry-run and run agree on every step of every shipped pipeline, fresh and after a change', { timeout: 600_000 }, async () => {
  assert.ok(pipelines.length >= 5, pipelines.join(', '));
  const dir = shippedProjectCopy('agree');
  // drug-discovery's library, cut to 300 molecules (see SMALLER).
  const library = join(dir, 'data', 'nci-screening-5k.csv');
  writeFileSync(library, readFileSync(library, 'utf8').split('\n').slice(0, 301).join('\n') + '\n');
  const seen = new Set<string>();
  for (const file of pipelines) {
    const args = [join('pipelines', file), ...(SMALLER[file] ?? [])];
    // The copy's one store is shared by the pipelines: a step another pipeline ran is cached.
    const fresh = await assertAgree(dir, file, args, 'fresh copy');
    assert.ok(
      Object.values(fresh).some((d) => d.action === 'run'),
      `${file}: nothing to run in a fresh copy`,
    );
    if (!SMALLER[file]) {
      // As shipped, the committed lock file records every step's key.
      for (const [id, d] of Object.entries(fresh))
        assert.deepEqual(
          [id, d.lock, d.action === 'run' ? d.reasons[0].kind : 'cached'],
          [id, 'matches', d.action === 'run' ? 'lock-records-key' : 'cached'],
          file,
        );
    }
    const changed = await assertAgree(dir, file, [...args, '--set', 'seed=1234'], 'after --set seed=1234');
    for (const d of Object.values(changed)) seen.add(d.action === 'run' ? d.reasons[0].kind : d.action);
  }
  // The change left steps cached and exercised the decisions made before and during the run.
  for (const kind of ['cached', 'params-changed', 'upstream-will-run'])
    assert.ok(seen.has(kind), `no step was ${kind} after the change: ${[...seen].join(', ')}`);
});

/**
 * Lineage steps (select-best, register) write upstream step ids and params into their outputs, so
 * their cache key covers the lineage they receive; every other step's key is unchanged by it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheKey, type KeyComponents } from '../../src/engine/fingerprint.js';
import { makeProject, type Project } from './project.js';

/** A stand-in trainer: its model and metrics depend on `score` only (`tag` changes nothing), never on the step id. */
const SCORED_STEP = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  id: 'scored', version: '1', description: 'a model with a given score', defaultOutput: 'model',
  inputs: {}, outputs: { model: { kind: 'model', description: 'the model' }, metrics: { kind: 'metrics', description: 'its score' } },
  params: { type: 'object', additionalProperties: false, properties: { score: { type: 'number' }, tag: { type: 'string', default: '' } } },
  async run(ctx, p) {
    appendFileSync(join(ctx.pipelineDir, 'computed.log'), ctx.stepId + '\\n');
    writeFileSync(ctx.output('model'), JSON.stringify({ score: p.score }));
    writeFileSync(ctx.output('metrics'), JSON.stringify({ metrics: { auc: { value: p.score } } }));
  },
};
`;

const pipeline = (sweep: string): string => `medpipe: 1
name: lineage
steps:
  ${sweep}: { uses: ./steps/scored.mjs, matrix: { score: [1, 3], tag: [a, b] } }
  best: { uses: select-best, in: { models: ${sweep}, evaluations: ${sweep}.metrics }, with: { metric: auc, direction: higher } }
`;

interface Report {
  best: string;
  candidates: { step: string; params: { score: number; tag: string } }[];
}

function bestReport(p: Project, out: string): Report {
  const runId = /run (\d{8}T\d{6}Z-[0-9a-f]+)/.exec(out)?.[1] ?? '';
  const record = JSON.parse(p.read(`.medpipe/runs/${runId}.json`)) as { steps: Record<string, { outputs: Record<string, string> }> };
  const digest = record.steps.best.outputs.report;
  return JSON.parse(p.read(`.medpipe/objects/${digest.slice(0, 2)}/${digest.slice(2)}`)) as Report;
}

test('renaming a sweep re-runs select-best, whose report names the new steps; an unchanged pipeline is cached', async () => {
  const p = makeProject({ 'steps/scored.mjs': SCORED_STEP, 'p.yaml': pipeline('cand') });
  const first = await p.cli('run', 'p.yaml');
  assert.equal(first.code, 0, first.err);
  const report = bestReport(p, first.out);
  assert.equal(report.best, 'cand[score=3,tag=a]', 'ties keep the earlier combination');
  // Byte-identical models from two combinations are each named after their own step, in sweep order.
  assert.deepEqual(
    report.candidates.map((c) => `${c.step} ${c.params.score}/${c.params.tag}`),
    ['cand[score=1,tag=a] 1/a', 'cand[score=1,tag=b] 1/b', 'cand[score=3,tag=a] 3/a', 'cand[score=3,tag=b] 3/b'],
  );

  assert.match((await p.cli('run', 'p.yaml')).out, /0 ran, 5 cached/);

  p.write('p.yaml', pipeline('model'));
  // The trainers' outputs do not name them: they stay cached under the new ids, and only select-best's key moves.
  assert.match((await p.cli('status', 'p.yaml')).out, /best\s+stale\s+\S+\s+lineage changed/);
  const renamed = await p.cli('run', 'p.yaml');
  assert.equal(renamed.code, 0, renamed.err);
  assert.match(renamed.out, /1 ran, 4 cached/);
  const after = bestReport(p, renamed.out);
  assert.equal(after.best, 'model[score=3,tag=a]');
  assert.deepEqual(
    after.candidates.map((c) => c.step),
    ['model[score=1,tag=a]', 'model[score=1,tag=b]', 'model[score=3,tag=a]', 'model[score=3,tag=b]'],
  );
  assert.deepEqual(
    p.computed().filter((s) => s.startsWith('model')),
    [],
    'the sweep itself was not recomputed',
  );

  assert.match((await p.cli('run', 'p.yaml')).out, /0 ran, 5 cached/);
});

test('a key without the lineage component is the key as computed before it existed; with it, ids count', () => {
  const c: KeyComponents = { stepType: 'split', version: '1', params: { seed: 3 }, inputs: { data: 'ab' }, files: {} };
  // The key as it was computed before lineage existed (CACHE_FORMAT_VERSION 1): a user's cache stays valid.
  assert.equal(cacheKey(c), cacheKey({ ...c, lineage: undefined }));
  assert.notEqual(cacheKey(c), cacheKey({ ...c, lineage: [] }));
  const node = { stepType: 'train.svm', params: { C: 1 }, outputs: { model: 'ab' }, dependsOn: [] };
  assert.notEqual(cacheKey({ ...c, lineage: [['svm', node]] }), cacheKey({ ...c, lineage: [['svm2', node]] }));
});

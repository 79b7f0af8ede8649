/**
 * What `register` records as a model's parameters when the model comes out of a sweep: the
 * training step that made it and the steps it was trained after, not the sweep's other members
 * (which are upstream too, through select-best). The full upstream stays in the lineage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from '../engine/project.js';
import { Registry } from '../../src/registry/index.js';
import type { RunRecord } from '../../src/engine/record.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../data/breast-cancer-wisconsin.csv');
const PIPELINE = `medpipe: 1
name: sweep-register
steps:
  load: { uses: load.csv, with: { path: ${DATA}, target: diagnosis, positive: malignant } }
  split: { uses: split, in: { data: load }, with: { seed: 3 } }
  prep: { uses: preprocess, in: { train: split.train, test: split.test }, with: { impute: median, scale: standard } }
  svm:
    uses: train.svm
    in: { train: prep.train }
    matrix: { C: [0.01, 1] }
    with: { kernel: linear }
  eval: { uses: evaluate, in: { model: svm, test: prep.test }, with: { bootstrap: { resamples: 50 } } }
  best: { uses: select-best, in: { models: svm, evaluations: eval }, with: { metric: balanced_accuracy } }
  eval-best: { uses: evaluate, in: { model: best, test: prep.test }, with: { bootstrap: { resamples: 50 } } }
  register: { uses: register, in: { model: best, evaluation: eval-best, transform: prep.transform }, with: { name: sweep-svm } }
`;

test("a model chosen from a sweep is registered with its own parameters, not the other members'", async () => {
  const p = makeProject({ 'p.yaml': PIPELINE });
  const r = await p.cli('run', 'p.yaml', '--json');
  assert.equal(r.code, 0, r.err);
  const runId = (JSON.parse(r.out.trim().split('\n')[0]) as { runId: string }).runId;
  const record = JSON.parse(readFileSync(join(p.dir, '.medpipe/runs', `${runId}.json`), 'utf8')) as RunRecord;
  const members = ['svm[C=0.01]', 'svm[C=1]'];
  const winner = members.find((m) => record.steps[m].outputs?.model === record.steps.best.outputs?.model);
  assert.ok(winner, "select-best passes one member's model on unchanged");
  const loser = members.find((m) => m !== winner) as string;
  assert.notEqual(record.steps[loser].outputs?.model, record.steps[winner].outputs?.model, 'the two C values give different models');

  const reg = Registry.open(join(p.dir, '.medpipe'));
  try {
    const v = reg.getVersion('sweep-svm@1');
    assert.deepEqual(Object.keys(v.params).sort(), [winner, 'prep', 'split'].sort());
    const params = v.params as Record<string, { uses: string; C?: number }>;
    assert.equal(params[winner].uses, 'train.svm');
    assert.equal(params[winner].C, winner === 'svm[C=1]' ? 1 : 0.01);
    // The audit trail keeps every upstream step, the loser included.
    const upstream = (v.lineage as { upstream: Record<string, unknown> }).upstream;
    assert.ok(loser in upstream && winner in upstream && 'best' in upstream);
  } finally {
    reg.close();
  }
});

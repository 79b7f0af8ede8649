/** Parameter sweeps: matrix expansion, one cached step per combination, select-best, and their errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COUNTER_STEP, makeProject } from './project.js';
import type { RunRecord } from '../../src/engine/record.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../data/breast-cancer-wisconsin.csv');
const SWEEP = `medpipe: 1
name: sweep
steps:
  load: { uses: load.csv, with: { path: ${DATA}, target: diagnosis, positive: malignant } }
  split: { uses: split, in: { data: load }, with: { seed: 3 } }
  prep: { uses: preprocess, in: { train: split.train, test: split.test }, with: { impute: median, scale: standard } }
  svm:
    uses: train.svm
    in: { train: prep.train }
    matrix: { C: [0.1, 1, 10], kernel: [linear, rbf] }
  eval: { uses: evaluate, in: { model: svm, test: prep.test }, with: { bootstrap: { resamples: 100 } } }
  best: { uses: select-best, in: { models: svm, evaluations: eval }, with: { metric: balanced_accuracy } }
`;

test('a 3x2 matrix runs 6 training steps, each evaluated and cached on its own, and select-best picks the best', async () => {
  const p = makeProject({ 'p.yaml': SWEEP });
  const r = await p.cli('run', 'p.yaml', '--json');
  assert.equal(r.code, 0, r.err);
  const runId = (JSON.parse(r.out.trim().split('\n')[0]) as { runId: string }).runId;
  const record = JSON.parse(readFileSync(join(p.dir, '.medpipe/runs', `${runId}.json`), 'utf8')) as RunRecord;
  const svms = Object.keys(record.steps).filter((s) => s.startsWith('svm['));
  assert.deepEqual(svms, [
    'svm[C=0.1,kernel=linear]',
    'svm[C=0.1,kernel=rbf]',
    'svm[C=1,kernel=linear]',
    'svm[C=1,kernel=rbf]',
    'svm[C=10,kernel=linear]',
    'svm[C=10,kernel=rbf]',
  ]);
  assert.equal(new Set(svms.map((s) => record.steps[s].key)).size, 6, 'six distinct cache keys');
  assert.ok(svms.every((s) => record.steps[s].status === 'done' && record.steps[`eval${s.slice(3)}`].status === 'done'));

  // The winner, recomputed here from the six evaluation artifacts.
  const object = (digest: string): string => join(p.dir, '.medpipe/objects', digest.slice(0, 2), digest.slice(2));
  const scores = svms.map(
    (s) =>
      (
        JSON.parse(readFileSync(object(record.steps[`eval${s.slice(3)}`].outputs?.metrics as string), 'utf8')) as {
          metrics: { balanced_accuracy: { value: number } };
        }
      ).metrics.balanced_accuracy.value,
  );
  const winner = svms[scores.indexOf(Math.max(...scores))];
  const report = JSON.parse(readFileSync(object(record.steps.best.outputs?.report as string), 'utf8')) as {
    best: string;
    candidates: { step: string; params: { C: number; kernel: string } }[];
  };
  assert.equal(report.best, winner);
  assert.equal(report.candidates.length, 6);
  assert.deepEqual(
    report.candidates.map((c) => `${c.params.C}/${c.params.kernel}`),
    ['0.1/linear', '0.1/rbf', '1/linear', '1/rbf', '10/linear', '10/rbf'],
  );
  assert.equal(record.steps.best.outputs?.model, record.steps[winner].outputs?.model, "the chosen model is the winner's artifact, unchanged");

  const again = await p.cli('run', 'p.yaml');
  assert.match(again.out, /0 ran, 16 cached/);
  const only = await p.cli('run', 'p.yaml', '--only', 'svm', '--force=svm');
  assert.match(only.out, /6 ran, 3 cached/, "a swept step's name selects every combination");
});

test('matrix values are checked like with: values, at the matrix key', async () => {
  const p = makeProject({
    'p.yaml': 'medpipe: 1\nname: t\nsteps:\n  a:\n    uses: ./steps/counter.js\n    matrix: { n: [1, two], spinms: [0] }\n',
  });
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  const errors = r.err.split('\n').filter((l) => l.startsWith('error: '));
  assert.deepEqual(errors, [
    'error: p.yaml:6:15: step "a": matrix: with.n must be number (value "two")',
    'error: p.yaml:6:28: step "a": matrix: with.spinms is not a known parameter (did you mean "spin_ms"?) (its parameters are: n, spin_ms, fail, path, label)',
  ]);
});

test('a step that depends on two different sweeps is an error', async () => {
  const p = makeProject({
    'steps/pair.js': COUNTER_STEP.replace('VERSION', '1').replace("m: { kind: 'model'", "m: { kind: 'dataset'"),
    'p.yaml':
      'medpipe: 1\nname: t\nsteps:\n  a: { uses: ./steps/counter.js, matrix: { n: [1, 2] } }\n  b: { uses: ./steps/counter.js, matrix: { n: [3, 4] } }\n  c: { uses: ./steps/pair.js, in: { x: a, m: b } }\n',
  });
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  assert.match(r.err, /p\.yaml:6:3: step "c": depends on two different sweeps \(a, b\)/);
});

test("with the split's folds wired in, each combination is cross-validated and select-best can pick by CV alone", async () => {
  const yaml = SWEEP.replace(
    'in: { train: prep.train }\n    matrix: { C: [0.1, 1, 10], kernel: [linear, rbf] }',
    'in: { train: prep.train, folds: split.folds }\n    matrix: { C: [0.01, 1] }',
  )
    .replace(/  eval: .*\n/, '')
    .replace('in: { models: svm, evaluations: eval }, with: { metric: balanced_accuracy }', 'in: { models: svm }, with: { metric: roc_auc, source: cv }');
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli('run', 'p.yaml', '--json');
  assert.equal(r.code, 0, r.err + r.out);
  const runId = (JSON.parse(r.out.trim().split('\n')[0]) as { runId: string }).runId;
  const record = JSON.parse(readFileSync(join(p.dir, '.medpipe/runs', `${runId}.json`), 'utf8')) as RunRecord;
  const object = (digest: string): string => join(p.dir, '.medpipe/objects', digest.slice(0, 2), digest.slice(2));
  const cvOf = (step: string): { k: number; metrics: Record<string, { mean: number; folds: number[] }> } =>
    JSON.parse(readFileSync(object(record.steps[step].outputs?.model as string), 'utf8')).cv;
  const a = cvOf('svm[C=0.01]');
  const b = cvOf('svm[C=1]');
  assert.equal(a.k, 5);
  assert.equal(a.metrics.roc_auc.folds.length, 5);
  // C=0.01 underfits (it predicts mostly the majority class); C=1 is the usual good fit.
  assert.ok(b.metrics.accuracy.mean > 0.9 && a.metrics.accuracy.mean < b.metrics.accuracy.mean, JSON.stringify([a.metrics.accuracy, b.metrics.accuracy]));
  const report = JSON.parse(readFileSync(object(record.steps.best.outputs?.report as string), 'utf8')) as { best: string; source: string };
  assert.equal(report.source, 'cv');
  assert.equal(report.best, a.metrics.roc_auc.mean > b.metrics.roc_auc.mean ? 'svm[C=0.01]' : 'svm[C=1]');
});

test('a value listed twice in a matrix is an error, not two steps with one name', async () => {
  const p = makeProject({ 'p.yaml': 'medpipe: 1\nname: t\nsteps:\n  a: { uses: ./steps/counter.js, matrix: { n: [1, 2, 1] } }\n' });
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  assert.match(r.err, /p\.yaml:4:44: step "a": matrix: n lists 1 more than once/);
});

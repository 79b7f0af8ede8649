/**
 * The reference for step types: `medpipe steps NAME` prints one type's ports and parameters,
 * docs/steps.md is generated from the same schemas, and an unknown parameter names the valid ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSteps } from '../../src/steps/index.js';
import { makeProject } from '../engine/project.js';

const FOREST = [
  'medpipe: 1',
  'name: t',
  'steps:',
  '  load: { uses: load.csv, with: { path: data.csv, target: y } }',
  '  forest: { uses: train.random-forest, in: { train: load }, with: { n_estimators: 300 } }',
  '  eval: { uses: evaluate, in: { model: forest, test: load }, with: { bootstrap: { resampels: 10 } } }',
  '',
].join('\n');

test('an unknown parameter lists the step type\'s parameters, and still suggests the nearest one', async () => {
  const p = makeProject({ 'p.yaml': FOREST, 'data.csv': 'x,y\n1,a\n2,b\n' });
  const forestParams = Object.keys(builtinSteps.get('train.random-forest')?.params.properties ?? {});
  assert.ok(forestParams.includes('trees'));

  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  const errors = r.err.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 2, r.err);
  // No name is close to n_estimators: the list of valid names is what helps.
  assert.equal(errors[0], `error: p.yaml:5:69: step "forest": with.n_estimators is not a known parameter (its parameters are: ${forestParams.join(', ')})`);
  // Inside a mapping parameter: the keys that mapping takes.
  assert.equal(errors[1], 'error: p.yaml:6:83: step "eval": with.bootstrap.resampels is not a known parameter (did you mean "resamples"?) (with.bootstrap takes: resamples, seed, confidence)');

  const set = await p.cli('validate', 'p.yaml', '--set', 'forest.tres=5');
  assert.ok(set.err.includes(`error: --set forest.tres=5: step "forest": with.tres is not a known parameter (did you mean "trees"?) (its parameters are: ${forestParams.join(', ')})`), set.err);
});

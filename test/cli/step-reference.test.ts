/**
 * The reference for step types: `medpipe steps NAME` prints one type's ports and parameters,
 * docs/steps.md is generated from the same schemas, and an unknown parameter names the valid ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepsMarkdown } from '../../src/cli/step-reference.js';
import { builtinSteps } from '../../src/builtin-steps.js';
import { ROOT } from '../helpers/cli.js';
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

test("an unknown parameter lists the step type's parameters, and still suggests the nearest one", async () => {
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
  assert.equal(
    errors[1],
    'error: p.yaml:6:83: step "eval": with.bootstrap.resampels is not a known parameter (did you mean "resamples"?) (with.bootstrap takes: resamples, seed, confidence)',
  );

  const set = await p.cli('validate', 'p.yaml', '--set', 'forest.tres=5');
  assert.ok(
    set.err.includes(
      `error: --set forest.tres=5: step "forest": with.tres is not a known parameter (did you mean "trees"?) (its parameters are: ${forestParams.join(', ')})`,
    ),
    set.err,
  );
});

test("medpipe steps NAME prints that step type's ports and every parameter with its type, default, allowed values and description", async () => {
  const p = makeProject();
  const r = await p.cli('steps', 'train.svm');
  assert.equal(r.code, 0, r.err);
  const svm = builtinSteps.get('train.svm');
  assert.ok(svm);
  assert.match(r.out, /^train\.svm \(version 1\)\n/);
  assert.ok(!r.out.includes('load.csv'), 'only the step type asked for');
  assert.match(r.out, /^inputs \(in:\):\n {2}train +dataset +Training rows/m);
  assert.match(r.out, /^ {2}folds +folds, optional +A split's folds/m);
  assert.match(r.out, /^outputs:\n {2}model +model, default +The fitted SVM/m);
  for (const [name, schema] of Object.entries(svm.params.properties)) {
    assert.match(r.out, new RegExp(`^  ${name} `, 'm'), name);
    assert.ok(r.out.includes((schema as { description: string }).description), `${name}: its description`);
  }
  assert.match(r.out, /^ {2}kernel +string; default "rbf"; allowed: "linear", "rbf", "poly" or "sigmoid"$/m);
  assert.match(r.out, /^ {2}gamma +string \| number; default "scale"; allowed: "scale", "auto" or a number > 0 and <= 1000000$/m);
  assert.match(r.out, /^ {2}C +number; default 1; allowed: a number > 0 and <= 1000000$/m);

  const load = await p.cli('steps', 'load.csv');
  assert.match(load.out, /^ {2}path +string; required; allowed: not empty$/m);

  const nested = await p.cli('steps', 'evaluate');
  assert.match(nested.out, /^ {2}bootstrap\.resamples +integer; default 1000; allowed: a whole number >= 0 and <= 100000$/m);
  assert.match(nested.out, /^ {2}subgroups\[\]\.column +string; required$/m);

  const json = await p.cli('steps', 'train.svm', '--json');
  assert.equal((JSON.parse(json.out) as { id: string }).id, 'train.svm');
});

test('medpipe steps also describes a custom step, and an unknown name is a usage error with a suggestion', async () => {
  const p = makeProject();
  const custom = await p.cli('steps', './steps/counter.js');
  assert.equal(custom.code, 0, custom.err);
  assert.match(custom.out, /^ {2}spin_ms +integer; default 0; allowed: a whole number >= 0$/m);
  const typo = await p.cli('steps', 'train.svn');
  assert.equal(typo.code, 2);
  assert.match(typo.err, /no step type "train\.svn" \(did you mean "train\.svm"\?\)/);
});

test('docs/steps.md is up to date with the step types (run `npm run schema`), and medpipe steps --markdown writes it', async () => {
  const committed = readFileSync(join(ROOT, 'docs/steps.md'), 'utf8');
  assert.equal(committed, stepsMarkdown([...builtinSteps.values()]));
  const p = makeProject();
  const r = await p.cli('steps', '--markdown', 'out/steps.md');
  assert.equal(r.code, 0, r.err);
  assert.equal(p.read('out/steps.md'), committed);
  for (const id of builtinSteps.keys()) assert.ok(committed.includes(`\n## ${id}\n`), id);
});

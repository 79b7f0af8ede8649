/** Every class of pipeline-file error, reported with its exact line and column, all at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProject } from './project.js';

async function validate(yaml: string, ...extra: string[]): Promise<{ code: number; errors: string[] }> {
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli('validate', 'p.yaml', ...extra);
  return {
    code: r.code,
    errors: r.err
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .map((l) => l.slice('error: '.length)),
  };
}

const HEAD = 'medpipe: 1\nname: t\n';

test('a valid pipeline validates with exit 0', async () => {
  const p = makeProject({ 'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n` });
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /ok \(2 steps\)/);
});

test('YAML syntax errors name line and column', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js\n`);
  assert.equal(r.code, 1);
  assert.ok(r.errors.length >= 1);
  assert.match(r.errors[0], /^p\.yaml:\d+:\d+: /);
});

test('duplicate keys are rejected at the second key', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  a: { uses: ./steps/counter.js }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['p.yaml:5:3: duplicate key: this key is already defined above in the same mapping (remove or rename one of them)']);
});

test('unknown top-level keys are rejected with a suggestion', async () => {
  const r = await validate(`${HEAD}parms: {}\nsteps:\n  a: { uses: ./steps/counter.js }\n`);
  assert.deepEqual(r.errors, [
    'p.yaml:3:1: unknown top-level key "parms" (did you mean "params"?) (allowed: medpipe, name, description, params, params_file, steps, regression)',
  ]);
});

test('alias bombs are rejected', async () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
  ];
  const r = await validate(`${HEAD}params:\n${bomb.map((l) => '  ' + l).join('\n')}\nsteps:\n  a: { uses: ./steps/counter.js }\n`);
  assert.equal(r.code, 1);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], /^p\.yaml:5:10: aliases expand to too many nodes/);
});

test('non-plain tags are rejected at the tag', async () => {
  const r = await validate(`${HEAD}params:\n  x: !!python/object:os.system ls\nsteps:\n  a: { uses: ./steps/counter.js }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:4:6: tag tag:yaml.org,2002:python/object:os.system is not allowed: pipeline files use plain YAML values only (remove the tag)',
  ]);
});

test('an unknown parameter is reported at its key with a suggestion, a wrong type at its value', async () => {
  const yaml = `${HEAD}steps:\n  svm:\n    uses: ./steps/counter.js\n    with:\n      spin_mss: 3\n      n: ten\n`;
  const r = await validate(yaml);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:7:7: step "svm": with.spin_mss is not a known parameter (did you mean "spin_ms"?) (its parameters are: n, spin_ms, fail, path, label)',
    'p.yaml:8:10: step "svm": with.n must be number',
  ]);
});

test('unknown step types, steps, ports and mismatched kinds are all reported together', async () => {
  const yaml = [
    HEAD + 'steps:',
    '  a: { uses: ./steps/counter.js }',
    '  b: { uses: ./steps/counter.js, in: { x: nosuch } }',
    '  c: { uses: ./steps/counter.js, in: { x: a.nope } }',
    '  d: { uses: ./steps/counter.js, in: { m: a.out } }',
    '  e: { uses: ./steps/counter.js, in: { y: a } }',
    '  f: { uses: ./steps/nothere.js }',
    '  g: { uses: ./steps/counter.js, needs: [zz] }',
    '',
  ].join('\n');
  const r = await validate(yaml);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:5:43: step "b": in.x refers to unknown step "nosuch"',
    'p.yaml:6:43: step "c": in.x: step "a" (counter) has no output "nope" (its outputs are: out, info)',
    'p.yaml:7:43: step "d": in.m wants a model, but a.out is a dataset',
    'p.yaml:8:40: step "e": "y" is not an input of counter (did you mean "x"?) (its inputs are: x, m)',
    `p.yaml:9:14: step "f": custom step ${r.errors[4]?.match(/custom step (\S+)/)?.[1]} does not exist`,
    'p.yaml:10:42: step "g": needs unknown step "zz"',
  ]);
  assert.match(r.errors[4], /steps\/nothere\.js does not exist/);
});

test('cycles are named in data-flow order', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js, in: { x: c } }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n  c: { uses: ./steps/counter.js, in: { x: b } }\n`;
  const r = await validate(yaml);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['p.yaml:4:3: cycle: a -> b -> c -> a (a step cannot depend, directly or not, on itself)']);
});

test('a self-loop through needs is a cycle too', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js, needs: [a] }\n`);
  assert.deepEqual(r.errors, ['p.yaml:4:3: cycle: a -> a (a step cannot depend, directly or not, on itself)']);
});

test('${params.x} interpolates with its type; unknown names are errors', async () => {
  const ok = makeProject({
    'p.yaml': `${HEAD}params: { n: 4 }\nsteps:\n  a: { uses: ./steps/counter.js, with: { n: "\${params.n}", label: "n is \${params.n}" } }\n`,
  });
  assert.equal((await ok.cli('validate', 'p.yaml')).code, 0);
  const r = await validate(`${HEAD}params: { n: 4 }\nsteps:\n  a: { uses: ./steps/counter.js, with: { n: "\${params.nn}" } }\n`);
  assert.deepEqual(r.errors, ['p.yaml:5:45: step "a": ${params.nn} refers to an unknown pipeline parameter (did you mean "n"?)']);
});

test('--set overrides are validated like the file', async () => {
  const yaml = `${HEAD}params: { n: 4 }\nsteps:\n  svm: { uses: ./steps/counter.js }\n`;
  const r = await validate(yaml, '--set', 'svm.nn=3', '--set', 'svm.n=abc', '--set', 'm=1', '--set', 'nosvm.n=1');
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors.sort(), [
    '--set m=1: "m" is not a pipeline parameter (did you mean "n"?) (to set a step\'s parameter use STEP.NAME=VALUE)',
    '--set nosvm.n=1: there is no step "nosvm" (did you mean "svm"?)',
    '--set svm.n=abc: step "svm": with.n must be number',
    '--set svm.nn=3: step "svm": with.nn is not a known parameter (did you mean "n"?) (its parameters are: n, spin_ms, fail, path, label)',
  ]);
  const good = await validate(yaml, '--set', 'svm.n=10', '--set', 'n=7');
  assert.equal(good.code, 0);
});

test('a malformed --set is a usage error', async () => {
  const p = makeProject({ 'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n` });
  const r = await p.cli('validate', 'p.yaml', '--set', 'novalue');
  assert.equal(r.code, 2);
  assert.match(r.err, /--set novalue: expected KEY=VALUE/);
});

test('a missing pipeline file is reported, not thrown', async () => {
  const p = makeProject();
  const r = await p.cli('validate', 'nope.yaml');
  assert.equal(r.code, 1);
  const run = await p.cli('run', 'nope.yaml');
  assert.equal(run.code, 2, 'run exits 2 on an invalid pipeline');
  assert.match(r.err, /nope\.yaml: no such file/);
});

test('a data file named in with: that does not exist is reported at its line', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js, with: { path: nothere.txt } }\n`);
  assert.equal(r.code, 1);
  assert.equal(r.errors.length, 1);
  assert.match(
    r.errors[0],
    /^p\.yaml:4:48: step "a": with\.path: file not found: \S+\/nothere\.txt \(relative paths are resolved against the pipeline file's folder\)$/,
  );
});

test('odd shapes are reported, not internal errors: in: as a string, a folder as a data file, names of Object.prototype', async () => {
  const r = await validate(
    `${HEAD}params: { n: 1 }\nsteps:\n  a: { uses: ./steps/counter.js, in: a, with: { path: ., n: "\${params.constructor}" } }\n`,
    '--set',
    'toString=1',
  );
  assert.equal(r.code, 1);
  assert.ok(
    r.errors.every((e) => !/internal error/.test(e)),
    r.errors.join('\n'),
  );
  assert.ok(
    r.errors.some((e) => /^p\.yaml:5:38: step "a": in must be object/.test(e)),
    r.errors.join('\n'),
  );
  assert.ok(
    r.errors.some((e) => /with\.path: is a folder, not a file/.test(e)),
    r.errors.join('\n'),
  );
  assert.ok(
    r.errors.some((e) => /\$\{params\.constructor\} refers to an unknown pipeline parameter/.test(e)),
    r.errors.join('\n'),
  );
  assert.ok(
    r.errors.some((e) => /^--set toString=1: "toString" is not a pipeline parameter/.test(e)),
    r.errors.join('\n'),
  );
});

test('--set cannot silently lose against a matrix', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js, matrix: { n: [1, 2] } }\n`, '--set', 'a.n=5');
  assert.deepEqual(r.errors, ['--set a.n=5: step "a": with.n is swept by matrix:, so --set cannot change it; edit the matrix values in the file']);
});

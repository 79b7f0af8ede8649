/**
 * What `medpipe validate` must catch before anything runs: names JavaScript treats specially,
 * names too long for the file system, nesting that would overflow the parser, published files
 * that would overwrite what the pipeline reads, values outside their step's ranges, `--set`
 * keys that name nothing, and files that are not UTF-8.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProject } from './project.js';
import { ROOT, runCli } from '../helpers/cli.js';

const HEAD = 'medpipe: 1\nname: t\n';

/** Runs a CLI command on `p.yaml` and returns the exit code and the diagnostics, one per line, without `error: `. */
async function check(yaml: string, command: 'validate' | 'run', ...extra: string[]): Promise<{ code: number; errors: string[]; err: string }> {
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli(command, 'p.yaml', ...extra);
  return {
    code: r.code,
    err: r.err,
    errors: r.err
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .map((l) => l.slice('error: '.length)),
  };
}

const validate = (yaml: string, ...extra: string[]) => check(yaml, 'validate', ...extra);

test('__proto__, constructor and prototype are reserved as step ids, at the id', async () => {
  const r = await validate(
    `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  constructor: { uses: ./steps/counter.js }\n  prototype: { uses: ./steps/counter.js }\n`,
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:5:3: step id "constructor" is reserved: JavaScript gives it a special meaning (choose another name)',
    'p.yaml:6:3: step id "prototype" is reserved: JavaScript gives it a special meaning (choose another name)',
  ]);
  const proto = await validate(`${HEAD}steps:\n  __proto__: { uses: ./steps/counter.js }\n`);
  assert.equal(proto.code, 1);
  assert.deepEqual(proto.errors, ['p.yaml:4:3: "__proto__" is reserved: JavaScript gives it a special meaning (rename this key)']);
});

test('__proto__ is reserved as any key of the file; constructor and prototype as parameter names', async () => {
  const r = await validate(`${HEAD}params:\n  constructor: 1\nsteps:\n  a: { uses: ./steps/counter.js, with: { __proto__: { n: 3 } } }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['p.yaml:6:42: "__proto__" is reserved: JavaScript gives it a special meaning (rename this key)']);
  const params = await validate(`${HEAD}params:\n  constructor: 1\nsteps:\n  a: { uses: ./steps/counter.js }\n`);
  assert.deepEqual(params.errors, ['p.yaml:4:3: parameter name "constructor" is reserved: JavaScript gives it a special meaning (choose another name)']);
});

test('an input port named like a property of every object is not an input', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { constructor: a } }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['p.yaml:5:40: step "b": "constructor" is not an input of counter (its inputs are: x, m)']);
});

test('a step id longer than 100 characters is an error at the id, not ENAMETOOLONG at run time', async () => {
  const long = 'a'.repeat(300);
  const r = await validate(`${HEAD}steps:\n  ${long}: { uses: ./steps/counter.js }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [`p.yaml:4:3: step id "${'a'.repeat(20)}…" is 300 characters long: step ids are at most 100 (they become part of folder names)`]);
  const exact = await validate(`${HEAD}steps:\n  ${'a'.repeat(100)}: { uses: ./steps/counter.js }\n`);
  assert.equal(exact.code, 0, exact.err);
});

test('step ids hold letters, digits, "_" and "-" and start with a letter or "_"', async () => {
  const r = await validate(`${HEAD}steps:\n  _ok-1: { uses: ./steps/counter.js }\n  1st: { uses: ./steps/counter.js }\n  a.b: { uses: ./steps/counter.js }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:5:3: "1st" is not a valid name: use letters, digits, "_" and "-", starting with a letter or "_"',
    'p.yaml:6:3: "a.b" is not a valid name: use letters, digits, "_" and "-", starting with a letter or "_"',
  ]);
});

test('a sweep whose combination ids would be too long for a folder name is an error at each expanded step', async () => {
  const value = 'x'.repeat(200);
  const r = await validate(
    `${HEAD}steps:\n  a:\n    uses: ./steps/counter.js\n    matrix: { label: ["${value}", "y${value}"] }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n`,
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:4:3: step "a": its sweep\'s step ids are up to 210 characters long (a[label=yxxxxxxxxxxx…): at most 200, as they become part of folder names (use shorter matrix values)',
    'p.yaml:7:3: step "b": its sweep\'s step ids are up to 210 characters long (b[label=yxxxxxxxxxxx…): at most 200, as they become part of folder names (use shorter matrix values)',
  ]);
});

/** `params: x:` nested `levels` deep below x, in flow style on one line. */
function flowNested(levels: number): string {
  return `${HEAD}params:\n  x: ${'['.repeat(levels)}${']'.repeat(levels)}\nsteps:\n  a: { uses: ./steps/counter.js }\n`;
}

test('10,000 levels of nesting are a pipeline error at the level past the limit, not a stack overflow', async () => {
  // The document is level 1, params level 2, so the 63rd "[" opens level 65.
  const r = await validate(flowNested(10_000));
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['p.yaml:4:68: values are nested more than 64 levels deep (a pipeline needs a handful: flatten this value)']);
  const run = await check(flowNested(10_000), 'run');
  assert.equal(run.code, 2, run.err);
  assert.deepEqual(run.errors, r.errors);
  const within = await validate(flowNested(62));
  assert.equal(within.code, 0, within.err);
});

test('deep block nesting, by indentation or by compact "- - -" sequences, is caught the same way', async () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n');
  const block = await validate(`${HEAD}params:\n${keys} v\nsteps:\n  a: { uses: ./steps/counter.js }\n`);
  assert.equal(block.code, 1);
  assert.deepEqual(block.errors, ['p.yaml:67:66: values are nested more than 64 levels deep (a pipeline needs a handful: flatten this value)']);
  const dashes = await validate(`${HEAD}params:\n  x:\n    ${'- '.repeat(10_000)}v\nsteps:\n  a: { uses: ./steps/counter.js }\n`);
  assert.equal(dashes.code, 1);
  assert.deepEqual(dashes.errors, ['p.yaml:5:129: values are nested more than 64 levels deep (a pipeline needs a handful: flatten this value)']);
});

/** Validates a pipeline file written as these bytes. */
async function validateBytes(bytes: Uint8Array): Promise<{ code: number; errors: string[]; err: string }> {
  const p = makeProject();
  writeFileSync(join(p.dir, 'p.yaml'), bytes);
  const r = await p.cli('validate', 'p.yaml');
  return {
    code: r.code,
    err: r.err,
    errors: r.err
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .map((l) => l.slice('error: '.length)),
  };
}

const PIPELINE = `${HEAD}description: café au lait\nsteps:\n  a: { uses: ./steps/counter.js }\n`;

test('a Latin-1 file is an error naming the first byte that is not UTF-8, with its line and column', async () => {
  const r = await validateBytes(Buffer.from(PIPELINE, 'latin1'));
  assert.equal(r.code, 1);
  // "é" is byte 0xE9 in Latin-1, 35 bytes into the file: line 3, column 17.
  assert.deepEqual(r.errors, ['p.yaml:3:17: the file is not UTF-8: byte 0xE9 at byte offset 35 is not valid UTF-8 (save the file as UTF-8)']);
  const utf8 = await validateBytes(Buffer.from(PIPELINE, 'utf8'));
  assert.equal(utf8.code, 0, utf8.err);
  const withBom = await validateBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PIPELINE, 'utf8')]));
  assert.equal(withBom.code, 0, withBom.err);
});

test('a UTF-16 file is named as UTF-16, with or without its byte order mark', async () => {
  const le = Buffer.from(PIPELINE, 'utf16le');
  const be = Buffer.from(le).swap16();
  const cases: [Uint8Array, string][] = [
    [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'little-endian'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'big-endian'],
    [le, 'little-endian'],
    [be, 'big-endian'],
  ];
  for (const [bytes, order] of cases) {
    const r = await validateBytes(bytes);
    assert.equal(r.code, 1);
    assert.deepEqual(r.errors, [`p.yaml: the file is UTF-16 (${order}), not UTF-8 (save the file as UTF-8)`]);
  }
});

test('--set keys with __proto__, constructor or prototype anywhere are errors naming the override', async () => {
  const r = await validate(
    `${HEAD}params: { n: 1 }\nsteps:\n  a: { uses: ./steps/counter.js }\n`,
    '--set',
    'a.__proto__.n=100',
    '--set',
    'constructor=1',
    '--set',
    'a.prototype=2',
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors.sort(), [
    '--set a.__proto__.n=100: "__proto__" is reserved: JavaScript gives it a special meaning',
    '--set a.prototype=2: "prototype" is reserved: JavaScript gives it a special meaning',
    '--set constructor=1: "constructor" is reserved: JavaScript gives it a special meaning',
  ]);
});

test("--set of a pipeline parameter that makes a step's value invalid names the override, for each step", async () => {
  const r = await validate(
    `${HEAD}params: { seed: 1 }\nsteps:\n  a: { uses: ./steps/counter.js, with: { n: "\${params.seed}" } }\n  b: { uses: ./steps/counter.js, with: { n: "\${params.seed}", label: "seed \${params.seed}" } }\n`,
    '--set',
    'seed=abc',
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['--set seed=abc: step "a": with.n must be number', '--set seed=abc: step "b": with.n must be number']);
});

test('--set keys that name nothing are errors with a suggestion: a parameter a step type does not declare, a parameter used as a step, an empty name', async () => {
  const open = `export default { id: 'open', version: '1', description: 'takes any parameter', defaultOutput: 'out', inputs: {}, outputs: { out: { kind: 'dataset', description: 'x' } },
    params: { type: 'object', properties: { count: { type: 'number' } } }, async run() {} };\n`;
  const p = makeProject({ 'steps/open.js': open, 'p.yaml': `${HEAD}params: { seed: 1 }\nsteps:\n  o: { uses: ./steps/open.js }\n` });
  const r = await p.cli('validate', 'p.yaml', '--set', 'o.cuont=3', '--set', 'seed.x=1', '--set', 'o..count=1');
  assert.equal(r.code, 1);
  const errors = r.err
    .split('\n')
    .filter((l) => l.startsWith('error: '))
    .sort();
  assert.deepEqual(errors, [
    'error: --set o..count=1: "o..count" has an empty name: write NAME or STEP.NAME, separated by single dots',
    'error: --set o.cuont=3: step "o": with.cuont is not a known parameter (did you mean "count"?) (its parameters are: count)',
    'error: --set seed.x=1: "seed" is a pipeline parameter, not a step (set it with --set seed=VALUE)',
  ]);
});

/** A pipeline of built-in steps whose parameters can be set per test (validation only: nothing is run). */
function builtins(withs: { split?: string; svm?: string; forest?: string; register?: string } = {}): string {
  return [
    `${HEAD}params: { seed: 1, size: 0.2 }`,
    'steps:',
    '  load: { uses: load.csv, with: { path: data.csv, target: y } }',
    `  split: { uses: split, in: { data: load }, with: { ${withs.split ?? 'test_size: 0.2'} } }`,
    `  svm: { uses: train.svm, in: { train: split.train }, with: { ${withs.svm ?? 'C: 1'} } }`,
    `  forest: { uses: train.random-forest, in: { train: split.train }, with: { ${withs.forest ?? 'trees: 10'} } }`,
    '  eval: { uses: evaluate, in: { model: svm, test: split.test } }',
    `  register: { uses: register, in: { model: svm, evaluation: eval }, with: { ${withs.register ?? 'name: m'} } }`,
    '',
  ].join('\n');
}

async function validateBuiltins(withs: Parameters<typeof builtins>[0], ...extra: string[]): Promise<{ code: number; errors: string[]; err: string }> {
  const p = makeProject({ 'p.yaml': builtins(withs), 'data.csv': 'x,y\n1,a\n2,b\n' });
  const r = await p.cli('validate', 'p.yaml', ...extra);
  return {
    code: r.code,
    err: r.err,
    errors: r.err
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .map((l) => l.slice('error: '.length)),
  };
}

test('out-of-range step parameters are validation errors at their value: a fraction above 1, an infinite C, a trillion trees, an alias that is a path', async () => {
  assert.equal((await validateBuiltins({})).code, 0);
  const r = await validateBuiltins({ split: 'test_size: 1.5', svm: 'C: .inf, gamma: .nan', forest: 'trees: 1e12', register: 'name: m, alias: "../x"' });
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    'p.yaml:6:64: step "split": with.test_size must be a number > 0 and < 1 or a whole number >= 1 (got 1.5)',
    'p.yaml:7:66: step "svm": with.C must be a finite number (got .inf)',
    'p.yaml:7:79: step "svm": with.gamma must be "scale", "auto" or a number > 0 and <= 1000000 (got .nan)',
    'p.yaml:8:83: step "forest": with.trees must be <= 10000',
    'p.yaml:10:93: step "register": with.alias "../x" is not a valid alias: start with a letter, then letters, digits, ".", "_" or "-", at most 64 characters (e.g. production)',
  ]);
});

test('a fraction or a whole number of rows, a large C and a registry-valid name and alias still validate', async () => {
  const r = await validateBuiltins({
    split: 'test_size: 30',
    svm: 'C: 1e6, gamma: 0.5',
    forest: 'trees: 10000, max_depth: 1000',
    register: 'name: breast-cancer.svm_2, alias: staging-2',
  });
  assert.equal(r.code, 0, r.err);
});

test('ranges apply to values from ${params.x} and from --set, and the error names the override', async () => {
  const viaParam = await validateBuiltins({ split: 'test_size: "${params.size}"' }, '--set', 'size=1.5');
  assert.deepEqual(viaParam.errors, ['--set size=1.5: step "split": with.test_size must be a number > 0 and < 1 or a whole number >= 1 (got 1.5)']);
  const direct = await validateBuiltins({}, '--set', 'svm.C=.inf', '--set', 'forest.threads=100000', '--set', 'register.name=-x');
  assert.deepEqual(direct.errors.sort(), [
    '--set forest.threads=100000: step "forest": with.threads must be <= 256',
    '--set register.name=-x: step "register": with.name "-x" is not a valid model name: use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters (e.g. breast-cancer-svm)',
    '--set svm.C=.inf: step "svm": with.C must be a finite number (got .inf)',
  ]);
});

/** Load, split, train, evaluate and predict, with the evaluate and predict steps' `with:` set per test. */
function publishing(evalWith: string, predictWith = '', extraSteps = ''): string {
  return [
    `${HEAD}steps:`,
    '  load: { uses: load.csv, with: { path: data.csv, target: y } }',
    '  split: { uses: split, in: { data: load } }',
    '  svm: { uses: train.svm, in: { train: split.train } }',
    `  eval: { uses: evaluate, in: { model: svm, test: split.test }, with: { ${evalWith} } }`,
    `  predict: { uses: predict, in: { model: svm, data: split.test }, with: { ${predictWith} } }`,
    extraSteps,
  ].join('\n');
}

async function validatePublishing(yaml: string, ...extra: string[]): Promise<{ code: number; errors: string[]; err: string; dir: string }> {
  const p = makeProject({ 'p.yaml': yaml, 'data.csv': 'x,y\n1,a\n2,b\n' });
  symlinkSync(p.dir, join(p.dir, 'here'));
  const r = await p.cli('validate', 'p.yaml', ...extra);
  return {
    code: r.code,
    err: r.err,
    dir: realpathSync(p.dir),
    errors: r.err
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .map((l) => l.slice('error: '.length)),
  };
}

test('a published file may not overwrite a file the pipeline reads, the pipeline file or its lock file', async () => {
  const ok = await validatePublishing(publishing('metrics_file: metrics/eval.json', 'table_file: out/predictions.csv'));
  assert.equal(ok.code, 0, ok.err);
  const r = await validatePublishing(publishing('metrics_file: here/data.csv', 'table_file: ./p.yaml'));
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [
    `p.yaml:7:87: step "eval": with.metrics_file: would overwrite the file step "load" reads (with.path): ${r.dir}/here/data.csv (give each published file a path of its own)`,
    `p.yaml:8:87: step "predict": with.table_file: would overwrite the pipeline file itself: ${r.dir}/p.yaml (give each published file a path of its own)`,
  ]);
  const lock = await validatePublishing(publishing('metrics_file: p.lock.yaml'));
  assert.deepEqual(lock.errors, [
    `p.yaml:7:87: step "eval": with.metrics_file: would overwrite the pipeline's lock file: ${lock.dir}/p.lock.yaml (give each published file a path of its own)`,
  ]);
});

test('two steps may not publish to one file, nor the combinations of a sweep', async () => {
  const twice = await validatePublishing(publishing('metrics_file: m.json', 'table_file: ./out/../m.json'));
  assert.deepEqual(twice.errors, [
    `p.yaml:8:87: step "predict": with.table_file: step "eval" (with.metrics_file) writes this file too: ${twice.dir}/m.json (give each published file a path of its own)`,
  ]);
  const swept = await validatePublishing(
    publishing('metrics_file: m.json').replace('in: { train: split.train } }', 'in: { train: split.train }, matrix: { C: [1, 10] } }'),
  );
  assert.deepEqual(swept.errors, [
    `p.yaml:7:87: step "eval": with.metrics_file: each combination of the sweep it is part of would write this same file: ${swept.dir}/m.json (publish from a step after the sweep, e.g. one that evaluates the select-best model)`,
  ]);
});

test('a published file named by --set that overwrites the data names the override', async () => {
  const r = await validatePublishing(publishing('metrics_file: m.json'), '--set', 'eval.metrics_file=data.csv');
  assert.deepEqual(r.errors, [
    `--set eval.metrics_file=data.csv: step "eval": with.metrics_file: would overwrite the file step "load" reads (with.path): ${r.dir}/data.csv`,
  ]);
});

test('an output port named like a property of every object is not an output', async () => {
  const r = await validate(`${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { x: a.constructor } }\n`);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, ['p.yaml:5:43: step "b": in.x: step "a" (counter) has no output "constructor" (its outputs are: out, info)']);
});

test('max_features is a fraction in (0, 1] or a whole count from 2, as the forest requires', async () => {
  assert.equal((await validateBuiltins({ forest: 'max_features: 0.5' })).code, 0);
  assert.equal((await validateBuiltins({ forest: 'max_features: 3' })).code, 0);
  const r = await validateBuiltins({ forest: 'max_features: 1.5' });
  assert.deepEqual(r.errors, [
    'p.yaml:8:90: step "forest": with.max_features must be "sqrt", "log2", a number > 0 and <= 1, a whole number >= 2 and <= 100000 or null (got 1.5)',
  ]);
});

test('every shipped pipeline still validates under the ranges and checks above', async () => {
  const files = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.lock.yaml'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const r = await runCli(ROOT, 'validate', join('pipelines', f));
    assert.equal(r.code, 0, `${f}: ${r.err}`);
  }
});

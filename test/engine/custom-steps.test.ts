/** User step types, from a file or an installed package: run, cached, re-run on code change, broken ones reported with their path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COUNTER_STEP, makeProject } from './project.js';

const HEAD = 'medpipe: 1\nname: t\n';

test('a step from an installed package runs, caches, and re-runs when the package changes', async () => {
  const p = makeProject({
    'node_modules/medpipe-steps-demo/package.json': JSON.stringify({
      name: 'medpipe-steps-demo',
      version: '1.0.0',
      type: 'module',
      exports: { '.': { import: './index.js' } },
    }),
    'node_modules/medpipe-steps-demo/index.js': COUNTER_STEP.replace('VERSION', '1'),
    'p.yaml': `${HEAD}steps:\n  a: { uses: medpipe-steps-demo, with: { n: 3 } }\n`,
  });
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  assert.match((await p.cli('run', 'p.yaml')).out, /a: cached/);
  p.write(
    'node_modules/medpipe-steps-demo/package.json',
    JSON.stringify({ name: 'medpipe-steps-demo', version: '1.1.0', type: 'module', exports: { '.': { import: './index.js' } } }),
  );
  assert.match((await p.cli('status', 'p.yaml')).out, /a\s+stale\s+differs\s+step code changed/);
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  assert.deepEqual(p.computed(), ['a', 'a']);
});

test('a plugin without a default export, with a syntax error, or with the wrong shape is reported with its path', async () => {
  const p = makeProject({
    'steps/noexport.js': 'export const step = {};\n',
    'steps/syntax.js': 'export default {\n',
    'steps/norun.js': COUNTER_STEP.replace('VERSION', '1').replace('async run(ctx, p) {', 'async walk(ctx, p) {'),
    'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/noexport.js }\n  b: { uses: ./steps/syntax.js }\n  c: { uses: ./steps/norun.js }\n`,
  });
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  const errors = r.err.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 3);
  assert.match(errors[0], /^error: p\.yaml:4:14: step "a": custom step \S+\/steps\/noexport\.js: the module must `export default` a step type object/);
  assert.match(errors[1], /^error: p\.yaml:5:14: step "b": custom step \S+\/steps\/syntax\.js failed to load: /);
  assert.match(errors[2], /^error: p\.yaml:6:14: step "c": custom step \S+\/steps\/norun\.js: "run" must be a function/);
});

test('a plugin that throws fails its step with the plugin path and the message, and nothing else', async () => {
  const p = makeProject({
    'steps/boom.js': COUNTER_STEP.replace('VERSION', '1').replace('const start = Date.now();', "throw new Error('boom');"),
    'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/boom.js }\n  b: { uses: ./steps/counter.js, with: { n: 2 } }\n`,
  });
  const r = await p.cli('run', 'p.yaml');
  assert.equal(r.code, 1);
  assert.match(r.out, /a: FAILED after .*: custom step \S+\/steps\/boom\.js failed: boom/);
  assert.doesNotMatch(r.out + r.err, /at run \(|\.js:\d+:\d+\)/, 'no stack trace');
  assert.match(r.out, /b: done/);
});

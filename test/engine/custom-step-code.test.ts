/**
 * A custom step's cache key covers all of its code: the local modules its entry imports,
 * transitively, and every file of a step package, so editing any of them re-runs the step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileStepCodeDigest, MAX_CODE_FILES, stepCodeFiles } from '../../src/engine/custom-step.js';
import { COUNTER_STEP, makeProject, type Project } from './project.js';

const HEAD = 'medpipe: 1\nname: t\n';

/** A step whose output is a number defined two imports away (calc -> lib/value -> lib/base). */
const CALC_STEP = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { value } from './lib/value.mjs';
export default {
  id: 'calc', version: '1', description: 'writes a number from its helpers', defaultOutput: 'out',
  inputs: {}, outputs: { out: { kind: 'report', description: 'a number' } },
  params: { type: 'object', additionalProperties: false, properties: {} },
  async run(ctx) {
    appendFileSync(join(ctx.pipelineDir, 'computed.log'), ctx.stepId + '\\n');
    writeFileSync(ctx.output('out'), String(value()));
  },
};
`;

function files(root: string, tree: Record<string, string>): string {
  for (const [rel, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** The output the step wrote in the latest run, read from the store through the run record. */
function lastOutput(p: Project, out: string, step: string, port: string): string {
  const runId = /run (\d{8}T\d{6}Z-[0-9a-f]+)/.exec(out)?.[1] ?? '';
  const record = JSON.parse(p.read(`.medpipe/runs/${runId}.json`)) as { steps: Record<string, { outputs: Record<string, string> }> };
  const digest = record.steps[step].outputs[port];
  return p.read(`.medpipe/objects/${digest.slice(0, 2)}/${digest.slice(2)}`);
}

test('editing a module a file step imports (two levels down) re-runs it with the new code; status says the code changed', async () => {
  const p = makeProject({
    'steps/calc.mjs': CALC_STEP,
    'steps/lib/value.mjs': "import { BASE } from './base.mjs';\nexport const value = () => BASE * 2;\n",
    'steps/lib/base.mjs': 'export const BASE = 5;\n',
    'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/calc.mjs }\n`,
  });
  const first = await p.cli('run', 'p.yaml');
  assert.equal(first.code, 0, first.err);
  assert.equal(lastOutput(p, first.out, 'a', 'out'), '10');

  const unchanged = await p.cli('run', 'p.yaml');
  assert.match(unchanged.out, /a: cached/);
  assert.deepEqual(p.computed(), ['a']);

  p.write('steps/lib/base.mjs', 'export const BASE = 7;\n');
  assert.match((await p.cli('status', 'p.yaml')).out, /a\s+stale\s+\S+\s+step code changed/);
  const edited = await p.cli('run', 'p.yaml');
  assert.equal(edited.code, 0, edited.err);
  assert.deepEqual(p.computed(), ['a', 'a']);
  assert.equal(lastOutput(p, edited.out, 'a', 'out'), '14', 'the worker ran the edited helper, not a cached module');
  assert.match((await p.cli('run', 'p.yaml')).out, /a: cached/);
});

test('every local import form is followed as Node resolves it; bare packages and computed specifiers are not', () => {
  const root = mkdtempSync(join(tmpdir(), 'medpipe-code-'));
  const abs = files(root, { 'elsewhere/abs.mjs': 'export const x = 1;\n' });
  files(root, {
    'step/entry.mjs': [
      "import { a } from './static.mjs';",
      "export * from './reexport.mjs';",
      "import './side-effect.mjs';",
      "const d = await import('./dynamic.mjs');",
      'const t = await import(`./template.mjs`);',
      "import { createRequire } from 'node:module';",
      'const require = createRequire(import.meta.url);',
      "require('./extensionless');",
      "require('./folder');",
      "require('./pkg-folder');",
      "import '../step/query.mjs?v=3#frag';",
      `import '${join(abs, 'elsewhere/abs.mjs')}';`,
      `import '${new URL(`file://${join(abs, 'elsewhere/url.mjs')}`).href}';`,
      "import 'some-package';",
      "import('./computed-' + name + '.mjs');",
      'import(`./tpl-${name}.mjs`);',
      "import { gone } from './missing.mjs';",
      '// a comment that reads like an import is followed too (harmless): from "./commented.mjs"',
    ].join('\n'),
    'step/static.mjs': "export { b } from './nested/deep.mjs';\nexport const a = 1;\n",
    'step/nested/deep.mjs': "export const b = require('../cjs-helper.cjs');\n",
    'step/cjs-helper.cjs': 'module.exports = 1;\n',
    'step/reexport.mjs': '',
    'step/side-effect.mjs': '',
    'step/dynamic.mjs': '',
    'step/template.mjs': '',
    'step/extensionless.js': '',
    'step/folder/index.js': "module.exports = require('./data.json');\n",
    'step/folder/data.json': '{ "note": "import \'./not-followed.mjs\'" }\n',
    'step/pkg-folder/package.json': '{ "main": "lib/main" }\n',
    'step/pkg-folder/lib/main.js': '',
    'step/query.mjs': '',
    'elsewhere/url.mjs': '',
    'step/commented.mjs': '',
    'step/not-followed.mjs': '',
  });
  const entry = join(root, 'step/entry.mjs');
  const found = stepCodeFiles(entry);
  const rel = (p: string): string => relative(join(root, 'step'), p);
  assert.deepEqual([...found.files.keys()].map(rel).sort(), [
    '../elsewhere/abs.mjs',
    '../elsewhere/url.mjs',
    'cjs-helper.cjs',
    'commented.mjs',
    'dynamic.mjs',
    'entry.mjs',
    'extensionless.js',
    'folder/data.json',
    'folder/index.js',
    'nested/deep.mjs',
    'pkg-folder/lib/main.js',
    'pkg-folder/package.json',
    'query.mjs',
    'reexport.mjs',
    'side-effect.mjs',
    'static.mjs',
    'template.mjs',
  ]);
  // A missing import is part of the digest (creating the file re-keys), not an error.
  assert.deepEqual([...found.missing].map(rel), ['missing.mjs']);

  const before = fileStepCodeDigest(entry);
  assert.equal(fileStepCodeDigest(entry), before, 'deterministic');
  writeFileSync(join(root, 'step/pkg-folder/lib/main.js'), '// edited\n');
  const afterEdit = fileStepCodeDigest(entry);
  assert.notEqual(afterEdit, before, 'a file three requires deep is covered');
  writeFileSync(join(root, 'step/missing.mjs'), 'export const gone = 1;\n');
  assert.notEqual(fileStepCodeDigest(entry), afterEdit, 'creating a missing import re-keys');
  writeFileSync(join(root, 'step/unrelated.mjs'), '');
  const settled = fileStepCodeDigest(entry);
  writeFileSync(join(root, 'step/unrelated.mjs'), '// edited\n');
  writeFileSync(join(root, 'step/not-followed.mjs'), '// edited\n');
  assert.equal(fileStepCodeDigest(entry), settled, 'files nothing imports (a JSON string that looks like an import included) are not part of the step');

  // A self-contained step keeps the digest of its one file, as before imports were followed.
  const single = files(root, { 'single/step.mjs': "import { readFileSync } from 'node:fs';\nexport default {};\n" });
  assert.equal(
    fileStepCodeDigest(join(single, 'single/step.mjs')),
    createHash('sha256')
      .update(readFileSync(join(root, 'single/step.mjs')))
      .digest('hex'),
  );
});

test(`a step importing more than ${MAX_CODE_FILES} local files is refused with its path`, async () => {
  const imports = Array.from({ length: MAX_CODE_FILES }, (_, i) => `import './many/m${i}.mjs';`).join('\n');
  const tree: Record<string, string> = {
    'steps/huge.mjs': `${imports}\n${COUNTER_STEP.replace('VERSION', '1')}`,
    'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/huge.mjs }\n`,
  };
  for (let i = 0; i < MAX_CODE_FILES; i++) tree[`steps/many/m${i}.mjs`] = '';
  const p = makeProject(tree);
  const r = await p.cli('validate', 'p.yaml');
  assert.equal(r.code, 1);
  assert.match(r.err, /step "a": custom step \S+\/steps\/huge\.mjs: its code imports more than 2000 local files \(reached many\/m\d+\.mjs\)/);
});

test('a package step re-runs when any file of the package changes, not when its own node_modules do', async () => {
  const pkg = 'node_modules/medpipe-steps-helpers';
  const p = makeProject({
    [`${pkg}/package.json`]: JSON.stringify({ name: 'medpipe-steps-helpers', version: '1.0.0', type: 'module', exports: { '.': './index.js' } }),
    [`${pkg}/index.js`]: COUNTER_STEP.replace('VERSION', '1')
      .replace("import { join } from 'node:path';", "import { join } from 'node:path';\nimport { scale } from './lib/scale.js';")
      .replace('base + p.n + fromFile));', 'scale(base + p.n + fromFile)));'),
    [`${pkg}/lib/scale.js`]: 'export const scale = (x) => x * 10;\n',
    [`${pkg}/node_modules/dep/index.js`]: 'export default 1;\n',
    'p.yaml': `${HEAD}steps:\n  a: { uses: medpipe-steps-helpers, with: { n: 3 } }\n`,
  });
  const first = await p.cli('run', 'p.yaml');
  assert.equal(first.code, 0, first.err);
  assert.equal(lastOutput(p, first.out, 'a', 'out'), '30');

  p.write(`${pkg}/node_modules/dep/index.js`, 'export default 2;\n');
  assert.match((await p.cli('run', 'p.yaml')).out, /a: cached/);

  p.write(`${pkg}/lib/scale.js`, 'export const scale = (x) => x * 100;\n');
  assert.match((await p.cli('status', 'p.yaml')).out, /a\s+stale\s+\S+\s+step code changed/);
  const edited = await p.cli('run', 'p.yaml');
  assert.equal(edited.code, 0, edited.err);
  assert.equal(lastOutput(p, edited.out, 'a', 'out'), '300');

  // A file the entry never imports (a template the step reads at run time, say) is part of the package too.
  p.write(`${pkg}/templates/report.txt`, 'v2\n');
  assert.match((await p.cli('status', 'p.yaml')).out, /a\s+stale\s+\S+\s+step code changed/);
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  assert.deepEqual(p.computed(), ['a', 'a', 'a']);
});

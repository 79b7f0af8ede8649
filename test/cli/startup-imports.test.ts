/**
 * What `medpipe` loads before it knows the command: the CLI and the engine, no step module (a run
 * imports the step types its pipeline names). And what a step module loads: its schema, not what
 * the step runs on. A step module that imports its implementation at the top makes every run of
 * it load it, and `medpipe steps` too (filter.molecules once pulled in the alert files' reader and
 * every dataset generator this way).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CATALOGUE = new URL('../../src/steps/index.js', import.meta.url).href;
const CLI = new URL('../../src/cli/cli.js', import.meta.url).href;
const ALL_STEPS = new URL('../../src/builtin-steps.js', import.meta.url).href;

/** Every module URL a fresh process loads to import `urls`, recorded by a resolve hook. */
function loadedBy(urls: readonly string[]): string[] {
  const hook = `export async function resolve(specifier, context, next) { const r = await next(specifier, context); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }`;
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    for (const u of ${JSON.stringify(urls)}) await import(u);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  return [...new Set(r.stderr.split('\n').flatMap((l) => (l.startsWith('LOADED ') ? [l.slice(7)] : [])))];
}

const HEAVY =
  /\/src\/data\/(csv|builtin|arrow)\.js$|\/src\/data\/generators\/|\/src\/chem\/(alerts|molecule-filters|rdkit|standardize|featurize|nearest)\.js$|\/src\/ml\/(forest|svm|gan|generative|recommender|tf)\/|apache-arrow|@rdkit|@tensorflow/;

test('the CLI and the step catalogue load no step module: a run imports the types its pipeline names', () => {
  const loaded = loadedBy([CATALOGUE, CLI]);
  assert.ok(
    loaded.some((u) => u.endsWith('/src/engine/execute.js')),
    'the hook saw the engine',
  );
  assert.deepEqual(
    loaded.filter((u) => /\/src\/steps\/(?!index\.js$)/.test(u)),
    [],
  );
});

test('every step module loads its schema, not its implementation: no dataset reader, chemistry, model or alert file', () => {
  const loaded = loadedBy([ALL_STEPS]);
  assert.ok(
    loaded.some((u) => u.endsWith('/src/steps/filter.molecules.js')),
    'the hook saw the step modules',
  );
  assert.deepEqual(
    loaded.filter((u) => HEAVY.test(u)),
    [],
  );
});

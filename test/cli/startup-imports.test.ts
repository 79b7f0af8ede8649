/**
 * What `medpipe` loads before it knows the command: the step catalogue (every step's parameter
 * schema) and the CLI, not what the steps run on. A step module that imports its implementation
 * at the top makes every command, `--help` and a cached run included, load it (filter.molecules
 * once pulled in the alert files' reader and every dataset generator this way).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CATALOGUE = new URL('../../src/steps/index.js', import.meta.url).href;
const CLI = new URL('../../src/cli/cli.js', import.meta.url).href;

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

test('the CLI and the step catalogue load no step implementation: no dataset reader, chemistry, model or alert file', () => {
  const loaded = loadedBy([CATALOGUE, CLI]);
  assert.ok(
    loaded.some((u) => u.endsWith('/src/steps/filter.molecules.js')),
    'the hook saw the step modules',
  );
  const heavy = loaded.filter((u) =>
    /\/src\/data\/(csv|builtin|arrow)\.js$|\/src\/data\/generators\/|\/src\/chem\/(alerts|molecule-filters|rdkit|standardize|featurize|nearest)\.js$|\/src\/ml\/(forest|svm|gan|generative|recommender|tf)\/|apache-arrow|@rdkit|@tensorflow/.test(
      u,
    ),
  );
  assert.deepEqual(heavy, []);
});

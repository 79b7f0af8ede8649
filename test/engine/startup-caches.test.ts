/**
 * What spares a re-run of an unchanged pipeline its start-up work: the parsed-file cache (no YAML
 * parse) and compiled validators, built with medpipe or kept in the store (no Ajv). Each must give
 * exactly what the slow path gives, and damaged bytes in the store are never used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs, { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { readPipelineSource } from '../../src/engine/load.js';
import { readParsedValue, writeParsedValue } from '../../src/engine/parsed-cache.js';
import { pipelineBaseSchema } from '../../src/engine/schema.js';
import { schemaValidator, VALIDATOR_OPTIONS, validatorName } from '../../src/engine/schema-validators.js';
import { builtinSteps } from '../../src/builtin-steps.js';
import { BIN, makeProject, type Project } from './project.js';

const PIPELINE = `medpipe: 1
name: caches
params: { n: 2 }
steps:
  a: { uses: ./steps/counter.js, with: { n: "\${params.n}" } }
  b: { uses: ./steps/counter.js, in: { x: a } }
`;

const storeFiles = (p: Project, folder: string): string[] => {
  const dir = join(p.dir, '.medpipe', folder);
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
};

/** A project whose store exists (made by a first run, which loads the pipeline before there is a store to cache in). */
async function ranOnce(): Promise<Project> {
  const p = makeProject({ 'p.yaml': PIPELINE });
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  assert.deepEqual(storeFiles(p, 'parsed'), []);
  return p;
}

async function ranOnceInProcesses(): Promise<Project> {
  const p = makeProject({ 'p.yaml': PIPELINE });
  assert.equal((await p.spawnCli('run', 'p.yaml')).code, 0);
  return p;
}

test('a re-run reads the parsed file from the store, and a problem found then is still reported at its line and column', async () => {
  const p = await ranOnce();
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  const [entry] = storeFiles(p, 'parsed');
  assert.ok(entry, 'the second run kept the parsed file');
  const again = await p.cli('run', 'p.yaml');
  assert.equal(again.code, 0);
  assert.deepEqual(p.computed(), ['a', 'b'], 'the second run took both steps from the cache');
  // A --set problem needs the document's positions, which a cached parse does not have until asked.
  const withCache = await p.cli('run', 'p.yaml', '--set', 'b.n=many');
  rmSync(join(p.dir, '.medpipe', 'parsed'), { recursive: true });
  const withoutCache = await p.cli('run', 'p.yaml', '--set', 'b.n=many');
  assert.equal(withCache.code, 2);
  assert.match(withCache.err, /p\.yaml:6:3/);
  assert.equal(withCache.err, withoutCache.err);
});

test('a parsed entry whose bytes do not match its digest is deleted and the file parsed again', async () => {
  const p = await ranOnce();
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  const [entry] = storeFiles(p, 'parsed');
  const intact = readFileSync(entry, 'utf8');
  // A value changed on disk (n: 2 -> 7) without its digest: used, it would change step a's key.
  writeFileSync(entry, intact.replace('"n":2', '"n":7'));
  assert.notEqual(readFileSync(entry, 'utf8'), intact);
  const r = await p.cli('run', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(p.computed(), ['a', 'b'], 'nothing ran again: the value came from the file, not the damaged entry');
  assert.equal(readFileSync(entry, 'utf8'), intact, 'the entry was written again from the parse');
});

test('a value JSON cannot hold exactly is not cached, and still read as YAML gives it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-parsed-'));
  const store = join(dir, '.medpipe');
  mkdirSync(store);
  writeFileSync(join(dir, 'a.yaml'), 'x: .inf\ny: -0.0\n');
  writeFileSync(join(dir, 'b.yaml'), 'x: 1.5\ny: [a, { b: null }]\n');
  const a = readPipelineSource('a.yaml', dir, store);
  assert.deepEqual(a.value, { x: Number.POSITIVE_INFINITY, y: -0 });
  assert.ok(!existsSync(join(store, 'parsed')), 'nothing was cached for a.yaml');
  const b = readPipelineSource('b.yaml', dir, store);
  assert.equal(readdirSync(join(store, 'parsed')).length, 1);
  const again = readPipelineSource('b.yaml', dir, store);
  assert.deepEqual(again.value, b.value);
  assert.equal(again.doc.toJS().x, 1.5, 'the document is parsed when asked for');
});

test('the caches never create the store: validate on a fresh project leaves no .medpipe', async () => {
  const p = makeProject({ 'p.yaml': PIPELINE });
  assert.equal((await p.cli('validate', 'p.yaml')).code, 0);
  assert.ok(!existsSync(join(p.dir, '.medpipe')));
});

test('a re-run of an unchanged pipeline with a custom step loads neither the YAML parser nor Ajv', async () => {
  const p = makeProject({ 'p.yaml': PIPELINE });
  // At exit, the modules of yaml and ajv that were loaded (package.json files and Ajv's small runtime helpers aside).
  const probe = p.write(
    'probe.cjs',
    `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(yaml|ajv)\\/dist\\//.test(f) && !/ajv\\/dist\\/runtime\\//.test(f))) + '\\n'));`,
  );
  const run = () => {
    const r = spawnSync(process.execPath, ['-r', probe, BIN, 'run', 'p.yaml'], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(/LOADED (.*)/.exec(r.stderr)?.[1] ?? 'null') as string[];
  };
  assert.ok(run().length > 0, 'the first run parses YAML and compiles the custom step schema');
  assert.ok(run().length > 0, 'so does the second: the store did not exist when the first loaded the pipeline');
  assert.deepEqual(run(), []);
});

// In child processes: in this one, a module's schema object is compiled once and remembered.
test("a custom step's validator is compiled once and kept in the store; a damaged one is compiled again", async () => {
  const p = makeProject({ 'p.yaml': PIPELINE });
  const bad = await p.spawnCli('validate', 'p.yaml', '--set', 'b.n=many');
  assert.equal(bad.code, 1);
  assert.equal((await p.spawnCli('run', 'p.yaml')).code, 0);
  assert.equal((await p.spawnCli('run', 'p.yaml')).code, 0);
  const [kept] = storeFiles(p, 'validators');
  assert.ok(kept, 'the counter step schema validator is kept');
  const intact = readFileSync(kept, 'utf8');
  // A validator that accepts anything, under the digest of the real one: never run.
  writeFileSync(kept, `${intact.slice(0, 65)}module.exports = { default: () => true };`);
  const again = await p.spawnCli('validate', 'p.yaml', '--set', 'b.n=many');
  assert.equal(again.code, 1);
  assert.equal(again.err, bad.err);
  assert.equal(readFileSync(kept, 'utf8'), intact);
});

test('cache gc removes the parsed files and validators; the next run makes them again', async () => {
  const p = await ranOnceInProcesses();
  assert.equal((await p.spawnCli('run', 'p.yaml')).code, 0);
  assert.equal(storeFiles(p, 'parsed').length, 1);
  assert.equal((await p.spawnCli('cache', 'gc')).code, 0);
  assert.deepEqual([...storeFiles(p, 'parsed'), ...storeFiles(p, 'validators')], []);
  assert.equal((await p.spawnCli('run', 'p.yaml')).code, 0);
  assert.equal(storeFiles(p, 'parsed').length, 1);
  assert.equal(storeFiles(p, 'validators').length, 1);
  assert.deepEqual(p.computed(), ['a', 'b']);
});

test('every schema medpipe ships has its validator built, and it reports what Ajv compiled at run time reports', () => {
  const schemas = [pipelineBaseSchema(), ...[...builtinSteps.values()].map((t) => t.params)];
  const built = new URL('../../validators/', import.meta.url);
  for (const schema of schemas) {
    assert.ok(existsSync(new URL(`${validatorName(schema)}.cjs`, built)), `no built validator for ${JSON.stringify(schema).slice(0, 80)}`);
    const runtime = new Ajv(VALIDATOR_OPTIONS).compile(schema);
    const shipped = schemaValidator(schema);
    assert.notEqual(shipped, runtime);
    for (const value of [{}, { seed: 'x', columns: 3, not_a_param: true }, { steps: { a: { uses: 1 } }, name: '-' }, []]) {
      const [x, y] = [structuredClone(value), structuredClone(value)];
      assert.equal(shipped(x), runtime(y));
      assert.deepEqual(shipped.errors ?? null, runtime.errors ?? null);
      assert.deepEqual(x, y, 'defaults are filled in alike');
    }
  }
});

test('a re-run that changes nothing leaves the lock file as it is: not rewritten, not fsynced', async () => {
  const p = await ranOnce();
  const lock = join(p.dir, 'p.lock.yaml');
  const before = statSync(lock);
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  const after = statSync(lock);
  // A rewrite renames a new file into place: another inode.
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
  // A lock file that no longer matches the run is written again.
  writeFileSync(lock, `${readFileSync(lock, 'utf8')}# edited\n`);
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  assert.doesNotMatch(readFileSync(lock, 'utf8'), /# edited/);
});

test('a re-run that changes no step leaves the pipeline state file as it is; a run that recomputes a step writes it with its run id', async () => {
  const p = await ranOnce();
  const [file] = storeFiles(p, 'pipelines');
  const before = statSync(file);
  const first = JSON.parse(readFileSync(file, 'utf8')) as { lastRunId: string };
  assert.equal((await p.cli('run', 'p.yaml')).code, 0);
  const after = statSync(file);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
  // `cache info` says what the id now means: the run that last changed the state, not the last run.
  assert.match((await p.cli('cache', 'info')).out, new RegExp(`pipeline caches: 2 steps, last changed by run ${first.lastRunId} \\(`));
  const r = await p.cli('run', 'p.yaml', '--force=b');
  assert.equal(r.code, 0, r.err);
  const now = JSON.parse(readFileSync(file, 'utf8')) as { lastRunId: string };
  assert.notEqual(now.lastRunId, first.lastRunId);
  assert.match(r.out, new RegExp(now.lastRunId), 'the state names the run that recomputed b');
  assert.match((await p.cli('cache', 'info')).out, new RegExp(`last changed by run ${now.lastRunId} \\(`));
});

test('medpipe installed in a folder whose name has a space (or any character a URL escapes) loads its built validators', () => {
  const dist = fileURLToPath(new URL('../../', import.meta.url));
  const root = join(mkdtempSync(join(tmpdir(), 'medpipe-')), 'my projects (ünï)');
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (const folder of ['src', 'validators']) cpSync(join(dist, folder), join(root, 'dist', folder), { recursive: true });
  symlinkSync(join(dist, '..', 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  const script = `
    const { schemaValidator } = await import('./dist/src/engine/schema-validators.js');
    const { pipelineBaseSchema } = await import('./dist/src/engine/schema.js');
    const validate = schemaValidator(pipelineBaseSchema());
    process.stdout.write(JSON.stringify([validate({ medpipe: 1 }), (validate.errors ?? []).length > 0]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [false, true]);
});

test('cache verify empties the parsed files and validators: their digests show damage, not who wrote them, and a validator is code', async () => {
  const p = await ranOnceInProcesses();
  assert.equal((await p.spawnCli('run', 'p.yaml')).code, 0);
  const [kept] = storeFiles(p, 'validators');
  assert.ok(kept, 'the counter step schema validator is kept');
  // A store restored from a CI cache may hold a validator written by anyone, with a matching digest.
  const marker = join(p.dir, 'planted-code-ran');
  const planted = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = { default: () => true };`;
  writeFileSync(kept, `${createHash('sha256').update(planted).digest('hex')}\n${planted}`);
  const verify = await p.spawnCli('cache', 'verify');
  assert.equal(verify.code, 0, verify.err);
  assert.deepEqual([...storeFiles(p, 'parsed'), ...storeFiles(p, 'validators')], []);
  const bad = await p.spawnCli('validate', 'p.yaml', '--set', 'b.n=many');
  assert.equal(bad.code, 1);
  assert.ok(!existsSync(marker), 'the planted validator ran');
});

test("a parsed entry stands for the loader's rules it was parsed under: other rules (a limit changed) find none", () => {
  const store = mkdtempSync(join(tmpdir(), 'medpipe-parsed-rules-'));
  const text = 'x: [1, [2, [3]]]\n';
  writeParsedValue(store, 'nesting 64', text, { x: [1, [2, [3]]] });
  assert.deepEqual(readParsedValue(store, 'nesting 64', text), { value: { x: [1, [2, [3]]] } });
  assert.equal(readParsedValue(store, 'nesting 2', text), undefined);
});

test('a damaged parsed entry in a store that cannot be written (shared read-only) is passed over: the file is parsed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-parsed-ro-'));
  const store = join(dir, '.medpipe');
  mkdirSync(store);
  writeFileSync(join(dir, 'p.yaml'), 'x: 1\n');
  readPipelineSource('p.yaml', dir, store);
  const [entry] = readdirSync(join(store, 'parsed'));
  writeFileSync(join(store, 'parsed', entry), `${'0'.repeat(64)}\n{"x":2}`);
  // A read-only file system refuses the removal of the damaged entry, as it refused its writing.
  const realRm = fs.rmSync;
  fs.rmSync = () => {
    throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
  };
  syncBuiltinESMExports();
  try {
    assert.deepEqual(readPipelineSource('p.yaml', dir, store).value, { x: 1 });
  } finally {
    fs.rmSync = realRm;
    syncBuiltinESMExports();
  }
});

test('a cached step whose record in the pipeline state was edited by hand (no outputs) gets it written again, and the run does not fail', async () => {
  const p = await ranOnce();
  const dir = join(p.dir, '.medpipe', 'pipelines');
  const [file] = readdirSync(dir).map((f) => join(dir, f));
  const state = JSON.parse(readFileSync(file, 'utf8')) as { steps: Record<string, { outputs?: unknown }> };
  const outputs = state.steps.a.outputs;
  delete state.steps.a.outputs;
  writeFileSync(file, JSON.stringify(state));
  const r = await p.cli('run', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(p.computed(), ['a', 'b'], 'both steps stayed cached');
  assert.deepEqual((JSON.parse(readFileSync(file, 'utf8')) as typeof state).steps.a.outputs, outputs);
});

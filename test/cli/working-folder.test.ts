/**
 * The CLI runs in the folder it is given (CliIO.cwd), not in the process's working folder: every
 * relative path a user gives (the pipeline file, --params, --store, --output, a custom step, a
 * file to write) and the store found by default are relative to it. Several commands can then run
 * in one process in different folders, as the tests do in parallel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeProject } from '../engine/project.js';

const PIPELINE = `medpipe: 1
name: working-folder
params: { n: 1 }
steps:
  a: { uses: ./steps/counter.js, with: { n: "\${params.n}" } }
`;

test("relative paths and the default store are resolved against the folder the CLI is given, never the process's", async () => {
  const p = makeProject({ 'p.yaml': PIPELINE, 'params/other.yaml': 'n: 4\n' });
  assert.notEqual(process.cwd(), p.dir);
  assert.ok(!existsSync(join(process.cwd(), 'p.yaml')), "the process's folder has no p.yaml, so only the given folder can supply it");

  const validated = await p.cli('validate', 'p.yaml', '--params', 'params/other.yaml');
  assert.equal(validated.code, 0, validated.err);
  assert.match(validated.out, /^p\.yaml: ok \(1 steps\)/);

  const ran = await p.cli('run', 'p.yaml', '--params', 'params/other.yaml', '--store', 'my-store');
  assert.equal(ran.code, 0, ran.err);
  assert.ok(existsSync(join(p.dir, 'my-store')), '--store my-store is in the given folder');
  assert.ok(!existsSync(join(process.cwd(), 'my-store')), "nothing is written in the process's folder");

  const status = await p.cli('status', 'p.yaml', '--params', 'params/other.yaml', '--store', 'my-store');
  assert.equal(status.code, 0, status.err);
  assert.match(status.out, /^a\s+cached/m);

  const runs = await p.cli('runs', '--store', 'my-store', '--json');
  assert.equal(runs.code, 0, runs.err);
  assert.equal((JSON.parse(runs.out) as unknown[]).length, 1);

  // Without --store, the store is the project's, found from the given folder.
  const defaultRun = await p.cli('run', 'p.yaml');
  assert.equal(defaultRun.code, 0, defaultRun.err);
  const info = await p.cli('cache', 'info', '--json');
  assert.equal(info.code, 0, info.err);
  assert.equal((JSON.parse(info.out) as { root: string }).root, join(p.dir, '.medpipe'));

  const step = await p.cli('steps', './steps/counter.js');
  assert.equal(step.code, 0, step.err);
  assert.match(step.out, /adds n to its input/);

  const schema = await p.cli('schema', 'out/schema.json');
  assert.equal(schema.code, 0, schema.err);
  assert.equal(typeof (JSON.parse(p.read('out/schema.json')) as { properties?: unknown }).properties, 'object');
  assert.ok(!existsSync(join(process.cwd(), 'out', 'schema.json')));

  const report = await p.cli('report', '--output', 'out/report.html');
  assert.equal(report.code, 0, report.err);
  assert.match(p.read('out/report.html'), /<html/i);
});

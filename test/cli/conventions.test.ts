/**
 * The conventions a new user expects of a command-line tool: --version, --help per command,
 * a suggestion for a mistyped command or option, and extra words refused rather than ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands.js';
import { ROOT } from '../helpers/cli.js';
import { makeProject } from '../engine/project.js';

test('--version prints the version of the package', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await makeProject().cli('--version');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `medpipe ${version}\n`);
});

test("COMMAND --help prints that command's usage, not the global help; medpipe --help lists every command", async () => {
  const p = makeProject();
  const run = await p.cli('run', '--help');
  assert.equal(run.code, 0);
  assert.match(run.out, /^usage: medpipe run FILE/);
  assert.match(run.out, /--fail-fast/);
  assert.doesNotMatch(run.out, /recommend/, "only run's options");
  for (const name of Object.keys(commands)) {
    const r = await p.cli(name, '--help');
    assert.equal(r.code, 0, `${name} --help: ${r.err}`);
    assert.match(r.out, new RegExp(`^usage: medpipe ${name}\\b`), name);
    assert.equal(r.err, '');
    assert.equal((await p.cli('help', name)).out, r.out, `medpipe help ${name}`);
  }
  const global = await p.cli('--help');
  assert.match(global.out, /^usage: medpipe <command>/);
  for (const name of Object.keys(commands)) assert.match(global.out, new RegExp(`^  ${name}\\b`, 'm'), name);
});

test('an unknown command is named with the nearest one, without the whole help', async () => {
  const p = makeProject();
  const r = await p.cli('rn', 'p.yaml');
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err, 'medpipe: unknown command "rn" (did you mean "run"?); medpipe --help lists the commands\n');
  const far = await p.cli('frobnicate');
  assert.equal(far.err, 'medpipe: unknown command "frobnicate"; medpipe --help lists the commands\n');
});

test('an unknown option is named with the nearest one, and where to find the options', async () => {
  const r = await makeProject().cli('run', 'p.yaml', '--fial-fast');
  assert.equal(r.code, 2);
  assert.equal(r.err, 'medpipe: unknown option --fial-fast (did you mean --fail-fast?); medpipe run --help lists the options\n');
});

test('extra words after a command are usage errors, not silently ignored', async () => {
  const p = makeProject({ 'p.yaml': 'medpipe: 1\nname: t\nsteps:\n  a: { uses: ./steps/counter.js }\n' });
  for (const args of [
    ['cache', 'info', 'gc'],
    ['cache', 'info', '/', 'cache', 'gc'],
    ['runs', 'all'],
    ['schema', 'a.json', 'b.json'],
    ['steps', 'split', 'train.svm'],
    ['validate', 'p.yaml', 'extra'],
  ]) {
    const r = await p.cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.err, /^medpipe: /, args.join(' '));
    assert.doesNotMatch(r.err, /internal error/);
  }
  const cacheInfo = await p.cli('cache', 'info', 'gc');
  assert.match(cacheInfo.err, /cache takes one command: info, verify or gc \(got "info gc"\)/);
  assert.equal(cacheInfo.out, '', 'nothing ran');
  assert.equal((await p.cli('cache', 'info')).code, 0);
});

/**
 * The README's five-minute tour, top to bottom, as a new user runs it in a clone: every command
 * succeeds, and afterwards git sees nothing changed, experiment included. The commands are read
 * from README.md itself, so the tour cannot drift from what is tested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';

/** The `npx medpipe …` lines of the README's tour, as argument lists (comments dropped). */
function tourCommands(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A five-minute tour'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('npx medpipe '))
    .map((l) => l.slice('npx medpipe '.length).split(/\s+/));
}

test('the README tour runs command by command in a clone, and leaves git status clean', { timeout: 10 * 60_000 }, async () => {
  const commands = tourCommands();
  assert.ok(commands.length >= 15, `found ${commands.length} tour commands`);
  assert.ok(
    commands.some((c) => c.includes('--set')),
    'the tour has its experiment',
  );

  // A clone: the committed pipelines, data, metrics and .gitignore, in a git repository.
  const dir = shippedProjectCopy('tour');
  for (const sub of ['metrics', 'results']) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  cpSync(join(ROOT, '.gitignore'), join(dir, '.gitignore'));
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'clone');

  for (const args of commands) {
    const r = await runCli(dir, ...args);
    assert.equal(r.code, 0, `medpipe ${args.join(' ')} exited ${r.code}:\n${r.err}${r.out.slice(-2000)}`);
  }
  assert.equal(git('status', '--porcelain', '--untracked-files=all'), '', 'the tour changed what git tracks');
});

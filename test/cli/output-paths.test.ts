/**
 * Every command that writes a file where the user says (--junit, --markdown, --output,
 * `schema FILE`, `models export DIR`) accepts an absolute path as well as a relative one, and a
 * relative path into a folder that does not exist yet (as a fresh CI checkout has).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

test('absolute and relative output paths both work for every command that writes a file', async () => {
  const dir = shippedProjectCopy('output-paths');
  const ran = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(ran.code, 0, ran.err);
  const elsewhere = mkdtempSync(join(tmpdir(), 'medpipe-outputs-'));
  const cases: { what: string; args: (path: string) => string[]; file: (path: string) => string }[] = [
    { what: 'metrics diff --junit', args: (p) => ['metrics', 'diff', 'pipelines/breast-cancer.yaml', '--baseline', 'metrics', '--junit', p], file: (p) => p },
    {
      what: 'metrics diff --markdown',
      args: (p) => ['metrics', 'diff', 'pipelines/breast-cancer.yaml', '--baseline', 'metrics', '--markdown', p],
      file: (p) => p,
    },
    {
      what: 'run --ci --junit --markdown',
      args: (p) => ['run', 'pipelines/breast-cancer.yaml', '--ci', '--baseline', 'metrics', '--junit', p, '--markdown', `${p}.md`],
      file: (p) => p,
    },
    { what: 'report --output', args: (p) => ['report', '--output', p], file: (p) => p },
    {
      what: 'predict --output',
      args: (p) => ['predict', 'breast-cancer-svm@staging', '--input', 'data/breast-cancer-wisconsin.csv', '--output', p],
      file: (p) => p,
    },
    { what: 'schema FILE', args: (p) => ['schema', p], file: (p) => p },
    { what: 'models export DIR', args: (p) => ['models', 'export', 'breast-cancer-svm@1', p], file: (p) => join(p, 'card.md') },
  ];
  for (const [i, c] of cases.entries()) {
    for (const path of [join(elsewhere, `abs-${i}`, 'out'), join(`rel-${i}`, 'out')]) {
      const r = await runCli(dir, ...c.args(path));
      assert.equal(r.code, 0, `${c.what} ${path}: ${r.err}`);
      assert.doesNotMatch(r.err, /internal error|ENOENT/, `${c.what} ${path}`);
      const written = c.file(path);
      const absolute = written.startsWith('/') ? written : join(dir, written);
      assert.ok(existsSync(absolute), `${c.what} wrote ${absolute}`);
      assert.ok(readFileSync(absolute).length > 0, `${c.what}: ${absolute} is not empty`);
    }
  }
});

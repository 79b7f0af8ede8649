/**
 * `npm test`'s runner (scripts/test.mjs) puts every temporary folder the tests make under one root
 * and removes it when the suite ends, passed or failed, and passes the suite's exit code on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/cli.js';

/** Runs the runner on one test file that makes a temporary folder and writes its path to `report`. */
function runSuite(body: string): { status: number | null; made: string; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-runner-'));
  const report = join(dir, 'made.txt');
  const file = join(dir, 'tiny.test.mjs');
  writeFileSync(
    file,
    `import { test } from 'node:test';\nimport { mkdtempSync, writeFileSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';\n` +
      `test('tiny', () => {\n  const made = mkdtempSync(join(tmpdir(), 'medpipe-project-'));\n  writeFileSync(join(made, 'data.csv'), 'a\\n1\\n');\n  writeFileSync(${JSON.stringify(report)}, made);\n  ${body}\n});\n`,
  );
  // Without the variable node --test sets in its children, so the inner runner acts as a user's `npm test`, not as part of this one.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'test.mjs'), file], { cwd: ROOT, encoding: 'utf8', env });
  return { status: r.status, made: readFileSync(report, 'utf8'), output: r.stdout + r.stderr };
}

test('the folders a passing suite makes are removed when it ends, with their root', () => {
  const r = runSuite('');
  assert.equal(r.status, 0, r.output);
  assert.match(r.made, /medpipe-tests-[^/]+\/medpipe-project-/, "the test made its folder under the runner's root");
  assert.equal(existsSync(r.made), false);
  assert.equal(existsSync(dirname(r.made)), false);
});

test('a failing suite keeps its exit code, and its folders are removed too', () => {
  const r = runSuite("throw new Error('this test fails on purpose');");
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /this test fails on purpose/);
  assert.equal(existsSync(dirname(r.made)), false);
});

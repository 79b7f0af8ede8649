/**
 * The README's test command is the one CI runs, and it installs what the tests need from the
 * system: a fresh machine needs nothing done by hand (issue: npm test failed on a fresh machine
 * for want of Chromium, which only .ci/run installed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';

test("the README's two set-up commands: the test command is what .ci/run calls, and it installs Chromium and scikit-learn", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const [install, tests] = block
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/\s+#.*$/, '').trim());
  assert.equal(install, 'npm install && npx medpipe run pipelines/breast-cancer.yaml');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(ci[ci.length - 1], tests, ".ci/run ends with the README's test command");
  const deps = readFileSync(join(ROOT, '.ci', 'system-deps'), 'utf8');
  for (const pkg of ['chromium', 'python3-sklearn']) assert.match(deps, new RegExp(`need\\+=\\(${pkg}\\)`), pkg);
  assert.match(tests, /^bash \.ci\/system-deps && npm test$/);
});

#!/usr/bin/env node
/**
 * Runs the test suite (`npm test`): node --test with as many test files at once as the machine has
 * cores, and every temporary folder the tests make (projects, stores, step outputs, Chromium
 * profiles, Python's) under one root that is removed when the suite ends, passed or failed. The
 * tests make thousands of folders per run; left in /tmp they fill a CI runner's or a laptop's disk.
 *
 *   node scripts/test.mjs                 # everything under dist/test/
 *   node scripts/test.mjs dist/test/ml    # some files or folders
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'medpipe-tests-'));
const targets = process.argv.slice(2);
// Ctrl-C reaches the test runner too; this process stays to remove the folders after it stops.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${availableParallelism()}`, ...(targets.length ? targets : ['dist/test/'])], {
  stdio: 'inherit',
  // os.tmpdir(), Chromium and Python all take their temporary folder from TMPDIR.
  env: { ...process.env, TMPDIR: root },
});
rmSync(root, { recursive: true, force: true });
if (result.error) {
  console.error(`medpipe tests: could not start node --test: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);

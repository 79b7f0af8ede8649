/**
 * The reference fixtures are what their scripts produce: every test/fixtures/*.py is run with
 * Debian's scikit-learn (installed by .ci/run) on a copy of the fixtures and data folders, and
 * each file it writes must equal the committed one byte for byte. A hand-edited fixture fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = '/usr/bin/python3';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('every fixture file is reproduced exactly by its script', () => {
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'pipe' });
  } catch {
    assert.fail(`${PYTHON} cannot import sklearn: install Debian's python3-sklearn (as .ci/run does)`);
  }
  const work = mkdtempSync(join(tmpdir(), 'medpipe-fixtures-'));
  cpSync(join(ROOT, 'test/fixtures'), join(work, 'test/fixtures'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
  cpSync(join(ROOT, 'data'), join(work, 'data'), { recursive: true });
  const scripts = readdirSync(join(work, 'test/fixtures')).filter((f) => f.endsWith('.py'));
  assert.ok(scripts.length >= 4, `found fixture scripts: ${scripts.join(', ')}`);
  for (const s of scripts) execFileSync(PYTHON, [join(work, 'test/fixtures', s)], { cwd: work, stdio: 'pipe' });
  const committed = filesUnder(join(ROOT, 'test/fixtures')).filter((f) => !f.endsWith('.py') && !f.includes('__pycache__'));
  assert.ok(committed.length > 0);
  for (const f of committed) {
    const rel = relative(ROOT, f);
    assert.ok(readFileSync(join(work, rel)).equals(readFileSync(f)), `${rel} differs from what its script writes now`);
  }
});

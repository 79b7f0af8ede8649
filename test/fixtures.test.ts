/**
 * The reference fixtures are what their scripts produce: every test/fixtures/*.py is run with
 * Debian's scikit-learn (installed by .ci/run) on a copy of the fixtures and data folders, and
 * each file it writes must equal the committed one. A hand-edited fixture fails here.
 *
 * "Equal" is byte for byte, except that numbers may differ in their last bits (relative 1e-9):
 * numpy's results depend on which BLAS Debian links it to (reference BLAS with python3-sklearn
 * alone, OpenBLAS once python3-torch is installed for the GAN bench), and BLAS sums in its own order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = '/usr/bin/python3';

const RELATIVE_TOLERANCE = 1e-9;

function numbersClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** The first place where two JSON values differ beyond last-bit noise in numbers, or null. */
function jsonDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') return numbersClose(a, b) ? null : `${path}: ${a} vs ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = jsonDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    if (ka.join() !== Object.keys(b).join()) return `${path}: keys differ`;
    for (const k of ka) {
      const d = jsonDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** The same for CSV text: cells compared as numbers when both parse as numbers. */
function csvDifference(a: string, b: string): string | null {
  const la = a.split('\n');
  const lb = b.split('\n');
  if (la.length !== lb.length) return `${la.length} vs ${lb.length} lines`;
  for (let i = 0; i < la.length; i++) {
    const ca = la[i].split(',');
    const cb = lb[i].split(',');
    if (ca.length !== cb.length) return `line ${i + 1}: ${ca.length} vs ${cb.length} cells`;
    for (let j = 0; j < ca.length; j++) {
      if (ca[j] === cb[j]) continue;
      const x = Number(ca[j]);
      const y = Number(cb[j]);
      if (ca[j] === '' || cb[j] === '' || Number.isNaN(x) || Number.isNaN(y) || !numbersClose(x, y)) return `line ${i + 1}, cell ${j + 1}`;
    }
  }
  return null;
}

function fileDifference(rel: string, now: Buffer, committed: Buffer): string | null {
  if (now.equals(committed)) return null;
  if (rel.endsWith('.json')) return jsonDifference(JSON.parse(now.toString('utf8')), JSON.parse(committed.toString('utf8')));
  if (rel.endsWith('.csv')) return csvDifference(now.toString('utf8'), committed.toString('utf8'));
  return 'bytes differ';
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('every fixture file is reproduced exactly by its script', async () => {
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
  // The scripts write disjoint files: run at once, they take as long as the slowest, not the sum.
  await Promise.all(scripts.map((s) => execFileAsync(PYTHON, [join(work, 'test/fixtures', s)], { cwd: work, maxBuffer: 64 * 1024 * 1024 })));
  const committed = filesUnder(join(ROOT, 'test/fixtures')).filter((f) => !f.endsWith('.py') && !f.includes('__pycache__'));
  assert.ok(committed.length > 0);
  for (const f of committed) {
    const rel = relative(ROOT, f);
    const difference = fileDifference(rel, readFileSync(join(work, rel)), readFileSync(f));
    assert.equal(difference, null, `${rel} differs from what its script writes now (${difference})`);
  }
});

/**
 * medpipe as a user adopts it: packed (`npm pack`), installed as a dependency of a fresh git
 * repository of their own, and run there with `npx medpipe` on a pipeline of theirs. The first
 * run keeps the store out of git. Slow (npm installs the dependencies), so it is one test that
 * checks everything a first-time install must do.
 *
 * SQLite's native module (better-sqlite3) is installed prebuilt, as prebuild-install downloads it
 * on a machine that reaches GitHub: here from the checkout's own build of the same version for the
 * same Node ABI, named as prebuild-install looks for it. Compiling SQLite from source costs two
 * minutes of CPU on a quiet 2-core machine and checks better-sqlite3's build, not medpipe's
 * package; when npm picks another better-sqlite3 version than the checkout has, no prebuild
 * matches and it compiles as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

/**
 * A prebuild-install configuration in `dir` (found by the install script from the packages below
 * it) pointing at a prebuilt better-sqlite3 made from the checkout's compiled module.
 */
function offerPrebuiltSqlite(dir: string): void {
  const pkg = join(ROOT, 'node_modules', 'better-sqlite3');
  // No compiled module in the checkout (being rebuilt, say): offer nothing, and npm compiles it.
  if (!existsSync(join(pkg, 'build/Release/better_sqlite3.node'))) return;
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const prebuilds = join(dir, 'prebuilds');
  mkdirSync(prebuilds);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync('tar', ['czf', join(prebuilds, name), '-C', pkg, 'build/Release/better_sqlite3.node']);
  writeFileSync(join(dir, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`);
}

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: '1' } }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out: stdout, err: stderr }),
    );
  });
}

test('packed, installed into a fresh git repository and run there: the pipeline runs, its results are written, .medpipe stays out of git', {
  timeout: 15 * 60_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), 'medpipe-package-'));
  // The built dist/ is what npm test just compiled; --ignore-scripts keeps pack from rebuilding it under the running suite.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT, 120_000);
  assert.equal(pack.code, 0, pack.err);
  const tarball = readdirSync(work).find((n) => n.endsWith('.tgz'));
  assert.ok(tarball, `npm pack wrote no tarball: ${pack.out}`);
  // The shipped datasets (load.builtin) and structural alerts (filter.molecules) are read from the package's data/ at run time.
  const listed = execFileSync('tar', ['-tzf', join(work, tarball)], { encoding: 'utf8' });
  for (const f of ['data/breast-cancer-wisconsin.csv', 'data/alerts/pains_a.csv', 'data/alerts/brenk.csv', 'data/alerts/README.md'])
    assert.ok(listed.includes(`package/${f}\n`), `${f} is not in the package`);
  // The validators built with medpipe (src/engine/schema-validators.ts): without them every run compiles every schema.
  assert.ok(/package\/dist\/validators\/[0-9a-f]{64}\.cjs\n/.test(listed), 'dist/validators/ is not in the package');

  const repo = join(work, 'clinic-ml');
  mkdirSync(join(repo, 'pipelines'), { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'clinic-ml', private: true }, null, 2));
  cpSync(join(ROOT, 'data'), join(repo, 'data'), { recursive: true });
  cpSync(join(ROOT, 'pipelines', 'breast-cancer.yaml'), join(repo, 'pipelines', 'breast-cancer.yaml'));

  offerPrebuiltSqlite(work);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], repo, 12 * 60_000);
  assert.equal(install.code, 0, `npm install of the tarball failed:\n${install.err.slice(-3000)}`);

  const r = await run('npx', ['--no-install', 'medpipe', 'run', 'pipelines/breast-cancer.yaml'], repo, 5 * 60_000);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /register-svm: registered breast-cancer-svm@1, staging -> 1/);
  assert.match(r.err, /added \/\.medpipe\/ to \.gitignore/);
  assert.match(readFileSync(join(repo, 'metrics', 'breast-cancer-svm.json'), 'utf8'), /"roc_auc"/);
  // node_modules is untracked here (no .gitignore yet): its thousands of files outgrow the default 1 MB buffer.
  const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.doesNotMatch(status, /\.medpipe\//);
  assert.match(status, /metrics\/breast-cancer-svm\.json/);
  assert.match(status, /pipelines\/breast-cancer\.lock\.yaml/);
  // Passed: the install (about 370 MB) is not kept; a failed run leaves it for a look.
  rmSync(work, { recursive: true, force: true });
});

/** Baselines other than a local branch: a file, a folder, origin/REF, a file new since the ref; and usage errors. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { metricsCommand } from '../../src/cli/metrics.js';
import { UsageError } from '../../src/errors.js';
import { captureIO, git, shippedMetrics, tempRepo, writeMetrics } from './repo.js';

type Json = { baseline: string; files: { metrics: { metric: string; status: string }[] }[]; notes: string[] };

describe('baselines', () => {
  const base = shippedMetrics();
  let repo: ReturnType<typeof tempRepo>;
  before(() => {
    repo = tempRepo(base); // no regression: block, so no default baseline
    mkdirSync(join(repo.dir, 'old'));
    copyFileSync(repo.metricsPath, join(repo.dir, 'old', 'model-1.json'));
    const worse = structuredClone(base);
    worse.metrics.roc_auc.value -= 0.01;
    writeMetrics(repo.metricsPath, worse);
  });
  after(() => rmSync(repo.dir, { recursive: true, force: true }));

  const diff = async (opts: Record<string, string>, files = [repo.pipeline]): Promise<{ code: number; json: Json }> => {
    const c = captureIO();
    const code = await metricsCommand(['diff', ...files], { cwd: repo.dir, format: 'json', ...opts }, c.io);
    return { code, json: JSON.parse(c.out.join('')) as Json };
  };

  it('a folder matches metrics files by name; a single file is the baseline of a metrics file', async () => {
    const dir = await diff({ baseline: 'old' });
    assert.equal(dir.code, 1);
    assert.equal(dir.json.baseline, 'old');
    assert.equal(dir.json.files[0].metrics.find((m) => m.metric === 'roc_auc')?.status, 'REGRESSED');
    const file = await diff({ baseline: join('old', 'model-1.json') }, ['metrics/model-1.json']);
    assert.equal(file.code, 1);
  });

  it('falls back to origin/REF when there is no local branch of that name, as in a CI checkout', async () => {
    const sha = git(repo.dir, 'rev-parse', 'HEAD').trim();
    git(repo.dir, 'update-ref', 'refs/remotes/origin/release', sha);
    const r = await diff({ baseline: 'release' });
    assert.equal(r.code, 1);
    assert.match(r.json.baseline, /^origin\/release /);
    assert.ok(r.json.notes.some((n) => n.includes('origin/release')));
  });

  it('a metrics file that did not exist at the ref: every metric is added, nothing regresses', async () => {
    const extra = join(repo.dir, 'metrics', 'new.json');
    writeMetrics(extra, base);
    try {
      const r = await diff({ baseline: 'main' }, ['metrics/new.json']);
      assert.equal(r.code, 0);
      assert.ok(r.json.files[0].metrics.every((m) => m.status === 'added'));
      assert.ok(r.json.notes.some((n) => n.includes('not in the baseline')));
    } finally {
      rmSync(extra);
    }
  });

  it('usage errors: no baseline anywhere, an unknown ref, a bad --atol, an unknown subcommand', async () => {
    const io = captureIO().io;
    await assert.rejects(
      metricsCommand(['diff', repo.pipeline], { cwd: repo.dir }, io),
      (e: unknown) => e instanceof UsageError && /--baseline/.test(e.message),
    );
    await assert.rejects(
      metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, baseline: 'no-such-branch' }, io),
      (e: unknown) => e instanceof UsageError && /fetch/.test(e.message),
    );
    await assert.rejects(metricsCommand(['diff', repo.pipeline], { cwd: repo.dir, baseline: 'main', atol: 'lots' }, io), UsageError);
    await assert.rejects(metricsCommand(['compare'], { cwd: repo.dir }, io), UsageError);
  });

  it('with no file named, uses the pipelines in ./pipelines that write metrics, skipping lock files', async () => {
    writeFileSync(join(repo.dir, 'pipelines', 'p.lock.yaml'), 'medpipe_lock: 1\npipeline: x\nsteps: {}\n');
    const r = await diff({ baseline: 'main' }, []);
    assert.equal(r.json.files.length, 1);
  });
});

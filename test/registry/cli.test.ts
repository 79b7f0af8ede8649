/** `medpipe models …` through its handler: what it prints and its exit codes (0 ok, 1 failure, 2 usage). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { modelsCommand } from '../../src/cli/models.js';
import { Registry } from '../../src/registry/index.js';
import { tempStore, versionInput } from './helpers.js';

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function models(store: string, ...args: string[]): Promise<Ran> {
  const json = args[0] === '--json';
  const rest = json ? args.slice(1) : args;
  const out: string[] = [];
  const err: string[] = [];
  const code = await modelsCommand(rest, { store, json, cwd: dirname(store) }, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const A = { roc_auc: 0.9612, sensitivity: 0.9 };
const B = { roc_auc: 0.9755, sensitivity: 0.875 };

/** A store with breast-cancer-svm@1 (staging) and @2, and diabetes-forest@1. */
function populated(): { store: string; bundle1: string } {
  const store = tempStore();
  const reg = Registry.open(store, { who: 'dr-test' });
  const first = versionInput(reg, 'breast-cancer-svm', A, { alias: 'staging', description: 'SVM on the Wisconsin data' });
  reg.registerVersion(first);
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', B));
  reg.registerVersion(versionInput(reg, 'diabetes-forest', { r2: 0.42 }));
  reg.close();
  return { store, bundle1: reg.bundlePath(first.bundleDigest) };
}

test('models list: a table of models, latest versions and aliases; JSON with --json', async () => {
  const { store } = populated();
  const r = await models(store, 'list');
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  assert.match(lines[0], /^NAME\s+LATEST\s+VERSIONS\s+ALIASES\s+DESCRIPTION$/);
  assert.match(lines[1], /^breast-cancer-svm\s+2\s+2\s+staging=1\s+SVM on the Wisconsin data$/);
  assert.match(lines[2], /^diabetes-forest\s+1\s+1$/);
  const j = await models(store, '--json', 'list');
  assert.deepEqual(
    (JSON.parse(j.out) as { name: string }[]).map((m) => m.name),
    ['breast-cancer-svm', 'diabetes-forest'],
  );
});

test('models show: metrics, tags, lineage and card, by version, alias or latest', async () => {
  const { store } = populated();
  const r = await models(store, 'show', 'breast-cancer-svm@staging');
  assert.equal(r.code, 0);
  assert.match(r.out, /^breast-cancer-svm@1 {2}\(staging\)/);
  assert.match(r.out, new RegExp(`roc_auc\\s+${A.roc_auc.toFixed(4)}`));
  assert.match(r.out, /lineage:\n {2}pipeline +pipelines\/breast-cancer.yaml\n {2}run +run-1\n {2}git +abc123\n/);
  assert.match(r.out, /model card:\n\n# breast-cancer-svm\n\nA support vector machine/);
  assert.match((await models(store, 'show', 'breast-cancer-svm')).out, /^breast-cancer-svm@2/);
  const j = JSON.parse((await models(store, '--json', 'show', 'breast-cancer-svm@1')).out) as { metrics: unknown };
  assert.deepEqual(j.metrics, A);
});

test('models promote and tag change the registry and the audit log', async () => {
  const { store } = populated();
  const p = await models(store, 'promote', 'breast-cancer-svm@2', 'production');
  assert.equal(p.code, 0);
  assert.equal(p.out, 'breast-cancer-svm@production -> version 2');
  assert.equal((await models(store, 'promote', 'breast-cancer-svm@2', 'staging')).out, 'breast-cancer-svm@staging -> version 2 (was 1)');
  const t = await models(store, 'tag', 'breast-cancer-svm@production', 'reviewed-by=oncology', 'ticket=MED-42');
  assert.equal(t.code, 0);
  const reg = Registry.open(store);
  assert.deepEqual(reg.getVersion('breast-cancer-svm@2').tags, { 'reviewed-by': 'oncology', ticket: 'MED-42' });
  assert.deepEqual(reg.getVersion('breast-cancer-svm@2').aliases, ['production', 'staging']);
  reg.close();
  const log = await models(store, 'log', 'breast-cancer-svm');
  assert.match(log.out, /breast-cancer-svm: production -> 2\n.*breast-cancer-svm: staging -> 2 \(was 1\)\n.*breast-cancer-svm@2: tag reviewed-by=oncology/);
  assert.equal((await models(store, 'untag', 'breast-cancer-svm@2', 'ticket')).code, 0);
  assert.equal((await models(store, 'audit')).code, 0);
});

test('models compare: metrics side by side with B - A', async () => {
  const { store } = populated();
  const r = await models(store, 'compare', 'breast-cancer-svm@1', 'breast-cancer-svm@2');
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  assert.match(lines[0], /^METRIC\s+breast-cancer-svm@1\s+breast-cancer-svm@2\s+DELTA$/);
  const delta = (k: keyof typeof A): string => `${B[k] - A[k] >= 0 ? '+' : ''}${(B[k] - A[k]).toFixed(4)}`;
  assert.match(lines[1], new RegExp(`^roc_auc\\s+${A.roc_auc.toFixed(4)}\\s+${B.roc_auc.toFixed(4)}\\s+\\${delta('roc_auc')}$`));
  assert.match(lines[2], new RegExp(`^sensitivity\\s+${A.sensitivity.toFixed(4)}\\s+${B.sensitivity.toFixed(4)}\\s+${delta('sensitivity')}$`));
  const j = JSON.parse((await models(store, '--json', 'compare', 'breast-cancer-svm@1', 'breast-cancer-svm@2')).out) as { metrics: { delta: number }[] };
  assert.equal(j.metrics[0].delta, B.roc_auc - A.roc_auc);
});

test('models audit: exit 0 when intact, exit 1 naming the entry when tampered', async () => {
  const { store } = populated();
  const ok = await models(store, 'audit');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^audit ok: \d+ entries, chain head \d+:[0-9a-f]{64}$/);
  const raw = new Database(join(store, 'registry.db'));
  raw.prepare(`UPDATE audit SET who = 'mallory' WHERE seq = 2`).run();
  raw.close();
  const bad = await models(store, 'audit');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^audit FAILED at entry 2 \(breast-cancer-svm@1\): its content does not match its hash/);
  const j = await models(store, '--json', 'audit');
  assert.equal(j.code, 1);
  assert.equal((JSON.parse(j.out) as { seq: number }).seq, 2);
});

test('models export: the bundle (checked against its digest), card, lineage, metrics and params', async () => {
  const { store, bundle1 } = populated();
  const dir = join(mkdtempSync(join(tmpdir(), 'medpipe-export-')), 'out');
  const r = await models(store, 'export', 'breast-cancer-svm@staging', dir);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readFileSync(join(dir, 'bundle.json')), readFileSync(bundle1));
  assert.match(readFileSync(join(dir, 'card.md'), 'utf8'), /^# breast-cancer-svm/);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')), A);
  const reg = Registry.open(store);
  const v = reg.getVersion('breast-cancer-svm@1');
  reg.close();
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'lineage.json'), 'utf8')), v.lineage);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8')), v.params);
});

test('models export refuses a bundle that no longer matches its digest, or is missing', async () => {
  const { store, bundle1 } = populated();
  const { writeFileSync, rmSync } = await import('node:fs');
  writeFileSync(bundle1, '{"tampered":true}');
  const bad = await models(store, 'export', 'breast-cancer-svm@1', mkdtempSync(join(tmpdir(), 'medpipe-export-')));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /does not match its registered digest/);
  rmSync(bundle1);
  const gone = await models(store, 'export', 'breast-cancer-svm@1', mkdtempSync(join(tmpdir(), 'medpipe-export-')));
  assert.equal(gone.code, 1);
  assert.match(gone.err, /is not in the store/);
});

test('not found is exit 1 with a did-you-mean; bad usage is exit 2', async () => {
  const { store } = populated();
  const unknown = await models(store, 'show', 'breast-cancer-svn');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no model named "breast-cancer-svn" \(did you mean "breast-cancer-svm"\?\); registered models: breast-cancer-svm, diabetes-forest/);
  const alias = await models(store, 'show', 'breast-cancer-svm@prod');
  assert.equal(alias.code, 1);
  assert.match(alias.err, /no alias "prod"; its aliases: staging -> 1/);
  assert.equal((await models(store, 'promote', 'breast-cancer-svm@7', 'production')).code, 1);
  assert.equal((await models(store, 'show')).code, 2);
  assert.equal((await models(store, 'show', 'bad name!')).code, 2);
  assert.equal((await models(store, 'tag', 'breast-cancer-svm@1', 'novalue')).code, 2);
  assert.equal((await models(store, 'frobnicate')).code, 2);
  assert.equal((await models(store)).code, 2);
  assert.equal((await models(store, 'help')).code, 0);
});

test('read-only commands on a store without a registry do not create one', async () => {
  const store = join(tempStore(), 'empty-store');
  assert.equal((await models(store, 'list')).code, 0);
  assert.equal((await models(store, 'audit')).code, 0);
  const show = await models(store, 'show', 'breast-cancer-svm');
  assert.equal(show.code, 1);
  assert.match(show.err, /there is no registry at .*registry\.db yet/);
  assert.equal(existsSync(join(store, 'registry.db')), false);
});

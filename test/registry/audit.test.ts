/**
 * The audit log: a hash chain over every change, and a check that the tables agree with it.
 * Tampering goes through a raw SQLite connection, as someone editing the file by hand would.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Registry, type AuditResult } from '../../src/registry/index.js';
import { tempStore, versionInput } from './helpers.js';

/** A registry with a few of every kind of change; returns its store folder. */
function populated(): string {
  const store = tempStore();
  const reg = Registry.open(store, { who: 'dr-test' });
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 }, { alias: 'staging', tags: { dataset: 'wdbc' }, description: 'SVM on WDBC' }));
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.98 }, { alias: 'staging' }));
  reg.registerVersion(versionInput(reg, 'diabetes-forest', { r2: 0.42 }));
  reg.promote('breast-cancer-svm', 2, 'production');
  reg.setTag('breast-cancer-svm', 2, 'reviewed-by', 'oncology');
  reg.close();
  return store;
}

function tamper(store: string, sql: string, ...params: unknown[]): void {
  const raw = new Database(`${store}/registry.db`);
  const changes = raw.prepare(sql).run(...params).changes;
  raw.close();
  assert.ok(changes > 0, `the tampering statement changed nothing: ${sql}`);
}

function auditOf(store: string): AuditResult {
  const reg = Registry.open(store);
  try {
    return reg.audit();
  } finally {
    reg.close();
  }
}

function seqOf(store: string, action: string, subject: string): number {
  const reg = Registry.open(store);
  const e = reg.auditLog().find((r) => r.action === action && r.subject === subject);
  reg.close();
  assert.ok(e, `no ${action} entry for ${subject}`);
  return e.seq;
}

test('an untouched registry verifies, every entry linked to the one before', () => {
  const store = populated();
  const r = auditOf(store);
  assert.equal(r.ok, true);
  const reg = Registry.open(store);
  const log = reg.auditLog();
  reg.close();
  assert.deepEqual(
    log.map((e) => e.seq),
    log.map((_, i) => i + 1),
  );
  for (let i = 1; i < log.length; i++) assert.equal(log[i].prevHash, log[i - 1].hash);
  assert.equal(r.ok && r.head, log[log.length - 1].hash);
  assert.deepEqual([...new Set(log.map((e) => e.action))].sort(), ['create', 'promote', 'register', 'tag']);
});

test('an audit row edited in place is named by its seq', () => {
  const store = populated();
  const seq = seqOf(store, 'promote', 'breast-cancer-svm');
  // Rewrite history: make the first staging promotion point at another version.
  tamper(store, `UPDATE audit SET details = replace(details, '"version":1', '"version":3') WHERE seq = ?`, seq);
  const r = auditOf(store);
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.equal(r.seq, seq);
  assert.equal(r.subject, 'breast-cancer-svm');
  assert.match(r.problem, /does not match its hash/);
});

test('an audit row whose hash was recomputed still breaks the next link', () => {
  const store = populated();
  tamper(store, `UPDATE audit SET who = 'someone-else', hash = ? WHERE seq = 2`, 'f'.repeat(64));
  const r = auditOf(store);
  assert.ok(!r.ok);
  assert.equal(r.seq, 2, 'entry 2 no longer matches its own (forged) hash');
});

test('a removed audit entry is detected where the gap is', () => {
  const store = populated();
  tamper(store, 'DELETE FROM audit WHERE seq = 3');
  const r = auditOf(store);
  assert.ok(!r.ok);
  assert.equal(r.seq, 4);
  assert.match(r.problem, /follows entry 2/);
});

test('a versions row edited directly (metrics) is detected and names its register entry', () => {
  const store = populated();
  tamper(store, `UPDATE versions SET metrics = '{"roc_auc":0.999}' WHERE model = 'breast-cancer-svm' AND version = 1`);
  const r = auditOf(store);
  assert.ok(!r.ok);
  assert.equal(r.seq, seqOf(store, 'register', 'breast-cancer-svm@1'));
  assert.equal(r.subject, 'breast-cancer-svm@1');
  assert.match(r.problem, /its metrics differs? from what entry \d+ recorded/);
});

test('re-indenting stored JSON is not tampering; editing the card or bundle digest is', () => {
  const store = populated();
  const raw = new Database(`${store}/registry.db`);
  const metrics = raw.prepare(`SELECT metrics FROM versions WHERE model = 'diabetes-forest'`).pluck().get() as string;
  raw.prepare(`UPDATE versions SET metrics = ? WHERE model = 'diabetes-forest'`).run(JSON.stringify(JSON.parse(metrics), null, 4));
  raw.close();
  assert.equal(auditOf(store).ok, true);

  tamper(store, `UPDATE versions SET card = card || 'Approved by the FDA.' WHERE model = 'diabetes-forest'`);
  tamper(store, `UPDATE versions SET bundle_digest = ? WHERE model = 'diabetes-forest'`, '0'.repeat(64));
  const r = auditOf(store);
  assert.ok(!r.ok);
  assert.equal(r.subject, 'diabetes-forest@1');
  assert.match(r.problem, /bundle digest, model card differ/);
});

test('an alias moved directly in the table is detected', () => {
  const store = populated();
  tamper(store, `UPDATE aliases SET version = 1 WHERE model = 'breast-cancer-svm' AND alias = 'production'`);
  const r = auditOf(store);
  assert.ok(!r.ok);
  assert.equal(r.subject, 'breast-cancer-svm@production');
  assert.match(r.problem, /points at version 1 but entry \d+ set it to version 2/);
});

test('rows added or deleted outside medpipe are detected', () => {
  const added = populated();
  tamper(added, `INSERT INTO tags (model, version, key, value) VALUES ('breast-cancer-svm', 1, 'approved', 'yes')`);
  const r1 = auditOf(added);
  assert.ok(!r1.ok);
  assert.equal(r1.seq, null);
  assert.match(r1.problem, /no audit entry/);

  const deleted = populated();
  tamper(deleted, `DELETE FROM tags WHERE key = 'reviewed-by'`);
  const r2 = auditOf(deleted);
  assert.ok(!r2.ok);
  assert.equal(r2.subject, 'breast-cancer-svm@2 reviewed-by');
  assert.match(r2.problem, /deleted outside medpipe/);
});

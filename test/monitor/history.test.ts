/**
 * The registry's monitoring history: a check is stored with its version and an audit entry, a
 * repeat of a dedupe key adds nothing, an edited or deleted check is caught by audit and refused
 * by reads, and a registry written before monitoring existed (schema 2) is migrated on open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from '../../src/registry/index.js';
import { SCHEMA_VERSION } from '../../src/registry/schema.js';
import { tempStore, versionInput } from '../registry/helpers.js';

const check = (passed: boolean, extra: Record<string, unknown> = {}) => ({
  name: 'bc',
  version: 1,
  source: 'medpipe monitor new.csv',
  rows: 300,
  passed,
  summary: { 'psi.max': 0.31, 'ks.drifted': 16, gates: [{ gate: 'psi.max', required: '< 0.2', actual: 0.31, passed }] },
  ...extra,
});

test('a check is stored with its version, in the audit chain, and deduplicated by key', () => {
  const dir = tempStore();
  const reg = Registry.open(dir);
  try {
    reg.registerVersion(versionInput(reg, 'bc', { roc_auc: { value: 0.99, ci_low: 0.98, ci_high: 1 } }));
    assert.deepEqual(reg.recordMonitoring(check(false)), { id: 1, created: true });
    assert.deepEqual(reg.recordMonitoring(check(true, { dedupeKey: 'k1' })), { id: 2, created: true });
    assert.deepEqual(reg.recordMonitoring(check(true, { dedupeKey: 'k1' })), { id: 2, created: false }, 'a repeat of the key is not a new check');
    const history = reg.monitoringHistory('bc@1');
    assert.deepEqual(
      history.map((c) => [c.id, c.passed, c.rows, c.summary['psi.max']]),
      [
        [1, false, 300, 0.31],
        [2, true, 300, 0.31],
      ],
    );
    assert.ok(reg.hasMonitoring('bc', 1, 'k1') && !reg.hasMonitoring('bc', 1, 'k2'));
    const log = reg.auditLog().filter((e) => e.action === 'monitor');
    assert.deepEqual(
      log.map((e) => [e.subject, (e.details as { id: number }).id, (e.details as { passed: boolean }).passed]),
      [
        ['bc@1', 1, false],
        ['bc@1', 2, true],
      ],
    );
    assert.equal(reg.audit().ok, true);
    assert.throws(() => reg.recordMonitoring(check(true, { version: 7 })), /has no version 7/);
  } finally {
    reg.close();
  }
});

test('a check edited or deleted outside medpipe breaks the audit and is not served', () => {
  const dir = tempStore();
  const reg = Registry.open(dir);
  reg.registerVersion(versionInput(reg, 'bc', {}));
  reg.recordMonitoring(check(false));
  reg.close();
  const db = new Database(join(dir, 'registry.db'));
  db.prepare('UPDATE monitoring SET passed = 1 WHERE id = 1').run();
  db.close();
  const again = Registry.open(dir);
  try {
    const result = again.audit();
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.subject === 'bc@1 #1' && /monitoring check differs from what entry 3 recorded/.test(result.problem), JSON.stringify(result));
    assert.throws(() => again.monitoringHistory('bc@1'), /monitoring check differs/);
  } finally {
    again.close();
  }
  const db2 = new Database(join(dir, 'registry.db'));
  db2.prepare('DELETE FROM monitoring').run();
  db2.close();
  const third = Registry.open(dir);
  try {
    const r = third.audit();
    assert.ok(!r.ok && /monitoring check is missing/.test(r.problem), JSON.stringify(r));
  } finally {
    third.close();
  }
});

test('a registry from before monitoring (schema 2) is migrated on open and keeps verifying', () => {
  const dir = tempStore();
  const reg = Registry.open(dir);
  reg.registerVersion(versionInput(reg, 'bc', {}));
  reg.close();
  // What a registry written by the previous medpipe looks like: no monitoring table, user_version 2.
  const db = new Database(join(dir, 'registry.db'));
  db.exec('DROP INDEX monitoring_dedupe; DROP TABLE monitoring;');
  db.pragma('user_version = 2');
  db.close();
  const old = Registry.open(dir);
  try {
    assert.equal(old.audit().ok, true, 'the old chain verifies after the migration');
    old.recordMonitoring(check(true));
    assert.equal(old.monitoringHistory('bc@1').length, 1);
    assert.equal(old.audit().ok, true);
  } finally {
    old.close();
  }
  const raw = new Database(join(dir, 'registry.db'));
  assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(SCHEMA_VERSION, 3);
  raw.close();
});

test("a named model's cache-key digest: the alias's version and bundle; a tag leaves it, a promote changes it", async () => {
  const { default: monitorStep } = await import('../../src/steps/monitor.js');
  const digestOf = (params: Record<string, unknown>, dir: string) => {
    assert.ok(monitorStep.paramDigests);
    return monitorStep.paramDigests(params, dir);
  };
  const dir = tempStore();
  const reg = Registry.open(dir);
  try {
    reg.registerVersion(versionInput(reg, 'bc', { auc: 1 }, { alias: 'production' }));
    reg.registerVersion(versionInput(reg, 'bc', { auc: 2 }));
    assert.deepEqual(await digestOf({ model: null }, dir), {}, 'a wired bundle adds nothing: it is an input');
    const before = await digestOf({ model: 'bc@production' }, dir);
    assert.match(before.model, /^bc@1 [0-9a-f]{64}$/);
    reg.setTag('bc', 1, 'reviewed', 'yes');
    assert.deepEqual(await digestOf({ model: 'bc@production' }, dir), before, 'a tag is not what the step reads');
    reg.promote('bc', 2, 'production');
    const after = await digestOf({ model: 'bc@production' }, dir);
    assert.match(after.model, /^bc@2 /);
    assert.notEqual(after.model, before.model);
    assert.match((await digestOf({ model: 'bc@nope' }, dir)).model, /^unresolved: .*nope/, 'an unknown alias keys the step to fail with the message');
  } finally {
    reg.close();
  }
});

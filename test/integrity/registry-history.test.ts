/**
 * The registry knows its own history: a database that was emptied, removed, rolled back or
 * damaged is reported as such, not "ok"; a version the registry lost is registered again by the
 * next run; a pinned head (--expect) and signed entries (MEDPIPE_AUDIT_KEY) catch rewrites.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { entryHash, type AuditAction } from '../../src/registry/audit.js';
import { LocalStore } from '../../src/engine/local-store.js';

const PIPELINE = 'pipelines/breast-cancer.yaml';

async function registeredProject(prefix: string): Promise<{ dir: string; db: string; headFile: string }> {
  const dir = shippedProjectCopy(prefix);
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  return { dir, db: join(dir, '.medpipe', 'registry.db'), headFile: join(dir, '.medpipe', 'registry.head.json') };
}

function sql(db: string, statement: string, ...params: unknown[]): void {
  const raw = new Database(db);
  raw.prepare(statement).run(...params);
  raw.close();
}

test('an emptied registry is behind its recorded head, and behind the run records without it', async () => {
  const { dir, db, headFile } = await registeredProject('reset');
  const ok = await runCli(dir, 'models', 'audit');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^audit ok: (\d+) entries, chain head \1:[0-9a-f]{64}$/m);

  writeFileSync(db, '');
  const reset = await runCli(dir, 'models', 'audit');
  assert.equal(reset.code, 1);
  assert.match(
    reset.err,
    /audit FAILED at the registry: the registry is behind the head recorded in registry\.head\.json: it has 0 audit entries, but entry \d+ was recorded; the database was emptied/,
  );

  rmSync(headFile);
  const noHead = await runCli(dir, 'models', 'audit');
  assert.equal(noHead.code, 1);
  assert.match(
    noHead.err,
    /audit FAILED at breast-cancer-(svm|forest)@1: run \S+ \(step register-(svm|forest)\) registered breast-cancer-(svm|forest)@1, which the registry does not have/,
  );

  rmSync(db);
  const missing = await runCli(dir, 'models', 'audit');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /registry\.db is missing, but run \S+ \(step register-(svm|forest)\) registered breast-cancer-/);
});

test('a re-run registers again the versions the registry lost, from their cached registrations, without computing', async () => {
  const { dir, db, headFile } = await registeredProject('reregister');
  writeFileSync(db, '');
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(
    r.out,
    /register-svm: breast-cancer-svm@1, registered by the cached run, is not in the registry any more; registered breast-cancer-svm@1 \(alias staging\) from the cached registration/,
  );
  assert.match(r.out, /register-forest: .*registered breast-cancer-forest@1 \(alias staging\) from the cached registration/);
  assert.match(r.out, /^ {2}register-svm: cached$/m);
  assert.match(r.out, /^ {2}register-forest: cached$/m);
  assert.match((await runCli(dir, 'models', 'list')).out, /breast-cancer-svm\s+1\s+1\s+staging=1/);
  // The history before the reset is still missing, and audit keeps saying so until someone
  // restores the database or accepts the loss by deleting the record.
  assert.equal((await runCli(dir, 'models', 'audit')).code, 1);
  rmSync(headFile);
  const accepted = await runCli(dir, 'models', 'audit');
  assert.equal(accepted.code, 0, accepted.err);
});

test('a cached register step whose entry holds no registration (written before it did) runs again to register the lost version', async () => {
  const { dir, db } = await registeredProject('reregister-old');
  const store = new LocalStore(join(dir, '.medpipe'));
  for (const key of store.entries()) {
    const entry = store.readEntry(key);
    if (entry?.stepType !== 'register') continue;
    const { registration: _dropped, ...older } = entry.summary as Record<string, unknown>;
    store.writeEntry({ ...entry, summary: older });
  }
  writeFileSync(db, '');
  const r = await runCli(dir, 'run', PIPELINE);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /register-svm: warning: breast-cancer-svm@1, registered by the cached run, is not in the registry any more; running it again/);
  assert.match(r.out, /register-svm: registered breast-cancer-svm@1 \(alias staging\)/);
  assert.match((await runCli(dir, 'models', 'list')).out, /breast-cancer-svm\s+1\s+1\s+staging=1/);
});

test('dropping the last audit entry and undoing its promotion is caught by the recorded head', async () => {
  const { dir, db } = await registeredProject('rollback');
  assert.equal((await runCli(dir, 'models', 'promote', 'breast-cancer-svm@1', 'production')).code, 0);
  assert.equal((await runCli(dir, 'models', 'audit')).code, 0);
  sql(db, `DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`);
  sql(db, `DELETE FROM aliases WHERE alias = 'production'`);
  const r = await runCli(dir, 'models', 'audit');
  assert.equal(r.code, 1);
  assert.match(r.err, /the registry is behind the head recorded in registry\.head\.json: it has \d+ audit entries, but entry \d+ was recorded/);
});

test('--expect pins a head: later changes keep it, a rewritten chain does not; a malformed head is a usage error', async () => {
  const { dir, db, headFile } = await registeredProject('expect');
  const head = /chain head (\d+:[0-9a-f]{64})/.exec((await runCli(dir, 'models', 'audit')).out)?.[1] as string;
  assert.ok(head);
  assert.equal((await runCli(dir, 'models', 'tag', 'breast-cancer-svm@1', 'reviewed=yes')).code, 0);
  assert.equal((await runCli(dir, 'models', 'audit', '--expect', head)).code, 0);

  // Rewrite entry 1 and recompute every hash after it, as someone with write access could, and
  // move the recorded head along: the chain is intact and the record agrees, but the pin does not.
  const raw = new Database(db);
  const rows = raw.prepare('SELECT seq, at, who, action, subject, details FROM audit ORDER BY seq').all() as {
    seq: number;
    at: string;
    who: string;
    action: AuditAction;
    subject: string;
    details: string;
  }[];
  let prev = '0'.repeat(64);
  for (const row of rows) {
    const who = row.seq === 1 ? 'mallory' : row.who;
    const hash = entryHash(prev, { seq: row.seq, at: row.at, who, action: row.action, subject: row.subject, details: JSON.parse(row.details) });
    raw.prepare('UPDATE audit SET who = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(who, prev, hash, row.seq);
    prev = hash;
  }
  raw.close();
  writeFileSync(headFile, JSON.stringify({ seq: rows.length, hash: prev }));
  assert.equal((await runCli(dir, 'models', 'audit')).code, 0, 'without a pin or a key, a full rewrite is consistent');
  const pinned = await runCli(dir, 'models', 'audit', '--expect', head);
  assert.equal(pinned.code, 1);
  assert.match(
    pinned.err,
    new RegExp(
      `entry ${head.split(':')[0]} has hash [0-9a-f]{16}…, but the expected head \\(--expect\\) recorded ${head.split(':')[1].slice(0, 16)}…: the log was rewritten`,
    ),
  );

  const bad = await runCli(dir, 'models', 'audit', '--expect', 'abc');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--expect must be SEQ:HASH/);
});

test('with MEDPIPE_AUDIT_KEY every entry is signed; a rewrite with recomputed hashes fails the signature check', async () => {
  process.env.MEDPIPE_AUDIT_KEY = 'a secret held by the registering team';
  try {
    const { dir, db, headFile } = await registeredProject('signed');
    const ok = await runCli(dir, 'models', 'audit');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /every entry signed with MEDPIPE_AUDIT_KEY/);
    const raw = new Database(db);
    const last = raw.prepare('SELECT seq, at, who, action, subject, details, prev_hash AS prevHash FROM audit ORDER BY seq DESC LIMIT 1').get() as {
      seq: number;
      at: string;
      who: string;
      action: AuditAction;
      subject: string;
      details: string;
      prevHash: string;
    };
    const hash = entryHash(last.prevHash, { ...last, who: 'mallory', details: JSON.parse(last.details) });
    raw.prepare('UPDATE audit SET who = ?, hash = ? WHERE seq = ?').run('mallory', hash, last.seq);
    raw.close();
    writeFileSync(headFile, JSON.stringify({ seq: last.seq, hash }));
    const r = await runCli(dir, 'models', 'audit');
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`audit FAILED at entry ${last.seq} .*its signature does not match MEDPIPE_AUDIT_KEY`));
    delete process.env.MEDPIPE_AUDIT_KEY;
    const unkeyed = await runCli(dir, 'models', 'audit');
    assert.equal(unkeyed.code, 0, 'without the key the signatures cannot be checked, and the chain itself is consistent');
    process.env.MEDPIPE_AUDIT_KEY = 'another key';
    assert.match((await runCli(dir, 'models', 'audit')).err, /audit FAILED at entry 1 .*signature does not match/);
  } finally {
    delete process.env.MEDPIPE_AUDIT_KEY;
  }
});

test('random bytes in the database: every command that opens it says it is damaged, none goes on', async () => {
  const { dir, db } = await registeredProject('garbage');
  const fd = openSync(db, 'r+');
  // Deterministic garbage over pages 2-3, where the tables' first pages are.
  const junk = Buffer.alloc(6000, 0);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 17) & 0xff;
  writeSync(fd, junk, 0, junk.length, 4096);
  closeSync(fd);
  for (const args of [
    ['models', 'list'],
    ['models', 'audit'],
    ['models', 'promote', 'breast-cancer-svm@1', 'production'],
    ['predict', 'breast-cancer-svm@staging', '--input', join(dir, 'data', 'breast-cancer-wisconsin.csv')],
  ]) {
    const r = await runCli(dir, ...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /the model registry \S+registry\.db is damaged \(.+\): restore it from a backup/, args.join(' '));
    assert.doesNotMatch(r.err, /internal error/);
  }
});

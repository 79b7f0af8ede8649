/**
 * The registry database damaged or edited behind medpipe's back: truncated to half its size,
 * bytes flipped at seeded positions, a version's metrics edited, an alias deleted or pointed at
 * another version. `models audit` fails naming the problem (never an internal error), and every
 * command that serves a model or its numbers either refuses clearly or serves exactly what the
 * intact registry served: never other predictions, never other metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli, type CliResult } from '../helpers/cli.js';
import { assertClearError, damage, projectCopy } from './helpers.js';
import { seeded, suiteSeed } from './seeded.js';

const SEED = suiteSeed(0x5eed0005);
const rng = seeded(SEED);
const PIPELINE = 'pipelines/breast-cancer.yaml';
const dir = projectCopy('registry');
const store = join(dir, '.medpipe');
const db = join(store, 'registry.db');
const backup = join(dir, 'registry.db.intact');
const rows = join(dir, 'rows.csv');

/** What the intact registry serves: predictions and shown metrics per reference. */
const served = new Map<string, string>();
const REFS = ['breast-cancer-svm@staging', 'breast-cancer-svm@1', 'breast-cancer-svm@2', 'breast-cancer-forest@staging'];

function sql(statement: string, ...params: unknown[]): void {
  const raw = new Database(db);
  raw.prepare(statement).run(...params);
  raw.close();
}

/** Predictions and the metrics `models show` and `models compare` give, for each reference. */
async function serve(): Promise<Map<string, CliResult>> {
  const out = new Map<string, CliResult>();
  for (const ref of REFS) {
    out.set(`predict ${ref}`, await runCli(dir, 'predict', ref, '--input', rows));
    const show = await runCli(dir, 'models', 'show', ref, '--json');
    // Only what the version is and says: the tags and aliases are the registry's to change.
    if (show.code === 0) {
      const v = JSON.parse(show.out) as Record<string, unknown>;
      show.out = JSON.stringify({ version: v.version, metrics: v.metrics, bundleDigest: v.bundleDigest, params: v.params, card: v.card });
    }
    out.set(`show ${ref}`, show);
  }
  out.set('compare', await runCli(dir, 'models', 'compare', 'breast-cancer-svm@1', 'breast-cancer-svm@2'));
  return out;
}

/** Each command refuses with a clear message or serves exactly what the intact registry did. */
async function assertNeverServesOther(context: string): Promise<void> {
  for (const [what, r] of await serve()) {
    if (r.code === 0) assert.equal(r.out, served.get(what), `${context}: \`${what}\` succeeded with other output than the intact registry's`);
    else {
      assert.equal(r.code, 1, `${context}: \`${what}\` exited ${r.code}`);
      assertClearError(r.err, `${context}: \`${what}\``);
    }
  }
  const list = await runCli(dir, 'models', 'list');
  if (list.code !== 0) assertClearError(list.err, `${context}: models list`);
}

async function assertAuditFails(context: string, expected?: RegExp): Promise<string> {
  const audit = await runCli(dir, 'models', 'audit');
  assert.equal(audit.code, 1, `${context}: audit passed:\n${audit.out}`);
  assertClearError(audit.err, `${context}: models audit`);
  if (expected) assert.match(audit.err, expected, context);
  return audit.err;
}

/** Back to the intact database (each damage test starts from it, whatever the one before left). */
function restore(): void {
  for (const suffix of ['-wal', '-shm']) rmSync(db + suffix, { force: true });
  copyFileSync(backup, db);
}

test('two runs register two versions of each model; what they serve is recorded', async () => {
  // The second run's seed is in the file: a --set run would be an experiment, which registers nothing.
  const file = join(dir, PIPELINE);
  for (const seed of ['42', '1']) {
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^  seed: \d+$/m, `  seed: ${seed}`));
    const r = await runCli(dir, 'run', PIPELINE);
    assert.equal(r.code, 0, r.err + r.out);
  }
  writeFileSync(
    rows,
    readFileSync(join(dir, 'data', 'breast-cancer-wisconsin.csv'), 'utf8')
      .split('\n')
      .slice(0, 9)
      .join('\n') + '\n',
  );
  assert.equal((await runCli(dir, 'models', 'audit')).code, 0);
  for (const [what, r] of await serve()) {
    assert.equal(r.code, 0, `${what}: ${r.err}`);
    served.set(what, r.out);
  }
  assert.notEqual(served.get('predict breast-cancer-svm@1'), served.get('predict breast-cancer-svm@2'), 'the two versions predict differently');
  // Every connection is closed, so the database is whole in one file.
  assert.equal(existsSync(db + '-wal') && statSync(db + '-wal').size > 0, false);
  copyFileSync(db, backup);
});

test('registry.db truncated to half its size: audit and every command say it is damaged', async () => {
  restore();
  truncateSync(db, Math.floor(statSync(db).size / 2));
  const err = await assertAuditFails('truncated to half', /registry\.db is damaged|behind/);
  assert.match(err, /restore it from a backup/);
  await assertNeverServesOther('truncated to half');
  restore();
});

test(`registry.db with bytes flipped at seeded positions: refused or served unchanged, never other numbers (seed 0x${SEED.toString(16)})`, async (t) => {
  // Every flip is tried; the failures are reported together, so one run shows them all.
  const problems: string[] = [];
  for (let i = 0; i < 8; i++) {
    restore();
    const what = damage(db, 'flip', rng);
    t.diagnostic(what);
    try {
      const audit = await runCli(dir, 'models', 'audit');
      if (audit.code !== 0) assertClearError(audit.err, `${what}: models audit`);
      await assertNeverServesOther(what);
    } catch (e) {
      problems.push((e as Error).message.split('\n')[0]);
    }
  }
  restore();
  assert.deepEqual(problems, [], `${problems.length} of 8 flips were served:\n${problems.join('\n')}`);
});

test("a version's metrics edited in the table: audit names the version; show and compare never print the edited numbers", async (t) => {
  restore();
  const raw = new Database(db);
  const metrics = JSON.parse(raw.prepare(`SELECT metrics FROM versions WHERE model = 'breast-cancer-svm' AND version = 1`).pluck().get() as string) as Record<
    string,
    { value: number }
  >;
  raw.close();
  const metric = rng.pick(Object.keys(metrics));
  metrics[metric] = { ...metrics[metric], value: Math.round((metrics[metric].value + 0.01 + rng.next() / 10) * 1000) / 1000 };
  sql(`UPDATE versions SET metrics = ? WHERE model = 'breast-cancer-svm' AND version = 1`, JSON.stringify(metrics));
  const context = `${metric} of breast-cancer-svm@1 set to ${metrics[metric].value} (${rng.label})`;
  t.diagnostic(context);
  await assertAuditFails(context, /breast-cancer-svm@1\): its metrics differ/);
  await assertNeverServesOther(context);
  restore();
});

test('an alias row deleted: audit names it; predict by that alias refuses, naming the disagreement with the audit log', async () => {
  restore();
  const model = rng.pick(['breast-cancer-svm', 'breast-cancer-forest']);
  sql(`DELETE FROM aliases WHERE model = ? AND alias = 'staging'`, model);
  const context = `${model}@staging deleted (${rng.label})`;
  await assertAuditFails(context, new RegExp(`${model}@staging\\): the alias is missing`));
  const r = await runCli(dir, 'predict', `${model}@staging`, '--input', rows);
  assert.equal(r.code, 1, context);
  assert.match(
    r.err,
    new RegExp(
      `${model}@staging: the alias is missing but entry \\d+ set it to version \\d+: it was deleted outside medpipe; the registry's tables disagree with its audit log`,
    ),
    context,
  );
  await assertNeverServesOther(context);
  restore();
});

test('an alias row pointed at another version: audit names it; predict by that alias never serves the other version', async () => {
  restore();
  sql(`UPDATE aliases SET version = 1 WHERE model = 'breast-cancer-svm' AND alias = 'staging'`);
  const context = 'breast-cancer-svm@staging pointed from version 2 at version 1';
  await assertAuditFails(context, /breast-cancer-svm@staging\): the alias points at version 1 but entry \d+ set it to version 2/);
  await assertNeverServesOther(context);
  restore();
});

/** The Registry API: version numbering, aliases, tags, descriptions, compare, dedupe, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Registry, RegistryError } from '../../src/registry/index.js';
import { SCHEMA_VERSION } from '../../src/registry/schema.js';
import { tempStore, versionInput } from './helpers.js';

function open(): Registry {
  return Registry.open(tempStore(), { who: 'dr-test' });
}

test('versions are numbered per model name, from 1', () => {
  const reg = open();
  const got = [
    reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 })),
    reg.registerVersion(versionInput(reg, 'diabetes-forest', { r2: 0.41 })),
    reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.98 })),
    reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.99 })),
    reg.registerVersion(versionInput(reg, 'diabetes-forest', { r2: 0.45 })),
  ];
  assert.deepEqual(
    got.map((g) => g.version),
    [1, 1, 2, 3, 2],
  );
  assert.ok(got.every((g) => g.created));
  assert.deepEqual(
    reg.listModels().map((m) => [m.name, m.versions, m.latest]),
    [
      ['breast-cancer-svm', 3, 3],
      ['diabetes-forest', 2, 2],
    ],
  );
  assert.equal(reg.getVersion('breast-cancer-svm').version, 3, 'no @ means the latest version');
  assert.deepEqual(reg.getVersion('breast-cancer-svm@2').metrics, { roc_auc: 0.98 });
  reg.close();
});

test('a version keeps its bundle, params, lineage, card and author', () => {
  const reg = open();
  const input = versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 }, { bundleFile: 'model.json' });
  reg.registerVersion(input);
  const v = reg.getVersion('breast-cancer-svm@1');
  assert.equal(v.bundleDigest, input.bundleDigest);
  assert.equal(v.bundleFile, 'model.json');
  assert.ok(readFileSync(v.bundlePath, 'utf8').includes('"kind":"svm"'), 'the bundle is in the store under its digest');
  assert.deepEqual(v.params, input.params);
  assert.deepEqual(v.lineage, input.lineage);
  assert.equal(v.card, input.card);
  assert.equal(v.who, 'dr-test');
  assert.equal(v.status, 'ready');
  reg.close();
});

test('MEDPIPE_USER names who made a change', () => {
  const before = process.env.MEDPIPE_USER;
  process.env.MEDPIPE_USER = 'nurse-ratched';
  try {
    const reg = Registry.open(tempStore());
    reg.registerVersion(versionInput(reg, 'm', { a: 1 }));
    assert.equal(reg.getVersion('m').who, 'nurse-ratched');
    assert.ok(reg.auditLog().every((e) => e.who === 'nurse-ratched'));
    reg.close();
  } finally {
    if (before === undefined) delete process.env.MEDPIPE_USER;
    else process.env.MEDPIPE_USER = before;
  }
});

test('aliases: set at registration, moved by promote, each move audited', () => {
  const reg = open();
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 }, { alias: 'staging' }));
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.98 }, { alias: 'staging' }));
  assert.equal(reg.getVersion('breast-cancer-svm@staging').version, 2);

  assert.deepEqual(reg.promote('breast-cancer-svm', 1, 'production'), { previous: null });
  assert.equal(reg.getVersion('breast-cancer-svm@production').version, 1);
  assert.deepEqual(reg.promote('breast-cancer-svm', 2, 'production'), { previous: 1 });
  assert.equal(reg.getVersion('breast-cancer-svm@production').version, 2);
  assert.deepEqual(reg.getVersion('breast-cancer-svm@2').aliases, ['production', 'staging']);
  assert.deepEqual(reg.listModels()[0].aliases, { production: 2, staging: 2 });

  const promotions = reg
    .auditLog()
    .filter((e) => e.action === 'promote')
    .map((e) => e.details);
  assert.deepEqual(promotions, [
    { alias: 'staging', version: 1, previous: null },
    { alias: 'staging', version: 2, previous: 1 },
    { alias: 'production', version: 1, previous: null },
    { alias: 'production', version: 2, previous: 1 },
  ]);
  const entries = reg.auditLog().length;
  reg.promote('breast-cancer-svm', 2, 'production');
  assert.equal(reg.auditLog().length, entries, 'promoting to where the alias already points changes nothing');
  assert.throws(() => reg.promote('breast-cancer-svm', 9, 'production'), /has no version 9; its versions are 1 to 2/);
  assert.throws(() => reg.promote('breast-cancer-svm', 1, '42'), /not a valid alias/);
  assert.ok(reg.audit().ok);
  reg.close();
});

test('tags: set at registration, set, overwritten and removed, each audited', () => {
  const reg = open();
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 }, { tags: { dataset: 'wdbc' } }));
  reg.setTag('breast-cancer-svm', 1, 'reviewed-by', 'cardiology');
  reg.setTag('breast-cancer-svm', 1, 'reviewed-by', 'oncology');
  assert.deepEqual(reg.getVersion('breast-cancer-svm@1').tags, { dataset: 'wdbc', 'reviewed-by': 'oncology' });
  reg.removeTag('breast-cancer-svm', 1, 'dataset');
  assert.deepEqual(reg.getVersion('breast-cancer-svm@1').tags, { 'reviewed-by': 'oncology' });
  assert.throws(() => reg.removeTag('breast-cancer-svm', 1, 'dataset'), /has no tag "dataset"/);
  assert.deepEqual(
    reg
      .auditLog()
      .filter((e) => e.action === 'tag' || e.action === 'untag')
      .map((e) => [e.action, e.subject]),
    [
      ['tag', 'breast-cancer-svm@1'],
      ['tag', 'breast-cancer-svm@1'],
      ['tag', 'breast-cancer-svm@1'],
      ['untag', 'breast-cancer-svm@1'],
    ],
  );
  assert.ok(reg.audit().ok);
  reg.close();
});

test('descriptions: set at creation, changed by setDescription or a later registration', () => {
  const reg = open();
  reg.registerVersion(versionInput(reg, 'm', { a: 1 }, { description: 'first' }));
  assert.equal(reg.listModels()[0].description, 'first');
  reg.setDescription('m', 'second');
  reg.registerVersion(versionInput(reg, 'm', { a: 2 }, { description: 'third' }));
  reg.registerVersion(versionInput(reg, 'm', { a: 3 }, { description: 'third' }));
  assert.equal(reg.getVersion('m').description, 'third');
  assert.deepEqual(
    reg
      .auditLog()
      .filter((e) => e.action === 'describe')
      .map((e) => e.details),
    [{ description: 'second' }, { description: 'third' }],
  );
  reg.close();
});

test('compare: metrics side by side, nested ones flattened, delta = B - A', () => {
  const reg = open();
  const a = { roc_auc: 0.961, sensitivity: 0.9, per_class: { malignant: { recall: 0.88 } }, note: 'baseline' };
  const b = { roc_auc: 0.975, sensitivity: 0.86, per_class: { malignant: { recall: 0.91 } }, specificity: 0.97 };
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', a));
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', b));
  const c = reg.compare('breast-cancer-svm@1', 'breast-cancer-svm@2');
  assert.deepEqual(c.a, { name: 'breast-cancer-svm', version: 1 });
  assert.deepEqual(c.metrics, [
    { metric: 'roc_auc', a: a.roc_auc, b: b.roc_auc, delta: b.roc_auc - a.roc_auc },
    { metric: 'sensitivity', a: a.sensitivity, b: b.sensitivity, delta: b.sensitivity - a.sensitivity },
    {
      metric: 'per_class.malignant.recall',
      a: a.per_class.malignant.recall,
      b: b.per_class.malignant.recall,
      delta: b.per_class.malignant.recall - a.per_class.malignant.recall,
    },
    { metric: 'note', a: 'baseline', b: undefined },
    { metric: 'specificity', a: undefined, b: b.specificity },
  ]);
  reg.close();
});

test('dedupeKey: registering the same thing again returns the existing version', () => {
  const reg = open();
  const input = versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 }, { dedupeKey: 'cache-key-1', alias: 'staging' });
  assert.deepEqual(reg.registerVersion(input), { version: 1, created: true });
  const entries = reg.auditLog().length;
  assert.deepEqual(reg.registerVersion(input), { version: 1, created: false });
  assert.equal(reg.auditLog().length, entries, 'a deduplicated registration writes no audit entry');
  assert.deepEqual(reg.registerVersion({ ...input, dedupeKey: 'cache-key-2' }), { version: 2, created: true });
  // The key is per model: another model with the same key is a new version of that model.
  assert.deepEqual(reg.registerVersion({ ...input, name: 'other', dedupeKey: 'cache-key-1' }), { version: 1, created: true });
  assert.ok(reg.audit().ok);
  reg.close();
});

test('clear errors: unknown model with did-you-mean, unknown version and alias, bad input', () => {
  const reg = open();
  assert.throws(() => reg.getVersion('breast-cancer-svm'), /no model named "breast-cancer-svm"; the registry has no models yet/);
  reg.registerVersion(versionInput(reg, 'breast-cancer-svm', { roc_auc: 0.97 }, { alias: 'production' }));
  reg.registerVersion(versionInput(reg, 'diabetes-forest', { r2: 0.4 }));
  assert.throws(
    () => reg.getVersion('breast-cancer-svn'),
    (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, 'not-found');
      assert.match(
        e.message,
        /no model named "breast-cancer-svn" \(did you mean "breast-cancer-svm"\?\); registered models: breast-cancer-svm, diabetes-forest/,
      );
      return true;
    },
  );
  assert.throws(() => reg.getVersion('breast-cancer-svm@4'), /model "breast-cancer-svm" has no version 4; its versions are 1/);
  assert.throws(() => reg.getVersion('breast-cancer-svm@prodution'), /no alias "prodution" \(did you mean "production"\?\); its aliases: production -> 1/);
  assert.throws(() => reg.getVersion('breast-cancer-svm@0'), /numbered from 1/);
  assert.throws(
    () => reg.getVersion('bad name'),
    (e: unknown) => e instanceof RegistryError && e.kind === 'invalid',
  );
  const input = versionInput(reg, 'x', { a: 1 });
  assert.throws(() => reg.registerVersion({ ...input, bundleDigest: 'abc' }), /bundleDigest must be a sha256/);
  assert.throws(() => reg.registerVersion({ ...input, metrics: [] as unknown as Record<string, unknown> }), /metrics must be a JSON object/);
  assert.throws(() => reg.registerVersion({ ...input, tags: { '1bad': 'x' } }), /not a valid tag key/);
  assert.deepEqual(reg.modelNames(), ['breast-cancer-svm', 'diabetes-forest'], 'a rejected registration leaves nothing behind');
  reg.close();
});

test('registered bundles are pinned so cache gc keeps them', () => {
  const store = tempStore();
  const reg = Registry.open(store);
  const a = reg.registerVersion(versionInput(reg, 'm', { a: 1 }));
  const b = reg.registerVersion(versionInput(reg, 'm', { a: 2 }));
  const pins = JSON.parse(readFileSync(`${store}/pins/registry.json`, 'utf8')) as { digests: string[] };
  const digests = [reg.getVersion(`m@${a.version}`).bundleDigest, reg.getVersion(`m@${b.version}`).bundleDigest].sort();
  assert.deepEqual(pins.digests, digests);
  reg.close();
});

test('reopening a registry keeps everything; the schema version is recorded', () => {
  const store = tempStore();
  const reg = Registry.open(store);
  reg.registerVersion(versionInput(reg, 'm', { a: 1 }, { alias: 'production' }));
  reg.close();
  const again = Registry.open(store);
  assert.equal(again.getVersion('m@production').version, 1);
  assert.ok(again.audit().ok);
  again.close();
  const raw = new Database(`${store}/registry.db`, { readonly: true });
  assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

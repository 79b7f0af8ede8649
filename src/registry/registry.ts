/**
 * The model registry: one SQLite file, `registry.db`, in the medpipe store folder. Models have
 * numbered versions (1, 2, 3 … per name), aliases (staging, production), tags, and for each
 * version its bundle (an object in the store), metrics, parameters, lineage and model card.
 *
 * Every change appends an entry to a hash-chained audit log in the same IMMEDIATE transaction as
 * the change, so two processes registering the same name at once get distinct versions and the
 * log never misses a change. WAL mode and a busy timeout let several processes write at once.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { clock } from '../engine/clock.js';
import { didYouMean } from '../suggest.js';
import { checkChain, entryHash, GENESIS_HASH, type AuditAction, type AuditDetails, type AuditRecord, type StoredAuditRow } from './audit.js';
import { compareMetrics } from './compare.js';
import { RegistryError } from './errors.js';
import { checkAlias, checkModelName, checkTagKey, formatRef, parseRef } from './names.js';
import { migrate } from './schema.js';
import { compareState, replay, versionDigests, type RegistryState } from './state.js';
import { exportVersion, hashFileSync, readVerifiedBundle } from './bundle.js';
import type { AuditResult, Comparison, JsonObject, ModelSummary, ModelVersion, RegisterInput, RegistryOptions } from './types.js';

export const REGISTRY_FILE = 'registry.db';

interface VersionRow {
  model: string;
  version: number;
  bundle_digest: string;
  bundle_file: string;
  metrics: string;
  params: string;
  lineage: string;
  card: string;
  who: string;
  created_at: string;
  status: string;
  dedupe_key: string | null;
}

const DIGEST = /^[0-9a-f]{64}$/;
const BUNDLE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function currentUser(): string {
  if (process.env.MEDPIPE_USER) return process.env.MEDPIPE_USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown'; // no passwd entry, e.g. a container running under an arbitrary uid
  }
}

/**
 * Switches a new registry file to WAL (the mode is then kept in the file). SQLite does not call
 * the busy handler for this switch, so when two processes create the registry at once, the loser
 * gets SQLITE_BUSY at once: wait and retry until the other has finished.
 */
function useWal(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal' || db.pragma('journal_mode = WAL', { simple: true }) === 'wal') return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new RegistryError('corrupt', `could not switch ${db.name} to WAL mode: is it on a file system without shared memory (e.g. a network share)?`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a synchronous 10 ms sleep; the registry API is synchronous
  }
}

function isPlainObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class Registry {
  readonly storeDir: string;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly who: string;

  private constructor(storeDir: string, db: Database.Database, who: string) {
    this.storeDir = storeDir;
    this.file = join(storeDir, REGISTRY_FILE);
    this.db = db;
    this.who = who;
  }

  /** Whether a store folder has a registry yet (so read-only commands need not create one). */
  static exists(storeDir: string): boolean {
    return existsSync(join(storeDir, REGISTRY_FILE));
  }

  /** Opens (creating if needed) the registry of a store folder. */
  static open(storeDir: string, options: RegistryOptions = {}): Registry {
    mkdirSync(storeDir, { recursive: true });
    const file = join(storeDir, REGISTRY_FILE);
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 10_000 });
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
      useWal(db, options.busyTimeoutMs ?? 10_000);
      db.pragma('foreign_keys = ON');
      migrate(db, file);
    } catch (e) {
      db.close();
      throw e;
    }
    return new Registry(storeDir, db, options.who ?? currentUser());
  }

  close(): void {
    this.db.close();
  }

  bundlePath(digest: string): string {
    return join(this.storeDir, 'objects', digest.slice(0, 2), digest.slice(2));
  }

  /**
   * Puts a bundle file into the store (copied, under its sha256) unless it is there already,
   * and returns its digest: what `registerVersion` wants as `bundleDigest`.
   */
  storeBundle(file: string): string {
    const digest = hashFileSync(file);
    const target = this.bundlePath(digest);
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      copyFileSync(file, tmp);
      renameSync(tmp, target);
    }
    return digest;
  }

  // ---- changes: each in one IMMEDIATE transaction with its audit entries ----

  registerVersion(input: RegisterInput): { version: number; created: boolean } {
    const name = checkModelName(input.name);
    if (!DIGEST.test(input.bundleDigest)) throw new RegistryError('invalid', `bundleDigest must be a sha256 in lowercase hex (64 characters), got "${input.bundleDigest}"`);
    const bundleFile = input.bundleFile ?? 'bundle.json';
    if (!BUNDLE_FILE.test(bundleFile)) throw new RegistryError('invalid', `bundleFile must be a plain file name, got "${bundleFile}"`);
    for (const [what, v] of [['metrics', input.metrics], ['params', input.params], ['lineage', input.lineage]] as const) {
      if (!isPlainObject(v)) throw new RegistryError('invalid', `${what} must be a JSON object`);
    }
    if (input.alias !== undefined) checkAlias(input.alias);
    for (const key of Object.keys(input.tags ?? {})) checkTagKey(key);

    return this.db.transaction(() => {
      if (input.dedupeKey !== undefined) {
        const existing = this.db.prepare('SELECT version FROM versions WHERE model = ? AND dedupe_key = ?').pluck().get(name, input.dedupeKey) as number | undefined;
        if (existing !== undefined) return { version: existing, created: false };
      }
      const model = this.db.prepare('SELECT description FROM models WHERE name = ?').get(name) as { description: string } | undefined;
      const at = clock.iso();
      if (!model) {
        this.db.prepare('INSERT INTO models (name, description, created_at) VALUES (?, ?, ?)').run(name, input.description ?? '', at);
        this.append('create', name, { description: input.description ?? '' }, at);
      } else if (input.description !== undefined && input.description !== model.description) {
        this.describe(name, input.description, at);
      }
      const version = (this.db.prepare('SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model = ?').pluck().get(name) as number);
      const row: VersionRow = {
        model: name,
        version,
        bundle_digest: input.bundleDigest,
        bundle_file: bundleFile,
        metrics: JSON.stringify(input.metrics),
        params: JSON.stringify(input.params),
        lineage: JSON.stringify(input.lineage),
        card: input.card,
        who: this.who,
        created_at: at,
        status: 'ready',
        dedupe_key: input.dedupeKey ?? null,
      };
      this.db
        .prepare('INSERT INTO versions (model, version, bundle_digest, bundle_file, metrics, params, lineage, card, who, created_at, status, dedupe_key) VALUES (@model, @version, @bundle_digest, @bundle_file, @metrics, @params, @lineage, @card, @who, @created_at, @status, @dedupe_key)')
        .run(row);
      this.append('register', formatRef(name, version), { version, bundleDigest: row.bundle_digest, bundleFile, status: row.status, dedupeKey: row.dedupe_key, digests: versionDigests(row) }, at);
      for (const [key, value] of Object.entries(input.tags ?? {})) this.tag(name, version, key, value, at);
      if (input.alias !== undefined) this.moveAlias(name, version, input.alias, at);
      this.writeBundlePins();
      return { version, created: true };
    }).immediate();
  }

  /** Points an alias at a version (moving it if it pointed elsewhere). Returns the version it pointed at before. */
  promote(name: string, version: number, alias: string): { previous: number | null } {
    checkAlias(alias);
    return this.db.transaction(() => {
      this.requireVersion(name, version);
      return { previous: this.moveAlias(name, version, alias, clock.iso()) };
    }).immediate();
  }

  setTag(name: string, version: number, key: string, value: string): void {
    checkTagKey(key);
    this.db.transaction(() => {
      this.requireVersion(name, version);
      this.tag(name, version, key, value, clock.iso());
    }).immediate();
  }

  removeTag(name: string, version: number, key: string): void {
    this.db.transaction(() => {
      this.requireVersion(name, version);
      const gone = this.db.prepare('DELETE FROM tags WHERE model = ? AND version = ? AND key = ?').run(name, version, key);
      if (gone.changes === 0) throw new RegistryError('not-found', `${formatRef(name, version)} has no tag "${key}"`);
      this.append('untag', formatRef(name, version), { version, key }, clock.iso());
    }).immediate();
  }

  setDescription(name: string, description: string): void {
    this.db.transaction(() => {
      this.requireModel(name);
      this.describe(name, description, clock.iso());
    }).immediate();
  }

  private describe(name: string, description: string, at: string): void {
    this.db.prepare('UPDATE models SET description = ? WHERE name = ?').run(description, name);
    this.append('describe', name, { description }, at);
  }

  private tag(name: string, version: number, key: string, value: string, at: string): void {
    const old = this.db.prepare('SELECT value FROM tags WHERE model = ? AND version = ? AND key = ?').pluck().get(name, version, key);
    if (old === value) return;
    this.db.prepare('INSERT INTO tags (model, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (model, version, key) DO UPDATE SET value = excluded.value').run(name, version, key, value);
    this.append('tag', formatRef(name, version), { version, key, value }, at);
  }

  private moveAlias(name: string, version: number, alias: string, at: string): number | null {
    const previous = (this.db.prepare('SELECT version FROM aliases WHERE model = ? AND alias = ?').pluck().get(name, alias) as number | undefined) ?? null;
    if (previous === version) return previous;
    this.db.prepare('INSERT INTO aliases (model, alias, version) VALUES (?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version').run(name, alias, version);
    this.append('promote', name, { alias, version, previous }, at);
    return previous;
  }

  /** Appends one audit entry; must run inside a write transaction so seq and prev_hash cannot race. */
  private append<A extends AuditAction>(action: A, subject: string, details: AuditDetails[A], at: string): void {
    const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const entry = { seq: (last?.seq ?? 0) + 1, at, who: this.who, action, subject, details };
    const prevHash = last?.hash ?? GENESIS_HASH;
    this.db
      .prepare('INSERT INTO audit (seq, at, who, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.seq, at, this.who, action, subject, JSON.stringify(details), prevHash, entryHash(prevHash, entry));
  }

  /**
   * Tells `medpipe cache gc` to keep every registered bundle (pins/registry.json). Written inside
   * the registering transaction, so concurrent writers write it one after the other.
   */
  private writeBundlePins(): void {
    const digests = this.db.prepare('SELECT DISTINCT bundle_digest FROM versions ORDER BY bundle_digest').pluck().all() as string[];
    const file = join(this.storeDir, 'pins', 'registry.json');
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify({ digests }));
    renameSync(tmp, file);
  }

  // ---- reading ----

  modelNames(): string[] {
    return this.db.prepare('SELECT name FROM models ORDER BY name').pluck().all() as string[];
  }

  listModels(): ModelSummary[] {
    const rows = this.db
      .prepare('SELECT m.name, m.description, m.created_at AS createdAt, COUNT(v.version) AS versions, MAX(v.version) AS latest FROM models m LEFT JOIN versions v ON v.model = m.name GROUP BY m.name ORDER BY m.name')
      .all() as Omit<ModelSummary, 'aliases'>[];
    const aliases = this.db.prepare('SELECT model, alias, version FROM aliases ORDER BY alias').all() as { model: string; alias: string; version: number }[];
    return rows.map((r) => ({ ...r, aliases: Object.fromEntries(aliases.filter((a) => a.model === r.name).map((a) => [a.alias, a.version])) }));
  }

  /** Every registered version of a model, oldest first (without cards, for listings). */
  versionsOf(name: string): { version: number; createdAt: string; who: string; aliases: string[] }[] {
    this.requireModel(name);
    const aliases = this.db.prepare('SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias').all(name) as { alias: string; version: number }[];
    return (this.db.prepare('SELECT version, created_at AS createdAt, who FROM versions WHERE model = ? ORDER BY version').all(name) as { version: number; createdAt: string; who: string }[]).map((v) => ({
      ...v,
      aliases: aliases.filter((a) => a.version === v.version).map((a) => a.alias),
    }));
  }

  /** Resolves `NAME`, `NAME@3` or `NAME@alias` to a version number. */
  resolve(ref: string): { name: string; version: number } {
    const { name, selector } = parseRef(ref);
    this.requireModel(name);
    if (selector.kind === 'latest') {
      const latest = this.db.prepare('SELECT MAX(version) FROM versions WHERE model = ?').pluck().get(name) as number | null;
      if (latest === null) throw new RegistryError('not-found', `model "${name}" has no versions yet`);
      return { name, version: latest };
    }
    if (selector.kind === 'version') {
      this.requireVersion(name, selector.version);
      return { name, version: selector.version };
    }
    const version = this.db.prepare('SELECT version FROM aliases WHERE model = ? AND alias = ?').pluck().get(name, selector.alias) as number | undefined;
    if (version === undefined) {
      const known = this.db.prepare('SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias').all(name) as { alias: string; version: number }[];
      const list = known.length ? `; its aliases: ${known.map((a) => `${a.alias} -> ${a.version}`).join(', ')}` : '; it has no aliases yet (set one with: medpipe models promote NAME@VERSION ALIAS)';
      throw new RegistryError('not-found', `model "${name}" has no alias "${selector.alias}"${didYouMean(selector.alias, known.map((a) => a.alias))}${list}`);
    }
    return { name, version };
  }

  getVersion(ref: string): ModelVersion {
    const { name, version } = this.resolve(ref);
    const row = this.db.prepare('SELECT * FROM versions WHERE model = ? AND version = ?').get(name, version) as VersionRow;
    const description = this.db.prepare('SELECT description FROM models WHERE name = ?').pluck().get(name) as string;
    const tags = this.db.prepare('SELECT key, value FROM tags WHERE model = ? AND version = ? ORDER BY key').all(name, version) as { key: string; value: string }[];
    const aliases = this.db.prepare('SELECT alias FROM aliases WHERE model = ? AND version = ? ORDER BY alias').pluck().all(name, version) as string[];
    return {
      name,
      version,
      description,
      bundleDigest: row.bundle_digest,
      bundleFile: row.bundle_file,
      bundlePath: this.bundlePath(row.bundle_digest),
      metrics: JSON.parse(row.metrics) as JsonObject,
      params: JSON.parse(row.params) as JsonObject,
      lineage: JSON.parse(row.lineage) as JsonObject,
      card: row.card,
      who: row.who,
      createdAt: row.created_at,
      status: row.status,
      tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
      aliases,
    };
  }

  /** Writes a version's bundle (checked against its digest), card, metrics, params and lineage into dir. */
  exportVersion(ref: string, dir: string): { version: ModelVersion; files: string[] } {
    const version = this.getVersion(ref);
    return { version, files: exportVersion(version, dir) };
  }

  compare(refA: string, refB: string): Comparison {
    const a = this.getVersion(refA);
    const b = this.getVersion(refB);
    return { a: { name: a.name, version: a.version }, b: { name: b.name, version: b.version }, metrics: compareMetrics(a.metrics, b.metrics) };
  }

  /** The audit log, oldest first. */
  auditLog(): AuditRecord[] {
    return checkChain(this.storedAudit()).records;
  }

  /**
   * Verifies the audit chain, then that every model, version, alias and tag row is what the log
   * says it should be, then that every version's bundle is in the store and matches its digest. Reports the first problem: the broken entry's seq, or the row that disagrees.
   */
  audit(): AuditResult {
    // One read transaction, so a concurrent writer cannot slip a change between reading the log and the tables.
    return this.db.transaction((): AuditResult => {
      const rows = this.storedAudit();
      const { records, broken } = checkChain(rows);
      if (broken) return { ok: false, entries: rows.length, seq: broken.seq, subject: rows.find((r) => r.seq === broken.seq)?.subject ?? '', problem: broken.problem };
      const mismatch = compareState(replay(records), this.tableState())[0];
      if (mismatch) return { ok: false, entries: rows.length, ...mismatch };
      const damaged = this.firstDamagedBundle();
      if (damaged) return { ok: false, entries: rows.length, seq: null, ...damaged };
      return { ok: true, entries: rows.length, head: rows.length ? rows[rows.length - 1].hash : GENESIS_HASH };
    }).deferred();
  }

  /** The first version whose bundle is missing from the store or no longer matches its digest. */
  private firstDamagedBundle(): { subject: string; problem: string } | undefined {
    const rows = this.db.prepare('SELECT model, version, bundle_digest FROM versions ORDER BY model, version').all() as Pick<VersionRow, 'model' | 'version' | 'bundle_digest'>[];
    for (const r of rows) {
      try {
        readVerifiedBundle({ name: r.model, version: r.version, bundleDigest: r.bundle_digest, bundlePath: this.bundlePath(r.bundle_digest) });
      } catch (e) {
        if (e instanceof RegistryError) return { subject: formatRef(r.model, r.version), problem: e.message };
        throw e;
      }
    }
    return undefined;
  }

  private storedAudit(): StoredAuditRow[] {
    return this.db.prepare('SELECT seq, at, who, action, subject, details, prev_hash AS prevHash, hash FROM audit ORDER BY seq').all() as StoredAuditRow[];
  }

  private tableState(): RegistryState {
    const models = this.db.prepare('SELECT name, description, created_at AS createdAt FROM models').all() as { name: string; description: string; createdAt: string }[];
    const versions = this.db.prepare('SELECT * FROM versions').all() as VersionRow[];
    const aliases = this.db.prepare('SELECT model, alias, version FROM aliases').all() as { model: string; alias: string; version: number }[];
    const tags = this.db.prepare('SELECT model, version, key, value FROM tags').all() as { model: string; version: number; key: string; value: string }[];
    return {
      models: new Map(models.map((m) => [m.name, { description: m.description, createdAt: m.createdAt }])),
      versions: new Map(
        versions.map((v) => [
          formatRef(v.model, v.version),
          { bundleDigest: v.bundle_digest, bundleFile: v.bundle_file, status: v.status, dedupeKey: v.dedupe_key, who: v.who, createdAt: v.created_at, digests: versionDigests(v) },
        ]),
      ),
      aliases: new Map(aliases.map((a) => [`${a.model}@${a.alias}`, a.version])),
      tags: new Map(tags.map((t) => [`${t.model}@${t.version} ${t.key}`, t.value])),
    };
  }

  private requireModel(name: string): void {
    checkModelName(name);
    if (this.db.prepare('SELECT 1 FROM models WHERE name = ?').get(name)) return;
    const known = this.modelNames();
    const list = known.length ? `; registered models: ${known.slice(0, 10).join(', ')}${known.length > 10 ? `, … (${known.length} in all)` : ''}` : '; the registry has no models yet';
    throw new RegistryError('not-found', `no model named "${name}"${didYouMean(name, known)}${list}`);
  }

  private requireVersion(name: string, version: number): void {
    this.requireModel(name);
    if (this.db.prepare('SELECT 1 FROM versions WHERE model = ? AND version = ?').get(name, version)) return;
    const range = this.db.prepare('SELECT MIN(version) AS lo, MAX(version) AS hi FROM versions WHERE model = ?').get(name) as { lo: number | null; hi: number | null };
    throw new RegistryError('not-found', `model "${name}" has no version ${version}${range.hi === null ? '; it has no versions yet' : `; its versions are ${range.lo === range.hi ? range.lo : `${range.lo} to ${range.hi}`}`}`);
  }
}

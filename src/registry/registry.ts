/**
 * The model registry: one SQLite file, `registry.db`, in the medpipe store folder. Models have
 * numbered versions (1, 2, 3 … per name), aliases (staging, production), tags, and for each
 * version its bundle (an object in the store), metrics, parameters, lineage and model card.
 *
 * Every change appends an entry to a hash-chained audit log in the same IMMEDIATE transaction as
 * the change, so two processes registering the same name at once get distinct versions and the
 * log never misses a change. WAL mode and a busy timeout let several processes write at once.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { sha256 } from '../engine/fingerprint.js';
import { writeFileDurably } from '../engine/durable.js';
import { objectFile, scratchDir, STORE_FILES, STORE_FOLDERS } from '../engine/store-layout.js';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { clock } from '../engine/clock.js';
import { didYouMean } from '../suggest.js';
import { checkChain, entryHash, GENESIS_HASH, type AuditAction, type AuditDetails, type AuditRecord, type ChainBreak, type StoredAuditRow } from './audit.js';
import { compareMetrics } from './compare.js';
import { RegistryError } from './errors.js';
import { checkAlias, checkModelName, checkTagKey, formatRef, parseRef } from './names.js';
import { migrate } from './schema.js';
import { compareState, replay, versionDigests, type RegistryState, type StateMismatch } from './state.js';
import { exportVersion, readVerifiedBundle } from './bundle.js';
import { HEAD_FILE, missingHead, readRecordedHead, recordHead, type ChainHead } from './head.js';
import { recordedRegistrations } from './recorded-registrations.js';
import { auditKey, entryMac } from './signing.js';
import { checkFromRow, monitoringDigest, type MonitoringCheck, type MonitoringInput, type MonitoringRow } from './monitoring.js';
import type { AuditResult, Comparison, JsonObject, ModelSummary, ModelVersion, RegisterInput, RegistryOptions } from './types.js';

export const REGISTRY_FILE = STORE_FILES.registry;

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
    if (Date.now() > deadline)
      throw new RegistryError('corrupt', `could not switch ${db.name} to WAL mode: is it on a file system without shared memory (e.g. a network share)?`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a synchronous 10 ms sleep; the registry API is synchronous
  }
}

/**
 * SQLite's quick_check on open: a damaged page would otherwise surface later as an unexplained
 * error, or not at all when it holds rows nobody reads that day. It reads every page once, which
 * for a registry (kilobytes to a few megabytes) takes milliseconds.
 */
function checkIntegrity(db: Database.Database, file: string): void {
  const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  // SQLite's report is several lines with a banner; keep the first findings, on one line.
  const found = problems.flatMap((p) => p.quick_check.split('\n')).filter((line) => line && line !== 'ok' && !line.startsWith('***'));
  if (found.length) throw corrupt(file, `${found.slice(0, 3).join('; ')}${found.length > 3 ? '; …' : ''}`);
}

function corrupt(file: string, detail: string): RegistryError {
  return new RegistryError(
    'corrupt',
    `the model registry ${file} is damaged (${detail}): restore it from a backup. The bundles in the store are not affected; re-running the pipelines that register rebuilds the versions, without their history`,
  );
}

/** SQLite's "the file is damaged" errors, as a RegistryError; anything else is not corruption. */
function asCorruption(e: unknown, file: string): RegistryError | undefined {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_INDEX' ? corrupt(file, (e as Error).message) : undefined;
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
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { timeout: options.busyTimeoutMs ?? 10_000 });
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
      useWal(db, options.busyTimeoutMs ?? 10_000);
      db.pragma('foreign_keys = ON');
      // WAL's default (NORMAL) can lose the last commits on a power cut; a registration must not.
      db.pragma('synchronous = FULL');
      checkIntegrity(db, file);
      migrate(db, file);
    } catch (e) {
      db?.close();
      throw asCorruption(e, file) ?? e;
    }
    return new Registry(storeDir, db, options.who ?? currentUser());
  }

  close(): void {
    this.db.close();
  }

  /**
   * The audit of a store folder that has no registry.db: fine for a store that never registered
   * anything, a failure when the recorded head, the run records or `expect` say it had entries.
   */
  static auditMissing(storeDir: string, options: { expect?: ChainHead } = {}): AuditResult {
    const file = join(storeDir, REGISTRY_FILE);
    const failed = (problem: string): AuditResult => ({ ok: false, entries: 0, seq: null, subject: 'the registry', problem });
    const recorded = readRecordedHead(storeDir);
    if (recorded) return failed(`${file} is missing, but ${HEAD_FILE} records ${recorded.seq} audit entries: restore it from a backup`);
    if (options.expect && options.expect.seq > 0) return failed(`${file} is missing, but --expect names entry ${options.expect.seq}`);
    const lost = recordedRegistrations(storeDir)[0];
    if (lost)
      return failed(`${file} is missing, but run ${lost.runId} (step ${lost.step}) registered ${formatRef(lost.name, lost.version)}: restore it from a backup`);
    return { ok: true, entries: 0, head: GENESIS_HASH, headSeq: 0, signed: auditKey() !== undefined };
  }

  /** A bundle is one of the store's artifacts: it lives where the store keeps the object with its digest. */
  bundlePath(digest: string): string {
    return objectFile(this.storeDir, digest);
  }

  /**
   * Puts a bundle file into the store (copied, under its sha256) unless it is there already,
   * and returns its digest: what `registerVersion` wants as `bundleDigest`.
   */
  storeBundle(file: string): string {
    const bytes = readFileSync(file);
    const digest = sha256(bytes);
    const target = this.bundlePath(digest);
    // Durable before the version that names it is committed. The temporary file goes where the
    // store keeps its own (tmp/, named by process), so a process killed before the rename leaves
    // nothing among the objects for `cache verify` to take for a damaged one; the next run cleans it.
    if (!existsSync(target)) writeFileDurably(target, bytes, { scratchDir: scratchDir(this.storeDir) });
    return digest;
  }

  // ---- changes: each in one IMMEDIATE transaction with its audit entries ----

  registerVersion(input: RegisterInput): { version: number; created: boolean } {
    const name = checkModelName(input.name);
    if (!DIGEST.test(input.bundleDigest))
      throw new RegistryError('invalid', `bundleDigest must be a sha256 in lowercase hex (64 characters), got "${input.bundleDigest}"`);
    const bundleFile = input.bundleFile ?? 'bundle.json';
    if (!BUNDLE_FILE.test(bundleFile)) throw new RegistryError('invalid', `bundleFile must be a plain file name, got "${bundleFile}"`);
    for (const [what, v] of [
      ['metrics', input.metrics],
      ['params', input.params],
      ['lineage', input.lineage],
    ] as const) {
      if (!isPlainObject(v)) throw new RegistryError('invalid', `${what} must be a JSON object`);
    }
    if (input.alias !== undefined) checkAlias(input.alias);
    for (const key of Object.keys(input.tags ?? {})) checkTagKey(key);

    return this.write(() => {
      if (input.dedupeKey !== undefined) {
        const existing = this.db.prepare('SELECT version FROM versions WHERE model = ? AND dedupe_key = ?').pluck().get(name, input.dedupeKey) as
          | number
          | undefined;
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
      const version = this.db.prepare('SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model = ?').pluck().get(name) as number;
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
        .prepare(
          'INSERT INTO versions (model, version, bundle_digest, bundle_file, metrics, params, lineage, card, who, created_at, status, dedupe_key) VALUES (@model, @version, @bundle_digest, @bundle_file, @metrics, @params, @lineage, @card, @who, @created_at, @status, @dedupe_key)',
        )
        .run(row);
      this.append(
        'register',
        formatRef(name, version),
        { version, bundleDigest: row.bundle_digest, bundleFile, status: row.status, dedupeKey: row.dedupe_key, digests: versionDigests(row) },
        at,
      );
      for (const [key, value] of Object.entries(input.tags ?? {})) this.tag(name, version, key, value, at);
      if (input.alias !== undefined) this.moveAlias(name, version, input.alias, at);
      this.writeBundlePins();
      return { version, created: true };
    });
  }

  /** Records a monitoring check of a version, with its audit entry; a repeat of a dedupe key returns the existing check's id. */
  recordMonitoring(input: MonitoringInput): { id: number; created: boolean } {
    return this.write(() => {
      this.requireVersion(input.name, input.version);
      if (input.dedupeKey !== undefined) {
        const existing = this.db
          .prepare('SELECT id FROM monitoring WHERE model = ? AND version = ? AND dedupe_key = ?')
          .pluck()
          .get(input.name, input.version, input.dedupeKey) as number | undefined;
        if (existing !== undefined) return { id: existing, created: false };
      }
      const id = this.db.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM monitoring').pluck().get() as number;
      const row: MonitoringRow = {
        id,
        model: input.name,
        version: input.version,
        at: clock.iso(),
        who: this.who,
        source: input.source,
        rows: input.rows,
        passed: input.passed ? 1 : 0,
        summary: JSON.stringify(input.summary),
        dedupe_key: input.dedupeKey ?? null,
      };
      this.db
        .prepare(
          'INSERT INTO monitoring (id, model, version, at, who, source, rows, passed, summary, dedupe_key) VALUES (@id, @model, @version, @at, @who, @source, @rows, @passed, @summary, @dedupe_key)',
        )
        .run(row);
      this.append('monitor', formatRef(input.name, input.version), { version: input.version, id, passed: input.passed, digest: monitoringDigest(row) }, row.at);
      return { id, created: true };
    });
  }

  /** Points an alias at a version (moving it if it pointed elsewhere). Returns the version it pointed at before. */
  promote(name: string, version: number, alias: string): { previous: number | null } {
    checkAlias(alias);
    return this.write(() => {
      this.requireVersion(name, version);
      return { previous: this.moveAlias(name, version, alias, clock.iso()) };
    });
  }

  setTag(name: string, version: number, key: string, value: string): void {
    checkTagKey(key);
    this.write(() => {
      this.requireVersion(name, version);
      this.tag(name, version, key, value, clock.iso());
    });
  }

  removeTag(name: string, version: number, key: string): void {
    this.write(() => {
      this.requireVersion(name, version);
      const gone = this.db.prepare('DELETE FROM tags WHERE model = ? AND version = ? AND key = ?').run(name, version, key);
      if (gone.changes === 0) throw new RegistryError('not-found', `${formatRef(name, version)} has no tag "${key}"`);
      this.append('untag', formatRef(name, version), { version, key }, clock.iso());
    });
  }

  setDescription(name: string, description: string): void {
    this.write(() => {
      this.requireModel(name);
      this.describe(name, description, clock.iso());
    });
  }

  private describe(name: string, description: string, at: string): void {
    this.db.prepare('UPDATE models SET description = ? WHERE name = ?').run(description, name);
    this.append('describe', name, { description }, at);
  }

  private tag(name: string, version: number, key: string, value: string, at: string): void {
    const old = this.db.prepare('SELECT value FROM tags WHERE model = ? AND version = ? AND key = ?').pluck().get(name, version, key);
    if (old === value) return;
    this.db
      .prepare('INSERT INTO tags (model, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (model, version, key) DO UPDATE SET value = excluded.value')
      .run(name, version, key, value);
    this.append('tag', formatRef(name, version), { version, key, value }, at);
  }

  private moveAlias(name: string, version: number, alias: string, at: string): number | null {
    const previous = (this.db.prepare('SELECT version FROM aliases WHERE model = ? AND alias = ?').pluck().get(name, alias) as number | undefined) ?? null;
    if (previous === version) return previous;
    this.db
      .prepare('INSERT INTO aliases (model, alias, version) VALUES (?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version')
      .run(name, alias, version);
    this.append('promote', name, { alias, version, previous }, at);
    return previous;
  }

  /** Runs a change in one IMMEDIATE transaction, then records the new chain head outside the database. */
  private write<T>(change: () => T): T {
    const result = this.db.transaction(change).immediate();
    this.recordHeadIfConsistent();
    return result;
  }

  private lastEntry(): ChainHead | undefined {
    return this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as ChainHead | undefined;
  }

  /**
   * Moves the recorded head to the chain's last entry, unless the chain no longer contains the
   * recorded head (the database was reset or rolled back): then the record is the evidence, and
   * is kept until someone restores the database or deletes the record on purpose. Never moves it
   * backwards (a concurrent writer may have recorded a later head).
   */
  private recordHeadIfConsistent(): void {
    const last = this.lastEntry();
    if (!last) return;
    let recorded: ChainHead | undefined;
    try {
      recorded = readRecordedHead(this.storeDir);
    } catch {
      return; // a damaged record is reported by audit; the change itself is committed
    }
    if (recorded) {
      if (recorded.seq >= last.seq) return;
      const hash = this.db.prepare('SELECT hash FROM audit WHERE seq = ?').pluck().get(recorded.seq) as string | undefined;
      if (hash !== recorded.hash) return;
    }
    recordHead(this.storeDir, last);
  }

  /** Appends one audit entry; must run inside a write transaction so seq and prev_hash cannot race. */
  private append<A extends AuditAction>(action: A, subject: string, details: AuditDetails[A], at: string): void {
    const last = this.lastEntry();
    const entry = { seq: (last?.seq ?? 0) + 1, at, who: this.who, action, subject, details };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const hash = entryHash(prevHash, entry);
    const key = auditKey();
    this.db
      .prepare('INSERT INTO audit (seq, at, who, action, subject, details, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.seq, at, this.who, action, subject, JSON.stringify(details), prevHash, hash, key ? entryMac(key, hash) : null);
  }

  /**
   * Tells `medpipe cache gc` to keep every registered bundle (pins/registry.json). Written inside
   * the registering transaction, so concurrent writers write it one after the other.
   */
  private writeBundlePins(): void {
    const digests = this.db.prepare('SELECT DISTINCT bundle_digest FROM versions ORDER BY bundle_digest').pluck().all() as string[];
    writeFileDurably(join(this.storeDir, STORE_FOLDERS.pins, 'registry.json'), JSON.stringify({ digests }), { scratchDir: scratchDir(this.storeDir) });
  }

  // ---- reading ----

  /** A version's monitoring checks, oldest first. */
  monitoringHistory(ref: string): MonitoringCheck[] {
    this.requireConsistent(parseRef(ref).name);
    const { name, version } = this.resolve(ref);
    const rows = this.db.prepare('SELECT * FROM monitoring WHERE model = ? AND version = ? ORDER BY id').all(name, version) as MonitoringRow[];
    return rows.map(checkFromRow);
  }

  /** Whether a check with this dedupe key is recorded for the version. */
  hasMonitoring(name: string, version: number, dedupeKey: string): boolean {
    return this.db.prepare('SELECT 1 FROM monitoring WHERE model = ? AND version = ? AND dedupe_key = ?').get(name, version, dedupeKey) !== undefined;
  }

  /** The versions of any model whose bundle has this digest (the same bytes registered twice), oldest first. */
  versionsWithBundle(digest: string): { name: string; version: number }[] {
    return this.db.prepare('SELECT model AS name, version FROM versions WHERE bundle_digest = ? ORDER BY model, version').all(digest) as {
      name: string;
      version: number;
    }[];
  }

  /** Whether `name` has a version registered with this dedupe key (see RegisterInput.dedupeKey). */
  hasRegistration(name: string, dedupeKey: string): boolean {
    return this.db.prepare('SELECT 1 FROM versions WHERE model = ? AND dedupe_key = ?').get(name, dedupeKey) !== undefined;
  }

  /**
   * The audit log's last sequence number: every change appends an entry, so a reader that polls it
   * (medpipe serve, following alias moves) learns of any change with one indexed query.
   */
  changeSeq(): number {
    return this.lastEntry()?.seq ?? 0;
  }

  modelNames(): string[] {
    return this.db.prepare('SELECT name FROM models ORDER BY name').pluck().all() as string[];
  }

  listModels(): ModelSummary[] {
    this.requireConsistent();
    const rows = this.db
      .prepare(
        'SELECT m.name, m.description, m.created_at AS createdAt, COUNT(v.version) AS versions, MAX(v.version) AS latest FROM models m LEFT JOIN versions v ON v.model = m.name GROUP BY m.name ORDER BY m.name',
      )
      .all() as Omit<ModelSummary, 'aliases'>[];
    const aliases = this.db.prepare('SELECT model, alias, version FROM aliases ORDER BY alias').all() as { model: string; alias: string; version: number }[];
    return rows.map((r) => ({ ...r, aliases: Object.fromEntries(aliases.filter((a) => a.model === r.name).map((a) => [a.alias, a.version])) }));
  }

  /** Every registered version of a model, oldest first (without cards, for listings). */
  versionsOf(name: string): { version: number; createdAt: string; who: string; aliases: string[] }[] {
    this.requireModel(name);
    this.requireConsistent(name);
    const aliases = this.db.prepare('SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias').all(name) as { alias: string; version: number }[];
    return (
      this.db.prepare('SELECT version, created_at AS createdAt, who FROM versions WHERE model = ? ORDER BY version').all(name) as {
        version: number;
        createdAt: string;
        who: string;
      }[]
    ).map((v) => ({
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
      const list = known.length
        ? `; its aliases: ${known.map((a) => `${a.alias} -> ${a.version}`).join(', ')}`
        : '; it has no aliases yet (set one with: medpipe models promote NAME@VERSION ALIAS)';
      throw new RegistryError(
        'not-found',
        `model "${name}" has no alias "${selector.alias}"${didYouMean(
          selector.alias,
          known.map((a) => a.alias),
        )}${list}`,
      );
    }
    return { name, version };
  }

  /**
   * Refuses to serve a model whose rows disagree with the audit log (an alias moved, a metric
   * edited, a byte flipped in the file): what predict, show, compare and list return must be what
   * the log says happened. Checks the chain, replays it and compares, as audit does; for a
   * registry's size that is milliseconds.
   */
  private requireConsistent(name?: string): void {
    // One read transaction: a writer committing between reading the log and the tables would
    // otherwise look like a disagreement.
    const { broken, mismatches } = this.db.transaction(() => this.againstLog()).deferred();
    if (broken)
      throw new RegistryError(
        'corrupt',
        `the registry's audit log is broken at entry ${broken.seq} (${broken.problem}), so nothing is served from it: run medpipe models audit, and restore registry.db from a backup`,
      );
    const mismatch = mismatches.find((m) => name === undefined || m.subject === name || m.subject.startsWith(`${name}@`));
    if (mismatch)
      throw new RegistryError(
        'corrupt',
        `${mismatch.subject}: ${mismatch.problem}; the registry's tables disagree with its audit log, so ${name ?? 'nothing'} is not served: run medpipe models audit, and restore registry.db from a backup`,
      );
  }

  getVersion(ref: string): ModelVersion {
    this.requireConsistent(parseRef(ref).name);
    const { name, version } = this.resolve(ref);
    const row = this.db.prepare('SELECT * FROM versions WHERE model = ? AND version = ?').get(name, version) as VersionRow;
    const description = this.db.prepare('SELECT description FROM models WHERE name = ?').pluck().get(name) as string;
    const tags = this.db.prepare('SELECT key, value FROM tags WHERE model = ? AND version = ? ORDER BY key').all(name, version) as {
      key: string;
      value: string;
    }[];
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
   * Verifies, and reports the first problem found:
   * 1. the audit chain (the broken entry's seq), and with MEDPIPE_AUDIT_KEY set, each entry's signature;
   * 2. that the chain contains the head recorded beside the database, and `expect` if given (a
   *    reset or rolled-back database has an intact chain, but is behind these);
   * 3. that every model, version, alias and tag row is what the log says it should be;
   * 4. that every registration the store's run records name is in the registry, with its bundle;
   * 5. that every version's bundle is in the store and matches its digest.
   */
  audit(options: { expect?: ChainHead } = {}): AuditResult {
    // One read transaction, so a concurrent writer cannot slip a change between reading the log and the tables.
    return this.db
      .transaction((): AuditResult => {
        const { rows, broken, mismatches } = this.againstLog();
        const failed = (seq: number | null, subject: string, problem: string): AuditResult => ({ ok: false, entries: rows.length, seq, subject, problem });
        if (broken) return failed(broken.seq, rows.find((r) => r.seq === broken.seq)?.subject ?? '', broken.problem);
        const key = auditKey();
        const unsigned = key ? rows.find((r) => r.mac !== entryMac(key, r.hash)) : undefined;
        if (unsigned)
          return failed(
            unsigned.seq,
            unsigned.subject,
            unsigned.mac
              ? 'its signature does not match MEDPIPE_AUDIT_KEY: the entry was rewritten by someone without the key, or signed with another key'
              : 'it is not signed, but MEDPIPE_AUDIT_KEY is set: it was written without the key (or by someone without it)',
          );
        const heads: [ChainHead | undefined, string][] = [
          [readRecordedHead(this.storeDir), `the head recorded in ${HEAD_FILE}`],
          [options.expect, 'the expected head (--expect)'],
        ];
        for (const [head, source] of heads) {
          const problem = head && missingHead(rows, head, source);
          if (problem) return failed(null, 'the registry', problem);
        }
        const mismatch = mismatches[0];
        if (mismatch) return { ok: false, entries: rows.length, ...mismatch };
        const lost = this.firstLostRegistration();
        if (lost) return failed(null, lost.subject, lost.problem);
        const damaged = this.firstDamagedBundle();
        if (damaged) return failed(null, damaged.subject, damaged.problem);
        const last = rows[rows.length - 1];
        return { ok: true, entries: rows.length, head: last?.hash ?? GENESIS_HASH, headSeq: last?.seq ?? 0, signed: key !== undefined };
      })
      .deferred();
  }

  /** The first registration in the store's run records that the registry does not have (with that bundle). */
  private firstLostRegistration(): { subject: string; problem: string } | undefined {
    const bundleOf = this.db.prepare('SELECT bundle_digest FROM versions WHERE model = ? AND version = ?').pluck();
    for (const r of recordedRegistrations(this.storeDir)) {
      const digest = bundleOf.get(r.name, r.version) as string | undefined;
      if (digest === r.bundleDigest) continue;
      const ref = formatRef(r.name, r.version);
      return {
        subject: ref,
        problem:
          digest === undefined
            ? `run ${r.runId} (step ${r.step}) registered ${ref}, which the registry does not have: the database was emptied, replaced by an older copy, or rows were removed. Restore registry.db from a backup`
            : `run ${r.runId} (step ${r.step}) registered ${ref} with bundle ${r.bundleDigest.slice(0, 12)}…, but the registry's ${ref} has bundle ${digest.slice(0, 12)}…: the registry was replaced or rewritten`,
      };
    }
    return undefined;
  }

  /** The first version whose bundle is missing from the store or no longer matches its digest. */
  private firstDamagedBundle(): { subject: string; problem: string } | undefined {
    const rows = this.db.prepare('SELECT model, version, bundle_digest FROM versions ORDER BY model, version').all() as Pick<
      VersionRow,
      'model' | 'version' | 'bundle_digest'
    >[];
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

  /**
   * The audit log as stored, where its chain breaks if it does, and every row of the tables that
   * disagrees with what the intact part of the log says (what audit reports and reads refuse).
   * Call inside a read transaction, so the log and the tables are of one moment.
   */
  private againstLog(): { rows: StoredAuditRow[]; broken?: ChainBreak; mismatches: StateMismatch[] } {
    const rows = this.storedAudit();
    const { records, broken } = checkChain(rows);
    return { rows, broken, mismatches: compareState(replay(records), this.tableState()) };
  }

  private storedAudit(): StoredAuditRow[] {
    return this.db.prepare('SELECT seq, at, who, action, subject, details, prev_hash AS prevHash, hash, mac FROM audit ORDER BY seq').all() as StoredAuditRow[];
  }

  private tableState(): RegistryState {
    const models = this.db.prepare('SELECT name, description, created_at AS createdAt FROM models').all() as {
      name: string;
      description: string;
      createdAt: string;
    }[];
    const versions = this.db.prepare('SELECT * FROM versions').all() as VersionRow[];
    const aliases = this.db.prepare('SELECT model, alias, version FROM aliases').all() as { model: string; alias: string; version: number }[];
    const tags = this.db.prepare('SELECT model, version, key, value FROM tags').all() as { model: string; version: number; key: string; value: string }[];
    const monitoring = this.db.prepare('SELECT * FROM monitoring').all() as MonitoringRow[];
    return {
      monitoring: new Map(monitoring.map((m) => [`${formatRef(m.model, m.version)} #${m.id}`, monitoringDigest(m)])),
      models: new Map(models.map((m) => [m.name, { description: m.description, createdAt: m.createdAt }])),
      versions: new Map(
        versions.map((v) => [
          formatRef(v.model, v.version),
          {
            bundleDigest: v.bundle_digest,
            bundleFile: v.bundle_file,
            status: v.status,
            dedupeKey: v.dedupe_key,
            who: v.who,
            createdAt: v.created_at,
            digests: versionDigests(v),
          },
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
    const list = known.length
      ? `; registered models: ${known.slice(0, 10).join(', ')}${known.length > 10 ? `, … (${known.length} in all)` : ''}`
      : '; the registry has no models yet';
    throw new RegistryError('not-found', `no model named "${name}"${didYouMean(name, known)}${list}`);
  }

  private requireVersion(name: string, version: number): void {
    this.requireModel(name);
    if (this.db.prepare('SELECT 1 FROM versions WHERE model = ? AND version = ?').get(name, version)) return;
    const range = this.db.prepare('SELECT MIN(version) AS lo, MAX(version) AS hi FROM versions WHERE model = ?').get(name) as {
      lo: number | null;
      hi: number | null;
    };
    throw new RegistryError(
      'not-found',
      `model "${name}" has no version ${version}${range.hi === null ? '; it has no versions yet' : `; its versions are ${range.lo === range.hi ? range.lo : `${range.lo} to ${range.hi}`}`}`,
    );
  }
}

/**
 * The registry's SQLite schema and its migrations. `PRAGMA user_version` records how many
 * migrations a file has had; opening a file applies the missing ones in one IMMEDIATE
 * transaction, so two processes opening a new registry at once do not both create it.
 * Never edit a shipped migration: append a new one.
 */
import type { Database } from 'better-sqlite3';
import { RegistryError } from './errors.js';

const MIGRATIONS: readonly string[] = [
  // 1: models, versions, aliases, tags, and the hash-chained audit log.
  `
  CREATE TABLE models (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE versions (
    model         TEXT    NOT NULL REFERENCES models(name),
    version       INTEGER NOT NULL,
    bundle_digest TEXT    NOT NULL,
    bundle_file   TEXT    NOT NULL,
    metrics       TEXT    NOT NULL,
    params        TEXT    NOT NULL,
    lineage       TEXT    NOT NULL,
    card          TEXT    NOT NULL,
    who           TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'ready',
    dedupe_key    TEXT,
    PRIMARY KEY (model, version)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX versions_dedupe ON versions(model, dedupe_key) WHERE dedupe_key IS NOT NULL;

  CREATE TABLE aliases (
    model   TEXT    NOT NULL REFERENCES models(name),
    alias   TEXT    NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (model, alias),
    FOREIGN KEY (model, version) REFERENCES versions(model, version)
  ) WITHOUT ROWID;

  CREATE TABLE tags (
    model   TEXT    NOT NULL,
    version INTEGER NOT NULL,
    key     TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (model, version, key),
    FOREIGN KEY (model, version) REFERENCES versions(model, version)
  ) WITHOUT ROWID;

  CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    who       TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
  );
  `,
  // 2: an optional HMAC per audit entry (MEDPIPE_AUDIT_KEY), so a rewritten chain with recomputed hashes is still caught.
  `
  ALTER TABLE audit ADD COLUMN mac TEXT;
  `,
  // 3: the monitoring history: one row per drift/performance check of a version (src/monitor), each with an audit entry.
  `
  CREATE TABLE monitoring (
    id         INTEGER PRIMARY KEY,
    model      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    at         TEXT    NOT NULL,
    who        TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    rows       INTEGER NOT NULL,
    passed     INTEGER NOT NULL,
    summary    TEXT    NOT NULL,
    dedupe_key TEXT,
    FOREIGN KEY (model, version) REFERENCES versions(model, version)
  );
  CREATE UNIQUE INDEX monitoring_dedupe ON monitoring(model, version, dedupe_key) WHERE dedupe_key IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database, file: string): void {
  const current = (): number => db.pragma('user_version', { simple: true }) as number;
  if (current() > SCHEMA_VERSION) {
    throw new RegistryError('invalid', `${file} was written by a newer medpipe (schema ${current()}, this one knows ${SCHEMA_VERSION}): upgrade medpipe`);
  }
  if (current() === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated while we waited.
    for (let v = current(); v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

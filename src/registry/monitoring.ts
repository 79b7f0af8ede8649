/**
 * The registry's monitoring history: one row per check of a version (drift and, with labels,
 * performance on new rows; src/monitor), each written with an audit entry holding the row's
 * digest, so an edited or deleted check is caught by `models audit` like an edited metric.
 */
import { jsonDigest } from './canonical.js';

/** What a check records: small figures, never rows. */
export interface MonitoringInput {
  name: string;
  version: number;
  /** Where the check ran: "pipeline P, step S" or "medpipe monitor FILE". */
  source: string;
  rows: number;
  passed: boolean;
  /** The figures of the check (drift summary, labelled metrics, gates), JSON. */
  summary: Record<string, unknown>;
  /** A repeat with the same key (the monitor step's cache key) records nothing new. */
  dedupeKey?: string;
}

export interface MonitoringCheck {
  id: number;
  name: string;
  version: number;
  at: string;
  who: string;
  source: string;
  rows: number;
  passed: boolean;
  summary: Record<string, unknown>;
}

export interface MonitoringRow {
  id: number;
  model: string;
  version: number;
  at: string;
  who: string;
  source: string;
  rows: number;
  passed: number;
  summary: string;
  dedupe_key: string | null;
}

/** The digest the audit entry keeps: every column of the row, the summary by meaning. */
export function monitoringDigest(r: MonitoringRow): string {
  let summary: unknown;
  try {
    summary = JSON.parse(r.summary);
  } catch {
    summary = `unparsable:${r.summary}`;
  }
  return jsonDigest({
    id: r.id,
    model: r.model,
    version: r.version,
    at: r.at,
    who: r.who,
    source: r.source,
    rows: r.rows,
    passed: r.passed,
    summary,
    dedupe_key: r.dedupe_key,
  });
}

export function checkFromRow(r: MonitoringRow): MonitoringCheck {
  return {
    id: r.id,
    name: r.model,
    version: r.version,
    at: r.at,
    who: r.who,
    source: r.source,
    rows: r.rows,
    passed: r.passed === 1,
    summary: JSON.parse(r.summary) as Record<string, unknown>,
  };
}

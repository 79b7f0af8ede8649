/**
 * What the registry's tables hold, as plain facts, and what the audit log says they should hold.
 * `audit()` compares the two, so a row edited directly in SQLite (a version's metrics, an alias)
 * is caught even when the audit table itself was left alone.
 */
import type { AuditRecord, VersionDigests } from './audit.js';
import { jsonDigest, sha256 } from './canonical.js';

export interface VersionFacts {
  bundleDigest: string;
  bundleFile: string;
  status: string;
  dedupeKey: string | null;
  who: string;
  createdAt: string;
  digests: VersionDigests;
}

/** Keys: models by name, versions by `NAME@V`, aliases by `NAME@ALIAS`, tags by `NAME@V KEY`. */
export interface RegistryState {
  models: Map<string, { description: string; createdAt: string }>;
  versions: Map<string, VersionFacts>;
  aliases: Map<string, number>;
  tags: Map<string, string>;
  /** Monitoring checks by `NAME@V #ID`: the digest of the row (monitoringDigest). */
  monitoring: Map<string, string>;
}

/** The same, with the audit entry that last set each fact. */
export interface ExpectedState {
  models: Map<string, { description: string; createdAt: string; seq: number }>;
  versions: Map<string, VersionFacts & { seq: number }>;
  aliases: Map<string, { version: number; seq: number }>;
  tags: Map<string, { value: string; seq: number }>;
  monitoring: Map<string, { digest: string; seq: number }>;
}

/** Digest of stored JSON text by meaning; text that no longer parses gets a digest no JSON value can have. */
export function storedJsonDigest(text: string): string {
  try {
    return jsonDigest(JSON.parse(text));
  } catch {
    return sha256(`unparsable:${text}`);
  }
}

export function versionDigests(v: { metrics: string; params: string; lineage: string; card: string }): VersionDigests {
  return { metrics: storedJsonDigest(v.metrics), params: storedJsonDigest(v.params), lineage: storedJsonDigest(v.lineage), card: sha256(v.card) };
}

function modelOf(subject: string): string {
  const at = subject.lastIndexOf('@');
  return at < 0 ? subject : subject.slice(0, at);
}

/** Replays the log from empty. */
export function replay(records: readonly AuditRecord[]): ExpectedState {
  const s: ExpectedState = { models: new Map(), versions: new Map(), aliases: new Map(), tags: new Map(), monitoring: new Map() };
  for (const r of records) {
    const model = modelOf(r.subject);
    switch (r.action) {
      case 'create': {
        const d = r.details as { description: string };
        s.models.set(model, { description: d.description, createdAt: r.at, seq: r.seq });
        break;
      }
      case 'describe': {
        const d = r.details as { description: string };
        const m = s.models.get(model);
        s.models.set(model, { description: d.description, createdAt: m?.createdAt ?? r.at, seq: r.seq });
        break;
      }
      case 'register': {
        const d = r.details as { version: number; bundleDigest: string; bundleFile: string; status: string; dedupeKey: string | null; digests: VersionDigests };
        s.versions.set(`${model}@${d.version}`, {
          bundleDigest: d.bundleDigest,
          bundleFile: d.bundleFile,
          status: d.status,
          dedupeKey: d.dedupeKey,
          who: r.who,
          createdAt: r.at,
          digests: d.digests,
          seq: r.seq,
        });
        break;
      }
      case 'promote': {
        const d = r.details as { alias: string; version: number };
        s.aliases.set(`${model}@${d.alias}`, { version: d.version, seq: r.seq });
        break;
      }
      case 'tag': {
        const d = r.details as { version: number; key: string; value: string };
        s.tags.set(`${model}@${d.version} ${d.key}`, { value: d.value, seq: r.seq });
        break;
      }
      case 'untag': {
        const d = r.details as { version: number; key: string };
        s.tags.delete(`${model}@${d.version} ${d.key}`);
        break;
      }
      case 'monitor': {
        const d = r.details as { version: number; id: number; digest: string };
        s.monitoring.set(`${model}@${d.version} #${d.id}`, { digest: d.digest, seq: r.seq });
        break;
      }
    }
  }
  return s;
}

/** One disagreement between the tables and the log. `seq` is the entry that set the fact, null when no entry did. */
export interface StateMismatch {
  seq: number | null;
  subject: string;
  problem: string;
}

const VERSION_FIELDS: ReadonlyArray<[string, (f: VersionFacts) => string | null]> = [
  ['bundle digest', (f) => f.bundleDigest],
  ['bundle file name', (f) => f.bundleFile],
  ['status', (f) => f.status],
  ['dedupe key', (f) => f.dedupeKey],
  ['author', (f) => f.who],
  ['creation time', (f) => f.createdAt],
  ['metrics', (f) => f.digests.metrics],
  ['params', (f) => f.digests.params],
  ['lineage', (f) => f.digests.lineage],
  ['model card', (f) => f.digests.card],
];

/** Every disagreement, those tied to the earliest entry first. */
export function compareState(expected: ExpectedState, actual: RegistryState): StateMismatch[] {
  const out: StateMismatch[] = [];
  const outside = 'was changed outside medpipe';
  for (const [name, m] of expected.models) {
    const a = actual.models.get(name);
    if (!a) out.push({ seq: m.seq, subject: name, problem: `the model row is missing: it was deleted outside medpipe` });
    else if (a.description !== m.description)
      out.push({ seq: m.seq, subject: name, problem: `its description differs from what entry ${m.seq} recorded: it ${outside}` });
    else if (a.createdAt !== m.createdAt) out.push({ seq: m.seq, subject: name, problem: `its creation time ${outside}` });
  }
  for (const name of actual.models.keys())
    if (!expected.models.has(name)) out.push({ seq: null, subject: name, problem: 'the model has no audit entry: it was added outside medpipe' });

  for (const [key, e] of expected.versions) {
    const a = actual.versions.get(key);
    if (!a) {
      out.push({ seq: e.seq, subject: key, problem: 'the version row is missing: it was deleted outside medpipe' });
      continue;
    }
    const changed = VERSION_FIELDS.filter(([, get]) => get(a) !== get(e)).map(([field]) => field);
    if (changed.length)
      out.push({
        seq: e.seq,
        subject: key,
        problem: `its ${changed.join(', ')} differ${changed.length === 1 ? 's' : ''} from what entry ${e.seq} recorded: the version row ${outside}`,
      });
  }
  for (const key of actual.versions.keys())
    if (!expected.versions.has(key)) out.push({ seq: null, subject: key, problem: 'the version has no audit entry: it was added outside medpipe' });

  for (const [key, e] of expected.aliases) {
    const a = actual.aliases.get(key);
    if (a === undefined)
      out.push({ seq: e.seq, subject: key, problem: `the alias is missing but entry ${e.seq} set it to version ${e.version}: it was deleted outside medpipe` });
    else if (a !== e.version)
      out.push({ seq: e.seq, subject: key, problem: `the alias points at version ${a} but entry ${e.seq} set it to version ${e.version}: it ${outside}` });
  }
  for (const [key, v] of actual.aliases)
    if (!expected.aliases.has(key))
      out.push({ seq: null, subject: key, problem: `the alias (to version ${v}) has no audit entry: it was added outside medpipe` });

  for (const [key, e] of expected.tags) {
    const a = actual.tags.get(key);
    if (a === undefined) out.push({ seq: e.seq, subject: key, problem: `the tag is missing but entry ${e.seq} set it: it was deleted outside medpipe` });
    else if (a !== e.value) out.push({ seq: e.seq, subject: key, problem: `the tag's value differs from what entry ${e.seq} recorded: it ${outside}` });
  }
  for (const key of actual.tags.keys())
    if (!expected.tags.has(key)) out.push({ seq: null, subject: key, problem: 'the tag has no audit entry: it was added outside medpipe' });

  for (const [key, e] of expected.monitoring) {
    const a = actual.monitoring.get(key);
    if (a === undefined)
      out.push({ seq: e.seq, subject: key, problem: `the monitoring check is missing but entry ${e.seq} recorded it: it was deleted outside medpipe` });
    else if (a !== e.digest) out.push({ seq: e.seq, subject: key, problem: `the monitoring check differs from what entry ${e.seq} recorded: it ${outside}` });
  }
  for (const key of actual.monitoring.keys())
    if (!expected.monitoring.has(key)) out.push({ seq: null, subject: key, problem: 'the monitoring check has no audit entry: it was added outside medpipe' });

  // Tied to an entry first, in log order; then the rows no entry accounts for.
  const order = (m: StateMismatch): number => m.seq ?? Number.MAX_SAFE_INTEGER;
  return out.sort((x, y) => order(x) - order(y));
}

/**
 * `medpipe models …`: list, show, promote, tag, compare, audit, log and export registered models.
 * Exit codes: 0 ok, 1 failure (not found, audit broken, bundle damaged), 2 usage.
 */
import { MODELS_USAGE } from './usage.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { STORE_FILES } from '../engine/store-layout.js';
import { locateStore } from '../engine/store-location.js';
// Types only at top level: the registry loads SQLite's native module (~25 ms), and the CLI imports
// this file on every start, so the registry itself is imported only when a models command runs.
import type { AuditRecord, AuditResult, Comparison, MonitoringCheck, Registry } from '../registry/index.js';
import { renderModelVersion } from './model-version.js';
import { table, tableLines } from './table.js';

export interface ModelsIO {
  out(text: string): void;
  err(text: string): void;
}

export interface ModelsOptions {
  /** The store folder; default as every command finds it (see store-location.ts). */
  store?: string;
  /** The folder the command runs in: relative paths (the store, export's DIR) are relative to it. */
  cwd: string;
  json?: boolean;
  /** `models audit --expect SEQ:HASH`: a chain head the registry must contain (pinned by CI). */
  expect?: string;
}

class Usage extends Error {}

type Handler = (reg: Registry, args: string[], ctx: { json: boolean; io: ModelsIO; store: string; cwd: string }) => number;

/** Commands that only read, and so must not create a registry where there is none. */
const READ_ONLY = new Set(['list', 'show', 'compare', 'audit', 'log', 'export']);

export async function modelsCommand(args: string[], opts: ModelsOptions, io: ModelsIO): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    (sub ? io.out : io.err)(MODELS_USAGE);
    return sub ? 0 : 2;
  }
  const handler = HANDLERS[sub];
  if (!handler && sub !== 'audit') {
    io.err(`medpipe models: unknown command "${sub}"\n\n${MODELS_USAGE}`);
    return 2;
  }
  const store = locateStore(opts.cwd, opts.store, opts.cwd);
  const json = !!opts.json;
  if (sub === 'audit') return auditCommand(rest, { store, json, expect: opts.expect }, io);
  if (READ_ONLY.has(sub) && !existsSync(join(store, STORE_FILES.registry))) return noRegistry(sub, rest, { json, io, store });
  const { Registry, RegistryError } = await import('../registry/index.js');
  let reg: Registry | undefined;
  try {
    reg = Registry.open(store);
    return handler(reg, rest, { json, io, store, cwd: opts.cwd });
  } catch (e) {
    if (e instanceof Usage) {
      io.err(`medpipe models ${sub}: ${e.message}\n\n${MODELS_USAGE}`);
      return 2;
    }
    if (e instanceof RegistryError) {
      io.err(`medpipe models ${sub}: ${e.message}`);
      return e.kind === 'invalid' ? 2 : 1;
    }
    throw e;
  } finally {
    reg?.close();
  }
}

/** Read-only commands on a store that has no registry yet: an empty registry, without creating the file. */
function noRegistry(sub: string, rest: string[], ctx: { json: boolean; io: ModelsIO; store: string }): number {
  if (sub === 'list' || sub === 'log') {
    ctx.io.out(ctx.json ? '[]' : `no models registered yet in ${ctx.store} (a pipeline's register step adds them)`);
    return 0;
  }
  ctx.io.err(
    `medpipe models ${sub}: no model named "${rest[0] ?? ''}": there is no registry at ${join(ctx.store, STORE_FILES.registry)} yet (a pipeline's register step creates it)`,
  );
  return 1;
}

function arity(args: string[], min: number, max: number, shape: string): void {
  if (args.length < min || args.length > max) throw new Usage(`expected ${shape}`);
}

function value(v: unknown): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function signed(d: number | undefined): string {
  if (d === undefined) return '';
  return `${d >= 0 ? '+' : ''}${Number.isInteger(d) ? String(d) : d.toFixed(4)}`;
}

const list: Handler = (reg, args, { json, io }) => {
  arity(args, 0, 0, 'no arguments: medpipe models list');
  const models = reg.listModels();
  if (json) io.out(JSON.stringify(models, null, 2));
  else if (!models.length) io.out("no models registered yet (a pipeline's register step adds them)");
  else {
    const aliases = (a: Record<string, number>): string =>
      Object.entries(a)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
    io.out(
      table([
        ['NAME', 'LATEST', 'VERSIONS', 'ALIASES', 'DESCRIPTION'],
        ...models.map((m) => [m.name, m.latest === null ? '-' : String(m.latest), String(m.versions), aliases(m.aliases), m.description]),
      ]),
    );
  }
  return 0;
};

const show: Handler = (reg, args, { json, io }) => {
  arity(args, 1, 1, 'one model: medpipe models show NAME[@VERSION|@ALIAS]');
  const v = reg.getVersion(args[0]);
  const history = reg.monitoringHistory(`${v.name}@${v.version}`);
  io.out(json ? JSON.stringify({ ...v, monitoring: history }, null, 2) : renderModelVersion(v) + monitoringLines(history));
  return 0;
};

/** The version's past monitoring checks as a short table (the last 10), after the rest of `show`. */
function monitoringLines(history: readonly MonitoringCheck[]): string {
  if (!history.length) return '';
  const f = (x: unknown): string => (typeof x === 'number' ? String(Number(x.toPrecision(3))) : '-');
  const recent = history.slice(-10);
  const rows = recent.map((c) => {
    const s = c.summary;
    const auc = (s.metrics as Record<string, { value?: unknown }> | undefined)?.roc_auc?.value;
    return [
      String(c.id),
      c.at.slice(0, 16).replace('T', ' '),
      String(c.rows),
      f(s['psi.max']),
      f(s['ks.drifted']),
      f(s['prediction.psi']),
      f(auc),
      c.passed ? 'passed' : 'FAILED',
      c.source,
    ];
  });
  return `\n\nMonitoring (${history.length} check${history.length === 1 ? '' : 's'}${history.length > 10 ? ', the last 10' : ''}):\n${tableLines(
    [['CHECK', 'AT', 'ROWS', 'PSI MAX', 'KS DRIFTED', 'PRED. PSI', 'ROC AUC', 'GATES', 'SOURCE'], ...rows],
    '  ',
  ).join('\n')}`;
}

const promote: Handler = (reg, args, { json, io }) => {
  arity(args, 2, 2, 'a version and an alias: medpipe models promote NAME@VERSION ALIAS');
  const { name, version } = reg.resolve(args[0]);
  const { previous } = reg.promote(name, version, args[1]);
  if (json) io.out(JSON.stringify({ name, alias: args[1], version, previous }));
  else
    io.out(
      previous === version
        ? `${name}@${args[1]} already points at version ${version}`
        : `${name}@${args[1]} -> version ${version}${previous === null ? '' : ` (was ${previous})`}`,
    );
  return 0;
};

const tag: Handler = (reg, args, { json, io }) => {
  if (args.length < 2) throw new Usage('a version and KEY=VALUE pairs: medpipe models tag NAME@VERSION KEY=VALUE...');
  const { name, version } = reg.resolve(args[0]);
  const pairs = args.slice(1).map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Usage(`"${kv}" is not KEY=VALUE`);
    return [kv.slice(0, eq), kv.slice(eq + 1)] as const;
  });
  for (const [k, v] of pairs) reg.setTag(name, version, k, v);
  io.out(
    json
      ? JSON.stringify({ name, version, tags: reg.getVersion(`${name}@${version}`).tags })
      : `${name}@${version}: ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`,
  );
  return 0;
};

const untag: Handler = (reg, args, { json, io }) => {
  if (args.length < 2) throw new Usage('a version and tag keys: medpipe models untag NAME@VERSION KEY...');
  const { name, version } = reg.resolve(args[0]);
  for (const k of args.slice(1)) reg.removeTag(name, version, k);
  io.out(json ? JSON.stringify({ name, version, removed: args.slice(1) }) : `${name}@${version}: removed ${args.slice(1).join(', ')}`);
  return 0;
};

const describe: Handler = (reg, args, { json, io }) => {
  arity(args, 2, 2, 'a model and its description in quotes: medpipe models describe NAME "TEXT"');
  reg.setDescription(args[0], args[1]);
  io.out(json ? JSON.stringify({ name: args[0], description: args[1] }) : `${args[0]}: description set`);
  return 0;
};

function renderComparison(c: Comparison): string {
  const a = `${c.a.name}@${c.a.version}`;
  const b = `${c.b.name}@${c.b.version}`;
  if (!c.metrics.length) return `${a} and ${b} have no metrics to compare`;
  return table([['METRIC', a, b, 'DELTA'], ...c.metrics.map((m) => [m.metric, value(m.a), value(m.b), signed(m.delta)])]);
}

const compare: Handler = (reg, args, { json, io }) => {
  arity(args, 2, 2, 'two versions: medpipe models compare NAME@A NAME@B');
  const c = reg.compare(args[0], args[1]);
  io.out(json ? JSON.stringify(c, null, 2) : renderComparison(c));
  return 0;
};

/** `models audit`: opens no new registry, since a missing one is a finding (or an empty store), not something to create. */
async function auditCommand(
  rest: string[],
  { store, json, expect: expectText }: { store: string; json: boolean; expect?: string },
  io: ModelsIO,
): Promise<number> {
  const { Registry, RegistryError, parseHead } = await import('../registry/index.js');
  try {
    arity(rest, 0, 0, 'no arguments: medpipe models audit [--expect SEQ:HASH]');
    const expect = expectText === undefined ? undefined : parseHead(expectText, '--expect');
    if (!existsSync(join(store, STORE_FILES.registry))) return reportAudit(Registry.auditMissing(store, { expect }), { json, io });
    const reg = Registry.open(store);
    try {
      return reportAudit(reg.audit({ expect }), { json, io });
    } finally {
      reg.close();
    }
  } catch (e) {
    if (e instanceof Usage) {
      io.err(`medpipe models audit: ${e.message}\n\n${MODELS_USAGE}`);
      return 2;
    }
    if (e instanceof RegistryError) {
      io.err(`medpipe models audit: ${e.message}`);
      return e.kind === 'invalid' ? 2 : 1;
    }
    throw e;
  }
}

function reportAudit(r: AuditResult, { json, io }: { json: boolean; io: ModelsIO }): number {
  if (json) io.out(JSON.stringify(r));
  if (r.ok) {
    if (!json)
      io.out(
        r.entries
          ? `audit ok: ${r.entries} entries, chain head ${r.headSeq}:${r.head}${r.signed ? ', every entry signed with MEDPIPE_AUDIT_KEY' : ''}`
          : 'audit ok: the registry is empty',
      );
    return 0;
  }
  if (!json) io.err(`audit FAILED ${r.seq === null ? `at ${r.subject}` : `at entry ${r.seq} (${r.subject})`}: ${r.problem}`);
  return 1;
}

function renderEntry(e: AuditRecord): string {
  const d = e.details as unknown as Record<string, unknown>;
  const what: Record<string, () => string> = {
    create: () => 'created',
    register: () => `registered version ${String(d.version)}, bundle ${String(d.bundleDigest).slice(0, 12)}`,
    promote: () => `${String(d.alias)} -> ${String(d.version)}${d.previous === null ? '' : ` (was ${String(d.previous)})`}`,
    tag: () => `tag ${String(d.key)}=${String(d.value)}`,
    untag: () => `removed tag ${String(d.key)}`,
    describe: () => 'description set',
    monitor: () => `monitoring check ${String(d.id)} of version ${String(d.version)}: ${d.passed ? 'passed' : 'failed'}`,
  };
  return `${String(e.seq).padStart(5)}  ${e.at}  ${e.who}  ${e.subject}: ${what[e.action]()}`;
}

const log: Handler = (reg, args, { json, io }) => {
  arity(args, 0, 1, 'at most one model: medpipe models log [NAME]');
  const only = args[0];
  if (only !== undefined) reg.versionsOf(only); // a clear error, with a did-you-mean, for an unknown name
  const entries = reg.auditLog().filter((e) => only === undefined || e.subject === only || e.subject.startsWith(`${only}@`));
  io.out(json ? JSON.stringify(entries, null, 2) : entries.length ? entries.map(renderEntry).join('\n') : 'the audit log is empty');
  return 0;
};

const exportCmd: Handler = (reg, args, { json, io, cwd }) => {
  arity(args, 2, 2, 'a version and a folder: medpipe models export NAME@X DIR');
  const dir = resolve(cwd, args[1]);
  const { version: v, files } = reg.exportVersion(args[0], dir);
  io.out(json ? JSON.stringify({ name: v.name, version: v.version, dir, files }) : `${v.name}@${v.version} -> ${dir}: ${files.join(', ')}`);
  return 0;
};

const HANDLERS: Record<string, Handler> = { list, show, promote, tag, untag, describe, compare, log, export: exportCmd };

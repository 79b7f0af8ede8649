/**
 * A registered model version for a person (`medpipe models show`): its metrics with their
 * intervals as a table, the parameters of the steps that made it, a summary of
 * its lineage, and its model card. The registry stores metrics, parameters and lineage as JSON
 * written by the register step (or by older versions of it), so every field is read as
 * possibly absent; `models show --json` prints them whole.
 */
import type { ModelVersion } from '../registry/index.js';
import { tableLines } from './table.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function number(v: unknown): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '-' : String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/** An estimate's number: always four decimals, so a column of them lines up (an interval reaching 1 reads 1.0000). */
function fixed(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(4) : '-';
}

/** A parameter value as it would be written in the pipeline file: `rbf`, `0.2`, `[a, b]`. */
function plain(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(plain).join(', ')}]`;
  if (isObject(v))
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${plain(x)}`)
      .join(', ')} }`;
  return v === undefined ? '' : String(v);
}

/** An estimate with its bootstrap interval, as the evaluate steps write them. */
function isEstimate(v: unknown): v is { value: unknown; ci_low?: unknown; ci_high?: unknown } {
  return isObject(v) && 'value' in v && Object.keys(v).every((k) => k === 'value' || k === 'ci_low' || k === 'ci_high');
}

/** One row per metric: nested groups (per class, per subgroup) get dotted names, estimates their interval. */
function metricRows(metrics: unknown, prefix = ''): string[][] {
  if (!isObject(metrics) && !Array.isArray(metrics)) return prefix ? [[prefix, number(metrics), '']] : [];
  const entries = Array.isArray(metrics) ? metrics.map((v, i) => [String(i), v] as const) : Object.entries(metrics);
  return entries.flatMap(([k, v]) => {
    const name = prefix ? `${prefix}.${k}` : k;
    if (isEstimate(v))
      return [[name, fixed(v.value), typeof v.ci_low === 'number' && typeof v.ci_high === 'number' ? `${fixed(v.ci_low)} – ${fixed(v.ci_high)}` : '']];
    return metricRows(v, name);
  });
}

const WRAP_AT = 100;

/** Words joined by spaces into lines of at most `width` characters (a longer word has a line of its own). */
function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + w.length <= width) lines[last] += ` ${w}`;
    else lines.push(w);
  }
  return lines.length ? lines : [''];
}

/** Per step that made the model, every parameter as NAME=VALUE, wrapped under its step. */
function paramLines(params: Record<string, unknown>): string[] {
  const steps = Object.entries(params).filter((e): e is [string, Record<string, unknown>] => isObject(e[1]));
  if (!steps.length) return ['  (none)'];
  const uses = (values: Record<string, unknown>): string => (typeof values.uses === 'string' ? values.uses : '');
  const stepWidth = Math.max(...steps.map(([id]) => id.length));
  const usesWidth = Math.max(...steps.map(([, values]) => uses(values).length));
  const indent = 2 + stepWidth + 2 + usesWidth + 2;
  return steps.flatMap(([id, values]) => {
    const words = Object.entries(values)
      .filter(([k]) => k !== 'uses')
      .map(([k, v]) => `${k}=${plain(v)}`);
    const [first, ...more] = wrap(words, Math.max(40, WRAP_AT - indent));
    return [`  ${id.padEnd(stepWidth)}  ${uses(values).padEnd(usesWidth)}  ${first}`.trimEnd(), ...more.map((l) => `${' '.repeat(indent)}${l}`)];
  });
}

/** The upstream steps in the order they ran (dependencies first), from lineage.upstream. */
function upstreamOrder(upstream: Record<string, unknown>): string[] {
  const deps = new Map(
    Object.entries(upstream).map(([id, u]) => [id, isObject(u) && Array.isArray(u.dependsOn) ? u.dependsOn.map(String).filter((d) => d in upstream) : []]),
  );
  const done: string[] = [];
  while (done.length < deps.size) {
    const ready = [...deps.keys()].filter((id) => !done.includes(id) && (deps.get(id) ?? []).every((d) => done.includes(d)));
    if (!ready.length) return [...done, ...[...deps.keys()].filter((id) => !done.includes(id))];
    done.push(...ready);
  }
  return done;
}

const MAX_UPSTREAM_NAMES = 12;

function lineageLines(lineage: Record<string, unknown>): string[] {
  const rows: string[][] = [];
  const p = lineage.pipeline;
  if (isObject(p))
    rows.push([
      'pipeline',
      `${String(p.name ?? '?')} (${String(p.file ?? p.path ?? '?')})${Array.isArray(p.overrides) && p.overrides.length ? ` with --set ${p.overrides.join(' --set ')}` : ''}`,
    ]);
  else if (typeof p === 'string') rows.push(['pipeline', p]);
  const run = lineage.run_id ?? lineage.runId;
  if (run !== undefined) rows.push(['run', `${String(run)}${typeof lineage.step === 'string' ? `, step ${lineage.step}` : ''}`]);
  const git = lineage.git;
  if (isObject(git)) rows.push(['git', `${String(git.commit ?? '?').slice(0, 12)}${git.dirty ? ' with uncommitted changes' : ''}`]);
  else if (git === null) rows.push(['git', 'none (not run in a git checkout)']);
  for (const d of Array.isArray(lineage.data) ? lineage.data : []) {
    if (isObject(d))
      rows.push([
        'data',
        `${String(d.path ?? '?')} (step ${String(d.step ?? '?')}${typeof d.digest === 'string' && d.digest ? `, sha256 ${d.digest.slice(0, 12)}…` : ''})`,
      ]);
  }
  if (isObject(lineage.upstream)) {
    const order = upstreamOrder(lineage.upstream);
    if (order.length)
      rows.push([
        'upstream',
        `${order.slice(0, MAX_UPSTREAM_NAMES).join(', ')}${order.length > MAX_UPSTREAM_NAMES ? ` and ${order.length - MAX_UPSTREAM_NAMES} more` : ''}`,
      ]);
  }
  return rows.length ? tableLines(rows, '  ') : ['  (none recorded)'];
}

export function renderModelVersion(v: ModelVersion): string {
  const lines = [`${v.name}@${v.version}${v.aliases.length ? `  (${v.aliases.join(', ')})` : ''}`];
  if (v.description) lines.push(v.description);
  lines.push('', `registered  ${v.createdAt} by ${v.who}`, `status      ${v.status}`, `bundle      ${v.bundleFile}  sha256:${v.bundleDigest}`);
  const tags = Object.entries(v.tags);
  if (tags.length) lines.push(`tags        ${tags.map(([k, t]) => `${k}=${t}`).join(' ')}`);
  const metrics = metricRows(v.metrics);
  lines.push('', 'metrics:', ...(metrics.length ? tableLines([['METRIC', 'VALUE', 'CI'], ...metrics], '  ') : ['  (none)']));
  lines.push('', 'params (of the steps that made it):', ...paramLines(v.params));
  lines.push('', 'lineage:', ...lineageLines(v.lineage));
  lines.push('', 'model card:', '', v.card.trimEnd());
  return lines.join('\n');
}

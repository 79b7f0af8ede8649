/**
 * Renders a metrics diff for people and tools: a terminal table, a Markdown table for a pull
 * request comment or job summary, and JSON. Also the `metrics show` table of current values.
 */
import { countByStatus, formatNumber, hasRegression, type MetricDiff, type MetricsDiff } from './diff.js';
import type { MetricsFile } from './metrics-file.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

function cells(m: MetricDiff): string[] {
  return [
    m.metric,
    formatNumber(m.old?.value),
    formatNumber(m.new?.value),
    formatNumber(m.delta, true),
    m.direction === 'higher' ? 'higher' : 'lower',
    m.allowed,
    m.status,
  ];
}

/** One line: "1 regressed, 2 improved, 7 unchanged". */
export function summaryLine(diff: MetricsDiff): string {
  const c = countByStatus(diff);
  const parts = [
    c.REGRESSED ? `${c.REGRESSED} regressed` : '',
    c['within tolerance'] ? `${c['within tolerance']} within tolerance` : '',
    c.improved ? `${c.improved} improved` : '',
    c.unchanged ? `${c.unchanged} unchanged` : '',
    c.added ? `${c.added} added` : '',
    c.removed ? `${c.removed} removed` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'no metrics';
}

export function formatDiffTable(diff: MetricsDiff): string {
  const blocks = diff.files.map((f) => {
    const head = `${f.file}  vs  ${f.baselineLabel ?? `${diff.baseline}: no such file (all metrics new)`}`;
    return `${head}\n${table([['METRIC', 'BASELINE', 'CURRENT', 'DELTA', 'BETTER', 'TOLERANCE', 'STATUS'], ...f.metrics.map(cells)])}`;
  });
  const verdict = hasRegression(diff)
    ? `REGRESSION against ${diff.baseline}: ${summaryLine(diff)}`
    : `no regression against ${diff.baseline}: ${summaryLine(diff)}`;
  return [...blocks, ...diff.notes.map((n) => `note: ${n}`), verdict].join('\n\n');
}

/** Markdown cells must not break the table: escape pipes, flatten newlines. */
function md(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const ICON: Record<MetricDiff['status'], string> = {
  REGRESSED: '❌ **regressed**',
  'within tolerance': '⚠️ within tolerance',
  improved: '✅ improved',
  unchanged: 'unchanged',
  added: '🆕 added',
  removed: '➖ removed',
};

/** For a pull-request comment or `$GITHUB_STEP_SUMMARY`: a one-line verdict, then a table per file. */
export function formatDiffMarkdown(diff: MetricsDiff): string {
  const verdict = hasRegression(diff) ? '❌ **Metrics regressed**' : '✅ **No metric regressed**';
  const lines = [`### medpipe metrics`, '', `${verdict} against \`${md(diff.baseline)}\`: ${summaryLine(diff)}.`];
  for (const f of diff.files) {
    lines.push('', `**\`${md(f.file)}\`**${f.baselineLabel ? '' : ' (not in the baseline: all metrics new)'}`, '');
    lines.push('| metric | baseline | current | Δ | better | tolerance | status |', '|---|---:|---:|---:|---|---|---|');
    for (const m of f.metrics) {
      const [name, old, now, delta, better, allowed] = cells(m).map(md);
      lines.push(`| ${m.status === 'REGRESSED' ? `**${name}**` : name} | ${old} | ${now} | ${delta} | ${better} | ${allowed} | ${ICON[m.status]} |`);
    }
  }
  if (diff.notes.length) lines.push('', ...diff.notes.map((n) => `- ${md(n)}`));
  return lines.join('\n') + '\n';
}

export function diffToJson(diff: MetricsDiff): unknown {
  return {
    baseline: diff.baseline,
    regressed: hasRegression(diff),
    counts: countByStatus(diff),
    files: diff.files.map((f) => ({
      file: f.file,
      baseline_file: f.baselineLabel ?? null,
      metrics: f.metrics.map((m) => ({
        metric: m.metric,
        direction: m.direction,
        old: m.old ?? null,
        new: m.new ?? null,
        delta: m.delta ?? null,
        tolerance: m.tolerance,
        allowed: m.allowed,
        status: m.status,
      })),
    })),
    notes: diff.notes,
  };
}

/** `metrics show`: each file's metrics with their confidence intervals. */
export function formatShowTable(files: readonly MetricsFile[]): string {
  return files
    .map((f) => {
      const rows = [
        ['METRIC', 'VALUE', 'CI LOW', 'CI HIGH'],
        ...[...f.metrics].map(([name, v]) => [name, formatNumber(v.value), formatNumber(v.ci_low), formatNumber(v.ci_high)]),
      ];
      const unavailable = f.unavailable.length ? `\nnot available: ${f.unavailable.join(', ')}` : '';
      return `${f.label}\n${table(rows)}${unavailable}`;
    })
    .join('\n\n');
}

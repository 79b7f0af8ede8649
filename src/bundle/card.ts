/**
 * The model card: what a reviewer reads before trusting a registered model — intended use, the
 * data it was trained and tested on, metrics with confidence intervals, subgroup metrics, and
 * the limitations the team wrote in the pipeline. Deterministic (no dates, no run ids): the card
 * is an artifact, and the same model must give the same card.
 */
import type { InputSignature } from './bundle.js';

export interface CardInput {
  name: string;
  description: string;
  intendedUse: string;
  limitations: string;
  signature: InputSignature;
  model: Record<string, unknown>;
  /** The evaluation report (medpipe.metrics/1), when the model was evaluated. */
  evaluation?: EvaluationReport;
  /** Data files the pipeline read, with their content digests. */
  data: { step: string; path: string; digest: string }[];
}

export interface MetricValue {
  value: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
}

export interface EvaluationReport {
  step?: string;
  task?: string;
  n?: number;
  classes?: string[];
  class_counts?: Record<string, number>;
  threshold?: { method?: string; value?: number };
  metrics?: Record<string, MetricValue>;
  confidence?: number;
  subgroups?: { column: string; groups: { value: string; n: number; prevalence?: number; metrics: Record<string, MetricValue> }[] }[];
  /** The largest gaps between subgroups (src/ml/metrics/fairness.ts), as far as the card shows them. */
  fairness?: {
    metrics: string[];
    columns: { column: string; left_out: { value: string; why: string }[]; max_gap: Record<string, MetricValue & { between: [string, string] | null }> }[];
  };
  gates?: { gate: string; required: string; actual: number | null; passed: boolean }[];
}

const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);

function metricRow(name: string, m: MetricValue): string {
  return `| ${name} | ${fmt(m.value)} | ${m.ci_low === undefined ? '' : `${fmt(m.ci_low)} – ${fmt(m.ci_high)}`} |`;
}

export function modelCard(c: CardInput): string {
  const lines = [`# Model card: ${c.name}`, ''];
  if (c.description) lines.push(c.description, '');
  lines.push('## Intended use', '', c.intendedUse || '_Not stated in the pipeline (`intended_use:` of the register step)._', '');
  const m = c.model;
  lines.push(
    '## Model',
    '',
    `- Algorithm: ${String(m.format ?? 'unknown')}${m.type ? ` (${String(m.type)})` : ''}${m.kernel ? `, kernel ${String(m.kernel)}` : ''}`,
  );
  const t = c.signature.target;
  if (t.task === 'recommendation') lines.push(`- Predicts: ${t.column ?? 'the outcome'} of each treatment for a patient, and ranks the treatments by it`);
  else if (t.task !== 'generation')
    lines.push(
      `- Predicts: ${t.column ?? 'the target'} (${t.task}${t.classes ? `: ${t.classes.join(', ')}` : ''}${t.positive ? `; positive class ${t.positive}` : ''})`,
    );
  lines.push(`- Input: ${c.signature.columns.length} columns — ${c.signature.columns.map((col) => `${col.name} (${col.kind})`).join(', ')}`, '');
  lines.push('## Data', '');
  if (c.data.length) for (const d of c.data) lines.push(`- \`${d.path}\` (step ${d.step}, sha256 ${d.digest.slice(0, 12)}…)`);
  else lines.push('- Generated or built-in data; see the lineage.');
  lines.push('');
  const e = c.evaluation;
  if (e?.metrics) {
    const conf = e.confidence ?? 0.95;
    lines.push(
      '## Evaluation',
      '',
      `On ${e.n ?? '?'} held-out rows${
        e.class_counts
          ? ` (${Object.entries(e.class_counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})`
          : ''
      }${e.threshold?.method ? `, threshold ${e.threshold.method}${e.threshold.value !== undefined ? ` ${fmt(e.threshold.value)}` : ''}` : ''}. Intervals: ${Math.round(conf * 100)}% bootstrap.`,
      '',
    );
    lines.push('| metric | value | CI |', '|---|---|---|', ...Object.entries(e.metrics).map(([k, v]) => metricRow(k, v)), '');
    if (e.gates?.length)
      lines.push('Quality gates: ' + e.gates.map((g) => `${g.gate} ${g.required} (${fmt(g.actual)}, ${g.passed ? 'passed' : 'FAILED'})`).join('; '), '');
    for (const s of e.subgroups ?? []) {
      lines.push(`### By ${s.column}`, '');
      const names = Object.keys(s.groups[0]?.metrics ?? {});
      // Prevalence only in reports that have it, so cards of older evaluations read as before.
      const prev = s.groups.some((g) => g.prevalence !== undefined);
      lines.push(
        `| ${s.column} | n | ${prev ? 'prevalence | ' : ''}${names.join(' | ')} |`,
        `|---|---|${prev ? '---|' : ''}${names.map(() => '---|').join('')}`,
      );
      for (const g of s.groups)
        lines.push(`| ${g.value} | ${g.n} | ${prev ? `${fmt(g.prevalence)} | ` : ''}${names.map((n) => fmt(g.metrics[n]?.value)).join(' | ')} |`);
      lines.push('');
    }
    if (e.fairness?.columns.length) {
      lines.push('### Fairness', '', 'Largest gap between any two subgroups (calibration_in_the_large: mean predicted probability − observed rate).', '');
      lines.push('| metric | column | gap | CI | between |', '|---|---|---|---|---|');
      for (const m of e.fairness.metrics)
        for (const c of e.fairness.columns) {
          const g = c.max_gap[m];
          if (g)
            lines.push(
              `| ${m} | ${c.column} | ${fmt(g.value)} | ${g.ci_low === undefined ? '' : `${fmt(g.ci_low)} – ${fmt(g.ci_high)}`} | ${g.between ? g.between.join(' vs ') : 'n/a'} |`,
            );
        }
      const out = e.fairness.columns.flatMap((c) => c.left_out.map((l) => `${c.column} = ${l.value} (${l.why})`));
      lines.push('', ...(out.length ? [`Left out of the gaps: ${out.join(', ')}.`, ''] : []));
    }
  } else lines.push('## Evaluation', '', '_No evaluation was wired into the register step._', '');
  lines.push('## Limitations', '', c.limitations || '_Not stated in the pipeline (`limitations:` of the register step)._', '');
  return lines.join('\n');
}

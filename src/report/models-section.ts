/**
 * The report's first section: per register step, what a clinician reads before anything else —
 * the model card (what it is for, what it is not for, its limitations), the headline metrics of
 * the evaluation that vouches for it with their intervals, and its gates. A model that was not
 * registered (a gate failed) says so here, with the gate that failed.
 */
import { importanceSvg } from './bars-svg.js';
import { summariseNames } from './column-names.js';
import { esc } from './escape.js';
import { confidenceLabel, gatesTable } from './evaluation-section.js';
import { fmtEstimate, fmtNumber } from './format.js';
import { anchor, badge, inlineMarkdown } from './html.js';
import type { Evaluation, MetricsReport, RegisteredModel } from './report-data.js';

/** At most this many headline metrics: the rest are in the evaluation's own section. */
const HEADLINE = 6;

/** The metrics a reader looks at first, by task; a name ending in @ stands for every k (ndcg@10). */
const PREFERRED: Record<string, readonly string[]> = {
  binary: ['roc_auc', 'sensitivity', 'specificity', 'precision', 'accuracy'],
  multiclass: ['accuracy', 'balanced_accuracy', 'roc_auc', 'f1_macro'],
  regression: ['r2', 'rmse', 'mae'],
  recommendation: ['ndcg@', 'precision@', 'recall@', 'hit_rate@'],
  generative: ['detection_auc', 'correlation_distance', 'ks_mean', 'diversity_ratio'],
};

/** The gated metrics first (a gate names its metric, maybe with a prefix or suffix: lift.ndcg@10, r2.ci_low), then the task's usual ones. */
export function headlineMetrics(r: MetricsReport): string[] {
  const names = Object.keys(r.metrics);
  const gated = (r.gates ?? []).flatMap((g) => names.filter((n) => g.gate === n || g.gate.startsWith(`${n}.`) || g.gate.endsWith(`.${n}`)));
  const usual = (PREFERRED[r.task] ?? []).flatMap((p) => names.filter((n) => (p.endsWith('@') ? n.startsWith(p) : n === p)));
  const chosen = [...new Set([...gated, ...usual])];
  return (chosen.length ? chosen : names).slice(0, HEADLINE);
}

type WithBaselines = Record<string, { baseline?: number | null }>;

function headlineTable(e: Evaluation): string {
  const r = e.report;
  if (!r) return `<p class="muted">No metrics from <code>${esc(e.step)}</code>: ${esc(e.missing ?? 'not recorded')}.</p>`;
  const names = headlineMetrics(r);
  const generative = r.task === 'generative';
  const head = generative
    ? '<th>metric</th><th>value</th><th>baseline</th>'
    : `<th>metric</th><th>value [${esc(confidenceLabel(r.bootstrap?.confidence))}]</th>`;
  const rows = names.map((n) => {
    const m = r.metrics[n];
    const cells = generative
      ? `<td class="num">${esc(fmtNumber(m.value))}</td><td class="num">${esc(fmtNumber((r.metrics as WithBaselines)[n]?.baseline ?? null))}</td>`
      : `<td class="num">${esc(fmtEstimate(m))}</td>`;
    return `<tr data-metric="${esc(n)}"><td><code>${esc(n)}</code></td>${cells}</tr>`;
  });
  const on = r.task === 'recommendation' ? `${r.n} held-out interactions` : `${r.n} ${generative ? 'synthetic' : 'test'} rows`;
  return `<p class="muted">From <a href="#${esc(anchor('eval', e.step))}"><code>${esc(e.step)}</code></a>, on ${esc(on)}.</p><table class="headline"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The card's "Input: N columns — a (numeric), b (numeric), …" bullet in one line, numbered runs collapsed. */
function inputLine(bullet: string): string {
  const m = /^Input:\s*(\d+) columns?\s*—\s*(.*)$/s.exec(bullet);
  if (!m) return esc(bullet);
  const columns = m[2].split(', ').map((c) => /^(.*) \(([^()]*)\)$/.exec(c) ?? [c, c, '']);
  const kinds = new Map<string, number>();
  for (const [, , kind] of columns) if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  const byKind = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
  return `<details class="input-columns"><summary>Input: ${esc(m[1])} columns${byKind ? ` (${esc(byKind)})` : ''}</summary><span class="columns">${esc(summariseNames(columns.map((c) => c[1])).join(', '))}</span></details>`;
}

function bulletList(items: readonly string[], cls: string): string {
  if (!items.length) return '';
  const line = (b: string): string => (b.startsWith('Input:') ? inputLine(b) : esc(b).replace(/`([^`]+)`/g, '<code>$1</code>'));
  return `<ul class="${cls}">${items.map((b) => `<li>${line(b)}</li>`).join('')}</ul>`;
}

const notStated = (what: string): string => `<p class="muted"><em>Not stated in the pipeline (${esc(what)} of the register step).</em></p>`;

const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;

/** The card's explanation bullets, its global summary as bars, and the worked example as a table. */
function explanationsBlock(m: RegisteredModel): string {
  const x = m.card?.explanations;
  if (!x) return '';
  const bars = x.features.length
    ? `<figure>${importanceSvg('explanation-summary', x.features, x.caption)}<figcaption>${esc(x.caption)}.</figcaption></figure>`
    : '';
  const ex = m.example;
  const example = ex
    ? `<h4>Worked example</h4><p class="muted">${esc(ex.output)} for ${esc(ex.source)}: base ${ex.base.toFixed(3)}, plus each feature's contribution.</p>` +
      `<table class="worked-example"><thead><tr><th>patient</th><th>${esc(ex.output)}</th><th>largest contributions</th><th>others</th></tr></thead><tbody>` +
      ex.rows
        .map(
          (r, i) =>
            `<tr><td>${i + 1}</td><td>${r.prediction.toFixed(3)}</td><td>${r.top.map((t) => `${signed(t.value)} ${esc(t.feature)}`).join('<br>')}</td><td>${signed(r.rest)}</td></tr>`,
        )
        .join('') +
      '</tbody></table>'
    : '';
  return `<h4>Explanations</h4>${bulletList(x.bullets, 'card-explanations')}${bars}${example}`;
}

function modelCard(m: RegisteredModel, evaluation: Evaluation | undefined): string {
  const registered = m.status === 'done' || m.status === 'cached';
  const version = m.version !== undefined ? ` <span class="muted">version ${esc(m.version)}${m.alias ? `, alias ${esc(m.alias)}` : ''}</span>` : '';
  const title = `<h3>${esc(m.name ?? m.card?.title ?? m.step)}${version} ${registered && m.card ? badge('passed', 'registered') : badge('failed', 'not registered')}</h3>`;
  const c = m.card;
  const text = c
    ? `${c.description ? `<div class="description">${inlineMarkdown(c.description)}</div>` : ''}` +
      `<h4>Intended use</h4><div class="intended-use">${c.intendedUse ? inlineMarkdown(c.intendedUse) : notStated('intended_use')}</div>` +
      `<h4>Limitations</h4><div class="limitations">${c.limitations ? inlineMarkdown(c.limitations) : notStated('limitations')}</div>` +
      `${c.model.length ? `<h4>Model</h4>${bulletList(c.model, 'card-model')}` : ''}${c.data.length ? `<h4>Data</h4>${bulletList(c.data, 'card-data')}` : ''}` +
      explanationsBlock(m)
    : `<p class="missing">${esc(m.missing ?? 'no model card')}.</p>`;
  const numbers = evaluation
    ? `<h4>Headline metrics</h4>${headlineTable(evaluation)}${evaluation.report ? gatesTable(evaluation.report, '<h4>Gates</h4>') : ''}`
    : '<p class="muted">No evaluation is wired into this register step, so no metrics vouch for the model.</p>';
  const made = m.modelStep ? `<p class="muted">Model from <code>${esc(m.modelStep)}</code>, registered by <code>${esc(m.step)}</code>.</p>` : '';
  return `<article class="model-card" id="${esc(anchor('model', m.step))}" data-step="${esc(m.step)}">${title}<div class="card-grid"><div class="card-text">${text}${made}</div><div class="card-numbers">${numbers}</div></div></article>`;
}

export function modelsSection(models: readonly RegisteredModel[], evaluations: readonly Evaluation[]): string {
  const body = models.length
    ? models
        .map((m) =>
          modelCard(
            m,
            evaluations.find((e) => e.step === m.evaluationStep),
          ),
        )
        .join('')
    : '<p class="muted">This run registers no model (the pipeline has no register step): its evaluations follow.</p>';
  return `<section id="models"><h2>Registered models</h2>${body}</section>`;
}

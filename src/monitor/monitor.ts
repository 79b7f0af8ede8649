/**
 * One monitoring check of a registered model on new rows: drift of every input column and of the
 * model's scores against the training summary in the bundle, and, when the rows carry the true
 * outcome, the registered evaluation's metrics recomputed on them (bootstrap intervals, overall
 * and per subgroup) beside the values the registry holds. Gates as in evaluate decide pass/fail.
 * Used by the `monitor` step and by `medpipe monitor`; plain data in, a JSON-ready report out.
 */
import type { ModelBundle } from '../bundle/bundle.js';
import type { Dataset } from '../data/dataset.js';
import { DataError, StepInputError } from '../errors.js';
import type { BootstrapOptions, GateResult, MetricEstimate } from '../ml/metrics/index.js';
import { applyBundle } from './bundle-model.js';
import { featureDrift, type DriftReport } from './feature-drift.js';
import type { TrainingSummary } from './training-summary.js';

export const MONITORING_FORMAT = 'medpipe.monitoring/1';

export interface MonitorOptions {
  /** The column holding the true outcome, when the new rows have one. */
  labels?: string;
  subgroups?: readonly { column: string; bins?: readonly number[] }[];
  bootstrap: BootstrapOptions;
  gates: Readonly<Record<string, string>>;
  /** Benjamini–Hochberg level for calling a column drifted; default 0.05. */
  alpha?: number;
  /** The registered version's metrics (RegisterInput.metrics): which metrics to compute, and what to compare with. */
  registered?: Readonly<Record<string, unknown>>;
  /** The input's name for errors (a file). */
  source?: string;
}

export interface MetricChange {
  current: MetricEstimate;
  registered: MetricEstimate | null;
  /** current − registered (point values). */
  change: number | null;
}

export interface Performance {
  labels: string;
  n: number;
  threshold: number | null;
  metrics: Record<string, MetricChange>;
  subgroups?: { column: string; groups: { value: string; n: number; metrics: Record<string, MetricEstimate> }[] }[];
  notes: string[];
}

export interface MonitoringReport {
  format: typeof MONITORING_FORMAT;
  rows: number;
  training_rows: number;
  /** The figures gates name, e.g. psi.max, ks.drifted, prediction.psi, missing.max_change. */
  summary: Record<string, number | string | null>;
  drift: DriftReport;
  performance?: Performance;
  gates: GateResult[];
  passed: boolean;
}

/** A bundle registered before monitoring existed, or without `in.train`, has no summary: say so and what to do. */
export function trainingSummaryOf(bundle: ModelBundle, label: string): TrainingSummary {
  const s = (bundle as ModelBundle & { training?: TrainingSummary }).training;
  if (!s)
    throw new StepInputError(
      `${label} has no training data summary, so there is nothing to compare new rows with: it was registered without in.train (or before medpipe kept one); register it again with in: { train: split.train } on the register step`,
    );
  return s;
}

const num = (x: number | null | undefined): MetricEstimate => ({ value: x ?? null, ci_low: null, ci_high: null });

function driftSummary(d: DriftReport): Record<string, number | string | null> {
  const psis = d.columns.filter((c) => c.psi !== null) as ((typeof d.columns)[number] & { psi: number })[];
  const worst = psis.reduce<(typeof psis)[number] | undefined>((w, c) => (!w || c.psi > w.psi ? c : w), undefined);
  const ks = d.columns.filter((c) => c.ks && Number.isFinite(c.ks.statistic));
  const worstKs = ks.reduce<(typeof ks)[number] | undefined>((w, c) => (!w || (c.ks?.statistic ?? 0) > (w.ks?.statistic ?? 0) ? c : w), undefined);
  const r6 = (x: number): number => Number(x.toPrecision(6));
  return {
    'psi.max': worst?.psi ?? null,
    'psi.max_column': worst?.column ?? null,
    'psi.mean': psis.length ? r6(psis.reduce((s, c) => s + c.psi, 0) / psis.length) : null,
    'ks.max': worstKs?.ks?.statistic ?? null,
    'ks.max_column': worstKs?.column ?? null,
    'ks.min_p_adjusted': ks.length ? Math.min(...ks.map((c) => c.ks?.p_adjusted ?? 1)) : null,
    'ks.drifted': d.columns.filter((c) => c.ks?.drifted).length,
    'missing.max_change': d.columns.length ? Math.max(...d.columns.map((c) => Math.abs(c.missing.change))) : null,
    'prediction.psi': d.prediction?.psi ?? null,
    'prediction.ks': d.prediction?.ks.statistic ?? null,
    'prediction.p': d.prediction?.ks.p ?? null,
  };
}

/** The true outcome per row as indices into the model's classes, or values; errors name the row. */
function truthOf(ds: Dataset, column: string, classes: readonly string[] | undefined, task: string, source?: string): import('../ml/metrics/index.js').Truth {
  const col = ds.columns.find((c) => c.name === column);
  if (!col)
    throw new StepInputError(
      `the labels column "${column}" is not in the new rows${source ? ` (${source})` : ''}: name the column holding the true outcome, or leave labels out`,
    );
  const d = col.data;
  const missing = (i: number): DataError =>
    new DataError('missing outcome: the labelled metrics need the true outcome of every row', {
      file: source,
      row: i + 2,
      column,
      hint: 'drop rows without an outcome, or leave labels out',
    });
  if (task === 'regression') {
    if (d.type !== 'numeric') throw new StepInputError(`the model is a regression model but labels column "${column}" is not numeric`);
    const at = d.values.findIndex((v) => Number.isNaN(v));
    if (at >= 0) throw missing(at);
    return { task: 'regression', y: Float64Array.from(d.values) };
  }
  const text =
    d.type === 'categorical'
      ? Array.from(d.codes, (c) => (c < 0 ? null : d.categories[c]))
      : d.type === 'text'
        ? d.values
        : Array.from(d.values, (v) => (Number.isNaN(v) ? null : String(v)));
  const y = new Int32Array(ds.rowCount);
  for (let i = 0; i < ds.rowCount; i++) {
    const t = text[i];
    if (t === null) throw missing(i);
    const k = (classes ?? []).indexOf(t);
    if (k < 0) throw new DataError(`outcome "${t}" is not a class the model knows (${(classes ?? []).join(', ')})`, { file: source, row: i + 2, column });
    y[i] = k;
  }
  return { task: 'classification', y };
}

function registeredEstimate(v: unknown): MetricEstimate | null {
  if (!v || typeof v !== 'object') return typeof v === 'number' ? num(v) : null;
  const e = v as Partial<MetricEstimate>;
  return typeof e.value === 'number' || e.value === null ? { value: e.value ?? null, ci_low: e.ci_low ?? null, ci_high: e.ci_high ?? null } : null;
}

export async function monitorRows(bundle: ModelBundle, ds: Dataset, label: string, options: MonitorOptions): Promise<MonitoringReport> {
  const m = await import('../ml/metrics/index.js');
  const summary = trainingSummaryOf(bundle, label);
  const gates = m.parseGates(options.gates);
  const applied = await applyBundle(bundle, ds, options.source);
  const drift = featureDrift(summary, ds, applied.scores, options.alpha ?? 0.05);
  const figures: Record<string, MetricEstimate> = {};
  const driftFigures = driftSummary(drift);
  for (const [k, v] of Object.entries(driftFigures)) if (typeof v !== 'string') figures[k] = num(v);
  const unavailable: Record<string, string> = {};
  for (const k of ['prediction.psi', 'prediction.ks', 'prediction.p'])
    if (figures[k].value === null) unavailable[k] = "the model's training score distribution is not in the bundle (a multi-class model has none)";

  let performance: Performance | undefined;
  if (options.labels) {
    const { model, X, nRows } = applied;
    const truth = truthOf(ds, options.labels, model.classes, model.task, options.source);
    const outcomes = m.modelOutcomes(model, X, nRows, truth);
    const registered = options.registered ?? {};
    const available = Object.keys(m.METRICS[outcomes.kind]);
    const names = Object.keys(registered).filter((n) => available.includes(n));
    const subgroups = (options.subgroups ?? []).map((s) => {
      const col = ds.columns.find((c) => c.name === s.column);
      if (!col) throw new StepInputError(`subgroup column "${s.column}" is not in the new rows`);
      return { column: s.column, groups: m.subgroupRows(s.column, col.data, s.bins) };
    });
    const scoreKind = outcomes.kind === 'binary' ? outcomes.scoreKind : undefined;
    const threshold = scoreKind === 'decision' ? 0 : 0.5;
    const evaluation = m.evaluateOutcomes(outcomes, {
      metrics: names,
      classes: model.classes,
      threshold: { method: 'fixed', value: threshold },
      bootstrap: options.bootstrap,
      calibrationBins: 10,
      subgroups,
    });
    const metrics: Record<string, MetricChange> = {};
    for (const [name, current] of Object.entries(evaluation.metrics)) {
      const reg = registeredEstimate(registered[name]);
      metrics[name] = {
        current,
        registered: reg,
        change: current.value !== null && reg?.value != null ? Number((current.value - reg.value).toPrecision(6)) : null,
      };
      figures[name] = current;
      if (evaluation.unavailable[name]) unavailable[name] = evaluation.unavailable[name];
    }
    performance = {
      labels: options.labels,
      n: evaluation.n,
      threshold: outcomes.kind === 'binary' ? threshold : null,
      metrics,
      ...(evaluation.subgroups
        ? { subgroups: evaluation.subgroups.map((s) => ({ column: s.column, groups: s.groups.map((g) => ({ value: g.value, n: g.n, metrics: g.metrics })) })) }
        : {}),
      notes: [
        ...evaluation.notes,
        ...(outcomes.kind === 'binary'
          ? [
              `threshold ${threshold} on the ${scoreKind === 'decision' ? 'decision value' : 'probability'} (the registry does not keep the evaluation's threshold)`,
            ]
          : []),
        ...(names.length ? [] : ['the registered version has no metrics to compare with: every metric that applies is reported']),
      ],
    };
  }
  for (const g of gates)
    if (!(g.metric in figures))
      throw new StepInputError(
        `gate "${g.key}" names nothing monitoring measures: use ${Object.keys(figures).join(', ')}${options.labels ? '' : ' (metrics such as roc_auc need labels)'}`,
      );
  const results = m.checkGates(gates, figures, unavailable, options.bootstrap.confidence);
  return {
    format: MONITORING_FORMAT,
    rows: ds.rowCount,
    training_rows: summary.rows,
    summary: driftFigures,
    drift,
    ...(performance ? { performance } : {}),
    gates: results,
    passed: results.every((g) => g.passed),
  };
}

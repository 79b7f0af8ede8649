/**
 * Step `evaluate.generative`: how faithful a synthetic table (from `generate`) is to the real one
 * it imitates, next to an independent-marginals baseline that any useful generator must beat. The
 * work is done by src/ml/generative; this file picks the columns, reads the tables and writes a
 * `medpipe.metrics/1` report, so lock files, `medpipe metrics diff`, gates and the HTML report
 * treat it like evaluate's.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { METRICS_FORMAT, metricsReportText } from '../metrics/metrics-file.js';
import { GateError, StepInputError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { Dataset } from '../data/dataset.js';
import type { FidelityReport } from '../ml/generative/index.js';
import { MAX_FOLDS, MAX_TREES } from '../engine/param-limits.js';

interface Params {
  columns: string[] | null;
  exclude: string[];
  seed: number;
  folds: number;
  sample: number;
  detector_trees: number;
  copy_epsilon: number;
  gates: Record<string, string>;
  must_beat_baseline: string[];
  metrics_file: string | null;
}

/** Headline metrics that compare fidelity with the baseline (kept in sync with HEADLINE in src/ml/generative/fidelity.ts; a test checks it). */
export const COMPARED_METRICS = [
  'ks_mean',
  'ks_max',
  'wasserstein_mean',
  'correlation_distance',
  'detection_auc',
  'bit_frequency_mad',
  'diversity_ratio',
] as const;

interface Chosen {
  names: string[];
  /** Columns left out of the default choice, with why (names only). */
  skipped: string[];
}

function isNumeric(ds: Dataset, name: string): boolean {
  const c = ds.columns.find((x) => x.name === name);
  return c !== undefined && c.kind !== 'id' && c.data.type === 'numeric';
}

/** The compared columns: those asked for, or every numeric non-id column of the real table the synthetic one also has. */
function chooseColumns(real: Dataset, synthetic: Dataset, params: Params): Chosen {
  const realNames = real.columns.map((c) => c.name);
  const synNames = new Set(synthetic.columns.map((c) => c.name));
  for (const name of params.exclude) {
    if (!realNames.includes(name) && !synNames.has(name))
      throw new StepInputError(`exclude names column "${name}", which neither dataset has${didYouMean(name, realNames)}`);
  }
  const skipped: string[] = [];
  let names: string[];
  if (params.columns) {
    for (const name of params.columns) {
      if (!realNames.includes(name)) throw new StepInputError(`columns names "${name}", which the real dataset does not have${didYouMean(name, realNames)}`);
      if (!synNames.has(name))
        throw new StepInputError(
          `columns names "${name}", which the synthetic dataset does not have${didYouMean(name, synNames)}: generate it, or leave it out of columns`,
        );
      for (const [which, ds] of [
        ['real', real],
        ['synthetic', synthetic],
      ] as const) {
        if (!isNumeric(ds, name))
          throw new StepInputError(
            `column "${name}" of the ${which} dataset is not a numeric feature column: only numeric columns can be compared (encode it, or leave it out of columns)`,
          );
      }
    }
    names = params.columns.filter((n) => !params.exclude.includes(n));
  } else {
    names = [];
    for (const name of realNames) {
      if (params.exclude.includes(name) || !isNumeric(real, name)) continue;
      if (!synNames.has(name)) skipped.push(`${name} (not in the synthetic dataset)`);
      else if (!isNumeric(synthetic, name)) skipped.push(`${name} (not numeric in the synthetic dataset)`);
      else names.push(name);
    }
  }
  if (!names.length) throw new StepInputError('no column to compare: the two datasets share no numeric column (set columns: to name them, and check exclude:)');
  return { names, skipped };
}

/** The named columns as arrays; a missing value is an error naming the column and row (never the values). */
function columnsOf(ds: Dataset, names: readonly string[], which: string): Float64Array[] {
  return names.map((name) => {
    const data = ds.columns.find((x) => x.name === name)!.data;
    // chooseColumns let only numeric columns through.
    if (data.type !== 'numeric') throw new Error(`column "${name}" is not numeric`);
    const values = data.values;
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new StepInputError(
        `the ${which} dataset's column "${name}" has a ${Number.isNaN(values[bad]) ? 'missing' : 'non-finite'} value (first at row ${bad + 1}): impute it (a preprocess step with impute:) or exclude the column`,
      );
    }
    return values;
  });
}

const fmt = (x: number | null): string => (x === null ? 'n/a' : String(Number(x.toPrecision(3))));

function summaryLine(r: FidelityReport): string {
  const part = (name: string, label: string): string => {
    const m = r.metrics[name];
    if (!m) return '';
    return `${label} ${fmt(m.value)} (baseline ${fmt(m.baseline)}${m.beats_baseline === null ? '' : m.beats_baseline ? ', beats it' : ', does NOT beat it'})`;
  };
  const copies = r.metrics.exact_copy_share.value;
  return [
    `${r.n_synthetic} synthetic vs ${r.n_real} real rows on ${r.columns_compared} columns:`,
    [
      part('ks_mean', 'KS mean'),
      part('wasserstein_mean', 'Wasserstein (sd units)'),
      part('correlation_distance', 'correlation distance'),
      part('detection_auc', 'detection AUC'),
      part('bit_frequency_mad', 'bit frequency MAD'),
      part('diversity_ratio', 'diversity ratio'),
    ]
      .filter(Boolean)
      .join(', ') + ';',
    `novelty median ${fmt(r.metrics.novelty_median.value)} (real-to-real ${fmt(r.novelty.real_reference_median)}), copies ${copies === null ? 'n/a' : `${(copies * 100).toFixed(1)}%`}`,
  ].join(' ');
}

export default defineStep<Params>({
  id: 'evaluate.generative',
  version: '1',
  description:
    'Fidelity of synthetic data to real data (KS, Wasserstein, correlation distance, detection AUC, novelty, diversity), against an independent-marginals baseline.',
  inputs: {
    real: { kind: 'dataset', description: 'The real rows the generator learned from (or a held-out sample of them).' },
    synthetic: { kind: 'dataset', description: 'Generated rows with the same columns (generate).' },
    train: {
      kind: 'dataset',
      optional: true,
      description:
        'When real is held out: the rows the generator was trained on. The baseline then samples its marginals from them (what the generator knew) instead of from the held-out rows it is judged against.',
    },
  },
  outputs: { metrics: { kind: 'metrics', description: `The fidelity report as JSON (${METRICS_FORMAT}, task "generative").` } },
  defaultOutput: 'metrics',
  publish: { param: 'metrics_file', port: 'metrics' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: {
        type: ['array', 'null'],
        items: { type: 'string' },
        default: null,
        description: 'Columns to compare; null = every numeric, non-id column of the real dataset that the synthetic one also has.',
      },
      exclude: { type: 'array', items: { type: 'string' }, default: [], description: 'Columns left out (e.g. a property the generator was conditioned on).' },
      seed: { type: 'integer', default: 0, description: "Seed of the baseline's samples, the row samples and the detection classifier's folds and trees." },
      folds: {
        type: 'integer',
        minimum: 2,
        maximum: MAX_FOLDS,
        default: 5,
        description: "Stratified folds for the detection classifier's out-of-fold scores.",
      },
      sample: {
        type: 'integer',
        minimum: 10,
        default: 1000,
        description:
          'At most this many rows per table (a seeded sample) for the correlation matrices, detection AUC, diversity and the synthetic side of novelty; KS, Wasserstein and bit frequencies use every row.',
      },
      detector_trees: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TREES,
        default: 50,
        description: 'Trees of the random forest that tries to tell real from synthetic rows.',
      },
      copy_epsilon: {
        type: 'number',
        minimum: 0,
        default: 1e-8,
        description: 'A synthetic row this close (Euclidean, in real standard deviations) to a real row counts as a copy.',
      },
      gates: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description:
          'Conditions on the metrics, e.g. { detection_auc: "<= 0.8", correlation_distance: "<= 0.1" }; operators >=, >, <=, <, ==. A failed gate fails the step.',
      },
      must_beat_baseline: {
        type: 'array',
        items: { enum: [...COMPARED_METRICS] },
        default: [],
        description:
          'Metrics on which the synthetic data must beat the independent-marginals baseline, else the step fails, e.g. [correlation_distance, detection_auc].',
      },
      metrics_file: {
        type: ['string', 'null'],
        default: null,
        description: 'Also write the report to this file (relative to the pipeline file), for git and `medpipe metrics diff`.',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { evaluateFidelity, HEADLINE } = await import('../ml/generative/index.js');
    const { checkGates, parseGates } = await import('../ml/metrics/index.js');

    // Gate names are checked before the work, so a typo fails fast.
    const gates = parseGates(params.gates);
    for (const g of gates) {
      if (!(g.metric in HEADLINE))
        throw new StepInputError(
          `gate "${g.key}": unknown metric "${g.metric}"${didYouMean(g.metric, Object.keys(HEADLINE))} (metrics: ${Object.keys(HEADLINE).join(', ')})`,
        );
      if (g.part !== 'value') throw new StepInputError(`gate "${g.key}": generative metrics have no confidence interval; gate on the value (${g.metric})`);
    }
    const trainPath = ctx.input('train');
    const [real, synthetic, train] = await Promise.all([
      readDatasetFile(ctx.input('real')!),
      readDatasetFile(ctx.input('synthetic')!),
      trainPath ? readDatasetFile(trainPath) : undefined,
    ]);
    const { names, skipped } = chooseColumns(real, synthetic, params);
    if (train) {
      const trainNames = train.columns.map((c) => c.name);
      for (const name of names) {
        if (!isNumeric(train, name))
          throw new StepInputError(
            `the train dataset has no numeric column "${name}"${didYouMean(name, trainNames)}: wire the dataset the generator was trained on`,
          );
      }
      if (train.rowCount === 0) throw new StepInputError('the train dataset has no rows');
    }
    for (const [which, ds] of [
      ['real', real],
      ['synthetic', synthetic],
    ] as const) {
      if (ds.rowCount < Math.max(2, params.folds))
        throw new StepInputError(
          `the ${which} dataset has ${ds.rowCount} rows: the detection classifier needs at least folds (${params.folds}) rows in each table`,
        );
    }
    // A fingerprint-sized table can skip hundreds of columns: name a few, count the rest.
    if (skipped.length) ctx.log(`not compared: ${skipped.slice(0, 8).join(', ')}${skipped.length > 8 ? ` and ${skipped.length - 8} more` : ''}`);

    const report = await evaluateFidelity(
      names,
      columnsOf(real, names, 'real'),
      columnsOf(synthetic, names, 'synthetic'),
      {
        seed: params.seed,
        folds: params.folds,
        trees: params.detector_trees,
        sample: params.sample,
        copyEpsilon: params.copy_epsilon,
        onProgress: (message, fraction) => ctx.progress(message, fraction),
        signal: ctx.signal,
      },
      train ? columnsOf(train, names, 'train') : undefined,
    );

    const estimates = Object.fromEntries(Object.entries(report.metrics).map(([k, m]) => [k, { value: m.value, ci_low: null, ci_high: null }]));
    const unavailable = Object.fromEntries(
      Object.entries(report.metrics)
        .filter(([, m]) => m.value === null)
        .map(([k]) => [k, 'not defined on these rows']),
    );
    const gateResults = checkGates(gates, estimates, unavailable, 0.95);
    for (const name of params.must_beat_baseline) {
      const m = report.metrics[name];
      const gate = `${name}.beats_baseline`;
      if (!m) {
        gateResults.push({
          gate,
          required: 'beats baseline',
          actual: null,
          passed: false,
          message: `gate failed: ${name} is not available (no 0/1 columns were compared)`,
        });
        continue;
      }
      const passed = m.beats_baseline === true;
      gateResults.push({
        gate,
        required: 'beats baseline',
        actual: m.value,
        passed,
        ...(passed
          ? {}
          : {
              message: `gate failed: ${name} = ${fmt(m.value)} does not beat the independent-marginals baseline (${m.baseline === null ? 'n/a' : fmt(m.baseline)}; ${m.better} is better)`,
            }),
      });
    }

    const notes = [
      train
        ? `baseline: each column sampled independently from the generator's ${train.rowCount} training rows (independent marginals); real holds ${report.n_real} other rows; it keeps the marginals and loses every dependence between columns`
        : 'baseline: each column sampled independently from the real column (independent marginals); it keeps the marginals and loses every dependence between columns',
      ...(report.n_real > params.sample || report.n_synthetic > params.sample
        ? [`correlation, detection AUC, diversity and novelty used a seeded sample of at most ${params.sample} rows per table`]
        : []),
      ...(skipped.length ? [`not compared: ${skipped.join(', ')}`] : []),
    ];
    const { metrics, ...rest } = report;
    const artifact = {
      step: ctx.stepId,
      task: 'generative',
      n: report.n_synthetic,
      seed: params.seed,
      // `value` is what `metrics diff` and gates read; baseline and beats_baseline sit beside it.
      metrics,
      ...(gateResults.length ? { gates: gateResults } : {}),
      notes,
      ...rest,
    };
    // Before the gates: the engine publishes it to metrics_file also when a gate fails.
    await writeFile(ctx.output('metrics'), metricsReportText(artifact));

    ctx.log(summaryLine(report));
    const failed = gateResults.filter((g) => !g.passed).map((g) => g.message ?? `gate failed: ${g.gate}`);
    if (failed.length) throw new GateError(failed.join('\n'));
    return {
      task: 'generative',
      n_real: report.n_real,
      n_synthetic: report.n_synthetic,
      columns: report.columns_compared,
      metrics: Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, m.value])),
      beats_baseline: Object.fromEntries(
        Object.entries(metrics)
          .filter(([, m]) => m.beats_baseline !== null)
          .map(([k, m]) => [k, m.beats_baseline]),
      ),
      ...(gateResults.length ? { gates_passed: gateResults.length } : {}),
    };
  },
});

/**
 * Step `monitor`: checks a model on new rows against what it was trained on: drift of every input
 * column (PSI, Kolmogorov–Smirnov with Benjamini–Hochberg over the columns, missing-value rate)
 * and of its scores, and with a labels column the registered evaluation's metrics on the new rows
 * with bootstrap intervals, overall and per subgroup. Gates as in evaluate fail the step. The
 * check is recorded in the registry's monitoring history of the version (with an audit entry).
 *
 * The model is either wired (`in.bundle`, e.g. a register step's bundle in the same pipeline) or
 * named (`model: NAME@ALIAS`, a registered version). A named model enters the cache key through
 * paramDigests: the version and bundle digest the alias points at when the key is computed, so
 * moving the alias (promote) makes the step run again; a wired bundle is in the key as any input.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { bootstrapParam, subgroupsParam } from './evaluate.js';
import { defineStep, type StepContext } from '../engine/step-type.js';
import { GateError, StepInputError } from '../errors.js';
import type { ModelBundle } from '../bundle/bundle.js';
import type { MonitoringInput } from '../registry/index.js';

interface Params {
  model: string | null;
  labels: string | null;
  subgroups: { column: string; bins?: number[] }[];
  bootstrap: { resamples: number; seed: number | null; confidence: number };
  alpha: number;
  gates: Record<string, string>;
  report_file: string | null;
  seed: number;
}

/** The model the step checks: its bundle, and the registered version it is (when it is one). */
interface Checked {
  bundle: ModelBundle;
  /** sha256 of the bundle file. */
  digest: string;
  label: string;
  /** Whether the label is part of the cache key (a named model) and may go into the report. */
  named: boolean;
  version?: { name: string; version: number; metrics: Record<string, unknown> };
}

type RegistryT = import('../registry/index.js').Registry;

async function withRegistry<T>(storeDir: string, use: (r: RegistryT) => T): Promise<T | undefined> {
  const { Registry } = await import('../registry/index.js');
  if (!Registry.exists(storeDir)) return undefined;
  const registry = Registry.open(storeDir);
  try {
    return use(registry);
  } finally {
    registry.close();
  }
}

async function checkedModel(ctx: StepContext, params: Params): Promise<Checked> {
  const wired = ctx.input('bundle');
  if (wired && params.model) throw new StepInputError('give the model once: either in.bundle or model: NAME@ALIAS, not both');
  if (!wired && !params.model)
    throw new StepInputError('no model to monitor: wire in: { bundle: <register step>.bundle } or name a registered one with model: NAME@ALIAS');
  const { readVerifiedBundle } = await import('../registry/index.js');
  const storeDir = ctx.run?.storeDir;
  if (wired) {
    const bytes = await readFile(wired);
    const bundle = JSON.parse(bytes.toString('utf8')) as ModelBundle;
    const digest = createHash('sha256').update(bytes).digest('hex');
    // The registered version with these exact bytes, if any: its metrics and history are the ones to use.
    const found = storeDir
      ? await withRegistry(storeDir, (r) => {
          const [v] = r.versionsWithBundle(digest).slice(-1);
          return v ? r.getVersion(`${v.name}@${v.version}`) : undefined;
        })
      : undefined;
    return {
      bundle,
      digest,
      named: false,
      label: found ? `${found.name}@${found.version}` : 'the wired bundle',
      ...(found ? { version: { name: found.name, version: found.version, metrics: found.metrics } } : {}),
    };
  }
  const ref = params.model as string;
  if (!storeDir) throw new StepInputError(`model: ${ref} names a registered model, but this run has no store`);
  const { Registry } = await import('../registry/index.js');
  if (!Registry.exists(storeDir)) throw new StepInputError(`model: ${ref}: the store has no model registry yet; run the pipeline that registers it first`);
  const v = await withRegistry(storeDir, (r) => r.getVersion(ref));
  if (!v) throw new StepInputError(`model: ${ref} is not in the registry`);
  const bundle = JSON.parse(readVerifiedBundle(v).toString('utf8')) as ModelBundle;
  return { bundle, digest: v.bundleDigest, named: true, label: `${v.name}@${v.version}`, version: { name: v.name, version: v.version, metrics: v.metrics } };
}

/** What the history keeps of a check: figures, never rows. */
export function historySummary(report: import('../monitor/monitor.js').MonitoringReport): Record<string, unknown> {
  return {
    ...report.summary,
    ...(report.performance
      ? {
          metrics: Object.fromEntries(
            Object.entries(report.performance.metrics).map(([k, m]) => [k, { ...m.current, registered: m.registered?.value ?? null }]),
          ),
        }
      : {}),
    gates: report.gates.map((g) => ({ gate: g.gate, required: g.required, actual: g.actual, passed: g.passed })),
  };
}

async function record(storeDir: string, entry: MonitoringInput): Promise<{ id: number; created: boolean } | undefined> {
  return withRegistry(storeDir, (r) => r.recordMonitoring(entry));
}

export default defineStep<Params>({
  id: 'monitor',
  version: '1',
  description:
    'Drift (PSI, Kolmogorov–Smirnov with multiple-testing correction, missing values, predictions) of new rows against the training summary of a registered model, and with labels its metrics on them; gates; recorded in the monitoring history.',
  inputs: {
    data: { kind: 'dataset', description: 'The new rows, with the raw columns the model was trained on (and the outcome, for labels).' },
    bundle: {
      kind: 'bundle',
      description: "The model to check (a register step's bundle, registered with in.train); or leave it unwired and name a registered model with model:.",
      optional: true,
    },
  },
  outputs: {
    report: { kind: 'metrics', description: 'The monitoring report as JSON (medpipe.monitoring/1).' },
  },
  defaultOutput: 'report',
  publish: { param: 'report_file', port: 'report' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: {
        type: ['string', 'null'],
        default: null,
        description:
          'A registered model, NAME@ALIAS or NAME@VERSION, instead of in.bundle. The version and bundle it points at are part of the cache key: moving the alias re-runs the step.',
      },
      labels: {
        type: ['string', 'null'],
        default: null,
        description: "The column of the new rows holding the true outcome: the registered version's metrics are recomputed on them with bootstrap intervals.",
      },
      subgroups: subgroupsParam('A column of the new rows.', 'With labels: the metrics per value of these columns, as in evaluate.'),
      bootstrap: bootstrapParam(
        'Bootstrap resamples for the intervals of the labelled metrics (0: no intervals).',
        'Percentile bootstrap intervals of the labelled metrics.',
      ),
      alpha: {
        type: 'number',
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.05,
        description: 'A column is called drifted when its Benjamini–Hochberg adjusted KS p-value is below alpha (false discovery rate over the columns).',
      },
      gates: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description:
          'Conditions the check must meet, as in evaluate: { "psi.max": "< 0.2", "ks.drifted": "<= 3", "prediction.psi": "< 0.25", "missing.max_change": "< 0.1", "roc_auc.ci_low": ">= 0.9" }. A failed gate fails the step (the check is still recorded).',
      },
      report_file: {
        type: ['string', 'null'],
        default: null,
        description: 'Also write the report to this file (relative to the pipeline file), for git.',
      },
      seed: { type: 'integer', default: 0, description: 'Seed of the bootstrap, unless bootstrap.seed is set.' },
    },
  },
  async paramDigests(params, storeDir): Promise<Record<string, string>> {
    const ref = params.model;
    if (typeof ref !== 'string') return {};
    try {
      const found = await withRegistry(storeDir, (r) => {
        const v = r.getVersion(ref);
        return `${v.name}@${v.version} ${v.bundleDigest}`;
      });
      return { model: found ?? 'no registry' };
    } catch (e) {
      // Not resolvable now (unknown alias, damaged registry): the run fails with the registry's message.
      return { model: `unresolved: ${(e as Error).message}` };
    }
  },
  async cachedEffectMissing(summary, { storeDir, stepKey, experiment }) {
    const s = summary as { recorded?: { name: string; version: number } } | undefined;
    if (!s?.recorded || experiment) return undefined;
    const { name, version } = s.recorded;
    const has = await withRegistry(storeDir, (r) => r.hasMonitoring(name, version, stepKey));
    return has ? undefined : `the check of ${name}@${version} is not in the registry's monitoring history`;
  },
  async restoreEffect(summary, _outputs, { storeDir, stepKey, experiment }) {
    const s = summary as { entry?: MonitoringInput } | undefined;
    if (!s?.entry || experiment) return undefined;
    const done = await record(storeDir, { ...s.entry, dedupeKey: stepKey });
    return done ? `recorded the check of ${s.entry.name}@${s.entry.version} in the monitoring history from the cached run` : undefined;
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { monitorRows } = await import('../monitor/monitor.js');
    const { formatReportJson } = await import('../ml/metrics/report-json.js');
    const model = await checkedModel(ctx, params);
    const dataFile = ctx.input('data') as string;
    const ds = await readDatasetFile(dataFile);
    const missing = model.bundle.signature.columns.filter((c) => !ds.columns.some((d) => d.name === c.name)).map((c) => `"${c.name}"`);
    if (missing.length) throw new StepInputError(`the new rows lack the model's input column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const report = await monitorRows(model.bundle, ds, model.label, {
      ...(params.labels ? { labels: params.labels } : {}),
      subgroups: params.subgroups,
      bootstrap: { resamples: params.bootstrap.resamples, seed: params.bootstrap.seed ?? params.seed, confidence: params.bootstrap.confidence },
      gates: params.gates,
      alpha: params.alpha,
      ...(model.version ? { registered: model.version.metrics } : {}),
    });
    // A wired bundle's version number is not in the cache key (another store may number it
    // differently), so the report names the bundle by digest; a named model's version is.
    await writeFile(
      ctx.output('report'),
      formatReportJson({ step: ctx.stepId, ...(model.named ? { model: model.label } : {}), bundle: model.digest, ...report }),
    );
    const s = report.summary;
    ctx.log(
      `${model.label} on ${report.rows} rows: largest PSI ${s['psi.max']} (${s['psi.max_column']}), ${s['ks.drifted']} of ${report.drift.columns.filter((c) => c.ks).length} columns drifted (KS, Benjamini–Hochberg at ${params.alpha}), prediction PSI ${s['prediction.psi']}`,
    );
    for (const [k, m] of Object.entries(report.performance?.metrics ?? {}))
      ctx.log(`${k} ${m.current.value?.toPrecision(3) ?? 'n/a'} (registered ${m.registered?.value?.toPrecision(3) ?? 'n/a'})`);

    let recorded: { name: string; version: number } | undefined;
    let entry: MonitoringInput | undefined;
    const run = ctx.run;
    if (run && model.version && !run.experiment) {
      entry = {
        name: model.version.name,
        version: model.version.version,
        source: `pipeline ${run.pipeline.name}, step ${ctx.stepId}`,
        rows: report.rows,
        passed: report.passed,
        summary: historySummary(report),
      };
      const done = await record(run.storeDir, { ...entry, dedupeKey: run.stepKey });
      if (done) recorded = { name: entry.name, version: entry.version };
      if (done?.created) ctx.log(`recorded in the monitoring history of ${model.label}`);
    } else if (!model.version) ctx.log('the bundle is not a registered version: the check is not recorded in a monitoring history');
    const failed = report.gates.filter((g) => !g.passed).map((g) => g.message ?? `gate failed: ${g.gate}`);
    if (failed.length) throw new GateError(failed.join('\n'));
    return { model: model.label, rows: report.rows, passed: report.passed, ...(recorded ? { recorded, entry } : {}) };
  },
});

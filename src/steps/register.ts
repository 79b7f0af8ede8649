/**
 * Step `register`: bundles the fitted preprocessing, feature selection and model with the input
 * signature, writes a model card, and registers a new version in the store's registry with its
 * metrics, parameters and lineage. Refuses a model whose evaluation failed its gates.
 *
 * The registry entry is keyed by this step's cache key, so re-running a pipeline (even with
 * --force) never registers the same thing twice.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { GateError, StepInputError } from '../errors.js';
import { defineStep, type StepContext } from '../engine/step-type.js';
import { ALIAS_PATTERN, ALIAS_RULE, MODEL_NAME_PATTERN, MODEL_NAME_RULE, TAG_KEY_PATTERN, TAG_KEY_RULE } from '../registry/names.js';

interface Params {
  name: string;
  alias: string | null;
  description: string;
  intended_use: string;
  limitations: string;
  tags: Record<string, string>;
  /** Explanation data from in.train: background sample size and seed (defaults in src/explain/explanation-data.ts). */
  explain?: { background?: number; seed?: number };
}

async function readJson<T>(path: string | undefined): Promise<T | null> {
  return path === undefined ? null : (JSON.parse(await readFile(path, 'utf8')) as T);
}

type Upstream = NonNullable<StepContext['run']>['upstream'];

const digestOf = (path: string | undefined): string | undefined => (path === undefined ? undefined : basename(dirname(path)) + basename(path));

/**
 * The steps that made the registered model and what they were trained after. The model's
 * artifact can be output by several steps: the training step, and steps that pass it on
 * (select-best); the makers are those with no other such step among their ancestors (two sweep
 * members that wrote byte-identical models are both makers).
 */
function modelLineage(upstream: Upstream, modelDigest: string | undefined): { makers: string[]; trainedAfter: Set<string> } {
  const ancestorsOf = (id: string): Set<string> => {
    const seen = new Set<string>();
    const walk = (at: string): void => {
      for (const dep of upstream[at]?.dependsOn ?? []) if (!seen.has(dep)) seen.add(dep), walk(dep);
    };
    walk(id);
    return seen;
  };
  const outputters = Object.entries(upstream)
    .filter(([, u]) => modelDigest !== undefined && Object.values(u.outputs).includes(modelDigest))
    .map(([id]) => id);
  const makers = outputters.filter((id) => {
    const before = ancestorsOf(id);
    return !outputters.some((other) => before.has(other));
  });
  const trainedAfter = new Set(makers.flatMap((id) => [...ancestorsOf(id)]));
  return { makers, trainedAfter };
}

/**
 * A bundle must replay exactly what the model was trained after: if a preprocess or
 * select-features step is upstream of the model, its fitted artifact must be the one wired in
 * (otherwise predict would feed raw columns to a model trained on transformed ones, silently).
 */
function checkBundleInputs(ctx: StepContext, makers: string[], trainedAfter: ReadonlySet<string>): void {
  if (!ctx.run || !makers.length) return;
  const upstream = ctx.run.upstream;
  const modelStep = makers[0];
  for (const [port, stepType, output] of [
    ['transform', 'preprocess', 'transform'],
    ['selection', 'select-features', 'selection'],
  ] as const) {
    const wired = digestOf(ctx.input(port));
    const fitted = Object.entries(upstream).filter(([id, u]) => u.stepType === stepType && trainedAfter.has(id));
    if (!fitted.length) continue;
    if (wired === undefined) {
      throw new StepInputError(
        `model "${modelStep}" was trained after ${stepType} step "${fitted.map(([id]) => id).join('", "')}", but in.${port} is not wired: add in: { ${port}: ${fitted[0][0]}.${output} } so predict applies the same ${port}`,
      );
    }
    if (!fitted.some(([, u]) => u.outputs[output] === wired)) {
      throw new StepInputError(`in.${port} is not the ${output} of the ${stepType} step the model was trained after (${fitted.map(([id]) => id).join(', ')})`);
    }
  }
}

/**
 * What the registry is given for a version, apart from its bundle and card (the step's outputs)
 * and the run that registers it: the same for every run of one cache key, so it can ride in the
 * cache entry's summary (which must not change when a step is computed again).
 */
type Registration = Omit<import('../registry/types.js').RegisterInput, 'bundleDigest' | 'card'>;

/** The run that writes the registry: the computing one, or the one that restores a cached registration. */
type RegisteringRun = Pick<NonNullable<StepContext['run']>, 'pipeline' | 'git' | 'runId'>;

/** Registers a version from its bundle and card files: the one registry write of the step, computed or restored. */
async function applyRegistration(
  storeDir: string,
  registration: Registration,
  run: RegisteringRun,
  bundlePath: string,
  card: string,
): Promise<{ version: number; created: boolean }> {
  const { Registry } = await import('../registry/index.js');
  const registry = Registry.open(storeDir);
  try {
    // The key order of the lineage the registry has always stored: the run first.
    const lineage = { pipeline: run.pipeline, git: run.git, run_id: run.runId, ...registration.lineage };
    return registry.registerVersion({ ...registration, lineage, bundleDigest: registry.storeBundle(bundlePath), card });
  } finally {
    registry.close();
  }
}

export default defineStep<Params>({
  id: 'register',
  version: '1',
  description:
    'Registers the model, with its preprocessing, feature selection, input signature, metrics, model card and lineage, as a new version in the model registry.',
  inputs: {
    model: { kind: 'model', description: 'The trained model.' },
    evaluation: { kind: 'metrics', description: 'Its evaluation: metrics and gates go into the registry and the card.', optional: true },
    transform: { kind: 'transform', description: 'The fitted preprocessing the model was trained after.', optional: true },
    selection: { kind: 'selection', description: 'The fitted feature selection the model was trained after.', optional: true },
    train: {
      kind: 'dataset',
      description:
        'The raw training rows the model was fitted on (e.g. split.train), before preprocessing: the bundle keeps a summary of them for drift monitoring and a seeded background sample for explanations.',
      optional: true,
    },
  },
  outputs: {
    bundle: { kind: 'bundle', description: 'Preprocessing + selection + model + input signature, as one JSON file (what `medpipe predict` runs).' },
    card: { kind: 'report', description: 'The model card (Markdown).' },
  },
  defaultOutput: 'bundle',
  lineage: true,
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      // The registry's own rules, so a bad name fails validation rather than the run after training.
      name: {
        type: 'string',
        pattern: MODEL_NAME_PATTERN,
        patternErrorMessage: `not a valid model name: ${MODEL_NAME_RULE}`,
        description: 'Registered model name; versions are numbered per name.',
      },
      alias: {
        type: ['string', 'null'],
        pattern: ALIAS_PATTERN,
        patternErrorMessage: `not a valid alias: ${ALIAS_RULE}`,
        default: null,
        description: 'Point this alias (e.g. staging) at the new version.',
      },
      description: { type: 'string', default: '', description: 'What the model is, for `models list` and the card.' },
      intended_use: { type: 'string', default: '', description: 'Who should use the model for what, and who should not (the card).' },
      limitations: { type: 'string', default: '', description: 'Known limitations (the card).' },
      tags: {
        type: 'object',
        propertyNames: { pattern: TAG_KEY_PATTERN, patternErrorMessage: `not a valid tag key: ${TAG_KEY_RULE}` },
        additionalProperties: { type: 'string' },
        default: {},
        description: 'Key/value tags on the version.',
      },
      // No defaults here: a registration without in.train must keep its cache key and bytes.
      explain: {
        type: 'object',
        additionalProperties: false,
        properties: {
          background: { type: 'integer', minimum: 1, maximum: 1000, description: 'Training rows sampled into the bundle for explanations (100).' },
          seed: { type: 'integer', description: 'Seed of that sample (0).' },
        },
        description: "With in.train wired: the background sample the bundle keeps for explaining predictions (these are training patients' rows).",
      },
    },
  },
  /** The registry is not in the store's cache: a version it lost (reset, restored from an older copy) is registered again. */
  async cachedEffectMissing(summary, { storeDir, stepKey, experiment }) {
    const s = summary as { name?: unknown; version?: unknown; registered?: unknown } | undefined;
    // An experiment without --register expects nothing in the registry.
    if (typeof s?.name !== 'string' || (experiment && !experiment.register)) return undefined;
    const { Registry } = await import('../registry/index.js');
    if (s.registered === false) return `${s.name} was not registered by the cached run (an experiment)`;
    const what = `${s.name}@${String(s.version)}, registered by the cached run,`;
    if (!Registry.exists(storeDir)) return `${what} is gone: the store has no registry.db`;
    const registry = Registry.open(storeDir);
    try {
      return registry.hasRegistration(s.name, stepKey) ? undefined : `${what} is not in the registry any more`;
    } finally {
      registry.close();
    }
  },
  /**
   * A cached registration whose version this store's registry lacks (the entry came from a remote,
   * or the registry was reset) is registered again from what the entry holds: the registration
   * the computing run made, and its bundle and card. Nothing is computed. Entries written before
   * the summary carried the registration, or by a run of another kind (an experiment where this
   * is none, or the reverse), are not restored: the step runs again.
   */
  async restoreEffect(summary, outputs, { storeDir, experiment, run }) {
    const s = summary as { registration?: Registration; experiment?: string } | undefined;
    if (!s?.registration || (s.experiment ?? undefined) !== (experiment?.reason ?? undefined)) return undefined;
    if (experiment && !experiment.register) return undefined;
    const card = await readFile(outputs.card, 'utf8');
    const { version, created } = await applyRegistration(storeDir, s.registration, run, outputs.bundle, card);
    return `${created ? 'registered' : 'already registered as'} ${s.registration.name}@${version}${created && s.registration.alias ? ` (alias ${s.registration.alias})` : ''} from the cached registration`;
  },
  async run(ctx, params) {
    const { buildBundle } = await import('../bundle/bundle.js');
    const { modelCard } = await import('../bundle/card.js');
    type Evaluation = import('../bundle/card.js').EvaluationReport;
    const model = await readJson<Record<string, unknown>>(ctx.input('model'));
    if (!model) throw new StepInputError('no model is wired into in.model');
    const evaluation = await readJson<Evaluation>(ctx.input('evaluation'));
    const failed = (evaluation?.gates ?? []).filter((g) => !g.passed);
    if (failed.length)
      throw new GateError(
        `refusing to register ${params.name}: its evaluation failed ${failed.map((g) => `${g.gate} ${g.required} (got ${g.actual})`).join('; ')}`,
      );
    const upstream = ctx.run?.upstream ?? {};
    const { makers, trainedAfter } = modelLineage(upstream, digestOf(ctx.input('model')));
    checkBundleInputs(ctx, makers, trainedAfter);
    const { modelKindOf, nonPredictorSignature, kindCardLines } = await import('../bundle/model-kind.js');
    const kind = modelKindOf(model);
    if (kind !== 'predictor' && (ctx.input('transform') || ctx.input('selection')))
      throw new StepInputError(`a ${kind} model takes no transform or selection: unwire in.transform / in.selection`);
    const built = buildBundle(model, await readJson(ctx.input('transform')), await readJson(ctx.input('selection')));
    let bundle: import('../bundle/bundle.js').ModelBundle = { ...built, signature: nonPredictorSignature(model) ?? built.signature };
    const trainPath = ctx.input('train');
    if (params.explain && trainPath === undefined)
      throw new StepInputError(
        'explain: sets the background sample drawn from in.train, which is not wired: add in: { train: split.train } (the raw training rows) or remove explain:',
      );
    let explanationLines: string[] = [];
    if (trainPath !== undefined && kind === 'predictor') {
      const { readDatasetFile } = await import('../data/arrow.js');
      const { buildExplanationData } = await import('../explain/explanation-data.js');
      const { explanationCardLines } = await import('../explain/card-summary.js');
      const explain = await buildExplanationData(bundle, await readDatasetFile(trainPath), { size: params.explain?.background, seed: params.explain?.seed });
      if (explain) {
        bundle = { ...bundle, explain };
        explanationLines = await explanationCardLines(bundle);
      } else ctx.log('in.train has no row with every model feature present: the bundle keeps no explanation data');
    }
    if (trainPath !== undefined && kind === 'predictor') {
      const { trainingSummaryFor } = await import('../monitor/register-summary.js');
      bundle = { ...bundle, training: await trainingSummaryFor(bundle, trainPath) };
    }

    const data = Object.entries(upstream)
      .filter(([, u]) => (u.stepType === 'load.csv' && typeof u.params.path === 'string') || (kind !== 'predictor' && u.stepType === 'load.builtin'))
      .map(([step, u]) => ({
        step,
        path:
          u.stepType === 'load.csv'
            ? String(u.params.path)
            : `builtin ${String(u.params.name)}${typeof u.params.seed === 'number' ? ` (seed ${u.params.seed})` : ''}`,
        digest: u.outputs.data ?? '',
      }));
    let card = modelCard({
      name: params.name,
      description: params.description,
      intendedUse: params.intended_use,
      limitations: params.limitations,
      signature: bundle.signature,
      model,
      evaluation: evaluation ?? undefined,
      data,
    });
    const extra = kindCardLines(model);
    if (extra.length) card = card.replace(/^(- Algorithm: .*)$/m, `$1\n${extra.join('\n')}`);
    if (explanationLines.length) card = card.replace(/^## Limitations$/m, () => `${explanationLines.join('\n')}\n## Limitations`);
    const bundlePath = ctx.output('bundle');
    await writeFile(bundlePath, JSON.stringify(bundle));
    await writeFile(ctx.output('card'), card);

    if (!ctx.run) {
      ctx.log('not run by the engine: the bundle and card are written, nothing is registered');
      return { name: params.name, registered: false };
    }
    const experiment = ctx.run.experiment;
    if (experiment && !experiment.register) {
      ctx.log(`experiment (${experiment.reason}): ${params.name} not registered; run with --register to register it as a version without aliases`);
      return { name: params.name, registered: false, experiment: experiment.reason };
    }
    // The parameters of the steps that made this model, not of every upstream step: a sweep's
    // other members are upstream too (through select-best) but did not make it. Their
    // parameters stay in lineage.upstream for the audit trail.
    const madeBy = makers.length ? new Set([...makers, ...trainedAfter]) : new Set(Object.keys(upstream));
    const trainingParams = Object.fromEntries(
      Object.entries(upstream)
        .filter(
          ([id, u]) =>
            madeBy.has(id) &&
            (u.stepType.startsWith('train.') ||
              u.stepType === 'preprocess' ||
              u.stepType === 'select-features' ||
              u.stepType === 'split' ||
              u.stepType === 'split.interactions'),
        )
        .map(([id, u]) => [id, { uses: u.stepType, ...u.params }]),
    );
    const registration: Registration = {
      name: params.name,
      ...(params.description ? { description: params.description } : {}),
      metrics: evaluation?.metrics ? { ...evaluation.metrics } : {},
      params: trainingParams,
      lineage: { step: ctx.stepId, step_key: ctx.run.stepKey, upstream: ctx.run.upstream, data },
      // An experiment's version is tagged with what made it one and moves no alias: nobody
      // reviewed it, and `predict …@staging` must keep serving the committed configuration.
      tags: experiment ? { ...params.tags, experiment: experiment.reason } : params.tags,
      ...(params.alias && !experiment ? { alias: params.alias } : {}),
      dedupeKey: ctx.run.stepKey,
    };
    const { version, created } = await applyRegistration(ctx.run.storeDir, registration, ctx.run, bundlePath, card);
    ctx.log(
      created
        ? `registered ${params.name}@${version}${params.alias && !experiment ? ` (alias ${params.alias})` : experiment ? ' (experiment: no alias moved)' : ''}`
        : `already registered as ${params.name}@${version}`,
    );
    // The registration rides in the cache entry, so a store that has the entry (from a remote,
    // or after its registry was reset) registers the same version again without computing.
    return { name: params.name, version, created, registration, ...(experiment ? { experiment: experiment.reason } : {}) };
  },
});

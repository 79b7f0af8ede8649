/**
 * Step `train.recommender`: fits a treatment recommender on a long (patient, treatment, outcome)
 * table — explicit ALS with biases, implicit ALS, item-kNN or the popularity baseline — and, with
 * `hybrid: true`, learns from the patients' features how to recommend for a patient never seen
 * (a ridge map from features to ALS factors, or the nearest known patients). Adapter over
 * src/ml/recommender; the artifact format is in src/ml/recommender/artifact.ts.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { INTERACTION_COLUMN_PARAMS } from './split.interactions.js';
import { MAX_ITERATIONS, MAX_THREADS, MAX_TOP_K } from '../engine/param-limits.js';

interface Params {
  patient: string;
  treatment: string;
  outcome: string;
  method: 'als' | 'implicit-als' | 'item-knn' | 'popularity';
  factors: number;
  iterations: number;
  regularization: number;
  alpha: number;
  neighbours: number;
  similarity: 'cosine' | 'adjusted-cosine';
  hybrid: boolean;
  patient_features: string[];
  similar_patients: number;
  feature_ridge: number;
  threads: number;
  seed: number;
}

export default defineStep<Params>({
  id: 'train.recommender',
  version: '1',
  description:
    'Train a treatment recommender (ALS, implicit ALS, item-kNN or popularity) on patient x treatment outcomes; hybrid: true adds patient features for patients never seen.',
  inputs: { train: { kind: 'dataset', description: 'Training rows: one per (patient, treatment) with the outcome (split.interactions train).' } },
  outputs: {
    model: { kind: 'model', description: 'The recommender (JSON, medpipe.recommender/1): id maps, fitted arrays, patient histories, feature scaling.' },
  },
  defaultOutput: 'model',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...INTERACTION_COLUMN_PARAMS,
      method: {
        enum: ['als', 'implicit-als', 'item-knn', 'popularity'],
        default: 'als',
        description:
          'als: explicit alternating least squares with patient/treatment biases; implicit-als: confidence-weighted, for "was prescribed" data; item-knn: treatment neighbours by outcome similarity; popularity: the baseline.',
      },
      factors: { type: 'integer', minimum: 1, maximum: MAX_ITERATIONS, default: 16, description: 'als / implicit-als: latent factors.' },
      iterations: { type: 'integer', minimum: 1, maximum: MAX_ITERATIONS, default: 10, description: 'als / implicit-als: alternating iterations.' },
      regularization: {
        type: 'number',
        minimum: 0,
        default: 0.1,
        description: 'als / implicit-als: L2 penalty (als: per observation of the row, weighted-lambda).',
      },
      alpha: { type: 'number', minimum: 0, default: 1, description: 'implicit-als: confidence = 1 + alpha x outcome (outcomes must be >= 0).' },
      neighbours: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: 20, description: 'item-knn: neighbours kept per treatment.' },
      similarity: {
        enum: ['cosine', 'adjusted-cosine'],
        default: 'cosine',
        description: "item-knn: cosine of outcome columns, or adjusted cosine (outcomes centred on each patient's mean).",
      },
      hybrid: { type: 'boolean', default: false, description: 'Use patient_features so patients never seen get recommendations from their features.' },
      patient_features: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        uniqueItems: true,
        description: 'hybrid: numeric or categorical columns describing the patient (e.g. age, sex, comorbidity flags, lab values).',
      },
      similar_patients: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TOP_K,
        default: 20,
        description: 'hybrid: nearest known patients (by standardised features) used to explain, and by item-knn / popularity to recommend, for a new patient.',
      },
      feature_ridge: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
        description: 'hybrid als / implicit-als: ridge penalty (per patient) of the map from features to patient factors.',
      },
      threads: { type: 'integer', minimum: 1, maximum: MAX_THREADS, default: 1, description: 'als: worker threads (the result is the same for any number).' },
      seed: { type: 'integer', default: 0, description: 'Seed of the factor initialisation.' },
    },
  },
  async run(ctx, params) {
    if (params.hybrid && params.patient_features.length === 0)
      throw new StepInputError('hybrid: true needs patient_features: the columns that describe a patient (e.g. [age, sex, diabetes])');
    if (!params.hybrid && params.patient_features.length > 0)
      throw new StepInputError('patient_features are used only with hybrid: true: set it, or remove patient_features');
    const { readDatasetFile } = await import('../data/arrow.js');
    const { readInteractions } = await import('../data/interaction-table.js');
    const rec = await import('../ml/recommender/index.js');
    const { buildArtifact } = await import('../ml/recommender/artifact.js');
    const { fitPatientFeatures, fitRidge } = await import('../ml/recommender/patient-features.js');

    const columns = { patient: params.patient, treatment: params.treatment, outcome: params.outcome };
    for (const f of params.patient_features)
      if (Object.values(columns).includes(f))
        throw new StepInputError(
          `patient feature "${f}" is the ${Object.entries(columns).find(([, v]) => v === f)![0]} column: features describe the patient, remove it`,
        );
    const ds = await readDatasetFile(ctx.input('train')!);
    const table = readInteractions(ds, columns);
    const nU = table.patients.length,
      nT = table.treatments.length;
    const obs = { user: table.user, item: table.item, value: table.value };
    const matrix = rec.buildInteractionMatrix(obs, nU, nT);
    const onIteration = (done: number, of: number): void => ctx.progress(`iteration ${done}/${of}`, done / of);
    ctx.log(`${table.value.length} outcomes, ${nU} patients, ${nT} treatments (density ${(table.value.length / (nU * nT)).toPrecision(3)})`);

    let factors: { k: number; user: Float64Array; item: Float64Array; userBias?: Float64Array; itemBias?: Float64Array } | undefined;
    let neighbours: import('../ml/recommender/interactions.js').SparseRows | undefined;
    const summary: Record<string, unknown> = { method: params.method, patients: nU, treatments: nT, observations: table.value.length };
    if (params.method === 'als') {
      const m = await rec.fitAlsParallel(obs, nU, nT, {
        factors: params.factors,
        iterations: params.iterations,
        lambda: params.regularization,
        seed: params.seed,
        threads: params.threads,
        onIteration,
        signal: ctx.signal,
      });
      factors = { k: m.factors, user: m.userFactors, item: m.itemFactors, userBias: m.userBias, itemBias: m.itemBias };
      const pred = new Float64Array(obs.value.length);
      for (let j = 0; j < pred.length; j++) pred[j] = m.predict(obs.user[j], obs.item[j]);
      summary.train_rmse = rec.rmse(pred, obs.value);
      ctx.log(`train RMSE ${(summary.train_rmse as number).toPrecision(4)}`);
    } else if (params.method === 'implicit-als') {
      const m = await rec.fitImplicitAlsCancellable(
        obs,
        nU,
        nT,
        { factors: params.factors, iterations: params.iterations, lambda: params.regularization, alpha: params.alpha, seed: params.seed, onIteration },
        ctx.signal,
      );
      factors = { k: params.factors, user: m.userFactors, item: m.itemFactors };
    } else if (params.method === 'item-knn') {
      neighbours = rec.fitItemKnn(obs, nU, nT, { neighbours: params.neighbours, similarity: params.similarity }).neighbours;
      ctx.progress('neighbours computed', 1);
    }

    let hybrid: Parameters<typeof buildArtifact>[0]['hybrid'];
    if (params.hybrid) {
      const firstRow = new Int32Array(nU).fill(-1);
      for (let r = 0; r < table.user.length; r++) if (firstRow[table.user[r]] < 0) firstRow[table.user[r]] = r;
      const { scaling, X } = fitPatientFeatures(ds, params.patient_features, firstRow);
      const d = scaling.center.length;
      let ridge: { lambda: number; weights: Float64Array; intercept: Float64Array } | undefined;
      if (factors) {
        // Targets: each patient's factors, and for ALS their bias too.
        const m = factors.k + (factors.userBias ? 1 : 0);
        const Y = new Float64Array(nU * m);
        for (let u = 0; u < nU; u++) {
          for (let a = 0; a < factors.k; a++) Y[u * m + a] = factors.user[u * factors.k + a];
          if (factors.userBias) Y[u * m + factors.k] = factors.userBias[u];
        }
        const fit = fitRidge(X, nU, d, Y, m, params.feature_ridge);
        ridge = { lambda: params.feature_ridge, weights: fit.weights, intercept: fit.intercept };
      }
      hybrid = { scaling, X, similarPatients: Math.min(params.similar_patients, nU), ...(ridge ? { ridge } : {}) };
      ctx.log(
        `hybrid: ${params.patient_features.length} patient features (${d} standardised columns)${ridge ? ', ridge map to patient factors' : `, ${hybrid.similarPatients} similar patients`}`,
      );
    }

    // Column names are stored under `columns`; threads do not change the model.
    const { patient, treatment, outcome, threads, ...rest } = params;
    void patient;
    void treatment;
    void outcome;
    void threads;
    const artifact = buildArtifact({
      method: params.method,
      columns,
      params: rest,
      patients: table.patients,
      treatments: table.treatments,
      matrix,
      ...(factors ? { factors } : {}),
      ...(neighbours ? { neighbours } : {}),
      ...(hybrid ? { hybrid } : {}),
    });
    await writeFile(ctx.output('model'), JSON.stringify(artifact));
    return { ...summary, hybrid: params.hybrid };
  },
});

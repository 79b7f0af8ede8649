/**
 * Step `recommend`: the top-k treatments for each patient of a table, from a train.recommender
 * model: known patients from their history (treatments they already had left out unless asked),
 * new patients from their features (hybrid models). One output row per recommendation.
 */
import { readFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { MAX_TOP_K } from '../engine/param-limits.js';

interface Params {
  k: number;
  exclude_seen: boolean;
  patient: string | null;
}

export default defineStep<Params>({
  id: 'recommend',
  version: '1',
  description: 'Top-k treatments per patient from a recommender model, with scores and an explanation (similar treatments or similar patients).',
  inputs: {
    model: { kind: 'model', description: 'A train.recommender model.' },
    patients: {
      kind: 'dataset',
      description:
        "Patients to recommend for: their id and, for patients the model has not seen, the model's patient feature columns. Repeated ids use their first row.",
    },
  },
  outputs: { recommendations: { kind: 'dataset', description: 'patient, rank, treatment, score, basis (history | features | popularity), explanation.' } },
  defaultOutput: 'recommendations',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      k: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: 10, description: 'Treatments per patient.' },
      exclude_seen: { type: 'boolean', default: true, description: 'Leave out treatments a known patient already had in training.' },
      patient: { type: ['string', 'null'], default: null, description: 'Column with the patient id; null = the one the model was trained with.' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { makeDataset } = await import('../data/dataset.js');
    const { internIds } = await import('../data/interaction-table.js');
    const { loadRecommender } = await import('../ml/recommender/artifact.js');

    const model = loadRecommender(JSON.parse(await readFile(ctx.input('model')!, 'utf8')));
    const ds = await readDatasetFile(ctx.input('patients')!);
    const ids = internIds(ds, params.patient ?? model.artifact.columns.patient, 'patient');
    const specs = model.artifact.hybrid?.scaling.specs ?? [];
    const featureData = specs
      .filter((s) => ds.columns.some((c) => c.name === s.name))
      .map((s) => ({ name: s.name, data: ds.columns.find((c) => c.name === s.name)!.data }));
    const firstRow = new Int32Array(ids.names.length).fill(-1);
    for (let r = 0; r < ds.rowCount; r++) if (firstRow[ids.codes[r]] < 0) firstRow[ids.codes[r]] = r;

    const patient: string[] = [],
      treatment: string[] = [],
      explanation: string[] = [];
    const rank: number[] = [],
      score: number[] = [],
      basis: number[] = [];
    const BASES = ['history', 'features', 'popularity'] as const;
    let byFeatures = 0;
    ids.names.forEach((id, p) => {
      const r = firstRow[p];
      const features =
        model.patientIndex(id) >= 0 || !featureData.length
          ? undefined
          : Object.fromEntries(
              featureData.map(({ name, data }) => [
                name,
                data.type === 'numeric'
                  ? Number.isNaN(data.values[r])
                    ? null
                    : data.values[r]
                  : data.type === 'categorical'
                    ? data.codes[r] < 0
                      ? null
                      : data.categories[data.codes[r]]
                    : data.values[r],
              ]),
            );
      let result: ReturnType<typeof model.recommend>;
      try {
        result = model.recommend({ patient: id, ...(features ? { features } : {}) }, params.k, params.exclude_seen);
      } catch (e) {
        if (e instanceof StepInputError) throw new StepInputError(`row ${r + 1}: ${e.message}`);
        throw e;
      }
      if (result.basis === 'features') byFeatures++;
      result.recommendations.forEach((x, j) => {
        patient.push(id);
        rank.push(j + 1);
        treatment.push(x.treatment);
        score.push(x.score);
        basis.push(BASES.indexOf(result.basis));
        explanation.push(x.explanation.text);
      });
    });
    const out = makeDataset([
      { name: 'patient', kind: 'id', data: { type: 'text', values: patient } },
      { name: 'rank', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(rank) } },
      { name: 'treatment', kind: 'text', data: { type: 'text', values: treatment } },
      { name: 'score', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(score) } },
      { name: 'basis', kind: 'categorical', data: { type: 'categorical', codes: Int32Array.from(basis), categories: [...BASES] } },
      { name: 'explanation', kind: 'text', data: { type: 'text', values: explanation } },
    ]);
    await writeDatasetFile(ctx.output('recommendations'), out);
    ctx.log(`${ids.names.length} patients, ${patient.length} recommendations (${byFeatures} patients from their features)`);
    return { patients: ids.names.length, recommendations: patient.length, from_features: byFeatures };
  },
});

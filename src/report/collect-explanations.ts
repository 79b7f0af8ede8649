/**
 * The worked example under a model card: the first few patients of the test set the model's
 * evaluation scored, each with its prediction and largest contributions. The rows are the
 * evaluate step's `test` input (already preprocessed and selected, as the model takes them), read
 * from the store; the explanation data comes from the registered bundle. Only models registered
 * with their training rows have it; a missing artifact leaves the example out (the card's global
 * summary still shows).
 */
import type { ModelBundle } from '../bundle/bundle.js';
import { readArtifactText } from './artifacts.js';
import type { CollectContext } from './collect-context.js';
import type { RegisteredModel, WorkedExample } from './report-data.js';

/** Patients in the example, and contributions shown per patient: enough to read, small enough for a card. */
const PATIENTS = 3;
const TOP = 3;

async function exampleFor(ctx: CollectContext, m: RegisteredModel): Promise<WorkedExample | undefined> {
  const bundleDigest = ctx.record.steps[m.step]?.outputs?.bundle;
  const testRef = m.evaluationStep ? ctx.pipeline?.steps.get(m.evaluationStep)?.inputs.test : undefined;
  const testDigest = testRef ? ctx.record.steps[testRef.step]?.outputs?.[testRef.port] : undefined;
  if (!bundleDigest || !testRef || !testDigest) return undefined;
  const text = readArtifactText(ctx.store, bundleDigest, { what: 'its bundle', content: 'its explanations' });
  if ('missing' in text) return undefined;
  const bundle = JSON.parse(text.value) as ModelBundle;
  if (!bundle.explain) return undefined;
  if ('missing' in readArtifactText(ctx.store, testDigest, { what: 'its test rows', content: 'the worked example' })) return undefined;
  const { readDatasetFile } = await import('../data/arrow.js');
  const { featureMatrix } = await import('../data/matrix.js');
  const { explainModelRows } = await import('../explain/index.js');
  const test = await readDatasetFile(ctx.store.objectPath(testDigest));
  const n = Math.min(PATIENTS, test.rowCount);
  const { X } = featureMatrix({ ...test, rowCount: n }, bundle.model.features as string[]);
  const e = await explainModelRows(bundle, X, n);
  const positive = bundle.signature.target.positive;
  const o = e.outputs.length === 1 ? 0 : Math.max(0, positive === undefined ? 0 : e.outputs.indexOf(positive));
  const output = e.outputs[o] === 'value' ? 'the predicted value' : e.outputs[o] === 'decision' ? 'the decision value' : `P(${e.outputs[o]})`;
  return {
    source: `the first ${n} rows of ${testRef.step}.${testRef.port} (the test set ${m.evaluationStep} scored)`,
    output,
    base: e.base[o],
    rows: e.rows.map((row) => {
      const order = row.contributions[o].map((value, i) => ({ feature: e.features[i], value })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
      return { prediction: row.prediction[o], top: order.slice(0, TOP), rest: order.slice(TOP).reduce((s, x) => s + x.value, 0) };
    }),
  };
}

/** Adds a worked example to each registered model whose bundle can be explained. */
export async function addWorkedExamples(ctx: CollectContext, models: RegisteredModel[]): Promise<RegisteredModel[]> {
  for (const m of models) {
    if (!m.card?.explanations) continue;
    const example = await exampleFor(ctx, m);
    if (example) m.example = example;
  }
  return models;
}

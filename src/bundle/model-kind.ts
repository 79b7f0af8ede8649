/**
 * What a registered model does with its input, decided by the artifact's format tag: a predictor
 * (forest, SVM: rows in, predictions out), a recommender (a patient in, ranked treatments out) or a
 * generator (noise and a condition in, synthetic rows out). The register step, the model card and
 * `medpipe predict` ask this module instead of each testing format strings.
 */
import type { InputColumn, InputSignature } from './bundle.js';
import { GAN_MODEL_FORMAT, RECOMMENDER_FORMAT } from '../ml/model-formats.js';

export type ModelKind = 'predictor' | 'recommender' | 'generator';

export function modelKindOf(model: Record<string, unknown>): ModelKind {
  if (model.format === RECOMMENDER_FORMAT) return 'recommender';
  if (model.format === GAN_MODEL_FORMAT) return 'generator';
  return 'predictor';
}

/** How to use a model of this kind, for errors that refuse the wrong command. */
export function usageOf(kind: ModelKind): string {
  if (kind === 'recommender') return 'it is a recommender: use `medpipe recommend NAME@ALIAS --patient ID`, or the recommend step';
  if (kind === 'generator') return 'it is a generator: sample rows from it with the generate step of a pipeline';
  return 'it is a predictor: use `medpipe predict NAME@ALIAS --input rows.csv`, or the predict step';
}

interface RecommenderHead {
  method: string;
  params: Record<string, unknown>;
  columns: { patient: string; outcome: string };
  factors?: { k: number };
  patients: unknown[];
  treatments: unknown[];
  hybrid: { scaling: { specs: { name: string; kind: 'numeric' | 'categorical'; categories?: string[] }[] } } | null;
}

interface GeneratorHead {
  loss: string;
  backend: string;
  seed: number;
  steps: number;
  noiseDim: number;
  generator: { sizes: number[] };
  columns: { name: string; type: 'numeric' | 'binary' }[];
  condition: { column: string; labels: string[] } | null;
}

/**
 * The input signature of a recommender or a generator (a predictor's comes from its features and
 * transform, in bundle.ts): a recommender takes a patient id and, when hybrid, the patient
 * features; a generator takes only its condition label.
 */
export function nonPredictorSignature(model: Record<string, unknown>): InputSignature | null {
  const kind = modelKindOf(model);
  if (kind === 'recommender') {
    const m = model as unknown as RecommenderHead;
    const features = m.hybrid?.scaling.specs ?? [];
    const columns: InputColumn[] = [
      { name: m.columns.patient, kind: 'categorical' },
      ...features.map(
        (f): InputColumn =>
          f.kind === 'categorical' ? { name: f.name, kind: 'categorical', categories: f.categories ?? [] } : { name: f.name, kind: 'numeric' },
      ),
    ];
    return { columns, target: { column: m.columns.outcome, task: 'recommendation' } };
  }
  if (kind === 'generator') {
    const m = model as unknown as GeneratorHead;
    const columns: InputColumn[] = m.condition ? [{ name: m.condition.column, kind: 'categorical', categories: m.condition.labels }] : [];
    return { columns, target: { column: null, task: 'generation' } };
  }
  return null;
}

/** Model-card lines that say how a recommender or generator works; none for a predictor. */
export function kindCardLines(model: Record<string, unknown>): string[] {
  const kind = modelKindOf(model);
  if (kind === 'recommender') {
    const m = model as unknown as RecommenderHead;
    const how =
      m.method === 'item-knn'
        ? `${String(m.params.neighbours)} neighbours, ${String(m.params.similarity)} similarity`
        : m.factors
          ? `${m.factors.k} factors, ${String(m.params.iterations)} iterations, regularization ${String(m.params.regularization)}`
          : 'ranks treatments by how many patients had them';
    const hybrid = m.hybrid
      ? `hybrid: new patients from ${m.hybrid.scaling.specs.map((s) => s.name).join(', ')}`
      : 'not hybrid: recommends only for patients in its training data';
    return [`- Recommender: ${m.method} (${how}); ${m.patients.length} patients x ${m.treatments.length} treatments; ${hybrid}`];
  }
  if (kind === 'generator') {
    const m = model as unknown as GeneratorHead;
    const binary = m.columns.filter((c) => c.type === 'binary').length;
    return [
      `- Generator: ${m.loss} GAN, generator ${m.generator.sizes.join('→')}, ${m.steps} steps, seed ${m.seed}, trained on the TensorFlow.js ${m.backend} backend`,
      `- Generates: ${m.columns.length} columns (${m.columns.length - binary} numeric, ${binary} 0/1)${m.condition ? `, conditioned on ${m.condition.column} (${m.condition.labels.join(', ')})` : ''}`,
    ];
  }
  return [];
}

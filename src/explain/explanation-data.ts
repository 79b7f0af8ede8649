/**
 * What a bundle keeps so its predictions can be explained, computed by the register step from its
 * `train` input (the raw training rows): a seeded sample of the training rows in the model's
 * feature space (KernelSHAP's background) and, for a forest, how many training rows reach each
 * node (TreeSHAP's covers, which the forest artifact does not store).
 *
 * The sample is kept after preprocessing and selection rather than as raw rows: explanations are
 * computed on the model's features anyway, only the features the model uses are stored (not every
 * column of the patient record), and it cannot drift from what the model saw if the raw columns'
 * parsing changes. It is still training patients' data (standardised values can be turned back
 * with the transform), which the model card says.
 *
 * The rows are transformed as new rows are: a target-encoded column gets the full training
 * statistics here, not the out-of-fold values the model was fitted on, so for such columns the
 * sample and covers are close to, not exactly, what the trees saw.
 */
import type { Dataset } from '../data/dataset.js';
import type { ModelBundle } from '../bundle/bundle.js';
import { FOREST_MODEL_FORMAT } from '../ml/model-formats.js';
import { createRng } from '../rng.js';
import { modelInputs } from './model-inputs.js';

export const EXPLANATION_DATA_FORMAT = 'medpipe.explanation-data/1';

export interface ExplanationData {
  readonly format: typeof EXPLANATION_DATA_FORMAT;
  readonly background: {
    /** Seed of the sample drawn from the training rows. */
    readonly seed: number;
    /** Training rows with every model feature finite, which the sample was drawn from (and the covers counted on). */
    readonly trainingRows: number;
    /** The model's features, in its order. */
    readonly features: readonly string[];
    /** The sampled rows, in training order: one number per feature. */
    readonly rows: readonly (readonly number[])[];
  };
  /** Forests: rows reaching each node, base64 uint32, trees concatenated (explain/covers.ts). */
  readonly covers?: string;
}

export interface BackgroundOptions {
  /** Rows in the sample (100). */
  size?: number;
  /** Seed of the sample (0). */
  seed?: number;
}

export const DEFAULT_BACKGROUND_SIZE = 100;

/** The explanation data for a predictor bundle, from its raw training rows; null when no training row has every feature. */
export async function buildExplanationData(bundle: ModelBundle, train: Dataset, options: BackgroundOptions = {}): Promise<ExplanationData | null> {
  const features = (bundle.model.features as string[] | undefined) ?? [];
  const { X, nRows } = modelInputs(bundle, train, features, { training: true, source: 'in.train' });
  const m = features.length;
  // Rows with a missing feature cannot be model input (the model would refuse them).
  const complete: number[] = [];
  for (let r = 0; r < nRows; r++) {
    let ok = true;
    for (let i = 0; i < m && ok; i++) ok = Number.isFinite(X[r * m + i]);
    if (ok) complete.push(r);
  }
  if (!complete.length) return null;
  const seed = options.seed ?? 0;
  const size = Math.min(options.size ?? DEFAULT_BACKGROUND_SIZE, complete.length);
  const picked = createRng(seed).shuffle(Int32Array.from(complete)).subarray(0, size).sort();
  const rows = Array.from(picked, (r) => Array.from(X.subarray(r * m, (r + 1) * m)));
  const data: ExplanationData = { format: EXPLANATION_DATA_FORMAT, background: { seed, trainingRows: complete.length, features, rows } };
  if (bundle.model.format !== FOREST_MODEL_FORMAT) return data;
  const { forestFromJSON } = await import('../ml/forest/index.js');
  const { countCovers, coversToBase64 } = await import('./covers.js');
  const forest = forestFromJSON(bundle.model as unknown as Parameters<typeof forestFromJSON>[0]);
  const Xc = new Float64Array(complete.length * m);
  complete.forEach((r, k) => Xc.set(X.subarray(r * m, (r + 1) * m), k * m));
  return { ...data, covers: coversToBase64(countCovers(forest, Xc, complete.length)) };
}

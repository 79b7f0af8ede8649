/**
 * The trained-generator artifact (JSON, weights as one base64 float32 blob) and sampling from it.
 * Sampling runs the generator in plain JavaScript (float64 accumulation) rather than tfjs, so
 * generated tables are byte-identical on every machine whatever backend trained the model.
 */
import { createRng } from '../../rng.js';
import type { GanColumn, GanCondition } from './encode.js';
import { base64ToFloats, mlpForward, paramCount, type MlpShape } from './mlp.js';
import { fromNormalScore, knotBoundaries } from './quantile.js';
import type { TfBackendName } from '../tf/backend.js';
import { GAN_MODEL_FORMAT } from '../model-formats.js';

export { GAN_MODEL_FORMAT };

/** `kernels`: medpipe's compiled WebAssembly (kernel-engine.ts); the others: TensorFlow.js backends. */
export type GanBackendName = TfBackendName | 'kernels';

export interface GanModel {
  format: typeof GAN_MODEL_FORMAT;
  loss: 'wgan-gp' | 'standard';
  /** What trained it: medpipe's compiled kernels or a TensorFlow.js backend (weights for one seed differ slightly between them). */
  backend: GanBackendName;
  seed: number;
  steps: number;
  noiseDim: number;
  /** Generator layer widths: [noise + condition, hidden..., columns]. */
  generator: { sizes: number[]; weights: string };
  /** In generator-output order (numeric, then binary). */
  columns: GanColumn[];
  /** Column names in the training table's order. */
  tableOrder: string[];
  condition: GanCondition | null;
  /** Target column of the training table, when generated tables carry it. */
  target?: string;
  positive?: string;
}

export interface GeneratedColumns {
  /** Per generated column (model.columns order): values in the training table's units. */
  values: Float64Array[];
  /** Condition index per row (conditional models). */
  cond?: Int32Array;
}

export interface SampleOptions {
  n: number;
  seed: number;
  /** A condition label; null draws conditions with the training frequencies. */
  condition: string | null;
  /** Binary columns: draw 0/1 with the generated probability, or threshold it at 0.5. */
  binary: 'sample' | 'threshold';
}

const CHUNK = 4096;

export function sampleGan(model: GanModel, options: SampleOptions): GeneratedColumns {
  const shape: MlpShape = { sizes: model.generator.sizes };
  const weights = base64ToFloats(model.generator.weights, paramCount(shape));
  const k = model.condition ? model.condition.labels.length : 0;
  const nz = model.noiseDim;
  const d = model.columns.length;
  let fixed = -1;
  if (options.condition !== null) {
    if (!model.condition) throw new Error('this generator was trained without a condition: leave condition unset');
    fixed = model.condition.labels.indexOf(options.condition);
    if (fixed < 0) throw new Error(`condition "${options.condition}" is not one of the generator's: ${model.condition.labels.map((l) => `"${l}"`).join(', ')}`);
  }
  const cumulative = model.condition
    ? model.condition.frequencies.map(
        (
          (s) => (f: number) =>
            (s += f)
        )(0),
      )
    : [];
  const rng = createRng(options.seed);
  const values = model.columns.map(() => new Float64Array(options.n));
  const cond = k ? new Int32Array(options.n) : undefined;
  const boundaries = model.columns.map((c) => (c.quantiles ? knotBoundaries(c.quantiles.length) : undefined));
  for (let start = 0; start < options.n; start += CHUNK) {
    const rows = Math.min(CHUNK, options.n - start);
    const input = new Float64Array(rows * (nz + k));
    for (let i = 0; i < rows; i++) {
      const o = i * (nz + k);
      for (let j = 0; j < nz; j++) input[o + j] = rng.normal();
      if (k) {
        let c = fixed;
        if (c < 0) {
          const u = rng.next();
          c = cumulative.findIndex((p) => u < p);
          if (c < 0) c = k - 1;
        }
        cond![start + i] = c;
        input[o + nz + c] = 1;
      }
    }
    const out = mlpForward(shape, weights, input, rows);
    for (let j = 0; j < d; j++) {
      const col = model.columns[j];
      const v = values[j];
      for (let i = 0; i < rows; i++) {
        const x = out[i * d + j];
        const knots = col.quantiles;
        if (knots) {
          v[start + i] = fromNormalScore(x, knots, boundaries[j]!);
        } else if (col.type === 'numeric') {
          const y = x * col.std + col.mean;
          v[start + i] = col.integer ? Math.min(col.integer.max, Math.max(col.integer.min, Math.round(y))) : y;
        } else {
          const p = 1 / (1 + Math.exp(-x));
          v[start + i] = options.binary === 'threshold' ? (p >= 0.5 ? 1 : 0) : rng.next() < p ? 1 : 0;
        }
      }
    }
  }
  return { values, ...(cond ? { cond } : {}) };
}

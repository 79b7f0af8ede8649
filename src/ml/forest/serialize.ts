/**
 * A forest as plain JSON and back. The node tables of all trees are concatenated per field and
 * stored as base64 of their little-endian bytes, so thresholds and leaf values round-trip
 * bit for bit and predictions after loading are identical. `treeSizes` gives each tree's node count.
 */
import { StepInputError } from '../../errors.js';
import type { ForestModel, Tree } from './types.js';
import { outputsPerNode } from './types.js';

export const FOREST_FORMAT = 'medpipe.forest-tables/1';

export interface ForestJSON {
  tables: typeof FOREST_FORMAT;
  task: ForestModel['task'];
  nFeatures: number;
  nClasses: number;
  oobScore: number | null;
  featureImportances: number[];
  /** As fitted; maxDepth null means unlimited. */
  settings: Omit<ForestModel['settings'], 'maxDepth'> & { maxDepth: number | null };
  treeSizes: number[];
  /** base64, little-endian: int32 feature, float64 threshold, int32 left child, float64 value (nOutputs per node). */
  feature: string;
  threshold: string;
  left: string;
  value: string;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('forest serialisation assumes a little-endian machine');

function toBase64(parts: ArrayBufferView[]): string {
  return Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toString('base64');
}

function fromBase64<T>(s: string, make: (buf: ArrayBuffer) => T): T {
  const b = Buffer.from(s, 'base64');
  // Copy into a fresh, aligned buffer: Buffer slices may start at any byte offset.
  const ab = new ArrayBuffer(b.byteLength);
  new Uint8Array(ab).set(b);
  return make(ab);
}

export function forestToJSON(model: ForestModel): ForestJSON {
  const { maxDepth, ...rest } = model.settings;
  return {
    tables: FOREST_FORMAT,
    task: model.task,
    nFeatures: model.nFeatures,
    nClasses: model.nClasses,
    oobScore: model.oobScore ?? null,
    featureImportances: Array.from(model.featureImportances),
    settings: { ...rest, maxDepth: Number.isFinite(maxDepth) ? maxDepth : null },
    treeSizes: model.trees.map((t) => t.feature.length),
    feature: toBase64(model.trees.map((t) => t.feature)),
    threshold: toBase64(model.trees.map((t) => t.threshold)),
    left: toBase64(model.trees.map((t) => t.left)),
    value: toBase64(model.trees.map((t) => t.value)),
  };
}

export function forestFromJSON(json: ForestJSON): ForestModel {
  if (json.tables !== FOREST_FORMAT) throw new StepInputError(`not a medpipe forest (tables format ${String(json.tables)}, expected ${FOREST_FORMAT})`);
  const nOut = outputsPerNode(json.task, json.nClasses);
  const feature = fromBase64(json.feature, (b) => new Int32Array(b));
  const threshold = fromBase64(json.threshold, (b) => new Float64Array(b));
  const left = fromBase64(json.left, (b) => new Int32Array(b));
  const value = fromBase64(json.value, (b) => new Float64Array(b));
  const total = json.treeSizes.reduce((a, b) => a + b, 0);
  if (feature.length !== total || threshold.length !== total || left.length !== total || value.length !== total * nOut) {
    throw new StepInputError('forest model file is damaged: node tables do not match the tree sizes');
  }
  const trees: Tree[] = [];
  let at = 0;
  for (const size of json.treeSizes) {
    trees.push({
      feature: feature.subarray(at, at + size),
      threshold: threshold.subarray(at, at + size),
      left: left.subarray(at, at + size),
      value: value.subarray(at * nOut, (at + size) * nOut),
    });
    at += size;
  }
  const { maxDepth, ...rest } = json.settings;
  return {
    task: json.task,
    nFeatures: json.nFeatures,
    nClasses: json.nClasses,
    trees,
    featureImportances: Float64Array.from(json.featureImportances),
    oobScore: json.oobScore ?? undefined,
    settings: { ...rest, maxDepth: maxDepth ?? Infinity },
  };
}

/**
 * Node covers of a forest: how many of the given rows reach each node of each tree. TreeSHAP
 * needs them (the share of training rows each split sends left), and the forest artifact does
 * not store them, so the register step counts the training rows it is given, after the bundle's
 * preprocessing and selection, and keeps the counts in the bundle's explanation data.
 *
 * These are counts of all training rows, not the bootstrap-weighted in-bag counts a tree was
 * grown on (sklearn's weighted_n_node_samples): the value function is "expected output over the
 * training rows" either way, and every training row is counted once.
 */
import type { ForestModel } from '../ml/forest/types.js';

/** Per tree, rows reaching each node (row-major X, nRows x model.nFeatures). */
export function countCovers(model: ForestModel, X: Float64Array, nRows: number): Float64Array[] {
  const p = model.nFeatures;
  return model.trees.map((t) => {
    const cover = new Float64Array(t.feature.length);
    for (let r = 0; r < nRows; r++) {
      let node = 0;
      cover[0]++;
      while (t.feature[node] >= 0) {
        node = X[r * p + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.left[node] + 1;
        cover[node]++;
      }
    }
    return cover;
  });
}

/** Covers as one base64 string of little-endian uint32 counts, trees concatenated in order (node counts are the forest's tree sizes). */
export function coversToBase64(covers: readonly Float64Array[]): string {
  const total = covers.reduce((a, c) => a + c.length, 0);
  const out = new Uint32Array(total);
  let at = 0;
  for (const c of covers) {
    out.set(c, at);
    at += c.length;
  }
  return Buffer.from(out.buffer).toString('base64');
}

/** The inverse of coversToBase64, or undefined when the counts do not fit the forest (another model's data). */
export function coversFromBase64(text: string, model: ForestModel): Float64Array[] | undefined {
  const b = Buffer.from(text, 'base64');
  const total = model.trees.reduce((a, t) => a + t.feature.length, 0);
  if (b.byteLength !== total * 4) return undefined;
  const ab = new ArrayBuffer(b.byteLength);
  new Uint8Array(ab).set(b);
  const all = new Uint32Array(ab);
  let at = 0;
  return model.trees.map((t) => {
    const c = Float64Array.from(all.subarray(at, at + t.feature.length));
    at += t.feature.length;
    return c;
  });
}

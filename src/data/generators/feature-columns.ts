/**
 * The last step of scikit-learn-style generators: optionally shuffle rows and columns (rows
 * first, then columns, from the generator's own RNG, as sklearn does), and lay the row-major
 * matrix out as named numeric feature columns.
 */
import type { Rng } from '../../rng.js';
import type { Column } from '../dataset.js';

export function shuffledFeatureColumns(X: Float64Array, n: number, p: number, rng: Rng, shuffle: boolean): { columns: Column[]; rowOrder: Int32Array } {
  const rowOrder = Int32Array.from({ length: n }, (_, i) => i);
  const colOrder = Int32Array.from({ length: p }, (_, j) => j);
  if (shuffle) {
    rng.shuffle(rowOrder);
    rng.shuffle(colOrder);
  }
  const columns: Column[] = [];
  for (let j = 0; j < p; j++) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = X[rowOrder[i] * p + colOrder[j]];
    columns.push({ name: `feature_${j + 1}`, kind: 'numeric', data: { type: 'numeric', values } });
  }
  return { columns, rowOrder };
}

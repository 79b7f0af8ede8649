/**
 * A hand-made reference of five 8-bit fingerprints whose Tanimoto similarities are easy to work
 * out by hand, with cross-validation folds and a few queries, for the applicability-domain tests.
 *
 * Tanimoto: r0~r1 3/4, r2~r3 3/4, r0~r4 2/6, r1~r4 2/5, r2~r4 2/6, r3~r4 2/5, every other pair 0.
 */
import { packColumns } from '../../src/chem/bits.js';
import type { Points } from '../../src/chem/domain.js';
import { makeDataset, type Column, type Dataset } from '../../src/data/dataset.js';

export const REFERENCE: readonly (readonly number[])[] = [
  [0, 1, 2, 3],
  [0, 1, 2],
  [4, 5, 6, 7],
  [4, 5, 6],
  [0, 1, 4, 5],
];
export const FOLDS = [0, 0, 1, 1, 2];
/** Nearest reference rows by hand: r0 (identical, 1), r1 (2/3), r2 (1/4), none (no shared bit). */
export const QUERIES: readonly (readonly number[])[] = [[0, 1, 2, 3], [0, 1], [7], []];

/** One 0/1 column per bit. */
function bitColumns(sets: readonly (readonly number[])[]): Float64Array[] {
  return Array.from({ length: 8 }, (_, b) => Float64Array.from(sets, (s) => (s.includes(b) ? 1 : 0)));
}

export function bits(sets: readonly (readonly number[])[]): Points {
  return { kind: 'bits', packed: packColumns(bitColumns(sets), sets.length), words: 1 };
}

/** The sets as a featurized table: an id column and fp_0 … fp_7. */
export function bitTable(sets: readonly (readonly number[])[], idPrefix: string): Dataset {
  const columns: Column[] = [
    { name: 'canonical_smiles', kind: 'id', data: { type: 'text', values: sets.map((_, i) => `${idPrefix}${i}`) } },
    ...bitColumns(sets).map((values, b): Column => ({ name: `fp_${b}`, kind: 'numeric', data: { type: 'numeric', values } })),
  ];
  return makeDataset(columns);
}

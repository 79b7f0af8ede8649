/**
 * Inputs far outside what a model was trained on. A model extrapolates silently: a tumour area
 * ten times the largest in training still gets a confident label. The bundle records each numeric
 * column's training range (min, max); a value beyond it by more than the range's own width is
 * flagged. That margin keeps ordinary new patients (a little beyond the sample's extremes) quiet
 * and catches unit mistakes and data-entry errors, which are off by factors.
 */
import type { Dataset } from '../data/dataset.js';
import type { ModelBundle } from './bundle.js';

export interface OutOfRange {
  /** 0-based data row; the CSV line is row + 2 with a header. */
  readonly row: number;
  readonly column: string;
  readonly side: 'above' | 'below';
  readonly range: { readonly min: number; readonly max: number };
}

/** Every (row, column) of `ds` whose value lies beyond the column's training range by more than its width, in row order. */
export function outsideTrainingRange(bundle: ModelBundle, ds: Dataset): OutOfRange[] {
  const flags: OutOfRange[] = [];
  for (const col of bundle.signature.columns) {
    if (col.kind !== 'numeric' || !col.range) continue;
    const data = ds.columns.find((c) => c.name === col.name)?.data;
    if (data?.type !== 'numeric') continue;
    const { min, max } = col.range;
    const margin = max - min;
    for (let r = 0; r < ds.rowCount; r++) {
      const x = data.values[r];
      if (x > max + margin) flags.push({ row: r, column: col.name, side: 'above', range: col.range });
      else if (x < min - margin) flags.push({ row: r, column: col.name, side: 'below', range: col.range });
    }
  }
  return flags.sort((a, b) => a.row - b.row);
}

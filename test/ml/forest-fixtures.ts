/**
 * Reads the forest fixtures written by test/fixtures/forest_fixtures.py: numeric CSV splits whose
 * last column is `label`, and scikit-learn's reference scores.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/forest/, found from dist/test/ml/ or test/ml/. */
export const FOREST_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/forest/', import.meta.url));

export interface NumericTable {
  X: Float64Array;
  y: Float64Array;
  nRows: number;
  nCols: number;
  features: string[];
}

/** A headed all-numeric CSV; the last column is the label. */
export function readNumericCsv(path: string): NumericTable {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const nCols = header.length - 1;
  const nRows = lines.length - 1;
  const X = new Float64Array(nRows * nCols);
  const y = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const cells = lines[r + 1].split(',');
    for (let c = 0; c < nCols; c++) X[r * nCols + c] = Number(cells[c]);
    y[r] = Number(cells[nCols]);
  }
  return { X, y, nRows, nCols, features: header.slice(0, nCols) };
}

export function readSplit(name: string): { train: NumericTable; test: NumericTable } {
  return { train: readNumericCsv(`${FOREST_FIXTURES}${name}-train.csv`), test: readNumericCsv(`${FOREST_FIXTURES}${name}-test.csv`) };
}

export interface ForestReference {
  accuracy_mean?: number;
  rmse_mean?: number;
  oob_score_mean?: number;
  oob_r2_mean?: number;
  top5_features?: number[];
  n_classes?: number;
  seeds: number[];
  trees: number;
}

export function readReference(): Record<string, ForestReference> {
  return JSON.parse(readFileSync(`${FOREST_FIXTURES}reference.json`, 'utf8')) as Record<string, ForestReference>;
}

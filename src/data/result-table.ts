/**
 * The CSV table a step publishes beside its data output (predict's ranking, select.diverse's short
 * list): its parameters, its port, and how it is written. One definition, so both tables take the
 * same parameters and refuse the same mistakes.
 */
import { writeFile } from 'node:fs/promises';
import type { Dataset } from './dataset.js';
import { StepInputError } from '../errors.js';
import { didYouMean } from '../suggest.js';

export interface TableParams {
  table_columns: string[];
  table_file: string | null;
  table_digits: number;
}

export const TABLE_OUTPUT = { kind: 'report', description: 'The same rows as CSV, restricted to table_columns.' } as const;

/** Publishes the table output to `table_file`. */
export const TABLE_PUBLISH = { param: 'table_file', port: 'table' } as const;

export const TABLE_PARAMS = {
  table_columns: { type: 'array', items: { type: 'string' }, default: [], description: 'Columns of the CSV table, in order; empty = all.' },
  table_file: { type: ['string', 'null'], default: null, description: 'Also write the CSV table to this file (relative to the pipeline file).' },
  table_digits: {
    type: 'integer',
    minimum: 1,
    maximum: 17,
    default: 6,
    description: 'Significant digits of the numbers in the CSV table (a table for reading; the data output keeps full precision). 17 writes every digit.',
  },
} as const;

/** Writes `out` as the CSV table at `path`; table_columns naming no column of `out` is an error. */
export async function writeResultTable(path: string, out: Dataset, params: TableParams): Promise<void> {
  const { datasetCsv } = await import('./csv-write.js');
  const names = new Set(out.columns.map((c) => c.name));
  const unknown = params.table_columns.filter((c) => !names.has(c));
  if (unknown.length)
    throw new StepInputError(`table_columns names ${unknown.map((n) => `"${n}"${didYouMean(n, names)}`).join(', ')}, not a column of the result`);
  await writeFile(path, datasetCsv(out, params.table_columns, params.table_digits));
}

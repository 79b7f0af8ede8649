/**
 * Step `load.csv`: reads a CSV file into a dataset artifact (Arrow IPC). A thin adapter over
 * src/data/csv.ts, which does the parsing, inference and error reporting.
 */
import { isAbsolute, resolve } from 'node:path';
import { defineStep } from '../engine/step-type.js';

type DeclaredKind = 'numeric' | 'categorical' | 'text' | 'id' | 'date';

interface Params {
  path: string;
  delimiter: 'auto' | ',' | ';' | '\t' | '|';
  header: 'auto' | boolean;
  columns: Record<string, DeclaredKind>;
  /** No schema default: a default would change every existing load step's cache key. */
  formats?: Record<string, string>;
  missing: string[];
  target: string | null;
  positive: string | null;
  classes: string[] | null;
  non_finite: 'error' | 'missing';
  id: string | string[];
}

/** The default `missing:` tokens; kept equal to DEFAULT_MISSING in src/data/csv.ts (tested). */
export const LOAD_CSV_DEFAULT_MISSING = ['', 'NA', 'N/A', 'NaN', '?', 'null'];

export default defineStep<Params>({
  id: 'load.csv',
  version: '1',
  description: 'Load a CSV file: streams it, detects the delimiter and header, infers column types (numeric, categorical, text, id, date), marks the target.',
  inputs: {},
  outputs: { data: { kind: 'dataset', description: 'The table, with column kinds and the target recorded.' } },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: "The CSV file, relative to the pipeline file's directory; or its data pointer (PATH.medpipe, written by medpipe data add).",
      },
      delimiter: { enum: ['auto', ',', ';', '\t', '|'], default: 'auto', description: 'Field delimiter; auto detects it from the first rows.' },
      header: {
        enum: ['auto', true, false],
        default: 'auto',
        description: 'Whether the first row holds column names; auto detects it. Without a header columns are named column_1, column_2, …',
      },
      columns: {
        type: 'object',
        additionalProperties: { enum: ['numeric', 'categorical', 'text', 'id', 'date'] },
        default: {},
        description: 'Column kind overrides, e.g. { age: numeric, sex: categorical, mrn: id, admitted: date }. Other columns are inferred from the first rows.',
      },
      formats: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 2, pattern: '%' },
        description:
          'How date columns are written, e.g. { admitted: "%d/%m/%Y" } (directives %Y %m %d %H %M %S); makes the column a date. ISO 8601 dates and unambiguous day/month orders are detected without it. Dates are stored as days since 1970-01-01 UTC (a time without an offset is taken as UTC) and are not features: derive them with preprocess `dates:`.',
      },
      missing: {
        type: 'array',
        items: { type: 'string' },
        default: LOAD_CSV_DEFAULT_MISSING,
        description: 'Values that mean "missing" (compared after trimming spaces).',
      },
      target: { type: ['string', 'null'], default: null, description: 'The label column: categorical (classification) or numeric (regression).' },
      positive: {
        type: ['string', 'null'],
        default: null,
        description:
          'For a binary target: the class that counts as positive (e.g. malignant). Makes the target categorical, and a third class an error (a typo such as malignnat) unless `classes` lists it.',
      },
      classes: {
        type: ['array', 'null'],
        items: { type: 'string' },
        minItems: 2,
        uniqueItems: true,
        default: null,
        description:
          'Every class the target may take, e.g. [benign, malignant, borderline]: a target value not listed is an error naming its line. Needed with positive for more than two classes. Makes the target categorical.',
      },
      non_finite: {
        enum: ['error', 'missing'],
        default: 'error',
        description:
          'What an infinite number (inf, -inf, or one too large for a 64-bit float such as 1e309) in a numeric column is: error stops the load naming its line and column; missing loads it as a missing value.',
      },
      id: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        default: [],
        description: 'Identifier column(s): kept with the rows, never used as features.',
      },
    },
  },
  fileParams: ['path'],
  async run(ctx, params) {
    const { readCsv } = await import('../data/csv.js');
    const { writeDatasetFile } = await import('../data/arrow.js');
    const { summariseDataset } = await import('../data/dataset.js');
    const { describeDateColumns } = await import('../data/date-summary.js');
    const { dataFileName } = await import('../engine/data-pointer.js');
    // A data pointer's bytes are in a local file the engine checked against the pointer's digest.
    const path = ctx.dataFile('path') ?? (isAbsolute(params.path) ? params.path : resolve(ctx.pipelineDir, params.path));
    const ds = await readCsv(path, {
      displayName: dataFileName(params.path),
      ...(params.delimiter !== 'auto' ? { delimiter: params.delimiter } : {}),
      ...(params.header !== 'auto' ? { header: params.header } : {}),
      columns: params.columns,
      ...(params.formats !== undefined ? { formats: params.formats } : {}),
      missing: params.missing,
      ...(params.target !== null ? { target: params.target } : {}),
      ...(params.positive !== null ? { positive: params.positive } : {}),
      ...(params.classes !== null ? { classes: params.classes } : {}),
      nonFinite: params.non_finite,
      id: params.id,
    });
    await writeDatasetFile(ctx.output('data'), ds);
    const summary = summariseDataset(ds);
    ctx.log(`loaded ${summary.rows} rows x ${summary.columns} columns`);
    for (const line of describeDateColumns(ds)) ctx.log(line);
    // Free text (inferred when over half of a column's sampled values are distinct, src/data/csv-infer.ts) is never encoded.
    const text = ds.columns.filter((c) => c.kind === 'text').map((c) => c.name);
    if (text.length)
      ctx.log(
        `note: free text, not a feature: ${text.join(', ')} (declare columns: { <name>: categorical } to encode one, or id: to keep it as an identifier)`,
      );
    return summary;
  },
});

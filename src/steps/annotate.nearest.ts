/**
 * Step `annotate.nearest`: for each row of a dataset (e.g. ranked candidates), its nearest row of
 * a reference dataset (e.g. the QSAR model's training molecules) by fingerprint Tanimoto or
 * descriptor distance, and whether that is similar enough for the model's prediction to be
 * trusted (the applicability domain). The threshold is given, or derived from the
 * cross-validation the model was judged by (src/chem/domain.ts). With a column prefix the step
 * can be used twice in a pipeline, e.g. also as the max-Tanimoto-to-known-actives baseline.
 */
import { readFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { COMPARED_COLUMNS_PARAM, FINGERPRINT_PREFIX_PARAM } from '../chem/compare-params.js';
import { StepInputError } from '../errors.js';
import type { Column, ColumnData } from '../data/dataset.js';

interface Params {
  metric: 'tanimoto' | 'euclidean';
  columns: string[] | null;
  fingerprint_prefix: string;
  id: string;
  threshold: number | 'auto' | null;
  percentile: number;
  column_prefix: string;
  morgan: { smiles?: string; radius?: number; bits?: number } | null;
}

/** morgan's defaults, applied here: the schema's sit inside anyOf, where Ajv fills in none. */
const MORGAN_DEFAULTS = { smiles: 'canonical_smiles', radius: 2, bits: 2048 } as const;

/** The values of `data` at `rows`, missing where a row is -1 (no nearest reference row). */
function valuesAt(data: ColumnData, rows: Int32Array): ColumnData {
  if (data.type === 'numeric') return { type: 'numeric', values: Float64Array.from(rows, (r) => (r < 0 ? Number.NaN : data.values[r])) };
  if (data.type === 'categorical')
    return { type: 'categorical', codes: Int32Array.from(rows, (r) => (r < 0 ? -1 : data.codes[r])), categories: data.categories };
  return { type: 'text', values: Array.from(rows, (r) => (r < 0 ? null : data.values[r])) };
}

export default defineStep<Params>({
  id: 'annotate.nearest',
  version: '1',
  description:
    "Each row's nearest reference row (fingerprint Tanimoto or descriptor distance), its similarity, and whether it lies in the reference's applicability domain (similarity >= a threshold, by default derived from the cross-validation folds).",
  inputs: {
    data: { kind: 'dataset', description: 'Rows to annotate (e.g. predicted candidates), with the compared columns.' },
    reference: {
      kind: 'dataset',
      description: "The reference molecules (e.g. the QSAR model's training rows: a split's train output), with the same compared columns.",
    },
    folds: {
      kind: 'folds',
      description:
        "The reference's cross-validation folds (the split's folds output; the reference must be that split's train rows): threshold auto is then a percentile of each reference row's similarity to its nearest row in the other folds. Without them, to its nearest other row.",
      optional: true,
    },
  },
  outputs: {
    data: {
      kind: 'dataset',
      description:
        'The input rows, in order, with <column_prefix>nearest_id (the reference id), <column_prefix>nearest_similarity and, unless threshold is null, <column_prefix>in_domain (1 or 0).',
    },
  },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      metric: {
        enum: ['tanimoto', 'euclidean'],
        default: 'tanimoto',
        description:
          "tanimoto: on the fingerprint bit columns (a value >= 0.5 is a set bit); euclidean: on the shared descriptor columns standardised with the reference's mean and std, similarity = 1 / (1 + distance).",
      },
      columns: COMPARED_COLUMNS_PARAM,
      fingerprint_prefix: FINGERPRINT_PREFIX_PARAM,
      id: {
        type: 'string',
        minLength: 1,
        default: 'canonical_smiles',
        description: 'The reference column naming each molecule, copied into <column_prefix>nearest_id.',
      },
      threshold: {
        anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { const: 'auto' }, { type: 'null' }],
        default: 'auto',
        description:
          "in_domain is 1 where the nearest similarity is at least this. auto: the `percentile` of the reference's own cross-validation nearest similarities (with folds: to the other folds; without: leave-one-out). null: no in_domain column (e.g. for a similarity baseline).",
      },
      percentile: {
        type: 'number',
        minimum: 0,
        maximum: 100,
        default: 5,
        description:
          'threshold auto: which percentile (0-100) of the reference nearest similarities is the threshold; 5 = as similar as all but the 5% least covered molecules the model was validated on.',
      },
      morgan: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              smiles: { type: 'string', minLength: 1, default: 'canonical_smiles', description: 'The SMILES column of both tables.' },
              radius: { type: 'integer', minimum: 1, maximum: 6, default: 2, description: 'Morgan radius (2 = ECFP4-like).' },
              bits: { type: 'integer', minimum: 64, maximum: 16384, default: 2048, description: 'Fingerprint length.' },
            },
          },
        ],
        default: null,
        description:
          "metric tanimoto: compute Morgan fingerprints from both tables' SMILES with RDKit instead of reading fingerprint columns, e.g. { bits: 2048 } for the similarity search chemists use, while the model's features keep a shorter fingerprint. null: the fingerprint columns.",
      },
      column_prefix: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]*$',
        default: '',
        description: 'Prefix of the added column names, so the step can annotate one table twice (e.g. active_ gives active_nearest_similarity).',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { getColumn, makeDataset } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    const { selectColumns } = await import('../chem/retrieve-columns.js');
    const { fitStandardiser, standardisedRows } = await import('../data/standardise.js');
    const { packColumns, wordsFor } = await import('../chem/bits.js');
    const { parseFolds } = await import('../ml/cross-validate.js');
    const { domainThreshold, nearestInOtherFolds, nearestOther, nearestReference } = await import('../chem/domain.js');
    type Points = import('../chem/domain.js').Points;

    const data = await readDatasetFile(ctx.input('data')!);
    const reference = await readDatasetFile(ctx.input('reference')!);
    const refNames = reference.columns.map((c) => c.name);
    const idColumn = getColumn(reference, params.id);
    if (!idColumn)
      throw new StepInputError(`the reference has no id column "${params.id}"${didYouMean(params.id, refNames)}; set id: to the column naming each molecule`);
    if (reference.rowCount === 0) throw new StepInputError('the reference dataset has no rows');

    const p = params.column_prefix;
    const added = { id: `${p}nearest_id`, similarity: `${p}nearest_similarity`, inDomain: `${p}in_domain` };
    const addedNames = [added.id, added.similarity, ...(params.threshold === null ? [] : [added.inDomain])];
    const clash = addedNames.find((n) => getColumn(data, n));
    if (clash)
      throw new StepInputError(`in.data already has a column "${clash}": set column_prefix: to tell this step's columns apart (e.g. column_prefix: ref_)`);

    const nq = data.rowCount;
    const nr = reference.rowCount;
    let query: Points;
    let ref: Points;
    let compared: number;
    if (params.morgan) {
      if (params.metric !== 'tanimoto') throw new StepInputError('morgan: fingerprints are compared by Tanimoto: set metric: tanimoto, or morgan: null');
      const { morganFromSmiles } = await import('../chem/morgan-column.js');
      const morgan = { ...MORGAN_DEFAULTS, ...params.morgan };
      const words = wordsFor(morgan.bits);
      query = { kind: 'bits', packed: await morganFromSmiles(data, morgan, 'in.data'), words };
      ref = { kind: 'bits', packed: await morganFromSmiles(reference, morgan, 'in.reference'), words };
      compared = morgan.bits;
    } else {
      const picked = selectColumns(data, reference, params);
      compared = picked.names.length;
      if (params.metric === 'tanimoto') {
        const words = wordsFor(compared);
        query = { kind: 'bits', packed: packColumns(picked.query, nq), words };
        ref = { kind: 'bits', packed: packColumns(picked.library, nr), words };
      } else {
        const s = fitStandardiser(picked.library);
        query = { kind: 'dense', rows: standardisedRows(picked.query, s), d: compared };
        ref = { kind: 'dense', rows: standardisedRows(picked.library, s), d: compared };
      }
    }
    const nearest = nearestReference(query, nq, ref, nr);

    // The threshold, and in words how it was found (for the summary and the run record).
    let threshold: number | null = null;
    let derivation: Record<string, unknown> = {};
    if (typeof params.threshold === 'number') {
      threshold = params.threshold;
      derivation = { from: 'given' };
    } else if (params.threshold === 'auto') {
      const foldsPath = ctx.input('folds');
      let own: Float64Array;
      if (foldsPath) {
        const fold = parseFolds(JSON.parse(await readFile(foldsPath, 'utf8')));
        if (fold.length !== nr)
          throw new StepInputError(
            `the folds cover ${fold.length} rows but the reference has ${nr}: wire the train output of the split whose folds these are as the reference`,
          );
        if (new Set(fold).size < 2) throw new StepInputError('the folds input has a single fold: there are no other folds to measure similarity to');
        own = nearestInOtherFolds(ref, fold).similarity;
        derivation = { from: 'cross-validation folds', folds: new Set(fold).size };
      } else {
        if (nr < 2) throw new StepInputError('threshold auto needs at least 2 reference rows (each is compared with the others): give a number');
        own = nearestOther(ref, nr).similarity;
        derivation = { from: 'leave-one-out' };
      }
      threshold = domainThreshold(own, params.percentile);
      derivation = { ...derivation, percentile: params.percentile, reference_rows: nr, reference_similarity_median: domainThreshold(own, 50) };
    }

    const columns: Column[] = [
      ...data.columns,
      { name: added.id, kind: 'id', data: valuesAt(idColumn.data, nearest.index) },
      { name: added.similarity, kind: 'id', data: { type: 'numeric', values: nearest.similarity } },
    ];
    let inDomain = 0;
    if (threshold !== null) {
      const t = threshold;
      const flags = Float64Array.from(nearest.similarity, (s) => (s >= t ? 1 : 0));
      inDomain = flags.reduce((a, b) => a + b, 0);
      columns.push({ name: added.inDomain, kind: 'id', data: { type: 'numeric', values: flags } });
    }
    await writeDatasetFile(ctx.output('data'), makeDataset(columns, data.target));

    const median = nq ? domainThreshold(nearest.similarity, 50) : null;
    ctx.log(
      `${nq} rows against ${nr} reference rows, ${params.metric} on ${params.morgan ? `Morgan fingerprints (${compared} bits)` : `${compared} columns`}: nearest similarity median ${median === null ? '-' : median.toFixed(3)}${
        threshold === null
          ? ''
          : `; ${inDomain} in domain (similarity >= ${threshold.toFixed(3)}${derivation.from === 'given' ? '' : `, percentile ${params.percentile} of the reference rows' similarity to their nearest ${derivation.from === 'leave-one-out' ? 'other row' : 'row in the other folds'}`})`
      }`,
    );
    return {
      rows: nq,
      reference: nr,
      metric: params.metric,
      columns: compared,
      similarity_median: median,
      ...(threshold === null ? {} : { threshold, threshold_derivation: derivation, in_domain: inDomain, out_of_domain: nq - inDomain }),
    };
  },
});

/**
 * Step `retrieve.nearest`: for each query row (e.g. a generated molecular profile), the k most
 * similar molecules of a featurized library, by Euclidean distance on standardised descriptors or
 * by Tanimoto similarity on fingerprint bits; the hits of all queries merged into one table of
 * distinct library molecules, most similar first. Adapter over src/chem/nearest.ts.
 */
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { MAX_TOP_K } from '../engine/param-limits.js';

interface Params {
  k: number;
  metric: 'euclidean' | 'tanimoto';
  columns: string[] | null;
  fingerprint_prefix: string;
  id: string;
  keep: string[] | null;
}

/** Columns this step adds to the library's. */
const ADDED = ['similarity', 'distance', 'query_row', 'query_hits'] as const;

export default defineStep<Params>({
  id: 'retrieve.nearest',
  version: '1',
  description:
    'The k nearest library molecules of each query profile (standardised descriptor distance or fingerprint Tanimoto), de-duplicated, with their similarity.',
  inputs: {
    query: {
      kind: 'dataset',
      description: "Profiles to match: descriptor and/or fingerprint columns named as in the library (e.g. a generate step's output).",
    },
    library: { kind: 'dataset', description: 'A featurized library (featurize.molecules output), one row per molecule.' },
  },
  outputs: {
    data: {
      kind: 'dataset',
      description:
        "Distinct library molecules that are among some query's k nearest, most similar first: the kept library columns, similarity, distance (euclidean), query_row (0-based row of the best-matching query) and query_hits.",
    },
  },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      k: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: 5, description: 'Neighbours per query (capped at the library size).' },
      metric: {
        enum: ['euclidean', 'tanimoto'],
        default: 'euclidean',
        description:
          "euclidean: distance on the shared descriptor columns, each standardised with the library's mean and std, similarity = 1 / (1 + distance); tanimoto: on the shared fingerprint bit columns (a value >= 0.5 is a set bit).",
      },
      columns: {
        type: ['array', 'null'],
        items: { type: 'string' },
        minItems: 1,
        uniqueItems: true,
        default: null,
        description:
          'The columns compared; null = every numeric column both tables share (euclidean: except fingerprint bits, ids and the target; tanimoto: the fingerprint bits).',
      },
      fingerprint_prefix: {
        type: 'string',
        minLength: 1,
        default: 'fp_',
        description: "Name prefix of fingerprint bit columns (featurize.molecules' fingerprint.prefix).",
      },
      id: {
        type: 'string',
        minLength: 1,
        default: 'canonical_smiles',
        description: "The library's molecule id column: rows with the same id are one molecule (the first is kept).",
      },
      keep: {
        type: ['array', 'null'],
        items: { type: 'string' },
        uniqueItems: true,
        default: null,
        description:
          'Library columns in the output besides the id (e.g. [nci_id, smiles]); null = every library column, so a QSAR model can predict on the result.',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { getColumn, makeDataset, takeRows } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    const { selectColumns, libraryKeys, firstOfEachKey } = await import('../chem/retrieve-columns.js');
    const { nearestEuclidean, nearestTanimoto, mergeNeighbours } = await import('../chem/nearest.js');
    const { fitStandardiser, standardisedRows } = await import('../data/standardise.js');
    const { packColumns, wordsFor } = await import('../chem/bits.js');
    type Column = import('../data/dataset.js').Column;

    const query = await readDatasetFile(ctx.input('query')!);
    const library = await readDatasetFile(ctx.input('library')!);
    const libNames = library.columns.map((c) => c.name);
    const idColumn = getColumn(library, params.id);
    if (!idColumn)
      throw new StepInputError(`the library has no id column "${params.id}"${didYouMean(params.id, libNames)}; set id: to the column naming each molecule`);
    if (library.rowCount === 0) throw new StepInputError('the library dataset has no rows');
    const keep = [params.id, ...(params.keep ?? libNames).filter((n) => n !== params.id)];
    for (const k of keep)
      if (!getColumn(library, k)) throw new StepInputError(`keep names column "${k}", which is not in the library${didYouMean(k, libNames)}`);
    const clash = keep.find((k) => (ADDED as readonly string[]).includes(k));
    if (clash) throw new StepInputError(`library column "${clash}" has the name of a column this step adds: leave it out with keep: [...]`);

    // One row per molecule, so that k neighbours are k different molecules.
    const unique = firstOfEachKey(libraryKeys(idColumn.data));
    const lib = unique.length === library.rowCount ? library : takeRows(library, unique);
    const duplicates = library.rowCount - unique.length;
    if (duplicates) ctx.log(`library: ${duplicates} rows repeat an earlier ${params.id} and are left out`);

    const picked = selectColumns(query, lib, params);
    const nq = query.rowCount;
    const nl = lib.rowCount;
    const d = picked.names.length;
    const neighbours =
      params.metric === 'euclidean'
        ? (() => {
            const s = fitStandardiser(picked.library);
            return nearestEuclidean(standardisedRows(picked.query, s), nq, standardisedRows(picked.library, s), nl, d, params.k);
          })()
        : nearestTanimoto(packColumns(picked.query, nq), nq, packColumns(picked.library, nl), nl, wordsFor(d), params.k);
    const found = mergeNeighbours(neighbours, nq, nl);

    const n = found.library.length;
    const distance = new Float64Array(n);
    const similarity = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      if (params.metric === 'euclidean') {
        distance[r] = Math.sqrt(-found.score[r]);
        similarity[r] = 1 / (1 + distance[r]);
      } else similarity[r] = found.score[r];
    }
    const rows = takeRows(makeDataset(keep.map((k) => getColumn(lib, k)!)), found.library);
    const extra = (name: string, values: Float64Array): Column => ({ name, kind: 'id', data: { type: 'numeric', values } });
    const columns: Column[] = [
      ...rows.columns,
      extra('similarity', similarity),
      ...(params.metric === 'euclidean' ? [extra('distance', distance)] : []),
      extra('query_row', Float64Array.from(found.query)),
      extra('query_hits', Float64Array.from(found.hits)),
    ];
    const target = library.target && keep.includes(library.target.column) ? library.target : undefined;
    await writeDatasetFile(ctx.output('data'), makeDataset(columns, target));

    const sorted = Float64Array.from(similarity).sort();
    const median = n ? (n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : NaN;
    ctx.log(
      `${nq} queries x ${nl} library molecules, ${params.metric} on ${d} columns, k=${neighbours.k}: ${n} distinct molecules (similarity max ${n ? similarity[0].toFixed(3) : '-'}, median ${n ? median.toFixed(3) : '-'})`,
    );
    return {
      queries: nq,
      library: library.rowCount,
      library_unique: nl,
      metric: params.metric,
      columns: d,
      k: neighbours.k,
      molecules: n,
      similarity_max: n ? similarity[0] : null,
      similarity_median: n ? median : null,
    };
  },
});

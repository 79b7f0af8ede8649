/**
 * Step `retrieve.nearest`: for each query row (e.g. a generated molecular profile), the k most
 * similar molecules of a featurized library, by Euclidean distance on standardised descriptors or
 * by Tanimoto similarity on fingerprint bits; the hits of all queries merged into one table of
 * distinct library molecules, most similar first. Adapter over src/chem/nearest.ts.
 */
import { defineStep } from '../engine/step-type.js';
import { COMPARED_COLUMNS_PARAM, FINGERPRINT_PREFIX_PARAM } from '../chem/compare-params.js';
import { StepInputError } from '../errors.js';
import { MAX_TOP_K } from '../engine/param-limits.js';

interface Params {
  k: number;
  metric: 'euclidean' | 'tanimoto';
  columns: string[] | null;
  fingerprint_prefix: string;
  id: string;
  keep: string[] | null;
  output: 'hits' | 'all';
}

/** Columns this step adds to the library's. */
const ADDED = ['similarity', 'distance', 'query_row', 'query_hits', 'retrieved'] as const;

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
        "Distinct library molecules that are among some query's k nearest, most similar first: the kept library columns, similarity, distance (euclidean), query_row (0-based row of the best-matching query) and query_hits. With output: all, every library molecule follows, with retrieved = 0.",
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
      columns: COMPARED_COLUMNS_PARAM,
      fingerprint_prefix: FINGERPRINT_PREFIX_PARAM,
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
      output: {
        enum: ['hits', 'all'],
        default: 'hits',
        description:
          'hits: only the retrieved molecules. all: every library molecule, the retrieved first (as with hits), then the others by their similarity to the nearest query, with a 0/1 column retrieved; for scoring a whole pool, e.g. a retrospective screening benchmark.',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { getColumn, makeDataset, takeRows } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    const { selectColumns, libraryKeys, firstOfEachKey } = await import('../chem/retrieve-columns.js');
    const { nearestEuclidean, nearestTanimoto, mergeNeighbours, withUnretrieved } = await import('../chem/nearest.js');
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
    // Both sides in the metric's form: standardised rows (the library's mean and std) or packed bits.
    const search =
      params.metric === 'euclidean'
        ? (() => {
            const s = fitStandardiser(picked.library);
            const q = standardisedRows(picked.query, s);
            const l = standardisedRows(picked.library, s);
            return { ofQueries: (k: number) => nearestEuclidean(q, nq, l, nl, d, k), ofLibrary: () => nearestEuclidean(l, nl, q, nq, d, 1) };
          })()
        : (() => {
            const q = packColumns(picked.query, nq);
            const l = packColumns(picked.library, nl);
            const words = wordsFor(d);
            return { ofQueries: (k: number) => nearestTanimoto(q, nq, l, nl, words, k), ofLibrary: () => nearestTanimoto(l, nl, q, nq, words, 1) };
          })();
    const neighbours = search.ofQueries(params.k);
    const hits = mergeNeighbours(neighbours, nq, nl);
    const found = params.output === 'all' ? withUnretrieved(hits, search.ofLibrary()) : hits;

    const n = found.library.length;
    const retrieved = hits.library.length;
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
      ...(params.output === 'all'
        ? [
            extra(
              'retrieved',
              Float64Array.from(found.hits, (h) => (h > 0 ? 1 : 0)),
            ),
          ]
        : []),
    ];
    const target = library.target && keep.includes(library.target.column) ? library.target : undefined;
    await writeDatasetFile(ctx.output('data'), makeDataset(columns, target));

    // The summary is about the retrieved molecules; with output: all the rest follow them.
    const m = retrieved;
    const sorted = similarity.slice(0, m).sort();
    const median = m ? (m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2) : NaN;
    ctx.log(
      `${nq} queries x ${nl} library molecules, ${params.metric} on ${d} columns, k=${neighbours.k}: ${m} distinct molecules (similarity max ${m ? similarity[0].toFixed(3) : '-'}, median ${m ? median.toFixed(3) : '-'})${n > m ? `; ${n - m} more not retrieved` : ''}`,
    );
    return {
      queries: nq,
      library: library.rowCount,
      library_unique: nl,
      metric: params.metric,
      columns: d,
      k: neighbours.k,
      molecules: m,
      similarity_max: m ? similarity[0] : null,
      similarity_median: m ? median : null,
      ...(params.output === 'all' ? { rows: n } : {}),
    };
  },
});

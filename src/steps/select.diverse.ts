/**
 * Step `select.diverse`: a short list of ranked molecules that are not all the same chemotype.
 * From the top of a ranking (e.g. candidates by predicted potency) it picks by MaxMin on
 * fingerprints (src/chem/maxmin.ts): the best-ranked first, then each time the candidate least
 * like any already picked. Adapter over the typed-array picker. Like predict, it can also write the
 * short list as a CSV table for people.
 */
import { defineStep } from '../engine/step-type.js';
import { FINGERPRINT_PREFIX_PARAM } from '../chem/compare-params.js';
import { TABLE_OUTPUT, TABLE_PARAMS, TABLE_PUBLISH, type TableParams, writeResultTable } from '../data/result-table.js';
import { StepInputError } from '../errors.js';

interface Params extends TableParams {
  n: number;
  from_top: number | null;
  score: string | null;
  order: 'descending' | 'ascending';
  fingerprint_prefix: string;
  min_distance: number | null;
}

/** Columns this step adds. */
const ADDED = ['pick', 'min_distance_to_picked'] as const;

export default defineStep<Params>({
  id: 'select.diverse',
  version: '1',
  description:
    'Pick n diverse rows from the top of a ranking by MaxMin on fingerprint Tanimoto distance: the best first, then each time the candidate farthest from all picked.',
  inputs: {
    data: { kind: 'dataset', description: 'Ranked rows with fingerprint bit columns (e.g. predict output on featurized molecules).' },
  },
  outputs: {
    data: {
      kind: 'dataset',
      description:
        'The picked rows in pick order, every input column kept, with pick (1 = first) and min_distance_to_picked (Tanimoto distance to the nearest earlier pick; empty for the first).',
    },
    table: TABLE_OUTPUT,
  },
  defaultOutput: 'data',
  publish: TABLE_PUBLISH,
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['n'],
    properties: {
      n: { type: 'integer', minimum: 1, description: 'How many rows to pick (fewer when the candidates run out or min_distance stops it).' },
      from_top: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: 'Consider only the best from_top rows of the ranking; null = all rows.',
      },
      score: {
        type: ['string', 'null'],
        default: null,
        description:
          'Numeric column to rank by (ties keep row order; missing scores rank last); null = the rows are already ranked, best first (e.g. sorted by predict).',
      },
      order: { enum: ['descending', 'ascending'], default: 'descending', description: 'With score: descending = higher is better.' },
      fingerprint_prefix: FINGERPRINT_PREFIX_PARAM,
      min_distance: {
        type: ['number', 'null'],
        minimum: 0,
        maximum: 1,
        default: null,
        description: 'Stop early once no remaining candidate is at least this Tanimoto distance (1 - similarity) from every pick; null = pick n.',
      },
      ...TABLE_PARAMS,
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { getColumn, makeDataset, takeRows } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    const { packColumns, wordsFor } = await import('../chem/bits.js');
    const { maxMinPick } = await import('../chem/maxmin.js');

    const ds = await readDatasetFile(ctx.input('data')!);
    const names = ds.columns.map((c) => c.name);
    const clash = ADDED.find((a) => names.includes(a));
    if (clash) throw new StepInputError(`in.data already has a column "${clash}", which this step adds: rename or drop it first`);
    const prefix = params.fingerprint_prefix;
    const bitColumns = ds.columns.filter((c) => c.name.startsWith(prefix) && c.data.type === 'numeric');
    if (!bitColumns.length)
      throw new StepInputError(
        `in.data has no fingerprint bit columns (${prefix}0, ${prefix}1, …): featurize the molecules with fingerprint:, or set fingerprint_prefix`,
      );
    const bits = bitColumns.map((c) => (c.data as { values: Float64Array }).values);
    for (const [b, values] of bits.entries()) {
      const bad = values.findIndex((v) => Number.isNaN(v));
      if (bad >= 0) throw new StepInputError(`fingerprint column "${bitColumns[b].name}" has a missing value (data row ${bad + 1}): drop such rows first`);
    }

    let ranked = Int32Array.from({ length: ds.rowCount }, (_, i) => i);
    if (params.score !== null) {
      const column = getColumn(ds, params.score);
      if (!column) throw new StepInputError(`score names column "${params.score}", which is not in in.data${didYouMean(params.score, names)}`);
      if (column.data.type !== 'numeric') throw new StepInputError(`score column "${params.score}" is not numeric: rank by a numeric column`);
      const v = column.data.values;
      const sign = params.order === 'descending' ? -1 : 1;
      ranked.sort((a, b) => {
        const na = Number.isNaN(v[a]);
        const nb = Number.isNaN(v[b]);
        if (na || nb) return na === nb ? a - b : na ? 1 : -1;
        return sign * (v[a] - v[b]) || a - b;
      });
    }
    if (params.from_top !== null) ranked = ranked.subarray(0, params.from_top);

    const picks = maxMinPick(packColumns(bits, ds.rowCount), wordsFor(bits.length), ranked, {
      count: params.n,
      ...(params.min_distance !== null ? { minDistance: params.min_distance } : {}),
    });
    const rows = takeRows(ds, picks.rows);
    const out = makeDataset(
      [
        ...rows.columns,
        { name: 'pick', kind: 'id', data: { type: 'numeric', values: Float64Array.from(picks.rows, (_, i) => i + 1) } },
        { name: 'min_distance_to_picked', kind: 'id', data: { type: 'numeric', values: picks.distance } },
      ],
      ds.target,
    );
    await writeDatasetFile(ctx.output('data'), out);
    await writeResultTable(ctx.output('table'), out, params);

    const k = picks.rows.length;
    const smallest = k > 1 ? Math.min(...Array.from(picks.distance.subarray(1))) : null;
    ctx.log(
      `picked ${k} of ${ranked.length} candidates (${ds.rowCount} rows) by MaxMin on ${bits.length} fingerprint bits${
        smallest === null ? '' : `; smallest distance to an earlier pick ${smallest.toFixed(3)}`
      }${picks.stopped === 'min_distance' ? ` (stopped: no candidate at distance >= ${params.min_distance})` : ''}`,
    );
    return { rows: ds.rowCount, candidates: ranked.length, picked: k, stopped: picks.stopped, min_distance_smallest: smallest };
  },
});

/**
 * Step `split.interactions`: train/test split of a long (patient, treatment, outcome) table for
 * recommenders. Per-patient hold-out (the last k of each patient's rows by an order column, or a
 * random fraction of each patient's rows) evaluates recommendations for known patients; cold-start
 * holds out whole patients, to evaluate recommendations from features alone.
 */
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';

interface Params {
  patient: string;
  treatment: string;
  outcome: string;
  method: 'leave-last-k' | 'fraction' | 'cold-start';
  k: number;
  fraction: number;
  order_by: string | null;
  duplicates: 'error' | 'mean' | 'last';
  seed: number;
}

export const INTERACTION_COLUMN_PARAMS = {
  patient: { type: 'string', default: 'patient', description: 'Column with the patient id.' },
  treatment: { type: 'string', default: 'treatment', description: 'Column with the treatment id.' },
  outcome: { type: 'string', default: 'outcome', description: 'Column with the numeric outcome (higher is better).' },
} as const;

export default defineStep<Params>({
  id: 'split.interactions',
  version: '1',
  description:
    'Split a long patient x treatment outcome table: per-patient hold-out (leave-last-k or a random fraction) or cold-start (whole patients held out).',
  inputs: {
    data: { kind: 'dataset', description: 'One row per (patient, treatment) with the outcome (load.builtin patient-treatment-outcomes, or a long CSV).' },
  },
  outputs: {
    train: { kind: 'dataset', description: 'Training rows.' },
    test: { kind: 'dataset', description: 'Held-out rows.' },
  },
  defaultOutput: 'train',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...INTERACTION_COLUMN_PARAMS,
      method: {
        enum: ['leave-last-k', 'fraction', 'cold-start'],
        default: 'leave-last-k',
        description:
          "leave-last-k: each patient's last k rows (by order_by) are held out; fraction: a random fraction of each patient's rows; cold-start: a random fraction of patients, all their rows.",
      },
      k: {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'leave-last-k: rows held out per patient. Patients with k rows or fewer stay wholly in train.',
      },
      fraction: {
        type: 'number',
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.2,
        description: "fraction: share of each patient's rows held out (rounded; at least one row stays in train); cold-start: share of patients held out.",
      },
      order_by: {
        type: ['string', 'null'],
        default: null,
        description: "leave-last-k: numeric column ordering each patient's rows (e.g. visit or date); null = a seeded random order.",
      },
      duplicates: {
        enum: ['error', 'mean', 'last'],
        default: 'error',
        description: 'Rows with the same patient and treatment: error, or keep one with the mean outcome, or keep the last row of the table.',
      },
      seed: { type: 'integer', default: 0, description: 'Random seed: the same seed gives the same split.' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { takeRows } = await import('../data/dataset.js');
    const { internIds, outcomeValues, deduplicate } = await import('../data/interaction-table.js');
    const { createRng } = await import('../rng.js');

    const ds = await readDatasetFile(ctx.input('data')!);
    if (ds.rowCount === 0) throw new StepInputError('the table has no rows');
    const patient = internIds(ds, params.patient, 'patient');
    const treatment = internIds(ds, params.treatment, 'treatment');
    const outcome = outcomeValues(ds, params.outcome);
    const dedup = deduplicate(patient, treatment, outcome, params.duplicates, params);
    let order: Float64Array | null = null;
    if (params.order_by !== null) {
      if (params.method !== 'leave-last-k') throw new StepInputError(`order_by applies to method leave-last-k only, not ${params.method}: remove it`);
      const c = ds.columns.find((x) => x.name === params.order_by);
      if (!c) throw new StepInputError(`order_by column "${params.order_by}" is not in the table (columns: ${ds.columns.map((x) => x.name).join(', ')})`);
      if (c.data.type !== 'numeric')
        throw new StepInputError(`order_by column "${params.order_by}" is ${c.data.type}: it must be numeric (a visit number or a date as a number)`);
      order = c.data.values;
      for (let r = 0; r < order.length; r++)
        if (dedup.keep[r] && Number.isNaN(order[r])) throw new StepInputError(`row ${r + 1}: order_by column "${params.order_by}" is missing`);
    }

    // Kept rows grouped by patient, in table order.
    const n = ds.rowCount,
      nP = patient.names.length;
    const ptr = new Int32Array(nP + 1);
    for (let r = 0; r < n; r++) if (dedup.keep[r]) ptr[patient.codes[r] + 1]++;
    for (let p = 0; p < nP; p++) ptr[p + 1] += ptr[p];
    const fill = ptr.slice(0, nP);
    const rows = new Int32Array(ptr[nP]);
    for (let r = 0; r < n; r++) if (dedup.keep[r]) rows[fill[patient.codes[r]]++] = r;

    const rng = createRng(params.seed);
    const test = new Uint8Array(n);
    let tooFew = 0,
      heldOutPatients = 0;
    if (params.method === 'cold-start') {
      if (nP < 2) throw new StepInputError('cold-start needs at least two patients');
      const perm = rng.shuffle(Int32Array.from({ length: nP }, (_, p) => p));
      const nTest = Math.min(nP - 1, Math.max(1, Math.round(params.fraction * nP)));
      for (let j = 0; j < nTest; j++) for (let q = ptr[perm[j]]; q < ptr[perm[j] + 1]; q++) test[rows[q]] = 1;
      heldOutPatients = nTest;
    } else {
      for (let p = 0; p < nP; p++) {
        const mine = rows.subarray(ptr[p], ptr[p + 1]);
        const count = mine.length;
        const nTest = params.method === 'leave-last-k' ? (count > params.k ? params.k : 0) : Math.min(count - 1, Math.round(params.fraction * count));
        if (nTest <= 0) {
          tooFew++;
          continue;
        }
        heldOutPatients++;
        const ordered = Int32Array.from(mine);
        if (order) {
          const o = order;
          ordered.sort((a, b) => o[a] - o[b] || a - b);
        } else rng.shuffle(ordered);
        for (let j = count - nTest; j < count; j++) test[ordered[j]] = 1;
      }
    }
    const trainRows: number[] = [],
      testRows: number[] = [];
    for (let r = 0; r < n; r++) if (dedup.keep[r]) (test[r] ? testRows : trainRows).push(r);

    // Aggregated duplicates: the kept row carries the aggregated outcome.
    const source =
      dedup.duplicates > 0
        ? { ...ds, columns: ds.columns.map((c) => (c.name === params.outcome ? { ...c, data: { type: 'numeric' as const, values: dedup.value } } : c)) }
        : ds;
    await writeDatasetFile(ctx.output('train'), takeRows(source, trainRows));
    await writeDatasetFile(ctx.output('test'), takeRows(source, testRows));
    const what =
      params.method === 'cold-start'
        ? `${heldOutPatients} of ${nP} patients held out entirely`
        : `${heldOutPatients} patients with ${params.method === 'leave-last-k' ? `their last ${params.k} row${params.k === 1 ? '' : 's'}${order ? ` by ${params.order_by}` : ' (random order)'}` : `${params.fraction} of their rows`} held out`;
    ctx.log(`${n} rows, ${nP} patients: ${trainRows.length} train, ${testRows.length} test rows; ${what}`);
    if (tooFew) ctx.log(`${tooFew} patient${tooFew === 1 ? ' has' : 's have'} too few rows to hold any out and stay${tooFew === 1 ? 's' : ''} wholly in train`);
    if (dedup.duplicates)
      ctx.log(`${dedup.duplicates} duplicate (patient, treatment) row${dedup.duplicates === 1 ? '' : 's'} merged (duplicates: ${params.duplicates})`);
    return {
      rows: n,
      patients: nP,
      train: trainRows.length,
      test: testRows.length,
      held_out_patients: heldOutPatients,
      too_few: tooFew,
      duplicates: dedup.duplicates,
    };
  },
});

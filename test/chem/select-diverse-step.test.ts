/**
 * The select.diverse step: on a hand-made table its picks are the ones worked out by hand (in
 * chem/maxmin.test.ts) with every input column carried; the output is the same bytes on every
 * run, and its CSV table is the picks to the digits asked; on the ChEMBL series its picks from the most potent molecules are less alike than the
 * most potent ones themselves; bad inputs are refused with the column named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, makeDataset, type Column, type Dataset } from '../../src/data/dataset.js';
import { packColumns, tanimoto, wordsFor } from '../../src/chem/bits.js';
import { libraryKeys } from '../../src/chem/retrieve-columns.js';
import { StepInputError } from '../../src/errors.js';
import featurize from '../../src/steps/featurize.molecules.js';
import selectDiverse from '../../src/steps/select.diverse.js';
import { runStep } from '../helpers/step-harness.js';
import { chembl, datasetFile } from './helpers.js';

const numbers = (ds: Dataset, name: string): number[] => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric', name);
  return Array.from(d.values);
};

/** Rows A, A, B, C, B, C (see maxmin.test.ts) with scores 5, 9, 7, 6, 8, 4 and a name column. */
function handTable(): Dataset {
  const sets = [
    [0, 1, 2, 3],
    [0, 1, 2, 3],
    [2, 3, 4, 5],
    [8, 9, 10, 11],
    [2, 3, 4, 5],
    [8, 9, 10, 11],
  ];
  const columns: Column[] = [
    { name: 'name', kind: 'id', data: { type: 'text', values: ['a0', 'a1', 'b2', 'c3', 'b4', 'c5'] } },
    { name: 'score', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([5, 9, 7, 6, 8, 4]) } },
    ...Array.from(
      { length: 16 },
      (_, b): Column => ({ name: `fp_${b}`, kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(sets, (s) => (s.includes(b) ? 1 : 0)) } }),
    ),
  ];
  return makeDataset(columns);
}

test('by hand: best first, then the farthest, ties to the better score; columns carried; same bytes every run', async () => {
  const data = await datasetFile(handTable());
  const run = await runStep(selectDiverse, { data }, { n: 3, score: 'score' });
  const out = await readDatasetFile(run.outputs.data);
  const name = getColumn(out, 'name')?.data;
  assert.ok(name?.type === 'text');
  assert.deepEqual(name.values, ['a1', 'c3', 'b4']);
  assert.deepEqual(numbers(out, 'score'), [9, 6, 8]);
  assert.deepEqual(numbers(out, 'pick'), [1, 2, 3]);
  const distance = numbers(out, 'min_distance_to_picked');
  assert.ok(Number.isNaN(distance[0]), 'the first pick has no distance (a missing cell)');
  assert.deepEqual(distance.slice(1), [1, 1 - 2 / 6]);
  assert.equal(out.columns.length, handTable().columns.length + 2);
  assert.deepEqual(run.summary, { rows: 6, candidates: 6, picked: 3, stopped: 'count', min_distance_smallest: 1 - 2 / 6 });

  // The table for people: the chosen columns, the first pick's distance an empty cell, 3 significant digits.
  const table = await runStep(selectDiverse, { data }, { n: 3, score: 'score', table_columns: ['pick', 'name', 'min_distance_to_picked'], table_digits: 3 });
  assert.equal(readFileSync(table.outputs.table, 'utf8'), 'pick,name,min_distance_to_picked\n1,a1,\n2,c3,1\n3,b4,0.667\n');
  await assert.rejects(
    runStep(selectDiverse, { data }, { n: 3, table_columns: ['nme'] }),
    (e: unknown) => e instanceof StepInputError && /"nme"/.test(e.message),
  );

  const again = await runStep(selectDiverse, { data }, { n: 3, score: 'score' });
  assert.deepEqual(readFileSync(again.outputs.data), readFileSync(run.outputs.data));

  // Ascending, and the rows' own order when no score is named (row 0 first).
  const ascending = await readDatasetFile((await runStep(selectDiverse, { data }, { n: 3, score: 'score', order: 'ascending' })).outputs.data);
  assert.deepEqual(numbers(ascending, 'score'), [4, 5, 7]);
  const asGiven = await readDatasetFile((await runStep(selectDiverse, { data }, { n: 3 })).outputs.data);
  // Row 0 (A), then C at distance 1 (row 3) before B at 2/3 (row 2).
  assert.deepEqual(numbers(asGiven, 'score'), [5, 6, 7]);
});

test('from_top and min_distance limit the picks', async () => {
  const data = await datasetFile(handTable());
  const top3 = await readDatasetFile((await runStep(selectDiverse, { data }, { n: 10, score: 'score', from_top: 3 })).outputs.data);
  assert.deepEqual(numbers(top3, 'score'), [9, 8, 7], 'only rows scored 9, 8, 7 are candidates');
  const far = await runStep(selectDiverse, { data }, { n: 10, score: 'score', min_distance: 0.5 });
  assert.deepEqual(numbers(await readDatasetFile(far.outputs.data), 'score'), [9, 6, 8]);
  assert.equal((far.summary as { stopped: string }).stopped, 'min_distance');
});

test('ChEMBL series: ten picks from the 100 most potent are less alike than the ten most potent', async () => {
  const series = (await runStep(featurize, { data: await datasetFile(await chembl()) }, { fingerprint: { radius: 2, bits: 256 } })).outputs.data;
  const ds = await readDatasetFile(series);
  const bitCols = ds.columns.filter((c) => c.name.startsWith('fp_')).map((c) => (c.data as { values: Float64Array }).values);
  const packed = packColumns(bitCols, ds.rowCount);
  const words = wordsFor(bitCols.length);
  const pic50 = numbers(ds, 'pic50');
  const meanPairwise = (rows: number[]): number => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++) {
        s += tanimoto(packed, rows[i], packed, rows[j], words);
        n++;
      }
    return s / n;
  };
  const byPotency = Array.from({ length: ds.rowCount }, (_, i) => i).sort((a, b) => pic50[b] - pic50[a] || a - b);
  const run = await runStep(selectDiverse, { data: series }, { n: 10, score: 'pic50', from_top: 100 });
  const picked = await readDatasetFile(run.outputs.data);
  // The picks' rows in the series, by compound id (unique per row).
  const ids = libraryKeys(getColumn(ds, 'compound_id')!.data);
  const rows = libraryKeys(getColumn(picked, 'compound_id')!.data).map((id) => ids.indexOf(id));
  assert.equal(new Set(ids).size, ds.rowCount);
  assert.equal(rows[0], byPotency[0], 'the most potent molecule is picked first');
  assert.ok(
    rows.every((r) => byPotency.slice(0, 100).includes(r)),
    'every pick is among the 100 most potent',
  );
  const diverse = meanPairwise(rows);
  const top = meanPairwise(byPotency.slice(0, 10));
  assert.ok(diverse < top - 0.1, `mean pairwise Tanimoto: picks ${diverse.toFixed(3)}, top ten ${top.toFixed(3)}`);
});

test('a table without fingerprint bits, or an unknown score column, is refused', async () => {
  const data = await datasetFile(handTable());
  await assert.rejects(
    runStep(selectDiverse, { data }, { n: 2, fingerprint_prefix: 'ecfp_' }),
    (e: unknown) => e instanceof StepInputError && /ecfp_0/.test(e.message),
  );
  await assert.rejects(
    runStep(selectDiverse, { data }, { n: 2, score: 'scor' }),
    (e: unknown) => e instanceof StepInputError && /"scor"/.test(e.message) && /score/.test(e.message),
  );
  await assert.rejects(runStep(selectDiverse, { data }, { n: 2, score: 'name' }), (e: unknown) => e instanceof StepInputError && /not numeric/.test(e.message));
});

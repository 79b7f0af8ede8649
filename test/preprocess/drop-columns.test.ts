/** preprocess drop_columns: a named feature is left out of the model (and can still be carried for evaluation); a typo is an error. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import { fitPreprocess, transformDataset } from '../../src/data/preprocess.js';

const numeric = (name: string, values: number[], kind: Column['kind'] = 'numeric'): Column => ({
  name,
  kind,
  data: { type: 'numeric', values: Float64Array.from(values) },
});

const table = makeDataset(
  [
    numeric('age', [40, 50, 60, 70]),
    numeric('discharge_code', [1, 0, 1, 0]),
    { name: 'y', kind: 'target', data: { type: 'categorical', codes: Int32Array.from([1, 0, 1, 0]), categories: ['no', 'yes'] } },
  ],
  { column: 'y', positive: 'yes' },
);

test('drop_columns leaves a feature out of the model and says it was asked, not dropped for missing values', () => {
  const t = fitPreprocess(table, { dropColumns: ['discharge_code'] });
  assert.deepEqual(t.outputColumns, ['age', 'y']);
  const dropped = t.columns.find((c) => c.name === 'discharge_code');
  assert.deepEqual(dropped, { name: 'discharge_code', type: 'dropped', missingFraction: 0, asked: true });
  const out = transformDataset(t, table, { context: ['discharge_code'] }).dataset;
  assert.equal(out.columns.find((c) => c.name === 'discharge_code')?.kind, 'context', 'still there for subgroups, not as a feature');
});

test('drop_columns naming no feature is an error with the nearest names; naming the target says it is the target', () => {
  assert.throws(
    () => fitPreprocess(table, { dropColumns: ['discharge_cod'] }),
    /drop_columns: there is no column "discharge_cod" among the features \(nearest: discharge_code/,
  );
  assert.throws(() => fitPreprocess(table, { dropColumns: ['y'] }), /drop_columns: "y" is not a feature \(it is the target\)/);
});

/**
 * The `select-features` step end to end on Arrow files: the same columns are kept in train and
 * test, the selection artifact matches scikit-learn's SelectKBest, and outputs are deterministic.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDatasetFile, writeDatasetFile } from '../../src/data/arrow.js';
import type { FeatureSelection } from '../../src/data/select.js';
import step from '../../src/steps/select-features.js';
import { runStep } from '../helpers/step-harness.js';
import { readFixture, selectionTables, type Design } from '../preprocess/breast-cancer.js';

const fx = readFixture<{ design: Design; anovaF: { selected: string[] } }>('breast-cancer-select.json');
const { train, test: testSet } = selectionTables(fx.design);
const dir = mkdtempSync(join(tmpdir(), 'medpipe-select-test-'));
const params = { method: 'anova-f', k: fx.design.kBest, threshold: null, columns: [], seed: 0, n_neighbors: 3, trees: 100 };

test("select-features step: anova-f keeps SelectKBest's columns in train and test, plus the target", async () => {
  const inputs = { train: join(dir, 'train.arrow'), test: join(dir, 'test.arrow') };
  await writeDatasetFile(inputs.train, train);
  await writeDatasetFile(inputs.test, testSet);
  const r = await runStep(step, inputs, params);
  const selection = JSON.parse(readFileSync(r.outputs.selection, 'utf8')) as FeatureSelection;
  assert.deepEqual(selection.selected, fx.anovaF.selected);
  const expected = [...fx.anovaF.selected, fx.design.target];
  for (const port of ['train', 'test']) {
    const out = await readDatasetFile(r.outputs[port]);
    assert.deepEqual(
      out.columns.map((c) => c.name),
      expected,
    );
    assert.deepEqual(out.target, train.target);
  }
  const again = await runStep(step, inputs, params);
  assert.ok(readFileSync(r.outputs.selection).equals(readFileSync(again.outputs.selection)));
  // Datasets by content: src/data/arrow.ts numbers dictionaries from a process-wide counter (reported).
  for (const port of ['train', 'test']) assert.deepEqual(await readDatasetFile(r.outputs[port]), await readDatasetFile(again.outputs[port]), port);
});

test('select-features step: k larger than the number of features is refused', async () => {
  const inputs = { train: join(dir, 'train2.arrow'), test: join(dir, 'test2.arrow') };
  await writeDatasetFile(inputs.train, train);
  await writeDatasetFile(inputs.test, testSet);
  await assert.rejects(runStep(step, inputs, { ...params, k: 31 }), /k = 31 is larger than the number of features \(30\)/);
});

test("select-features step: forest-importance stops when its signal is aborted, rejecting with the signal's reason", async () => {
  const inputs = { train: join(dir, 'train-cancel.arrow'), test: join(dir, 'test-cancel.arrow') };
  await writeDatasetFile(inputs.train, train);
  await writeDatasetFile(inputs.test, testSet);
  const controller = new AbortController();
  const reason = new Error('cancelled by the test');
  controller.abort(reason);
  await assert.rejects(
    runStep(step, inputs, { ...params, method: 'forest-importance', trees: 100 }, process.cwd(), { signal: controller.signal }),
    (e) => e === reason,
  );
});

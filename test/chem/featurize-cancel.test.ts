/**
 * Cancelling featurize.molecules on the shipped NCI screening library (5,000 SMILES): the step
 * stops between molecules with the signal's reason, long before the last one, and writes no
 * output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import featurize from '../../src/steps/featurize.molecules.js';
import { runStep } from '../helpers/step-harness.js';
import { cancelOnProgress } from '../ml/cancel-probe.js';
import { datasetFile, nci, tempDir } from './helpers.js';

test('featurize.molecules cancelled at its first progress line: rejects with the reason, no further molecules reported, no output', async (t) => {
  const library = await nci();
  const data = await datasetFile(library);
  const outputDir = tempDir();
  const probe = cancelOnProgress();
  const params = { invalid: 'drop' };
  await assert.rejects(
    runStep(featurize, { data }, params, process.cwd(), { outputDir, signal: probe.signal, onProgress: probe.onProgress }),
    (e) => e === probe.reason,
  );
  t.diagnostic(`rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent; progress: ${probe.lines.join(' | ')}`);
  // Progress comes every 500 molecules: only the first line, so it stopped before molecule 1,000 of 5,000.
  assert.deepEqual(probe.lines, [`500/${library.rowCount} molecules`]);
  assert.ok(!existsSync(join(outputDir, 'data')), 'no output written');
});

/**
 * Cancelling evaluate.generative (the GAN's evaluation) on the shipped breast-cancer table split in
 * halves: its detection forests stop between trees, so the step rejects with the signal's reason
 * before it scores the synthetic table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';
import step from '../../src/steps/evaluate.generative.js';
import { runStep } from '../helpers/step-harness.js';
import { breastCancer, half } from '../generative/helpers.js';
import { cancelOnProgress } from '../ml/cancel-probe.js';
import { tempDir } from './helpers.js';

async function halfTable(dir: string, parity: 0 | 1): Promise<string> {
  const { names, columns } = breastCancer();
  const cols: Column[] = names.map((name, j) => ({ name, kind: 'numeric', data: { type: 'numeric', values: half(columns[j], parity) } }));
  const path = join(dir, `half-${parity}.arrow`);
  await writeDatasetFile(path, makeDataset(cols));
  return path;
}

test('evaluate.generative cancelled once the real table is summarised: rejects with the reason before scoring the synthetic table', async (t) => {
  const dir = tempDir('evaluate-cancel');
  const [real, synthetic] = await Promise.all([halfTable(dir, 0), halfTable(dir, 1)]);
  const probe = cancelOnProgress((line) => line === 'real table summarised');
  await assert.rejects(
    runStep(step, { real, synthetic }, { detector_trees: 200 }, process.cwd(), { signal: probe.signal, onProgress: probe.onProgress }),
    (e) => e === probe.reason,
  );
  t.diagnostic(`rejected ${probe.sinceAbort().toFixed(1)} ms after the abort was sent; progress: ${probe.lines.join(' | ')}`);
  assert.deepEqual(probe.lines, ['real table summarised']);
});

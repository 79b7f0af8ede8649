/**
 * select-best's `direction: auto` reads the metric's direction from the one table the metrics
 * diff uses: lower wins for detection AUC and RMSE, higher for ranking metrics at k, and a metric
 * with no known direction must be given one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepInputError } from '../../src/errors.js';
import selectBest from '../../src/steps/select-best.js';
import { runStep } from '../helpers/step-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-select-best-'));
const params = { metric: '', source: 'evaluation', use: 'value', direction: 'auto' };

function candidates(metric: string, values: number[]): { models: string[]; evaluations: string[] } {
  const models = values.map((_, i) => join(dir, `${metric}-model-${i}.json`));
  const evaluations = values.map((_, i) => join(dir, `${metric}-eval-${i}.json`));
  values.forEach((v, i) => {
    writeFileSync(models[i], JSON.stringify({ format: 'test', i }));
    writeFileSync(evaluations[i], JSON.stringify({ format: 'medpipe.metrics/1', metrics: { [metric]: { value: v, ci_low: null, ci_high: null } } }));
  });
  return { models, evaluations };
}

async function chosen(metric: string, values: number[], direction = 'auto'): Promise<number> {
  const c = candidates(metric, values);
  const run = await runStep(selectBest, c, { ...params, metric, direction });
  return JSON.parse(readFileSync(run.outputs.model, 'utf8')).i as number;
}

test('auto: lower detection AUC, lower RMSE, higher NDCG@10 and its lift win', async () => {
  assert.equal(await chosen('detection_auc', [0.97, 0.55, 0.8]), 1);
  assert.equal(await chosen('rmse', [1.2, 0.9, 1.1]), 1);
  assert.equal(await chosen('ndcg@10', [0.18, 0.21, 0.2]), 1);
  assert.equal(await chosen('lift.ndcg@10', [0.01, -0.02, 0.03]), 2);
  assert.equal(await chosen('roc_auc', [0.9, 0.95, 0.94]), 1);
});

test('a metric without a known direction must say which way is better', async () => {
  await assert.rejects(
    chosen('diversity_ratio', [0.8, 1.1]),
    (e: unknown) => e instanceof StepInputError && /direction: higher or direction: lower/.test(e.message),
  );
  assert.equal(await chosen('diversity_ratio', [0.8, 1.1], 'lower'), 0);
});

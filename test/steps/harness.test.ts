/**
 * The step harness hands a step the params a pipeline would: its schema defaults filled in, and
 * params that validation would refuse refused before the step runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineSource } from '../../src/engine/load.js';
import { validatePipeline } from '../../src/engine/validate.js';
import type { StepType } from '../../src/engine/step-type.js';
import { catalogue } from '../../src/steps/index.js';
import split from '../../src/steps/split.js';
import { runStep } from '../helpers/step-harness.js';

test("runStep fills in the step type's schema defaults, the same ones a pipeline's step gets", async () => {
  const seen: Record<string, unknown>[] = [];
  const echo: StepType = {
    id: 'echo',
    version: '1',
    description: 'returns its params',
    inputs: {},
    outputs: { out: { kind: 'report', description: 'nothing' } },
    defaultOutput: 'out',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: { n: { type: 'integer', default: 3 }, nested: { type: 'object', properties: { on: { type: 'boolean', default: true } }, default: {} } },
    },
    async run(_ctx, params) {
      seen.push(params);
    },
  };
  await runStep(echo, {}, {});
  assert.deepEqual(seen[0], { n: 3, nested: { on: true } });
  await runStep(echo, {}, { n: 5 });
  assert.deepEqual(seen[1], { n: 5, nested: { on: true } });
  await assert.rejects(runStep(echo, {}, { n: 'five' }), /invalid params for step type echo: .*must be integer/);
  assert.equal(seen.length, 2, 'the step never ran with invalid params');

  // A built-in step: the harness's params are the params of the same step in a validated pipeline.
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-harness-'));
  const file = join(dir, 'p.yaml');
  const text =
    'medpipe: 1\nname: harness\nsteps:\n  load: { uses: load.builtin, with: { name: breast-cancer-wisconsin } }\n  split: { uses: split, in: { data: load }, with: { seed: 4 } }\n';
  writeFileSync(file, text);
  const pipeline = await validatePipeline(parsePipelineSource(file, text), { catalogue });
  const captured: Record<string, unknown>[] = [];
  const spy: StepType = { ...(split as StepType), run: async (_ctx, params) => void captured.push(params) };
  await runStep(spy, {}, { seed: 4 });
  assert.deepEqual(captured[0], pipeline.steps.get('split')?.params);
  assert.equal(captured[0].test_size, 0.2, 'a default the test did not give');
});

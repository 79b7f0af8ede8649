/** The editor schema file is what the step types say, and it accepts the shipped pipelines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { pipelineEditorSchema } from '../../src/engine/schema.js';
import { builtinSteps } from '../../src/builtin-steps.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

test('schemas/pipeline.schema.json is up to date with the step types (run `npm run schema`)', () => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'schemas/pipeline.schema.json'), 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(pipelineEditorSchema([...builtinSteps.values()]))));
});

test('every step file in src/steps is registered in the step index', () => {
  const files = readdirSync(join(ROOT, 'src/steps')).filter((f) => f.endsWith('.ts') && !['index.ts', 'custom.ts'].includes(f));
  assert.deepEqual(files.map((f) => f.replace(/\.ts$/, '')).sort(), [...builtinSteps.keys()].sort());
});

test('the editor schema accepts every shipped pipeline and rejects a misspelt parameter', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(pipelineEditorSchema([...builtinSteps.values()]));
  const pipelines = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.lock.yaml'));
  assert.ok(pipelines.length > 0);
  for (const f of pipelines) {
    const doc = parse(readFileSync(join(ROOT, 'pipelines', f), 'utf8')) as { steps: Record<string, { with?: Record<string, unknown> }> };
    assert.ok(validate(doc), `${f}: ${ajv.errorsText(validate.errors)}`);
  }
  const bad = { medpipe: 1, name: 'x', steps: { s: { uses: 'split', with: { test_sise: 0.2 } } } };
  assert.equal(validate(bad), false);
});

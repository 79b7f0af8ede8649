/** The engine runs the step types of the catalogue its caller gives it, in its worker threads too. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPipeline, openStore } from '../../src/engine/open.js';
import { runPipeline } from '../../src/engine/execute.js';
import { PipelineError } from '../../src/errors.js';
import { catalogue as builtins } from '../../src/steps/index.js';
import { catalogue as tiny } from './fixtures/tiny-catalogue.js';
import { lazyStepCatalogue } from '../../src/engine/step-catalogue.js';
import type { StepType } from '../../src/engine/step-type.js';
import { makeProject } from './project.js';

const HEAD = 'medpipe: 1\nname: t\n';

test('a pipeline of a step type only an injected catalogue has validates and runs in the workers', async () => {
  const p = makeProject({ 'p.yaml': `${HEAD}steps:\n  a: { uses: tiny.double, with: { start: 3 } }\n  b: { uses: tiny.double, in: { x: a } }\n` });
  const pipeline = await loadPipeline(`${p.dir}/p.yaml`, { catalogue: tiny });
  assert.equal(pipeline.catalogue, tiny);
  assert.equal(pipeline.steps.get('b')?.inputs.x.port, 'out', 'the default output comes from the injected type');
  const result = await runPipeline(pipeline, openStore(p.dir));
  assert.equal(result.status, 'ok', JSON.stringify(result.record.steps));
  assert.deepEqual(result.record.steps.a.summary, { value: 6 });
  assert.deepEqual(result.record.steps.b.summary, { value: 12 });
});

test('the built-in catalogue does not know the injected step type, and the injected one not the built-ins', async () => {
  const p = makeProject({ 'p.yaml': `${HEAD}steps:\n  a: { uses: tiny.double }\n  b: { uses: load.csv, with: { path: x.csv, target: y } }\n` });
  const errorsWith = async (catalogue: typeof tiny): Promise<string[]> => {
    const e = await loadPipeline(`${p.dir}/p.yaml`, { catalogue }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof PipelineError);
    return e.diagnostics.filter((d) => /unknown step type/.test(d.message)).map((d) => d.message);
  };
  assert.deepEqual(await errorsWith(tiny), ['step "b": unknown step type "load.csv"']);
  assert.deepEqual(await errorsWith(builtins), ['step "a": unknown step type "tiny.double"']);
});

test('a lazy catalogue imports a step module when its type is first asked for, once, and checks the id it defines', async () => {
  let imports = 0;
  const lazy = lazyStepCatalogue('test:lazy', {
    'tiny.double': async () => {
      imports++;
      return { default: (await tiny.load('tiny.double')) as StepType };
    },
    'tiny.misnamed': async () => ({ default: (await tiny.load('tiny.double')) as StepType }),
  });
  assert.deepEqual(lazy.ids(), ['tiny.double', 'tiny.misnamed']);
  assert.equal(imports, 0);
  assert.equal(lazy.has('tiny.double'), true);
  assert.equal(lazy.has('constructor'), false);
  assert.equal(await lazy.load('nope'), undefined);
  const [a, b] = await Promise.all([lazy.load('tiny.double'), lazy.load('tiny.double')]);
  assert.equal(a?.id, 'tiny.double');
  assert.equal(a, b);
  assert.equal(imports, 1);
  await assert.rejects(lazy.load('tiny.misnamed'), /the module of "tiny\.misnamed" defines "tiny\.double"/);
});

/**
 * A step's `resources:` and `labels:` say where it may run, not what it computes: they are checked
 * like every other field (each problem at its file:line:col), carried to every member of a sweep,
 * summed up for the queue by requiredLabels, and they change no cache key: every shipped pipeline
 * with them added keeps the keys its committed lock file records, and the flagship run with them
 * writes its lock file byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import type { Diagnostic } from '../../src/errors.js';
import { loadPipeline } from '../../src/engine/open.js';
import { requiredLabels } from '../../src/engine/pipeline.js';
import { pipelineBaseSchema } from '../../src/engine/schema.js';
import { catalogue } from '../../src/steps/index.js';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';
import { makeProject } from './project.js';

const HEAD = 'medpipe: 1\nname: t\nsteps:\n';

async function diagnostics(yaml: string): Promise<Diagnostic[]> {
  const p = makeProject({ 'p.yaml': yaml });
  const r = await p.cli('validate', 'p.yaml', '--json');
  assert.equal(r.code, 1, r.out);
  return (JSON.parse(r.out) as { diagnostics: Diagnostic[] }).diagnostics;
}

const where = (d: Diagnostic): string => `${d.range?.start.line}:${d.range?.start.column} ${d.message}`;

test('wrong resources and labels are each one message at the value, with line and column', async () => {
  const yaml = `${HEAD}  a:
    uses: ./steps/counter.js
    resources: { cpu: 0, memory: 4G B, gpu: 1.5, cpus: 2 }
    labels: [highmem, Big_Mem, highmem]
  b:
    uses: ./steps/counter.js
    resources: { cpu: "-1", memory: 512 }
    labels: highmem
  c:
    uses: ./steps/counter.js
    resources: {}
`;
  assert.deepEqual((await diagnostics(yaml)).map(where), [
    '6:23 step "a": resources.cpu must be a number above 0 (2, 0.5) or millicores as a string ("500m")',
    '6:34 step "a": resources.memory must be a Kubernetes quantity as a string, e.g. "512Mi" or "4Gi"',
    '6:45 step "a": resources.gpu must be a whole number of GPUs, 0 or more',
    '6:50 step "a": unknown field "resources.cpus" (did you mean "cpu"?)',
    '7:13 step "a": labels lists a label twice (labels[0] and labels[2])',
    '7:23 step "a": labels[1] must be a label of lower-case letters, digits and "-", starting with a letter or digit (e.g. highmem)',
    '10:23 step "b": resources.cpu must be a number above 0 (2, 0.5) or millicores as a string ("500m")',
    '10:37 step "b": resources.memory must be a Kubernetes quantity as a string, e.g. "512Mi" or "4Gi"',
    '11:13 step "b": labels must be a list of worker labels, e.g. [highmem, gpu]',
    '14:16 step "c": resources is empty: give cpu, memory or gpu, or leave resources out',
  ]);
});

test('Kubernetes quantities are accepted as Kubernetes writes them, and the step carries them', async () => {
  const p = makeProject({
    'p.yaml': `${HEAD}  a: { uses: ./steps/counter.js, resources: { cpu: 0.5, memory: "512Mi", gpu: 0 } }
  b: { uses: ./steps/counter.js, in: { x: a }, resources: { cpu: "500m", memory: "4Gi", gpu: 2 }, labels: [highmem, a100] }
  c: { uses: ./steps/counter.js, in: { x: b }, resources: { cpu: 16, memory: "1.5G" } }
  d: { uses: ./steps/counter.js, in: { x: c } }
`,
  });
  const pipeline = await loadPipeline('p.yaml', { catalogue, cwd: p.dir });
  const step = (id: string) => pipeline.steps.get(id);
  assert.deepEqual(step('a')?.resources, { cpu: 0.5, memory: '512Mi', gpu: 0 });
  assert.deepEqual(step('b')?.resources, { cpu: '500m', memory: '4Gi', gpu: 2 });
  assert.deepEqual(step('b')?.labels, ['highmem', 'a100']);
  assert.equal(step('d')?.resources, undefined);
  assert.equal(step('d')?.labels, undefined);
  // The queue's routing: sorted, and a GPU asked for is the gpu label; gpu: 0 asks for none.
  assert.deepEqual(requiredLabels(step('b') as never), ['a100', 'gpu', 'highmem']);
  assert.deepEqual(requiredLabels(step('a') as never), []);
  assert.deepEqual(requiredLabels({ labels: ['gpu'], resources: { gpu: 1 } }), ['gpu']);
});

test('every member of a sweep, and the steps expanded along it, keep their resources and labels', async () => {
  const p = makeProject({
    'p.yaml': `${HEAD}  fit: { uses: ./steps/counter.js, matrix: { n: [1, 2, 3] }, resources: { cpu: 4, gpu: 1 }, labels: [highmem] }
  score: { uses: ./steps/counter.js, in: { x: fit }, resources: { memory: "1Gi" } }
`,
  });
  const pipeline = await loadPipeline('p.yaml', { catalogue, cwd: p.dir });
  const fits = [...pipeline.steps.values()].filter((s) => s.sweep?.origin === 'fit' && s.id.startsWith('fit['));
  const scores = [...pipeline.steps.values()].filter((s) => s.id.startsWith('score['));
  assert.equal(fits.length, 3);
  assert.equal(scores.length, 3);
  for (const s of fits) {
    assert.deepEqual(s.resources, { cpu: 4, gpu: 1 }, s.id);
    assert.deepEqual(requiredLabels(s), ['gpu', 'highmem'], s.id);
  }
  for (const s of scores) assert.deepEqual(s.resources, { memory: '1Gi' }, s.id);
});

test('the editor schema (medpipe schema) has both fields', () => {
  const step = (pipelineBaseSchema().definitions as Record<string, { properties: Record<string, unknown> }>).step;
  assert.ok(step.properties.resources && step.properties.labels);
});

const shipped = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.lock.yaml'));

/** The pipeline file with resources and labels on every step, written over the copy's. */
function addPlacement(file: string): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const steps = doc.get('steps');
  assert.ok(isMap(steps));
  for (const pair of steps.items) {
    const step = pair.value;
    assert.ok(isMap(step));
    step.set('resources', doc.createNode({ cpu: 2, memory: '4Gi', gpu: 1 }));
    step.set('labels', doc.createNode(['highmem']));
  }
  writeFileSync(file, doc.toString());
}

async function statusKeys(dir: string, file: string): Promise<Record<string, { key?: string; lock: string }>> {
  const r = await runCli(dir, 'status', `pipelines/${file}`, '--json');
  assert.equal(r.code, 0, r.err);
  const steps = (JSON.parse(r.out) as { steps: { step: string; key?: string; lock: string }[] }).steps;
  return Object.fromEntries(steps.map((s) => [s.step, { key: s.key, lock: s.lock }]));
}

test('resources and labels change no cache key: every shipped pipeline still matches its lock file', async () => {
  assert.ok(shipped.length >= 6, `found ${shipped.length} shipped pipelines`);
  const dir = shippedProjectCopy('placement-keys');
  for (const file of shipped) {
    const before = await statusKeys(dir, file);
    assert.ok(
      Object.values(before).some((s) => s.lock === 'matches'),
      `${file}: the committed lock file matches a fresh copy`,
    );
    addPlacement(join(dir, 'pipelines', file));
    assert.match(readFileSync(join(dir, 'pipelines', file), 'utf8'), /resources:/);
    assert.deepEqual(await statusKeys(dir, file), before, file);
  }
});

test('the flagship run with resources and labels on every step writes the committed lock file byte for byte', { timeout: 120_000 }, async () => {
  const dir = shippedProjectCopy('placement-run');
  addPlacement(join(dir, 'pipelines/breast-cancer.yaml'));
  const r = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err + r.out);
  assert.equal(readFileSync(join(dir, 'pipelines/breast-cancer.lock.yaml'), 'utf8'), readFileSync(join(ROOT, 'pipelines/breast-cancer.lock.yaml'), 'utf8'));
});

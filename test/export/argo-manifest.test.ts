/**
 * `medpipe export argo` on every shipped pipeline: the manifest is a Workflow by Argo's published
 * JSON Schema; its DAG is the pipeline's graph (each task's dependencies are its step's inputs
 * and needs, then a record task after the last steps); each task runs `medpipe run FILE --only
 * STEP` against the remote; names are ones Kubernetes accepts; no secret is written into it.
 * A step's resources: become its container's requests, a GPU its nvidia.com/gpu limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline } from '../../src/engine/open.js';
import { dependenciesOf, type Pipeline } from '../../src/engine/pipeline.js';
import {
  type ArgoContainer,
  type ArgoDagTask,
  type ArgoTemplate,
  type ArgoWorkflow,
  DAG_TEMPLATE,
  RECORD_TASK,
  STEP_ANNOTATION,
} from '../../src/export/argo-workflow.js';
import { catalogue } from '../../src/steps/index.js';
import { ROOT } from '../helpers/cli.js';
import { makeProject } from '../engine/project.js';
import { assertValidWorkflow, errorsText, exportArgo, workflowValidators } from './argo-helpers.js';

const shipped = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.lock.yaml'));
const REMOTE = 's3://hospital-ml/medpipe?region=eu-west-1';

type StepTemplate = Extract<ArgoTemplate, { container: ArgoContainer }>;

function parts(workflow: ArgoWorkflow): { tasks: readonly ArgoDagTask[]; steps: Map<string, StepTemplate> } {
  const [dag, ...rest] = workflow.spec.templates;
  assert.equal(dag.name, DAG_TEMPLATE);
  assert.equal(workflow.spec.entrypoint, DAG_TEMPLATE);
  assert.ok('dag' in dag);
  const steps = new Map(rest.map((t) => [t.name, t as StepTemplate]));
  assert.equal(steps.size, rest.length, 'template names are unique');
  return { tasks: dag.dag.tasks, steps };
}

/** The step a template runs, by its annotation. */
const stepOf = (t: StepTemplate | undefined): string | undefined => t?.metadata?.annotations?.[STEP_ANNOTATION];

function checkGraph(pipeline: Pipeline, workflow: ArgoWorkflow, file: string): void {
  const { tasks, steps } = parts(workflow);
  const byTask = new Map(tasks.map((t) => [t.name, stepOf(steps.get(t.template))]));
  const taskOf = new Map([...byTask].filter(([, step]) => step !== undefined).map(([task, step]) => [step as string, task]));
  assert.deepEqual([...taskOf.keys()].sort(), [...pipeline.steps.keys()].sort(), `${file}: one task per step`);
  for (const task of tasks) {
    assert.match(task.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${file}: task name`);
    assert.ok(task.name.length <= 63, `${file}: ${task.name} is at most 63 characters`);
    assert.equal(task.template, task.name);
    if (task.name === RECORD_TASK) continue;
    const step = pipeline.steps.get(byTask.get(task.name) as string);
    assert.ok(step);
    // The DAG's edges are the pipeline's: the task waits for exactly the steps its step reads or needs.
    assert.deepEqual((task.dependencies ?? []).map((d) => byTask.get(d)).sort(), dependenciesOf(step).sort(), `${file}: ${step.id}'s dependencies`);
    assert.deepEqual(steps.get(task.template)?.container.args, ['run', `pipelines/${file}`, '--only', step.id, '--remote', REMOTE, '--remote-required']);
  }
  // The record task comes after every step: it waits for the ones nothing else waits for.
  const record = tasks.find((t) => t.name === RECORD_TASK);
  assert.ok(record, `${file}: a record task`);
  const waitedFor = new Set(tasks.filter((t) => t !== record).flatMap((t) => t.dependencies ?? []));
  assert.deepEqual(
    [...(record.dependencies ?? [])].sort(),
    tasks
      .filter((t) => t.name !== RECORD_TASK && !waitedFor.has(t.name))
      .map((t) => t.name)
      .sort(),
  );
  assert.deepEqual(steps.get(RECORD_TASK)?.container.args, ['run', `pipelines/${file}`, '--remote', REMOTE, '--remote-required']);
}

test('every shipped pipeline exports to a Workflow valid by Argo’s schema, whose DAG is the pipeline’s graph', async () => {
  assert.ok(shipped.length >= 6, `found ${shipped.length} shipped pipelines`);
  for (const file of shipped) {
    const { workflow } = await exportArgo(ROOT, `pipelines/${file}`, '--image', 'registry.example.org/medpipe:1.0', '--remote', REMOTE);
    assertValidWorkflow(workflow, file);
    const pipeline = await loadPipeline(`pipelines/${file}`, { catalogue, cwd: ROOT });
    checkGraph(pipeline, workflow, file);
    assert.equal(workflow.metadata.generateName, `${pipeline.name}-`);
    assert.equal(workflow.metadata.annotations?.['medpipe.dev/pipeline-digest'], pipeline.digest);
    for (const t of parts(workflow).steps.values()) {
      assert.equal(t.container.image, 'registry.example.org/medpipe:1.0');
      assert.deepEqual(t.container.command, ['medpipe']);
      // Retried: a step's outputs are content-addressed, so a second attempt recomputes nothing that was pushed.
      assert.equal(t.retryStrategy.limit, '2');
      // Credentials come from the Secret, by reference; nothing in the manifest is a value.
      assert.deepEqual(
        t.container.env.map((e) => e.name),
        ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'MEDPIPE_CACHE_KEY'],
      );
      for (const e of t.container.env) {
        assert.equal('value' in e, false, `${file}: ${String(e.name)} has no inline value`);
        assert.deepEqual(e.valueFrom, { secretKeyRef: { name: 'medpipe-remote', key: e.name, optional: true } });
      }
    }
  }
});

test('a swept pipeline: every combination is its own task, with a Kubernetes name and its own id in the annotation', async () => {
  const { workflow } = await exportArgo(ROOT, 'pipelines/breast-cancer-sweep.yaml', '--image', 'i:1', '--remote', REMOTE);
  const { steps } = parts(workflow);
  const swept = [...steps.values()].filter((t) => stepOf(t)?.startsWith('svm['));
  assert.equal(swept.length, 6);
  assert.ok(
    swept.some((t) => t.name === 'svm-c-0-1-kernel-linear' && stepOf(t) === 'svm[C=0.1,kernel=linear]'),
    swept.map((t) => t.name).join(' '),
  );
});

test('resources: become requests (a GPU a limit), labels an annotation; steps without them ask for nothing', async () => {
  const p = makeProject({
    'p.yaml': `medpipe: 1
name: Resource_Test.v2
steps:
  prep_data: { uses: ./steps/counter.js, resources: { cpu: 0.5, memory: "512Mi" } }
  fit: { uses: ./steps/counter.js, in: { x: prep_data }, resources: { cpu: "1500m", memory: "4Gi", gpu: 1 }, labels: [highmem] }
  fit-cpu: { uses: ./steps/counter.js, in: { x: prep_data }, resources: { cpu: 8, gpu: 0 } }
  report: { uses: ./steps/counter.js, in: { x: fit }, needs: [fit-cpu] }
`,
  });
  const { workflow } = await exportArgo(p.dir, 'p.yaml', '--image', 'i:1', '--remote', REMOTE);
  assertValidWorkflow(workflow, 'p.yaml');
  const { tasks, steps } = parts(workflow);
  const template = (step: string): StepTemplate => [...steps.values()].find((t) => stepOf(t) === step) as StepTemplate;
  assert.deepEqual(template('prep_data').container.resources, { requests: { cpu: '0.5', memory: '512Mi' } });
  assert.deepEqual(template('fit').container.resources, { requests: { cpu: '1500m', memory: '4Gi' }, limits: { 'nvidia.com/gpu': '1' } });
  assert.deepEqual(template('fit-cpu').container.resources, { requests: { cpu: '8' } });
  assert.equal(template('report').container.resources, undefined);
  assert.equal(template('fit').metadata?.annotations?.['medpipe.dev/labels'], 'gpu,highmem');
  assert.equal(template('report').metadata?.annotations?.['medpipe.dev/labels'], undefined);
  // Names Kubernetes accepts, made from names it does not.
  assert.equal(workflow.metadata.generateName, 'resource-test-v2-');
  assert.equal(workflow.metadata.labels?.['medpipe.dev/pipeline'], 'resource-test-v2');
  assert.equal(template('prep_data').name, 'prep-data');
  // needs: is an edge too.
  assert.deepEqual(tasks.find((t) => t.name === 'report')?.dependencies, ['fit', 'fit-cpu']);
});

test('step ids that make the same Kubernetes name, or one that is reserved, get distinct names', async () => {
  const p = makeProject({
    'p.yaml': `medpipe: 1
name: t
steps:
  a_b: { uses: ./steps/counter.js }
  a-b: { uses: ./steps/counter.js, in: { x: a_b } }
  record: { uses: ./steps/counter.js, in: { x: a-b } }
  pipeline: { uses: ./steps/counter.js, in: { x: record } }
  ${'x'.repeat(100)}: { uses: ./steps/counter.js, in: { x: pipeline } }
`,
  });
  const { workflow } = await exportArgo(p.dir, 'p.yaml', '--image', 'i:1', '--remote', REMOTE);
  assertValidWorkflow(workflow, 'p.yaml');
  const { tasks, steps } = parts(workflow);
  const names = tasks.map((t) => t.name);
  assert.equal(new Set(names).size, names.length, names.join(' '));
  for (const n of names) assert.ok(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) && n.length <= 63, n);
  assert.equal(stepOf(steps.get('a-b')), 'a_b', 'the first step keeps the plain name');
  assert.match(tasks[1].name, /^a-b-[0-9a-f]{8}$/);
  assert.notEqual(stepOf(steps.get(RECORD_TASK)), 'record', 'the record task keeps its name');
  // And the chain is intact through the renamed steps.
  const pipeline = await loadPipeline('p.yaml', { catalogue, cwd: p.dir });
  checkGraphNames(pipeline, workflow);
});

/** Each task's dependencies, read back as step ids, are its step's. */
function checkGraphNames(pipeline: Pipeline, workflow: ArgoWorkflow): void {
  const { tasks, steps } = parts(workflow);
  const byTask = new Map(tasks.map((t) => [t.name, stepOf(steps.get(t.template))]));
  for (const t of tasks) {
    const id = byTask.get(t.name);
    if (id === undefined) continue;
    assert.deepEqual(
      (t.dependencies ?? []).map((d) => byTask.get(d)),
      dependenciesOf(pipeline.steps.get(id) as never),
      id,
    );
  }
}

test('the closed schema refuses a misspelt field that Argo’s published schema lets through', async () => {
  const { workflow } = await exportArgo(ROOT, 'pipelines/breast-cancer.yaml', '--image', 'i:1', '--remote', REMOTE);
  const { published, closed } = workflowValidators();
  const misspelt = structuredClone(workflow) as unknown as { spec: { templates: { dag?: { tasks: Record<string, unknown>[] } }[] } };
  const task = misspelt.spec.templates[0].dag?.tasks[1] as Record<string, unknown>;
  task.dependancies = task.dependencies;
  delete task.dependencies;
  assert.equal(published(misspelt), true, 'the published schema leaves objects open');
  assert.equal(closed(misspelt), false);
  assert.match(errorsText(closed.errors), /dependancies/);
  // And a wrong type fails both: a retry limit is an IntOrString, which Argo's schema writes as a string.
  const numeric = structuredClone(workflow) as unknown as { spec: { templates: { retryStrategy?: { limit: unknown } }[] } };
  (numeric.spec.templates[1].retryStrategy as { limit: unknown }).limit = 2;
  assert.equal(published(numeric), false);
});

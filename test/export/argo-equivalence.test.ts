/**
 * What an exported Workflow does, without Kubernetes: each task's command (read from the manifest)
 * run in topological order, each in a fresh copy of the project with an empty store (a new pod
 * from the image), sharing only a file:// remote. Each task computes exactly its own step, finding
 * every upstream step on the remote (`cached (remote)`); the record task computes nothing and
 * pushes the pipeline's record. The outputs are those of one local run: the same lock file byte
 * for byte (keys and output digests of every step), the same metrics files, and the remote's
 * record names the same outputs. Checked on the flagship (registrations) and the sweep (expanded
 * step ids, a fan-in step).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunRecord } from '../../src/engine/record.js';
import { type ArgoContainer, type ArgoDagTask, type ArgoWorkflow, RECORD_TASK, STEP_ANNOTATION } from '../../src/export/argo-workflow.js';
import type { RemotePipelineRecord } from '../../src/remote/remote-records.js';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';
import { exportArgo } from './argo-helpers.js';

/** The tasks in an order Argo could run them one at a time: each after its dependencies. */
function topological(tasks: readonly ArgoDagTask[]): ArgoDagTask[] {
  const done = new Set<string>();
  const order: ArgoDagTask[] = [];
  while (order.length < tasks.length) {
    const ready = tasks.filter((t) => !done.has(t.name) && (t.dependencies ?? []).every((d) => done.has(d)));
    assert.ok(ready.length, 'the DAG has no cycle');
    for (const t of ready) {
      done.add(t.name);
      order.push(t);
    }
  }
  return order;
}

/** The one run record a fresh project copy has after one command. */
function onlyRunRecord(dir: string): RunRecord {
  const runs = readdirSync(join(dir, '.medpipe/runs'));
  assert.equal(runs.length, 1, runs.join(' '));
  return JSON.parse(readFileSync(join(dir, '.medpipe/runs', runs[0]), 'utf8')) as RunRecord;
}

const byStatus = (record: RunRecord, status: string): string[] =>
  Object.entries(record.steps)
    .filter(([, s]) => s.status === status)
    .map(([id]) => id)
    .sort();

/** Runs the exported workflow's tasks as pods would; returns the record task's project copy and the remote folder. */
async function runAsArgoWould(file: string, metricsFiles: readonly string[]): Promise<{ recordPod: string; remote: string }> {
  const remote = mkdtempSync(join(tmpdir(), 'medpipe-argo-remote-'));
  const { workflow } = await exportArgo(shippedProjectCopy('argo-export'), file, '--image', 'i:1', '--remote', pathToFileURL(remote).href);
  const templates = new Map(
    (workflow as ArgoWorkflow).spec.templates.map((t) => [t.name, t as { metadata?: { annotations?: Record<string, string> }; container: ArgoContainer }]),
  );
  const dag = workflow.spec.templates[0];
  assert.ok('dag' in dag);
  let recordPod = '';
  for (const task of topological(dag.dag.tasks)) {
    const template = templates.get(task.template);
    assert.ok(template);
    const pod = shippedProjectCopy('argo-pod');
    const r = await runCli(pod, ...template.container.args);
    assert.equal(r.code, 0, `${task.name}: ${r.err}${r.out.slice(-1500)}`);
    const record = onlyRunRecord(pod);
    const step = template.metadata?.annotations?.[STEP_ANNOTATION];
    if (task.name === RECORD_TASK) {
      recordPod = pod;
      assert.deepEqual(byStatus(record, 'done'), [], 'the record task computes nothing');
    } else {
      assert.ok(step);
      assert.deepEqual(byStatus(record, 'done'), [step], `${task.name} computes its own step only`);
    }
    // Everything else it ran it took from the remote: what the tasks before it pushed.
    for (const [id, s] of Object.entries(record.steps)) if (id !== step) assert.deepEqual([s.status, s.source], ['cached', 'remote'], `${task.name}: ${id}`);
  }
  assert.ok(recordPod, 'the workflow has a record task');
  for (const m of metricsFiles) assert.ok(readFileSync(join(recordPod, m)).length > 0, m);
  return { recordPod, remote };
}

/** Checks the workflow's outputs against a local run's; returns the remote folder. */
async function checkEquivalence(file: string, metricsFiles: readonly string[]): Promise<string> {
  const local = shippedProjectCopy('argo-local');
  const r = await runCli(local, 'run', file);
  assert.equal(r.code, 0, r.err);
  const localRecord = onlyRunRecord(local);

  const { recordPod, remote } = await runAsArgoWould(file, metricsFiles);
  const lockFile = file.replace(/\.yaml$/, '.lock.yaml');
  assert.equal(readFileSync(join(recordPod, lockFile), 'utf8'), readFileSync(join(local, lockFile), 'utf8'), 'the same keys and outputs');
  for (const m of metricsFiles) assert.equal(readFileSync(join(recordPod, m), 'utf8'), readFileSync(join(local, m), 'utf8'), m);

  // The remote holds the pipeline's record (for medpipe pull and remote gc), naming the local run's outputs.
  const folder = join(remote, 'records/pipelines');
  const [pipelineId] = readdirSync(folder);
  const records = readdirSync(join(folder, pipelineId));
  assert.equal(records.length, 1, 'one record: only the record task pushes one');
  const pushed = JSON.parse(readFileSync(join(folder, pipelineId, records[0]), 'utf8')) as RemotePipelineRecord;
  assert.equal(pushed.pipeline, file);
  const digests = (outputs: RemotePipelineRecord['steps'][string]['outputs']) =>
    Object.fromEntries(Object.entries(outputs).map(([port, o]) => [port, o.digest]));
  assert.deepEqual(
    Object.fromEntries(Object.entries(pushed.steps).map(([id, s]) => [id, { key: s.key, outputs: digests(s.outputs) }])),
    Object.fromEntries(Object.entries(localRecord.steps).map(([id, s]) => [id, { key: s.key, outputs: s.outputs }])),
  );
  return remote;
}

test('the flagship as Argo would run it, a fresh store per task, gives the outputs of one local run; pull brings them back', { timeout: 300_000 }, async () => {
  const remote = await checkEquivalence('pipelines/breast-cancer.yaml', ['metrics/breast-cancer-svm.json', 'metrics/breast-cancer-forest.json']);
  // On a laptop afterwards (docs/distributed.md): pull, then a run that computes nothing and registers the models.
  const laptop = shippedProjectCopy('argo-laptop');
  const pulled = await runCli(laptop, 'pull', 'pipelines/breast-cancer.yaml', '--remote', remote);
  assert.equal(pulled.code, 0, pulled.err);
  const run = await runCli(laptop, 'run', 'pipelines/breast-cancer.yaml', '--remote', remote, '--json');
  assert.equal(run.code, 0, run.err);
  assert.deepEqual(byStatus(onlyRunRecord(laptop), 'done'), []);
  const models = await runCli(laptop, 'models', 'list', '--json');
  assert.deepEqual((JSON.parse(models.out) as { name: string }[]).map((m) => m.name).sort(), ['breast-cancer-forest', 'breast-cancer-svm']);
});

test('the sweep as Argo would run it (one task per combination, then the fan-in), the same', { timeout: 300_000 }, async () => {
  await checkEquivalence('pipelines/breast-cancer-sweep.yaml', []);
});

/**
 * The executor seam: a run hands each step it computes to the executor given in RunOptions as a
 * job of plain data (paths, parameters, run information), so that an executor on other machines
 * can take the worker pool's place without the planning knowing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runPipeline } from '../../src/engine/execute.js';
import type { Executor, JobHandlers, JobResult, StepJob } from '../../src/engine/executor.js';
import { loadPipeline, openStore } from '../../src/engine/open.js';
import { WorkerPool } from '../../src/engine/worker-pool.js';
import { makeProject } from './project.js';
import { catalogue } from '../../src/steps/index.js';

/** Runs jobs on the local pool after a round trip through JSON, as a queue of remote workers would receive them. */
class RecordingExecutor implements Executor {
  readonly jobs: StepJob[] = [];
  private readonly pool = new WorkerPool(catalogue.moduleUrl);
  async run(job: StepJob, handlers: JobHandlers, signal: AbortSignal): Promise<JobResult> {
    const sent = JSON.parse(JSON.stringify(job)) as StepJob;
    assert.deepEqual(sent, job, 'a job is plain data');
    this.jobs.push(sent);
    return this.pool.run(sent, handlers, signal);
  }
  close(): Promise<void> {
    return this.pool.close();
  }
}

test('a run hands the steps it computes, and only those, to the executor it is given', async () => {
  const p = makeProject({ 'p.yaml': 'medpipe: 1\nname: t\nsteps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n' });
  const store = openStore(p.dir);
  const executor = new RecordingExecutor();
  try {
    const first = await runPipeline(await loadPipeline(join(p.dir, 'p.yaml'), { catalogue }), store, { executor });
    assert.equal(first.status, 'ok');
    assert.deepEqual(
      executor.jobs.map((j) => j.stepId),
      ['a', 'b'],
    );
    assert.deepEqual(p.computed(), ['a', 'b']);
    const b = executor.jobs[1];
    assert.equal(b.inputs.x, store.objectPath(first.record.steps.a.outputs?.out as string), 'inputs are artifact paths');
    assert.equal(b.run.stepKey, first.record.steps.b.key);
    const again = await runPipeline(await loadPipeline(join(p.dir, 'p.yaml'), { catalogue }), store, { executor });
    assert.match(JSON.stringify(Object.values(again.record.steps).map((s) => s.status)), /^\["cached","cached"\]$/);
    assert.equal(executor.jobs.length, 2, 'a cached run hands over nothing');
  } finally {
    await executor.close();
  }
});

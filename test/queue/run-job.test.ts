/**
 * What a worker refuses before running anything: a job naming custom step code outside its
 * project, or code whose digest is not the one planned, is refused without importing the module
 * (importing runs its top-level code).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/engine/open.js';
import { WorkerPool } from '../../src/engine/worker-pool.js';
import { FileBackend } from '../../src/remote/file-backend.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { JOB_FORMAT, type QueueJobData } from '../../src/queue/job-spec.js';
import { runQueueJob } from '../../src/queue/run-job.js';
import { catalogue } from '../../src/steps/index.js';

test('custom step code outside the project, or not the planned code, is refused and never imported', async () => {
  const root = mkdtempSync(join(tmpdir(), 'medpipe-run-job-'));
  const project = join(root, 'project');
  const outside = join(root, 'outside');
  mkdirSync(project);
  mkdirSync(outside);
  const marker = join(root, 'RAN');
  const evil = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'top-level code ran');\nexport default {};\n`;
  writeFileSync(join(outside, 'evil.mjs'), evil);
  writeFileSync(join(project, 'step.mjs'), evil);
  const remote = new RemoteCache(new FileBackend(join(root, 'remote')), { required: true });
  const executor = new WorkerPool(catalogue.moduleUrl);
  const parts = { store: openStore(project, join(project, '.store'), project), remote, catalogue, executor, project, name: 'w' };
  const job = (uses: string, pipelineDir: string): QueueJobData => ({
    format: JOB_FORMAT,
    key: 'k'.repeat(64),
    remote: remote.location,
    stepId: 'a',
    stepType: 'evil',
    version: '1',
    pipelineDir,
    custom: { uses, codeDigest: '0'.repeat(64) },
    inputs: {},
    fanIn: {},
    files: {},
    params: {},
    run: { runId: 'r', stepKey: 'k', pipeline: { name: 'p', file: 'p.yaml', path: '/p.yaml', digest: 'd', overrides: [] }, git: null, upstream: {} },
    coordinator: 'c',
  });
  const handlers = { onProgress: () => {}, onLog: () => {} };
  try {
    for (const [uses, dir] of [
      [join(outside, 'evil.mjs'), '.'],
      ['../outside/evil.mjs', '.'],
      ['./evil.mjs', '../outside'],
    ])
      await assert.rejects(
        runQueueJob(job(uses, dir), parts, handlers, new AbortController().signal),
        /runs only code inside its project/,
        `${uses} from ${dir}`,
      );
    await assert.rejects(runQueueJob(job('./step.mjs', '.'), parts, handlers, new AbortController().signal), /is not the code the coordinator planned/);
    assert.equal(existsSync(marker), false, 'no refused module was imported');
  } finally {
    await executor.close();
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * How the coordinator's poll reads a job's end. A job that fails while the poll reads it must be
 * seen with the worker's reason: read job-then-state, a job fetched while active and failed a
 * moment later looked failed with an empty reason, and a refused step was reported as a crash.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { readJobOutcome } from '../../src/queue/coordinator.js';
import type { QueueJobData, QueueJobResult } from '../../src/queue/job-spec.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('a job failing while it is polled is read with its reason, never an empty one', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const queue = new Queue<QueueJobData, QueueJobResult>('read-race', { connection });
  const worker = new Worker(
    'read-race',
    async (job) => {
      throw new UnrecoverableError(`refused ${job.id}`);
    },
    { connection, concurrency: 1 },
  );
  try {
    // Each job is polled back to back while a worker takes and fails it: the read straddles the
    // end of many of them.
    for (let i = 0; i < 60; i++) {
      const jobId = `job-${i}`;
      await queue.add('x', {} as QueueJobData, { jobId });
      let seen: Awaited<ReturnType<typeof readJobOutcome>>;
      do seen = await readJobOutcome(queue, jobId);
      while (seen === 'pending');
      assert.deepEqual(seen, { failed: `refused ${jobId}` });
    }
    assert.equal(await readJobOutcome(queue, 'never-added'), 'absent');
  } finally {
    await worker.close();
    await queue.close();
  }
});

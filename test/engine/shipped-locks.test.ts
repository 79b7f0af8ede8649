/**
 * Every shipped pipeline's committed lock file agrees with the code: in a fresh copy (empty store)
 * `medpipe status` reports each step's current cache key as the one the lock file records. A step
 * type whose version or defaults changed without its pipelines being re-run fails here, before a
 * user's `run --ci` reports the committed metrics as produced by something else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';

const pipelines = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.lock.yaml'));

test("the committed lock file of every shipped pipeline matches every step's current key", async () => {
  assert.ok(pipelines.length >= 5, pipelines.join(', '));
  const dir = shippedProjectCopy('locks');
  for (const file of pipelines) {
    const status = await runCli(dir, 'status', join('pipelines', file), '--json');
    assert.equal(status.code, 0, status.err);
    const steps = (JSON.parse(status.out) as { steps: { step: string; lock: string }[] }).steps;
    const stale = steps.filter((s) => s.lock !== 'matches').map((s) => `${s.step} (${s.lock})`);
    assert.deepEqual(stale, [], `${file}: run \`medpipe run pipelines/${file}\` and commit its lock and metrics files`);
  }
});

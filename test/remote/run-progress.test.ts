/**
 * Large transfers show as progress of the step they are for: uploading a computed step's 9 MB
 * artifact, and downloading it for the step that reads it in another clone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeProject } from '../engine/project.js';
import { openRemote, remoteFolder } from './run-helpers.js';
import { runPipeline } from '../../src/engine/execute.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { LocalStore } from '../../src/engine/local-store.js';
import { loadPipeline } from '../../src/engine/open.js';
import { catalogue } from '../../src/steps/index.js';
import type { RemoteCache } from '../../src/remote/remote-cache.js';

/** A step that writes `mb` MiB of patterned bytes, or, given an input, that input's size (and its `tag`). */
const BIG_STEP = `
import { statSync, writeFileSync } from 'node:fs';
export default {
  id: 'big', version: '1', description: 'a large artifact, or the size of one', defaultOutput: 'out',
  inputs: { x: { kind: 'dataset', description: 'any file', optional: true } },
  outputs: { out: { kind: 'dataset', description: 'bytes' } },
  params: { type: 'object', additionalProperties: false, properties: { mb: { type: 'number', default: 0 }, tag: { type: 'string', default: '' } } },
  async run(ctx, p) {
    if (ctx.input('x')) writeFileSync(ctx.output('out'), statSync(ctx.input('x')).size + p.tag);
    else {
      const bytes = Buffer.alloc(p.mb * 1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 255;
      writeFileSync(ctx.output('out'), bytes);
    }
    return {};
  },
};
`;

const pipeline = (tag: string): string =>
  `medpipe: 1\nname: big\nsteps:\n  big: { uses: ./steps/big.js, with: { mb: 9 } }\n  size: { uses: ./steps/big.js, in: { x: big }, with: { tag: ${tag} } }\n`;

async function runWith(tag: string, remote: RemoteCache): Promise<EngineEvent[]> {
  const p = makeProject({ 'steps/big.js': BIG_STEP, 'p.yaml': pipeline(tag) });
  const events: EngineEvent[] = [];
  const loaded = await loadPipeline('p.yaml', { catalogue, cwd: p.dir });
  const result = await runPipeline(loaded, new LocalStore(join(p.dir, '.medpipe')), { remote, onEvent: (e) => events.push(e) });
  assert.equal(result.status, 'ok');
  return events;
}

const progress = (events: EngineEvent[], step: string): Extract<EngineEvent, { type: 'step:progress' }>[] =>
  events.filter((e): e is Extract<EngineEvent, { type: 'step:progress' }> => e.type === 'step:progress' && e.step === step);

test('a 9 MB artifact shows as upload progress of the step that made it, and download progress of the step that reads it', async () => {
  const dir = remoteFolder('progress');
  const pushed = progress(await runWith('a', openRemote(dir).remote), 'big');
  assert.ok(pushed.length >= 1);
  assert.match(pushed[0].message, /^uploading 9\.4 MB to the remote$/);
  assert.equal(pushed.at(-1)?.fraction, 1);

  const { remote } = openRemote(dir);
  const events = await runWith('b', remote);
  assert.ok(events.some((e) => e.type === 'step:cached' && e.step === 'big' && e.source === 'remote'));
  const fetched = progress(events, 'size');
  assert.ok(fetched.length > 1, 'several progress events while it downloads');
  assert.ok(fetched.every((e) => e.message === 'downloading 9.4 MB from the remote'));
  assert.equal(fetched.at(-1)?.fraction, 1);
  assert.equal(remote.stats.bytesDownloaded, 9 * 1024 * 1024);
  // Small transfers (the size step's own few bytes) are not shown.
  assert.equal(progress(events, 'size').filter((e) => e.message.startsWith('uploading')).length, 0);
});

/**
 * The one durable write (engine/durable.ts writeFileDurably): a write that fails part-way leaves
 * the old file as it was and no temporary file, in either place a temporary file can go (beside
 * the target, or the store's scratch folder); temporary files that killed writers left beside a
 * target are removed by the next write, those of live processes are not. The failure is real: a
 * child process whose file size limit (ulimit -f) stops the write with EFBIG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileDurably } from '../../src/engine/durable.js';
import { HOST_TAG } from '../../src/engine/process-tag.js';

const DURABLE = new URL('../../src/engine/durable.js', import.meta.url).pathname;

/** Runs writeFileDurably in a child limited to 64 KiB per file, writing 1 MiB; returns the error code it caught. */
function failingWrite(file: string, scratchDir?: string): string {
  const script = `
    import { writeFileDurably } from ${JSON.stringify(DURABLE)};
    process.on('SIGXFSZ', () => {}); // EFBIG from write(2) instead of the signal's default (terminate)
    try { writeFileDurably(${JSON.stringify(file)}, Buffer.alloc(1 << 20, 65), ${JSON.stringify(scratchDir ? { scratchDir } : {})}); console.log('written'); }
    catch (e) { console.log(e.code); }`;
  const child = spawnSync('bash', ['-c', 'ulimit -f 64; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return child.stdout.trim();
}

test('a write that fails part-way (file too large) leaves the old file and no temporary file beside it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-durable-'));
  const file = join(dir, 'metrics.json');
  writeFileSync(file, '{"old": true}\n');
  assert.equal(failingWrite(file), 'EFBIG');
  assert.equal(readFileSync(file, 'utf8'), '{"old": true}\n');
  assert.deepEqual(readdirSync(dir), ['metrics.json']);
});

test("with a scratch folder (the store's tmp/), a failed write leaves the old file and nothing in the scratch folder", () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-durable-'));
  const scratch = join(dir, 'tmp');
  const file = join(dir, 'pipelines', 'state.json');
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(file, 'old');
  assert.equal(failingWrite(file, scratch), 'EFBIG');
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.deepEqual(readdirSync(scratch), []);
  assert.deepEqual(readdirSync(join(dir, 'pipelines')), ['state.json']);
});

test('a write replaces the file whole and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-durable-'));
  const file = join(dir, 'a', 'b.json');
  writeFileDurably(file, 'first');
  writeFileDurably(file, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
  assert.deepEqual(readdirSync(join(dir, 'a')), ['b.json']);
  writeFileDurably(file, 'third', { scratchDir: join(dir, 'tmp') });
  assert.equal(readFileSync(file, 'utf8'), 'third');
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
});

test("a temporary file a killed writer left beside the target is removed by the next write; a live writer's is kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-durable-'));
  const file = join(dir, 'table.csv');
  const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    const deadTemp = `.table.csv.medpipe-${HOST_TAG}-${gone}-0a1b2c3d.tmp`;
    const liveTemp = `.table.csv.medpipe-${HOST_TAG}-${live.pid}-0a1b2c3d.tmp`;
    const otherHost = `.table.csv.medpipe-h00000000-${gone}-0a1b2c3d.tmp`;
    for (const name of [deadTemp, liveTemp, otherHost]) writeFileSync(join(dir, name), 'partial');
    writeFileDurably(file, 'a,b\n1,2\n');
    assert.deepEqual(readdirSync(dir).sort(), [liveTemp, otherHost, 'table.csv'].sort());
  } finally {
    live.kill();
  }
});

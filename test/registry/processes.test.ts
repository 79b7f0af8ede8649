/**
 * Two processes registering the same model name at the same moment: every registration gets its
 * own version number, none is lost, and the audit chain still verifies. Both children open a
 * registry that does not exist yet (so creation races too), then wait at a barrier file and
 * register together, so their transactions really interleave.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from '../../src/registry/index.js';
import { tempStore } from './helpers.js';

const REGISTRY_MODULE = new URL('../../src/registry/index.js', import.meta.url).href;
const PER_PROCESS = 20;

// The child: open, say "ready", wait for the go file, register PER_PROCESS versions, print their numbers.
const CHILD = `
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { Registry } = await import(process.env.REGISTRY_MODULE);
const [store, name, label, count] = process.argv.slice(1);
const reg = Registry.open(store, { who: label });
process.stdout.write('ready\\n');
const deadline = Date.now() + 30000; // the parent kills us if the other child fails; this is a last resort
while (!existsSync(join(store, 'go'))) {
  if (Date.now() > deadline) throw new Error('the other child never became ready');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
const dir = mkdtempSync(join(tmpdir(), 'medpipe-child-'));
const versions = [];
for (let i = 0; i < Number(count); i++) {
  const file = join(dir, 'bundle-' + i + '.json');
  writeFileSync(file, JSON.stringify({ label, i }));
  const r = reg.registerVersion({ name, bundleDigest: reg.storeBundle(file), metrics: { i }, params: { label }, lineage: { runId: label + '-' + i }, card: '# ' + label });
  versions.push(r.version);
}
reg.close();
process.stdout.write(JSON.stringify(versions) + '\\n');
`;

const running = new Set<ChildProcess>();

function child(store: string, label: string, onReady: () => void): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, store, 'breast-cancer-svm', label, String(PER_PROCESS)], {
      env: { ...process.env, REGISTRY_MODULE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      const before = out;
      out += d.toString();
      if (!before.includes('ready\n') && out.includes('ready\n')) onReady();
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      running.delete(p);
      if (code !== 0) {
        // The other child would wait at the barrier forever: stop it.
        for (const other of running) other.kill();
        return reject(new Error(`child ${label} exited ${code}: ${err}`));
      }
      resolve(JSON.parse(out.trim().split('\n').pop() as string) as number[]);
    });
  });
}

test('two processes registering one name at once get 40 distinct versions and an intact audit chain', async () => {
  const store = tempStore();
  let ready = 0;
  const go = (): void => {
    if (++ready === 2) writeFileSync(join(store, 'go'), '');
  };
  const [a, b] = await Promise.all([child(store, 'alice', go), child(store, 'bob', go)]);
  assert.equal(a.length, PER_PROCESS);
  assert.equal(b.length, PER_PROCESS);
  const all = [...a, ...b].sort((x, y) => x - y);
  assert.deepEqual(
    all,
    Array.from({ length: 2 * PER_PROCESS }, (_, i) => i + 1),
    'versions 1..40, each once',
  );
  for (const vs of [a, b])
    assert.deepEqual(
      vs,
      [...vs].sort((x, y) => x - y),
      'each process sees its versions increase',
    );

  const reg = Registry.open(store);
  const r = reg.audit();
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.entries, 1 + 2 * PER_PROCESS, 'one create and one register entry per version');
  assert.deepEqual(
    reg.listModels().map((m) => [m.name, m.versions, m.latest]),
    [['breast-cancer-svm', 2 * PER_PROCESS, 2 * PER_PROCESS]],
  );
  // Each version holds what the process that got its number registered.
  for (const [label, vs] of [
    ['alice', a],
    ['bob', b],
  ] as const) {
    vs.forEach((version, i) => {
      const v = reg.getVersion(`breast-cancer-svm@${version}`);
      assert.equal(v.who, label);
      assert.deepEqual(v.lineage, { runId: `${label}-${i}` });
    });
  }
  reg.close();
});

/**
 * Concurrent runs and registry writers on one store: three flagship runs with different seeds
 * (they publish into one checkout, so they take turns), a run of a non-publishing variant that
 * registers at the same time as they do, and a process that promotes and tags versions in a loop
 * while all of them run. Afterwards the registry audits ok and extends the head pinned before,
 * its recorded head is its last entry, every run's registrations and every one of the writer's
 * changes are in it, and the committed files are those of one and the same run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import type { RunRecord } from '../../src/engine/record.js';
import { assertClearError, projectCopy, spawnCli, type Finished } from './helpers.js';
import { seeded, suiteSeed } from './seeded.js';

const SEED = suiteSeed(0x5eed0004);
const PIPELINE = 'pipelines/breast-cancer.yaml';
const VARIANT = 'pipelines/breast-cancer-variant.yaml';
const CLI_MODULE = new URL('../../src/cli/cli.js', import.meta.url).href;

/**
 * The writer: the real CLI, in a loop in its own process, until the stop file appears. Each
 * round promotes the latest version of one model to production or tags it (round=N), chosen by a
 * seeded generator; it prints, as JSON, what each change did (the version it resolved).
 */
const WRITER = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
const { main } = await import(process.env.CLI_MODULE);
const [dir, seedText] = process.argv.slice(1);
let s = Number(seedText) >>> 0;
const next = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const done = [];
for (let round = 1; round <= 400 && !existsSync(join(dir, 'stop')); round++) {
  const model = next() < 0.5 ? 'breast-cancer-svm' : 'breast-cancer-forest';
  const args = next() < 0.5 ? ['models', 'promote', model, 'production', '--json'] : ['models', 'tag', model, 'round=' + round, '--json'];
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t + '\\n'), err: (t) => (err += t + '\\n'), stdout: { isTTY: false }, cwd: dir });
  if (code !== 0) { process.stderr.write(args.join(' ') + ' exited ' + code + ': ' + err); process.exit(1); }
  const r = JSON.parse(out);
  done.push(args[1] === 'promote' ? { op: 'promote', model, version: r.version } : { op: 'tag', model, version: r.version, round });
  await new Promise((w) => setTimeout(w, 10 + Math.floor(next() * 60)));
}
process.stdout.write(JSON.stringify(done) + '\\n');
`;

interface WriterOp {
  op: 'promote' | 'tag';
  model: string;
  version: number;
  round?: number;
}

function writer(dir: string, seed: number): Promise<{ code: number | null; ops: WriterOp[]; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, dir, String(seed)], {
      env: { ...process.env, CLI_MODULE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, err, ops: code === 0 ? (JSON.parse(out.trim().split('\n').pop() as string) as WriterOp[]) : [] }));
  });
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

test(`three flagship runs, a registering variant and a promote/tag loop at once leave one run's files and a consistent registry (seed 0x${SEED.toString(16)})`, async (t) => {
  const rng = seeded(SEED);
  const dir = projectCopy('concurrent');
  // The same steps without the metrics files: it publishes nothing, so it runs alongside the
  // flagship runs instead of waiting for them, and registers versions of the same two models.
  writeFileSync(
    join(dir, VARIANT),
    readFileSync(join(dir, PIPELINE), 'utf8')
      .replace(/^\s*metrics_file:.*\n/gm, '')
      .replace('name: breast-cancer-diagnosis', 'name: breast-cancer-variant'),
  );
  const first = await runCli(dir, 'run', PIPELINE);
  assert.equal(first.code, 0, first.err + first.out);
  const pinned = /chain head (\d+:[0-9a-f]{64})/.exec((await runCli(dir, 'models', 'audit')).out)?.[1];
  assert.ok(pinned);

  // Pipeline seeds whose models pass the flagship's gates (1 to 14 all do), all different, so
  // each run registers new versions.
  const seeds: number[] = [];
  while (seeds.length < 4) {
    const s = rng.int(1, 15);
    if (!seeds.includes(s)) seeds.push(s);
  }
  const context = `${rng.label}: flagship seeds ${seeds.slice(0, 3).join(', ')}, variant seed ${seeds[3]}`;
  t.diagnostic(context);
  const writing = writer(dir, rng.int(1, 2 ** 31));
  // Each run's seed is in its pipeline file (a --set run is an experiment, which publishes and
  // registers nothing): the file is rewritten for the next run once the previous one has read it.
  const withSeed = (file: string, seed: number): void =>
    writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').replace(/^  seed: \d+$/m, `  seed: ${seed}`));
  const runs: Promise<Finished>[] = [];
  for (const s of seeds.slice(0, 3)) {
    withSeed(PIPELINE, s);
    const child = spawnCli(dir, ['run', PIPELINE, '--plain']);
    await child.started;
    runs.push(child.done);
  }
  withSeed(VARIANT, seeds[3]);
  runs.push(spawnCli(dir, ['run', VARIANT, '--plain', '--only', 'register-svm', '--only', 'register-forest']).done);
  const results = await Promise.all(runs);
  writeFileSync(join(dir, 'stop'), '');
  const written = await writing;
  for (const r of results) assert.equal(r.code, 0, `${context}\n${r.err}${r.out}`);
  assert.equal(written.code, 0, `${context}: the writer failed: ${written.err}`);
  assert.ok(written.ops.length > 0, context);
  t.diagnostic(
    `the writer made ${written.ops.filter((o) => o.op === 'promote').length} promotions and ${written.ops.filter((o) => o.op === 'tag').length} tags while the runs ran`,
  );

  // The registry: intact, extending the head pinned before, its recorded head its last entry.
  const audit = await runCli(dir, 'models', 'audit', '--expect', pinned);
  assert.equal(audit.code, 0, `${context}: ${audit.err}`);
  const head = /chain head (\d+):([0-9a-f]{64})/.exec(audit.out);
  assert.ok(head, audit.out);
  assert.deepEqual(
    JSON.parse(readFileSync(join(dir, '.medpipe', 'registry.head.json'), 'utf8')),
    { seq: Number(head[1]), hash: head[2] },
    `${context}: registry.head.json is not the chain's last entry`,
  );

  // Every run's registrations, once each: versions 1 to 5 of both models, one per seed.
  const records = readdirSync(join(dir, '.medpipe', 'runs')).map((n) => JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', n), 'utf8')) as RunRecord);
  for (const model of ['breast-cancer-svm', 'breast-cancer-forest']) {
    const versions = JSON.parse((await runCli(dir, 'models', 'list', '--json')).out).find((m: { name: string }) => m.name === model) as {
      versions: number;
      aliases: Record<string, number>;
    };
    assert.equal(versions.versions, 5, `${context}: ${model} has ${versions.versions} versions`);
    const registeredBy = new Set<number>();
    for (const r of records) {
      const step = Object.values(r.steps).find((s) => s.uses === 'register' && (s.summary as { name?: string } | undefined)?.name === model);
      if (step) registeredBy.add((step.summary as { version: number }).version);
    }
    assert.deepEqual([...registeredBy].sort(), [1, 2, 3, 4, 5], `${context}: the versions the run records name for ${model}`);

    // The writer's last promotion and last tag of each version are what the registry holds.
    const promotions = written.ops.filter((o) => o.op === 'promote' && o.model === model);
    if (promotions.length) assert.equal(versions.aliases.production, promotions[promotions.length - 1].version, `${context}: ${model}@production`);
    const lastRound = new Map<number, number>();
    for (const o of written.ops) if (o.op === 'tag' && o.model === model) lastRound.set(o.version, o.round as number);
    for (const [version, round] of lastRound) {
      const shown = JSON.parse((await runCli(dir, 'models', 'show', `${model}@${version}`, '--json')).out) as { tags: Record<string, string> };
      assert.equal(shown.tags.round, String(round), `${context}: the round tag of ${model}@${version}`);
    }
  }

  // The committed files: the lock file and both metrics files of one and the same flagship run.
  const lock = parse(readFileSync(join(dir, 'pipelines', 'breast-cancer.lock.yaml'), 'utf8')) as {
    steps: Record<string, { key: string; outputs: Record<string, string> }>;
  };
  const producer = records.filter((r) => r.pipeline.file === PIPELINE && Object.entries(lock.steps).every(([id, s]) => r.steps[id]?.key === s.key));
  assert.equal(producer.length, 1, `${context}: exactly one run has every key the lock file records`);
  for (const [step, file] of [
    ['eval-svm', 'metrics/breast-cancer-svm.json'],
    ['eval-forest', 'metrics/breast-cancer-forest.json'],
  ]) {
    assert.equal(sha256(readFileSync(join(dir, file))), lock.steps[step].outputs.metrics, `${context}: ${file} is not the one the lock file records`);
  }
  assert.deepEqual(
    readdirSync(join(dir, 'pipelines')).filter((f) => f.includes('variant')),
    ['breast-cancer-variant.yaml'],
    `${context}: the variant (--only) wrote no lock file`,
  );

  // Damage is still refused cleanly after all this: a wrong expectation is reported, not crashed on.
  const wrong = await runCli(dir, 'models', 'audit', '--expect', `${head[1]}:${'0'.repeat(64)}`);
  assert.equal(wrong.code, 1, context);
  assertClearError(wrong.err, context);
});

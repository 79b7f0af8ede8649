/**
 * SIGKILL during the drug-discovery pipeline (RDKit featurisation, a forest, a GAN on the wasm
 * backend): two runs killed at seeded instants in their first seconds (loading and RDKit
 * featurisation, in worker threads), then one uninterrupted run, which must write the
 * repository's committed candidate table, metrics and lock file byte for byte (the shipped
 * pipelines reproduce them), leave nothing damaged or temporary, and register each model once.
 * The kills stay early: what they interrupt is recomputed by the final run, which already takes
 * most of this file's time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';
import { committedFiles } from '../integrity/helpers.js';
import { assertCommittedEqual, filesUnder, projectCopy, spawnCli } from './helpers.js';
import { seeded, suiteSeed } from './seeded.js';

const SEED = suiteSeed(0x5eed0002);
const PIPELINE = 'pipelines/drug-discovery.yaml';
const OWN_FILES = ['metrics/drug-discovery-qsar.json', 'metrics/drug-discovery-gan.json', 'results/drug-candidates.csv', 'pipelines/drug-discovery.lock.yaml'];

test(`drug discovery killed twice early, then run to the end, writes the committed files byte for byte (seed 0x${SEED.toString(16)})`, async (t) => {
  const rng = seeded(SEED);
  const dir = projectCopy('kill-drug');
  // The repository's committed files are the reference: copied in, recorded, and this pipeline's
  // own removed, so the final run has to write them (and must leave the other pipelines' alone).
  cpSync(join(ROOT, 'metrics'), join(dir, 'metrics'), { recursive: true });
  cpSync(join(ROOT, 'results'), join(dir, 'results'), { recursive: true });
  const reference = committedFiles(dir);
  for (const f of OWN_FILES) {
    assert.ok(reference.has(f), `${f} is committed in the repository`);
    rmSync(join(dir, f));
  }

  const log: string[] = [];
  for (let i = 0; i < 2; i++) {
    const delay = rng.int(1500, 7000);
    const result = await spawnCli(dir, ['run', PIPELINE, '--plain']).killAfter(delay);
    log.push(`#${i + 1}: SIGKILL after ${delay} ms: ${result.signal ?? `exit ${result.code}`}`);
    if (result.signal !== 'SIGKILL') assert.equal(result.code, 0, `${rng.label}, ${log.join('; ')}\n${result.err}${result.out}`);
  }
  const context = `${rng.label}; ${log.join('; ')}`;
  t.diagnostic(context);

  const final = await spawnCli(dir, ['run', PIPELINE, '--plain']).done;
  assert.equal(final.code, 0, `${context}\n${final.err}${final.out}`);
  assertCommittedEqual(dir, reference, context);

  const verify = await runCli(dir, 'cache', 'verify');
  assert.equal(verify.code, 0, `${context}: cache verify found damage:\n${verify.err}${verify.out}`);
  assert.deepEqual(filesUnder(join(dir, '.medpipe', 'tmp')), [], `${context}: temporary files of the killed runs are left`);
  const audit = await runCli(dir, 'models', 'audit');
  assert.equal(audit.code, 0, `${context}: ${audit.err}`);
  const models = JSON.parse((await runCli(dir, 'models', 'list', '--json')).out) as { name: string; versions: number }[];
  assert.deepEqual(
    models.map((m) => [m.name, m.versions]),
    [
      ['chembl2321810-active-profiles', 1],
      ['chembl2321810-qsar', 1],
    ],
    context,
  );
});

/**
 * The drug-discovery pipeline end to end, from a copy of the shipped project: RDKit featurizes
 * the ChEMBL series and the NCI library, the QSAR forest is cross-validated and evaluated, the GAN
 * trained on the actives beats the independent-marginals baseline (the step fails otherwise),
 * candidates are retrieved and ranked, both models are registered, and a second run is all cached.
 * The metrics files it writes are the committed ones, byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/engine/record.js';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';

test('drug-discovery.yaml: QSAR, GAN, retrieval and ranking from a fresh copy, both models registered', async () => {
  const dir = shippedProjectCopy('drug');
  const pipeline = 'pipelines/drug-discovery.yaml';
  const ran = await runCli(dir, 'run', pipeline);
  assert.equal(ran.code, 0, ran.err + ran.out);
  const runId = /run (\S+)\)/.exec(ran.out)?.[1] as string;
  const record = JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord;

  // The candidate table: ranked by predicted pIC50, each a real NCI molecule similar to a generated profile.
  const lines = readFileSync(join(dir, 'results/drug-candidates.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'rank,nci_id,canonical_smiles,similarity,predicted_pic50');
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.ok(rows.length >= 10, `${rows.length} candidates`);
  rows.forEach((r, i) => {
    assert.equal(Number(r[0]), i + 1);
    assert.match(r[1], /^NSC\d+$/);
    const similarity = Number(r[3]);
    assert.ok(similarity > 0 && similarity <= 1, `similarity ${r[3]}`);
    if (i > 0) assert.ok(Number(r[4]) <= Number(rows[i - 1][4]), 'sorted by predicted pIC50');
  });
  assert.equal(new Set(rows.map((r) => r[1])).size, rows.length, 'each molecule once');

  // QSAR: cross-validated on the train rows and evaluated on held-out ones.
  const qsar = JSON.parse(readFileSync(join(dir, 'metrics/drug-discovery-qsar.json'), 'utf8'));
  assert.ok(qsar.metrics.r2.value > 0.5, `test R² ${qsar.metrics.r2.value}`);
  const cv = (record.steps.qsar.summary as { cv: Record<string, { mean: number }> }).cv;
  assert.ok(cv.r2.mean > 0.4, `cross-validated R² ${cv.r2.mean}`);

  // The GAN: which backend trained it is recorded, and it beat the marginal baseline.
  assert.equal((record.steps.gan.summary as { backend: string }).backend, 'wasm');
  const gan = JSON.parse(readFileSync(join(dir, 'metrics/drug-discovery-gan.json'), 'utf8'));
  for (const m of ['correlation_distance', 'detection_auc']) assert.equal(gan.metrics[m].beats_baseline, true, `${m}: ${JSON.stringify(gan.metrics[m])}`);

  for (const name of ['chembl2321810-qsar', 'chembl2321810-active-profiles']) {
    const show = await runCli(dir, 'models', 'show', `${name}@staging`, '--json');
    assert.equal(show.code, 0, show.err);
    const v = JSON.parse(show.out) as { card: string };
    if (name.endsWith('profiles')) {
      assert.match(v.card, /^- Generator: standard GAN|^- Generator: wgan-gp GAN/m);
      assert.match(v.card, /trained on the TensorFlow\.js wasm backend/);
      assert.match(v.card, /^- Generates: 12 columns/m);
    } else assert.match(v.card, /^- Predicts: pic50 \(regression\)/m);
  }
  const predicted = await runCli(dir, 'predict', 'chembl2321810-active-profiles@staging', '--input', 'data/nci-screening-5k.csv');
  assert.equal(predicted.code, 2);
  assert.match(predicted.err, /it is a generator/);

  const again = await runCli(dir, 'run', pipeline);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /0 ran, \d+ cached/);
  for (const f of ['metrics/drug-discovery-qsar.json', 'metrics/drug-discovery-gan.json']) {
    assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(ROOT, f), 'utf8'), `${f} as committed`);
  }
});

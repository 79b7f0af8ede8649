/**
 * The drug-discovery pipeline end to end, from a copy of the shipped project: RDKit featurizes
 * the ChEMBL series and the NCI library, the QSAR forest is cross-validated and evaluated, the GAN
 * trained on the actives beats the independent-marginals baseline (the step fails otherwise),
 * library is standardised and filtered, its candidates ranked with their uncertainty and domain and
 * picked for diversity, both models are registered, the retrospective screening benchmark runs
 * beside it, and a second run is all cached. The metrics, tables and lock files it writes are the
 * committed ones, byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/engine/record.js';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';

test('drug-discovery.yaml: QSAR, GAN, standardised and filtered candidates with uncertainty and domain, both models registered; the retrospective benchmark beside it', async () => {
  const dir = shippedProjectCopy('drug');
  const pipeline = 'pipelines/drug-discovery.yaml';
  const ran = await runCli(dir, 'run', pipeline);
  assert.equal(ran.code, 0, ran.err + ran.out);
  const runId = /run (\S+)\)/.exec(ran.out)?.[1] as string;
  const record = JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord;

  // The candidate table: standardised library molecules that passed the filters, in the series'
  // size range, ranked by predicted pIC50 and cut to a diverse 50 by MaxMin.
  const [head, ...lines] = readFileSync(join(dir, 'results/drug-candidates.csv'), 'utf8').trim().split('\n');
  const columns = head.split(',');
  assert.deepEqual(columns, [
    'pick',
    'nci_id',
    'canonical_smiles',
    'standardization',
    'alerts',
    'predicted_pic50',
    'predicted_pic50_low',
    'predicted_pic50_high',
    'nearest_id',
    'nearest_similarity',
    'in_domain',
  ]);
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
  assert.equal(rows.length, 50);
  const series = new Set(
    readFileSync(join(dir, 'data/chembl2321810-pic50.csv'), 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]),
  );
  rows.forEach((r, i) => {
    assert.equal(Number(r.pick), i + 1);
    assert.match(r.nci_id, /^NSC\d+$/);
    assert.doesNotMatch(r.canonical_smiles, /\./, `${r.nci_id}: a mixture`);
    assert.doesNotMatch(r.canonical_smiles, /\[(Mn|Fe|Co|Ni|Cu|Zn|Pt|Pd|Hg|Sn|Cr|Na|K|Li|Ca|Mg)[^a-z]/, `${r.nci_id}: a metal`);
    assert.equal(r.alerts, '', `${r.nci_id}: alerts ${r.alerts}`);
    const [low, mid, high] = [r.predicted_pic50_low, r.predicted_pic50, r.predicted_pic50_high].map(Number);
    assert.ok(low <= mid && mid <= high, `${r.nci_id}: ${low} <= ${mid} <= ${high}`);
    for (const v of [r.predicted_pic50, r.predicted_pic50_low, r.predicted_pic50_high, r.nearest_similarity])
      assert.match(v, /^-?(0\.\d{1,3}|[1-9]\d*(\.\d{1,2})?|0)$/, `${r.nci_id}: ${v} rounded to 3 significant digits`);
    assert.ok(series.has(r.nearest_id), `${r.nci_id}: the nearest training molecule ${r.nearest_id} is a series compound`);
    const similarity = Number(r.nearest_similarity);
    assert.ok(similarity > 0 && similarity < 1);
    assert.equal(r.in_domain, similarity >= (record.steps.domain.summary as { threshold: number }).threshold ? '1' : '0');
  });
  assert.equal(new Set(rows.map((r) => r.nci_id)).size, rows.length, 'each molecule once');
  // The manganese complex with counter-ions ranked second before standardisation: dropped now, and counted.
  assert.ok(!rows.some((r) => r.nci_id === 'NSC3385'));
  const standardised = record.steps['featurize-library'].summary as { standardization: { dropped_metal: number; salts_stripped: number } };
  assert.ok(standardised.standardization.dropped_metal > 100, JSON.stringify(standardised.standardization));
  const filtered = record.steps['filter-library'].summary as { molecules: number; passed: number; failed_by_rule: Record<string, number> };
  for (const rule of ['lipinski', 'veber', 'pains_a', 'pains_b', 'pains_c', 'brenk'])
    assert.ok(filtered.failed_by_rule[rule] > 0, `${rule}: ${JSON.stringify(filtered)}`);
  assert.ok(filtered.passed < filtered.molecules);

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

  // The retrospective benchmark in the same project: the GAN and the featurized tables are the
  // shipped pipeline's (cached), the QSAR is trained again without the held-out fifth.
  const retro = await runCli(dir, 'run', 'pipelines/drug-discovery-retrospective.yaml');
  assert.equal(retro.code, 0, retro.err + retro.out);
  assert.match(retro.out, /  gan: cached/);
  for (const f of ['metrics/drug-discovery-screening.json', 'metrics/drug-discovery-screening-series.json', 'pipelines/drug-discovery-retrospective.lock.yaml'])
    assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(ROOT, f), 'utf8'), `${f} as committed`);

  const again = await runCli(dir, 'run', pipeline);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /0 ran, \d+ cached/);
  for (const f of ['metrics/drug-discovery-qsar.json', 'metrics/drug-discovery-gan.json']) {
    assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(ROOT, f), 'utf8'), `${f} as committed`);
  }
});

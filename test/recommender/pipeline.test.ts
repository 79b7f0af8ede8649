/**
 * End to end: the shipped treatment-recommendation pipeline runs from a copy of the project, writes
 * its metrics file and lock file, registers the better model, and `medpipe recommend` serves a
 * known patient (from history) and a new one (from features, or a clear error without them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';

test('treatment-recommendation.yaml runs, registers the better model, and medpipe recommend serves known and new patients', async () => {
  const dir = shippedProjectCopy('recommender');
  const pipeline = 'pipelines/treatment-recommendation.yaml';
  const validated = await runCli(dir, 'validate', pipeline);
  assert.equal(validated.code, 0, validated.err);
  const ran = await runCli(dir, 'run', pipeline, '--plain');
  assert.equal(ran.code, 0, ran.err + ran.out);
  assert.match(ran.out, /best of 2: train\[method=(als|item-knn)\] \(ndcg@10/);
  assert.match(ran.out, /registered treatment-recommender@1 \(alias staging\)/);
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics/treatment-recommendation.json'), 'utf8'));
  assert.equal(metrics.format, 'medpipe.metrics/1');
  assert.equal(metrics.baseline.method, 'popularity');
  assert.ok(metrics.lift['ndcg@10'].value > 0);
  assert.ok(existsSync(join(dir, 'pipelines/treatment-recommendation.lock.yaml')));
  // The committed metrics file is what this run writes (same seed, same bytes).
  assert.deepEqual(
    readFileSync(join(dir, 'metrics/treatment-recommendation.json'), 'utf8'),
    readFileSync(join(ROOT, 'metrics/treatment-recommendation.json'), 'utf8'),
  );

  const exported = await runCli(dir, 'models', 'export', 'treatment-recommender@staging', join(dir, 'exported'));
  assert.equal(exported.code, 0, exported.err);
  const card = readFileSync(join(dir, 'exported/card.md'), 'utf8');
  assert.match(
    card,
    /^- Recommender: (als \(8 factors, 10 iterations|item-knn \(20 neighbours, cosine similarity)\); 2000 patients x 100 treatments; hybrid: new patients from age, sex, diabetes/m,
  );
  assert.match(card, /`builtin patient-treatment-outcomes \(seed 42\)` \(step load, sha256 [0-9a-f]{12}/);
  assert.match(card, /\| ndcg@10 \| 0\.\d{3} \| 0\.\d{3} – 0\.\d{3} \|/);

  const known = await runCli(dir, 'recommend', 'treatment-recommender@staging', '--patient', 'P000042', '--json');
  assert.equal(known.code, 0, known.err);
  const k = JSON.parse(known.out);
  assert.equal(k.basis, 'history');
  assert.equal(k.recommendations.length, 5);
  // Scores say what they are: a known patient's and a new patient's are labelled, and labelled
  // differently when they are not on one scale.
  const knownText = (await runCli(dir, 'recommend', 'treatment-recommender@staging', '--patient', 'P000042')).out.split('\n');
  assert.match(knownText[1], /^score: (predicted outcome, on the training outcomes' scale|sum of the similarities to the treatments the patient had)/);
  assert.equal(knownText[1], `score: ${k.score_meaning}`);
  assert.ok(k.recommendations.every((r: { explanation: { text: string } }) => r.explanation.text.length > 0));

  // The whole catalogue (100 treatments): by default the patient's own treatments are left out.
  const all = JSON.parse((await runCli(dir, 'recommend', 'treatment-recommender@staging', '--patient', 'P000042', '--k', '100', '--json')).out);
  const withSeen = JSON.parse(
    (await runCli(dir, 'recommend', 'treatment-recommender@staging', '--patient', 'P000042', '--k', '100', '--include-seen', '--json')).out,
  );
  assert.equal(withSeen.recommendations.length, 100);
  assert.ok(all.recommendations.length < 100 && all.recommendations.length > 80, `${all.recommendations.length} unseen treatments`);

  const predicted = await runCli(dir, 'predict', 'treatment-recommender@staging', '--input', 'data/breast-cancer-wisconsin.csv');
  assert.equal(predicted.code, 2);
  assert.match(predicted.err, /treatment-recommender@1 cannot predict rows: it is a recommender: use `medpipe recommend/);

  const missing = await runCli(dir, 'recommend', 'treatment-recommender@staging', '--patient', 'NEW-7');
  assert.equal(missing.code, 2);
  assert.match(
    missing.err,
    /patient "NEW-7" is not in treatment-recommender@1's training data: pass their features, e\.g\. --feature age=NUMBER --feature sex=female/,
  );

  const fresh = await runCli(
    dir,
    'recommend',
    'treatment-recommender@staging',
    '--patient',
    'NEW-7',
    '--k',
    '3',
    '--feature',
    'age=71',
    '--feature',
    'sex=male',
    '--feature',
    'diabetes=1',
    '--feature',
    'ckd=1',
    '--feature',
    'egfr_z=-1.2',
  );
  assert.equal(fresh.code, 0, fresh.err);
  const lines = fresh.out.trim().split('\n');
  assert.match(lines[0], /top 3 for NEW-7, from their features \(imputed: hypertension, copd, heart_failure\)/);
  assert.match(
    lines[1],
    /^score: (predicted outcome, on the training outcomes' scale \(from the patient's features\)|votes of the most similar training patients)/,
  );
  assert.equal(/predicted outcome/.test(lines[1]), /predicted outcome/.test(knownText[1]), 'one scale for both, or labelled as different');
  assert.equal(lines.length, 5);
  assert.match(lines[2], /^ {2}1 {2}T\d{4}/);

  // An infinite measurement is refused, not imputed as if it were missing.
  for (const age of ['Infinity', '1e309', '-Infinity']) {
    const r = await runCli(dir, 'recommend', 'treatment-recommender@staging', '--patient', 'NEW-7', '--feature', `age=${age}`, '--feature', 'sex=male');
    assert.equal(r.code, 1, `age=${age}: ${r.out}`);
    assert.match(r.err, new RegExp(`patient feature "age" must be a finite number, got "${age}"`));
    assert.equal(r.out, '');
  }
});

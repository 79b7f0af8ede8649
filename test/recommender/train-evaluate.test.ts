/**
 * train.recommender, evaluate.recommender and recommend on generated data: determinism, agreement of
 * the artifact with the library models, cold-start recommendations from features against
 * popularity, a hand-computed evaluation, and clear errors for bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readDatasetFile } from '../../src/data/arrow.js';
import { readInteractions } from '../../src/data/interaction-table.js';
import { StepInputError } from '../../src/errors.js';
import { fitAls, fitItemKnn } from '../../src/ml/recommender/index.js';
import { loadRecommender } from '../../src/ml/recommender/artifact.js';
import { parseMetricsFile } from '../../src/metrics/metrics-file.js';
import { FEATURES, generated, run, tableFile } from './steps.js';

const COLS = { patient: 'patient', treatment: 'treatment', outcome: 'outcome' };
const load = (path: string) => loadRecommender(JSON.parse(readFileSync(path, 'utf8')));

async function splitOf(options: Record<string, unknown>, split: Record<string, unknown>): Promise<{ train: string; test: string }> {
  const s = await run('split.interactions', { data: await generated(options) }, split);
  return { train: s.outputs.train, test: s.outputs.test };
}

test('train.recommender: same bytes per seed and thread count; the artifact ranks exactly as the library models', async () => {
  const { train } = await splitOf({ patients: 400, treatments: 50, observations: 5000, rank: 3, seed: 2 }, { k: 2, order_by: 'visit' });
  const als = { method: 'als', factors: 6, iterations: 6, seed: 4 };
  const a = await run('train.recommender', { train }, als);
  const b = await run('train.recommender', { train }, { ...als, threads: 2 });
  const c = await run('train.recommender', { train }, { ...als, seed: 5 });
  assert.deepEqual(readFileSync(a.outputs.model), readFileSync(b.outputs.model));
  assert.notDeepEqual(readFileSync(a.outputs.model), readFileSync(c.outputs.model));
  assert.equal(a.logs.filter((l) => /^progress: iteration \d+\/6$/.test(l)).length, 6);

  const t = readInteractions(await readDatasetFile(train), COLS);
  const obs = { user: t.user, item: t.item, value: t.value };
  const nU = t.patients.length,
    nT = t.treatments.length;
  const lib = fitAls(obs, nU, nT, { factors: 6, iterations: 6, lambda: 0.1, seed: 4 });
  const knnStep = await run('train.recommender', { train }, { method: 'item-knn', neighbours: 10, similarity: 'adjusted-cosine' });
  const knnLib = fitItemKnn(obs, nU, nT, { neighbours: 10, similarity: 'adjusted-cosine' });
  for (const [artifact, model] of [
    [load(a.outputs.model), lib],
    [load(knnStep.outputs.model), knnLib],
  ] as const) {
    for (const u of [0, 17, 123, nU - 1]) {
      const want = model.topK(u, 8);
      const got = artifact.topKnown(artifact.patientIndex(t.patients[u]), 8, true);
      assert.deepEqual(Array.from(got.items), Array.from(want.items), `${artifact.method} patient ${u}`);
      assert.deepEqual(Array.from(got.scores), Array.from(want.scores));
      assert.equal(artifact.predictKnown(u, 3), model.predict(u, 3));
    }
  }
});

test('hybrid cold start: patients never seen get recommendations from their features, and they beat popularity', async () => {
  const { train, test: held } = await splitOf(
    { patients: 2000, treatments: 100, observations: 30000, rank: 4, seed: 1 },
    { method: 'cold-start', fraction: 0.2, seed: 1 },
  );
  const model = await run('train.recommender', { train }, { method: 'als', factors: 8, iterations: 10, hybrid: true, patient_features: FEATURES, seed: 1 });
  const ev = await run(
    'evaluate.recommender',
    { model: model.outputs.model, train, test: held },
    { k: 10, relevance: 5.5, bootstrap: { resamples: 200, seed: null, confidence: 0.95 } },
  );
  const report = JSON.parse(readFileSync(ev.outputs.metrics, 'utf8'));
  assert.ok(report.notes.includes('400 test patients were not in training: recommended from their features'), report.notes.join('\n'));
  for (const m of ['precision@10', 'recall@10', 'hit_rate@10']) {
    assert.ok(
      report.lift[m].value > 0 && report.lift[m].ci_low > 0,
      `${m}: model ${report.metrics[m].value} vs popularity ${report.baseline.metrics[m].value}, lift CI low ${report.lift[m].ci_low}`,
    );
  }
  assert.ok(report.lift.rmse.value < 0, "new patients' outcomes are predicted better than by treatment means");

  // Without hybrid, the same patients get nothing from the model, and the baseline is judged on
  // the same (empty) set of patients rather than credited with patients the model skipped.
  const plain = await run('train.recommender', { train }, { method: 'als', factors: 8, iterations: 10, seed: 1 });
  const plainEv = JSON.parse(
    readFileSync(
      (
        await run(
          'evaluate.recommender',
          { model: plain.outputs.model, train, test: held },
          { k: 10, relevance: 5.5, bootstrap: { resamples: 20, seed: null, confidence: 0.95 } },
        )
      ).outputs.metrics,
      'utf8',
    ),
  );
  assert.match(plainEv.notes.join('\n'), /400 of 400 test patients were not in training and the model is not hybrid/);
  assert.deepEqual(Object.keys(plainEv.metrics), []);
  assert.deepEqual(Object.keys(plainEv.baseline.metrics), [], 'popularity is not scored on patients the model skipped');
  const r = load(plain.outputs.model);
  assert.throws(
    () => r.recommend({ patient: 'P999999' }, 5),
    (e: unknown) => e instanceof StepInputError && /unknown patient "P999999".*trained without patient features \(hybrid: false\)/.test(e.message),
  );
  const hybrid = load(model.outputs.model);
  assert.throws(
    () => hybrid.recommend({ patient: 'P999999' }, 5),
    (e: unknown) =>
      e instanceof StepInputError && /unknown patient "P999999": the model has no history for them: pass their features \(age, sex, diabetes/.test(e.message),
  );
  const fresh = hybrid.recommend({ patient: 'P999999', features: { age: 70, sex: 'male', diabetes: 1, ckd: 1, egfr_z: -1 } }, 5);
  assert.equal(fresh.basis, 'features');
  assert.deepEqual(fresh.imputed, ['hypertension', 'copd', 'heart_failure']);
  assert.equal(fresh.recommendations.length, 5);
  assert.match(fresh.recommendations[0].explanation.text, /from the patient's features; similar patients P\d{6}, P\d{6}, P\d{6}/);
});

test('evaluate.recommender: metrics of a small case equal the hand computation, in the medpipe.metrics/1 shape', async () => {
  // Popularity (counts x 3, y 2, z 1, w 1; ties by first appearance) with k = 2 and relevance >= 4:
  // a: had x, y -> [z, w]; relevant z at rank 1.  b: had x, z -> [y, w]; relevant w at rank 2.
  // c: had x, y, w -> [z]; its held-out z (3) is not relevant, so c only counts for coverage.
  const train = await tableFile([
    ['a', 'x', 5],
    ['a', 'y', 3],
    ['b', 'x', 4],
    ['b', 'z', 5],
    ['c', 'x', 2],
    ['c', 'y', 4],
    ['c', 'w', 1],
  ]);
  const held = await tableFile([
    ['a', 'z', 6],
    ['a', 'w', 2],
    ['b', 'w', 5],
    ['b', 'y', 1],
    ['c', 'z', 3],
  ]);
  const model = await run('train.recommender', { train }, { method: 'popularity' });
  const ev = await run(
    'evaluate.recommender',
    { model: model.outputs.model, train, test: held },
    { k: 2, relevance: 4, bootstrap: { resamples: 0, seed: null, confidence: 0.95 }, gates: { 'ndcg@2': '>= 0.8', 'lift.ndcg@2': '== 0' } },
  );
  const text = readFileSync(ev.outputs.metrics, 'utf8');
  const report = JSON.parse(text);
  const value = (m: string): number => report.metrics[m].value;
  assert.equal(report.format, 'medpipe.metrics/1');
  assert.equal(value('precision@2'), 0.5);
  assert.equal(value('recall@2'), 1);
  assert.ok(Math.abs(value('ndcg@2') - (1 + 1 / Math.log2(3)) / 2) < 1e-12);
  assert.equal(value('map@2'), 0.75);
  assert.equal(value('hit_rate@2'), 1);
  assert.equal(value('coverage@2'), 0.75);
  // Popularity predicts each treatment's mean: x 11/3, y 3.5, z 5, w 1. Errors -1, -1, -4, 2.5, 2.
  assert.ok(Math.abs(value('rmse') - Math.sqrt(28.25 / 5)) < 1e-12);
  assert.ok(Math.abs(value('mae') - 2.1) < 1e-12);
  assert.equal(report.metrics['ndcg@2'].ci_low, null);
  assert.equal(report.lift['ndcg@2'].value, 0);
  assert.deepEqual(
    report.gates.map((g: { passed: boolean }) => g.passed),
    [true, true],
  );
  // The metrics machinery (metrics files, diff, select-best) reads it as any evaluation.
  const parsed = parseMetricsFile(text, 'x.json');
  assert.deepEqual([...parsed.metrics.keys()], ['precision@2', 'recall@2', 'ndcg@2', 'map@2', 'hit_rate@2', 'coverage@2', 'rmse', 'mae']);
  const best = await run(
    'select-best',
    { models: [model.outputs.model, model.outputs.model], evaluations: [ev.outputs.metrics, ev.outputs.metrics] },
    { metric: 'ndcg@2' },
  );
  assert.match(best.logs.join('\n'), /best of 2/);
  await assert.rejects(
    run(
      'evaluate.recommender',
      { model: model.outputs.model, train, test: held },
      { k: 2, relevance: 4, bootstrap: { resamples: 0, seed: null, confidence: 0.95 }, gates: { 'precision@2': '> 0.6' } },
    ),
    /gate failed: precision@2 = 0.5/,
  );
});

test('recommend step: known patients from their history (nothing they had), new ones from their features', async () => {
  const data = await generated({ patients: 500, treatments: 60, observations: 6000, rank: 3, seed: 8 });
  const model = await run('train.recommender', { train: data }, { method: 'item-knn', hybrid: true, patient_features: FEATURES });
  const r = load(model.outputs.model);
  const known = r.patients[7];
  const full = await readDatasetFile(data);
  const had = new Set(
    readInteractions(full, COLS)
      .item.filter((_, j) => readInteractions(full, COLS).user[j] === 7)
      .map((i) => i),
  );
  const patients = await tableFile(
    [
      [known, 'ignored', 0],
      ['NEW-1', 'ignored', 0],
    ],
    { age: [50, 72], diabetes: [0, 1], ckd: [0, 1], egfr_z: [0, -1.5] },
  );
  const out = await run('recommend', { model: model.outputs.model, patients }, { k: 4 });
  const ds = await readDatasetFile(out.outputs.recommendations);
  assert.deepEqual(
    ds.columns.map((c) => c.name),
    ['patient', 'rank', 'treatment', 'score', 'basis', 'explanation'],
  );
  assert.equal(ds.rowCount, 8);
  const col = (n: string) => ds.columns.find((c) => c.name === n)!.data as unknown as { values: (string | null)[] };
  const basis = ds.columns.find((c) => c.name === 'basis')!.data as unknown as { codes: Int32Array; categories: string[] };
  for (let j = 0; j < 4; j++) {
    assert.equal(col('patient').values[j], known);
    assert.equal(basis.categories[basis.codes[j]], 'history');
    assert.ok(!had.has(r.treatmentIndexOf(col('treatment').values[j]!)), 'a treatment the patient already had is not recommended');
    assert.match(col('explanation').values[j]!, /^like T\d{4} \(/);
  }
  for (let j = 4; j < 8; j++) {
    assert.equal(basis.categories[basis.codes[j]], 'features');
    assert.match(col('explanation').values[j]!, /^had by \d+ of 20 similar patients \(nearest: P\d{6}/);
  }
});

test('bad input: duplicate rows, a missing outcome column, hybrid without features', async () => {
  const dup = await tableFile([
    ['a', 'x', 1],
    ['b', 'x', 2],
    ['b', 'y', 3],
    ['b', 'x', 4],
  ]);
  await assert.rejects(
    run('train.recommender', { train: dup }, {}),
    (e: unknown) => e instanceof StepInputError && /rows 2 and 4 have the same patient and treatment/.test(e.message),
  );
  const ok = await tableFile([
    ['a', 'x', 1],
    ['b', 'y', 3],
  ]);
  await assert.rejects(
    run('train.recommender', { train: ok }, { outcome: 'score' }),
    (e: unknown) => e instanceof StepInputError && /the outcome column "score" is not in the table/.test(e.message),
  );
  await assert.rejects(
    run('train.recommender', { train: ok }, { hybrid: true }),
    (e: unknown) => e instanceof StepInputError && /hybrid: true needs patient_features/.test(e.message),
  );
  await assert.rejects(
    run('train.recommender', { train: ok }, { hybrid: true, patient_features: ['age'] }),
    (e: unknown) => e instanceof StepInputError && /patient feature "age" is not in the training table/.test(e.message),
  );
  const negative = await tableFile([
    ['a', 'x', -1],
    ['b', 'y', 3],
  ]);
  await assert.rejects(
    run('train.recommender', { train: negative }, { method: 'implicit-als' }),
    (e: unknown) => e instanceof StepInputError && /non-negative/.test(e.message),
  );
});

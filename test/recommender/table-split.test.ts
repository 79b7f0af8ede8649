/**
 * load.builtin patient-treatment-outcomes (one long table, deterministic, missing not at random) and
 * split.interactions (leave-last-k, fraction, cold-start, duplicates, bad input).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, type Dataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import { generated, run, tableFile } from './steps.js';

const SMALL = { patients: 300, treatments: 40, observations: 3000, rank: 3, noise: 0.5, seed: 5 };

function ids(ds: Dataset, name: string): string[] {
  const d = getColumn(ds, name)!.data;
  if (d.type === 'categorical') return Array.from(d.codes, (c) => d.categories[c]);
  if (d.type === 'text') return d.values.map(String);
  return Array.from(d.values, String);
}

function numbers(ds: Dataset, name: string): Float64Array {
  const d = getColumn(ds, name)!.data;
  assert.equal(d.type, 'numeric');
  return (d as { values: Float64Array }).values;
}

test('patient-treatment-outcomes: one long table, same bytes per seed, visits 1..n per patient', async () => {
  const a = await generated(SMALL),
    b = await generated(SMALL),
    c = await generated({ ...SMALL, seed: 6 });
  assert.deepEqual(readFileSync(a), readFileSync(b));
  assert.notDeepEqual(readFileSync(a), readFileSync(c));
  const ds = await readDatasetFile(a);
  assert.deepEqual(
    ds.columns.map((x) => x.name),
    [
      'patient',
      'treatment',
      'visit',
      'outcome',
      'age',
      'sex',
      'diabetes',
      'hypertension',
      'ckd',
      'copd',
      'heart_failure',
      'egfr_z',
      'treatment_class',
      'dose_band',
    ],
  );
  assert.equal(ds.target?.column, 'outcome');
  assert.ok(Math.abs(ds.rowCount - SMALL.observations) < 0.05 * SMALL.observations, `${ds.rowCount} rows`);
  const patient = ids(ds, 'patient'),
    treatment = ids(ds, 'treatment'),
    visit = numbers(ds, 'visit');
  assert.ok(patient.every((p) => /^P\d{6}$/.test(p)) && treatment.every((t) => /^T\d{4}$/.test(t)));
  const visits = new Map<string, number[]>();
  const pairs = new Set<string>();
  patient.forEach((p, r) => {
    (visits.get(p) ?? visits.set(p, []).get(p)!).push(visit[r]);
    pairs.add(`${p}|${treatment[r]}`);
  });
  assert.equal(pairs.size, ds.rowCount, 'no duplicate (patient, treatment)');
  for (const v of visits.values())
    assert.deepEqual(
      [...v].sort((x, y) => x - y),
      v.map((_, i) => i + 1),
    );
  for (const flag of ['diabetes', 'ckd']) assert.ok(numbers(ds, flag).every((x) => x === 0 || x === 1));
  assert.deepEqual([...new Set(ids(ds, 'sex'))].sort(), ['female', 'male']);
});

test('patient-treatment-outcomes: patients with more comorbidities have more rows (missing not at random)', async () => {
  const ds = await readDatasetFile(await generated({ patients: 2000, treatments: 100, observations: 20000, rank: 4, seed: 1 }));
  const patient = ids(ds, 'patient');
  const flags = ['diabetes', 'hypertension', 'ckd', 'copd', 'heart_failure'].map((f) => numbers(ds, f));
  const rows = new Map<string, { n: number; c: number }>();
  patient.forEach((p, r) => {
    const e = rows.get(p) ?? rows.set(p, { n: 0, c: flags.reduce((s, f) => s + f[r], 0) }).get(p)!;
    e.n++;
  });
  const mean = (pred: (c: number) => boolean): number => {
    const sel = [...rows.values()].filter((e) => pred(e.c));
    return sel.reduce((s, e) => s + e.n, 0) / sel.length;
  };
  const healthy = mean((c) => c === 0),
    sick = mean((c) => c >= 2);
  assert.ok(sick > 1.8 * healthy, `rows per patient: ${sick} with >= 2 comorbidities vs ${healthy} with none`);
});

test('patient-treatment-outcomes: options are validated like the make-* generators', async () => {
  await assert.rejects(
    generated({ patients: 10, treatments: 5, observations: 51 }),
    (e: unknown) => e instanceof StepInputError && /observations \(51\) cannot exceed patients x treatments \(50\)/.test(e.message),
  );
  await assert.rejects(
    generated({ n_samples: 10 }),
    (e: unknown) => e instanceof StepInputError && /n_samples does not apply to patient-treatment-outcomes/.test(e.message),
  );
  await assert.rejects(
    run('load.builtin', {}, { name: 'make-regression', patients: 10 }),
    (e: unknown) => e instanceof StepInputError && /patients does not apply to make-regression/.test(e.message),
  );
});

test('split.interactions leave-last-k: exactly k rows per patient held out, the last by order_by; short histories stay in train', async () => {
  const data = await generated(SMALL);
  const k = 6;
  const s = await run('split.interactions', { data }, { method: 'leave-last-k', k, order_by: 'visit', seed: 1 });
  const [full, train, testDs] = await Promise.all([readDatasetFile(data), readDatasetFile(s.outputs.train), readDatasetFile(s.outputs.test)]);
  assert.equal(train.rowCount + testDs.rowCount, full.rowCount);
  const count = (ds: Dataset): Map<string, number> => ids(ds, 'patient').reduce((m, p) => m.set(p, (m.get(p) ?? 0) + 1), new Map<string, number>());
  const all = count(full),
    held = count(testDs),
    kept = count(train);
  let short = 0;
  for (const [p, n] of all) {
    if (n <= k) {
      short++;
      assert.equal(held.get(p), undefined, `patient ${p} with ${n} rows held nothing out`);
    } else assert.equal(held.get(p), k, `patient ${p}`);
  }
  assert.ok(short > 0, 'the test data has short histories');
  assert.ok(
    s.logs.some((l) => l.includes(`${short} patients have too few rows to hold any out and stay wholly in train`)),
    s.logs.join('\n'),
  );
  // The held-out rows are each patient's latest visits.
  const lastTrain = new Map<string, number>();
  const tv = numbers(train, 'visit');
  ids(train, 'patient').forEach((p, r) => lastTrain.set(p, Math.max(lastTrain.get(p) ?? 0, tv[r])));
  const hv = numbers(testDs, 'visit');
  ids(testDs, 'patient').forEach((p, r) => assert.ok(hv[r] > lastTrain.get(p)!, `patient ${p}: held-out visit ${hv[r]} after train visits`));
  assert.ok([...kept.keys()].length === all.size);
  // Same seed, same bytes.
  const again = await run('split.interactions', { data }, { method: 'leave-last-k', k, order_by: 'visit', seed: 1 });
  assert.deepEqual(readFileSync(again.outputs.test), readFileSync(s.outputs.test));
});

test('split.interactions cold-start: no patient in both train and test; fraction keeps every patient in train', async () => {
  const data = await generated(SMALL);
  const cold = await run('split.interactions', { data }, { method: 'cold-start', fraction: 0.25, seed: 3 });
  const [tr, te] = await Promise.all([readDatasetFile(cold.outputs.train), readDatasetFile(cold.outputs.test)]);
  const trainPatients = new Set(ids(tr, 'patient')),
    testPatients = new Set(ids(te, 'patient'));
  assert.equal([...testPatients].filter((p) => trainPatients.has(p)).length, 0);
  assert.equal(testPatients.size, Math.round(0.25 * (trainPatients.size + testPatients.size)));

  const frac = await run('split.interactions', { data }, { method: 'fraction', fraction: 0.2, seed: 3 });
  const [ftr, fte] = await Promise.all([readDatasetFile(frac.outputs.train), readDatasetFile(frac.outputs.test)]);
  const fTrain = new Set(ids(ftr, 'patient'));
  for (const p of ids(fte, 'patient')) assert.ok(fTrain.has(p), `patient ${p} keeps rows in train`);
  const ratio = fte.rowCount / (ftr.rowCount + fte.rowCount);
  assert.ok(ratio > 0.15 && ratio < 0.25, `held-out share ${ratio}`);
});

test('split.interactions: duplicate rows are an error naming the first two rows, or merged by mean / last', async () => {
  const rows: [string, string, number | null][] = [
    ['a', 'x', 1],
    ['a', 'y', 2],
    ['b', 'x', 3],
    ['a', 'x', 5],
    ['b', 'y', 4],
    ['b', 'x', 7],
  ];
  const data = await tableFile(rows);
  await assert.rejects(
    run('split.interactions', { data }, {}),
    (e: unknown) =>
      e instanceof StepInputError &&
      /rows 1 and 4 have the same patient and treatment \(2 duplicate rows in all\)/.test(e.message) &&
      /duplicates: mean/.test(e.message),
  );
  const outcomes = async (duplicates: string): Promise<Record<string, number>> => {
    const s = await run('split.interactions', { data }, { duplicates, method: 'fraction', fraction: 0.01 });
    const ds = await readDatasetFile(s.outputs.train);
    const p = ids(ds, 'patient'),
      t = ids(ds, 'treatment'),
      o = numbers(ds, 'outcome');
    return Object.fromEntries(p.map((x, r) => [`${x}${t[r]}`, o[r]]));
  };
  assert.deepEqual(await outcomes('mean'), { ax: 3, ay: 2, bx: 5, by: 4 });
  assert.deepEqual(await outcomes('last'), { ax: 5, ay: 2, bx: 7, by: 4 });
});

test('split.interactions: a missing outcome or column is an error naming the row or column', async () => {
  const missing = await tableFile([
    ['a', 'x', 1],
    ['a', 'y', null],
  ]);
  await assert.rejects(
    run('split.interactions', { data: missing }, {}),
    (e: unknown) => e instanceof StepInputError && /row 2: the outcome \(column "outcome"\) is missing/.test(e.message),
  );
  const data = await tableFile([['a', 'x', 1]]);
  await assert.rejects(
    run('split.interactions', { data }, { outcome: 'response' }),
    (e: unknown) => e instanceof StepInputError && /the outcome column "response" is not in the table \(columns: patient, treatment, outcome\)/.test(e.message),
  );
  await assert.rejects(
    run('split.interactions', { data }, { order_by: 'date' }),
    (e: unknown) => e instanceof StepInputError && /order_by column "date" is not in the table/.test(e.message),
  );
});

test('a long CSV loaded with load.csv feeds split.interactions and train.recommender like the builtin table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-long-csv-'));
  const lines = ['patient,treatment,outcome,visit'];
  for (let p = 0; p < 30; p++) for (let t = 0; t < 6; t++) if ((p + t) % 3 !== 0) lines.push(`${1000 + p},drug-${t},${((p * 7 + t * 3) % 10) / 2},${t + 1}`);
  writeFileSync(join(dir, 'long.csv'), lines.join('\n') + '\n');
  const data = (await run('load.csv', {}, { path: 'long.csv' }, dir)).outputs.data;
  const s = await run('split.interactions', { data }, { k: 1, order_by: 'visit' });
  const held = await readDatasetFile(s.outputs.test);
  assert.equal(held.rowCount, 30);
  const model = await run('train.recommender', { train: s.outputs.train }, { method: 'item-knn', neighbours: 3 });
  const artifact = JSON.parse(readFileSync(model.outputs.model, 'utf8'));
  assert.equal(artifact.patients.length, 30);
  assert.ok(artifact.patients.includes('1000') && artifact.treatments.includes('drug-0'));
  // drug-5 is every patient's last visit, so all of it is held out.
  assert.ok(!artifact.treatments.includes('drug-5'));
});

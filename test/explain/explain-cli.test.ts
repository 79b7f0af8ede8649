/**
 * Explanations end to end, with the real CLI on copies of the shipped project: the flagship
 * pipeline as shipped (in.train wired) reproduces its lock file and its models can be explained; a
 * copy without in.train gets a clear refusal from `explain`; a copy under other names registers
 * models whose explanations add up to their predictions, are byte-reproducible, and come out as
 * JSON, CSV, a summary and a predict side file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';
import type { BundleExplanation } from '../../src/explain/index.js';

const dir = shippedProjectCopy('explain');
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** The shipped flagship, whose register steps are given the raw training rows, under other model names (the SVM with its own background size and seed). */
function writeExplainedPipeline(): void {
  const text = read('pipelines/breast-cancer.yaml')
    .replace('explain: { background: 50 }', 'explain: { background: 40, seed: 3 }')
    .replace('name: breast-cancer-svm', 'name: bc-svm-explained')
    .replace('name: breast-cancer-forest', 'name: bc-forest-explained');
  assert.equal((text.match(/train: split\.train \}/g) ?? []).length, 2);
  writeFileSync(join(dir, 'pipelines/bc-explained.yaml'), text);
}

/** The shipped flagship with its register steps given no training rows (and so no explain:), under other model names. */
function unexplainedPipeline(): string {
  const text = read('pipelines/breast-cancer.yaml')
    .replaceAll(', train: split.train }', ' }')
    .replace(/\n *explain: \{ background: 50 \}/, '')
    .replace('name: breast-cancer-svm', 'name: bc-svm-unexplained')
    .replace('name: breast-cancer-forest', 'name: bc-forest-unexplained');
  assert.ok(!text.includes('train: split.train }') && !text.includes('explain:'));
  return text;
}

/** The first `n` patients of the shipped data, raw, as a user would have them. */
function writePatients(name: string, n: number): void {
  const lines = read('data/breast-cancer-wisconsin.csv').split('\n');
  writeFileSync(join(dir, name), `${lines.slice(0, n + 1).join('\n')}\n`);
}

function assertAddsUp(e: BundleExplanation): void {
  for (const [r, row] of e.rows.entries())
    for (let o = 0; o < e.outputs.length; o++) {
      const sum = row.contributions[o].reduce((s, v) => s + v, e.base[o]);
      assert.ok(Math.abs(sum - row.prediction[o]) < 1e-9, `row ${r} output ${e.outputs[o]}: base + contributions ${sum} vs prediction ${row.prediction[o]}`);
    }
}

test('the shipped flagship reproduces its lock file and its models can be explained; registered without training rows, explain refuses clearly', async () => {
  const r = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err + r.out);
  assert.equal(read('pipelines/breast-cancer.lock.yaml'), readFileSync(join(ROOT, 'pipelines/breast-cancer.lock.yaml'), 'utf8'));
  writePatients('few.csv', 3);
  const shipped = await runCli(dir, 'explain', 'breast-cancer-forest@staging', '--input', 'few.csv', '--json');
  assert.equal(shipped.code, 0, shipped.err);
  assertAddsUp(JSON.parse(shipped.out) as BundleExplanation);

  writeFileSync(join(dir, 'pipelines/bc-unexplained.yaml'), unexplainedPipeline());
  const plain = await runCli(dir, 'run', 'pipelines/bc-unexplained.yaml');
  assert.equal(plain.code, 0, plain.err + plain.out);
  const refused = await runCli(dir, 'explain', 'bc-forest-unexplained@staging', '--input', 'few.csv');
  assert.equal(refused.code, 1);
  assert.match(
    refused.err,
    /^medpipe: bc-forest-unexplained@1 was registered without its training rows, so it cannot be explained: wire them into its register step \(in: \{ train: split\.train \}\)/,
  );
  assert.equal(refused.err.trim().split('\n').length, 1);
  const predicted = await runCli(dir, 'predict', 'bc-svm-unexplained@staging', '--input', 'few.csv', '--output', 'p.csv', '--explain');
  assert.equal(predicted.code, 1);
  assert.match(predicted.err, /registered without its training rows/);
  assert.equal(existsSync(join(dir, 'p.csv')), false, 'nothing is written when the explanation cannot be');
});

test('with in.train wired, both models register explanation data and a card section saying it holds training patients', async () => {
  writeExplainedPipeline();
  const r = await runCli(dir, 'run', 'pipelines/bc-explained.yaml');
  assert.equal(r.code, 0, r.err + r.out);
  for (const [name, method, features, sample] of [
    ['bc-forest-explained', 'exact path-dependent TreeSHAP', 30, '100 training rows sampled with seed 0 from 455'],
    ['bc-svm-explained', 'KernelSHAP over every coalition', 10, '40 training rows sampled with seed 3 from 455'],
  ] as const) {
    const show = await runCli(dir, 'models', 'show', `${name}@staging`, '--json');
    const card = (JSON.parse(show.out) as { card: string }).card;
    const section = card.slice(card.indexOf('## Explanations'), card.indexOf('## Limitations'));
    assert.ok(section.includes(method), section);
    assert.ok(section.includes(sample), section);
    assert.match(section, /training patients' data/);
    const table = section.split('\n').filter((l) => /^\| \S.* \| [0-9.e-]+ \|$/.test(l));
    assert.equal(table.length, Math.min(15, features));
    const values = table.map((l) => Number(l.split('|')[2]));
    assert.deepEqual(
      [...values].sort((a, b) => b - a),
      values,
      'largest first',
    );
  }
});

test('forest explanations (TreeSHAP) add up to the probabilities predict gives, for every class', async () => {
  writePatients('patients.csv', 40);
  const e = await runCli(dir, 'explain', 'bc-forest-explained@staging', '--input', 'patients.csv', '--output', 'forest.json');
  assert.equal(e.code, 0, e.err);
  const x = JSON.parse(read('forest.json')) as BundleExplanation;
  assert.equal(x.method, 'tree-shap');
  assert.deepEqual(x.outputs, ['benign', 'malignant']);
  assert.equal(x.features.length, 30);
  assert.ok(x.features.every((f) => f.endsWith(' (standardised)')));
  assert.equal(x.rows.length, 40);
  assertAddsUp(x);
  const p = await runCli(dir, 'predict', 'bc-forest-explained@staging', '--input', 'patients.csv', '--output', 'pred.csv');
  assert.equal(p.code, 0, p.err);
  read('pred.csv')
    .trim()
    .split('\n')
    .slice(1)
    .forEach((line, r) => {
      const [, pb, pm] = line.split(',');
      assert.deepEqual(x.rows[r].prediction, [Number(pb), Number(pm)], `row ${r}`);
    });
});

test('SVM explanations (exact KernelSHAP) add up, name the 10 selected features, and are byte-reproducible', async () => {
  writePatients('five.csv', 5);
  const a = await runCli(dir, 'explain', 'bc-svm-explained@staging', '--input', 'five.csv', '--output', 'svm-a.json');
  const b = await runCli(dir, 'explain', 'bc-svm-explained@staging', '--input', 'five.csv', '--output', 'svm-b.json', '--seed', '3');
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  // Exact mode draws nothing at random: any seed gives the same bytes.
  assert.equal(read('svm-a.json'), read('svm-b.json'));
  const x = JSON.parse(read('svm-a.json')) as BundleExplanation;
  assert.equal(x.method, 'kernel-shap-exact');
  assert.equal(x.error, undefined);
  assert.equal(x.features.length, 10);
  assert.match(x.preprocessing, /feature selection \(anova-f\) kept 10 of 30 features; the others are not model inputs, contribute 0 and are not listed/);
  assertAddsUp(x);
  // The two classes' contributions mirror each other: P(benign) = 1 - P(malignant).
  for (const row of x.rows) row.contributions[0].forEach((v, i) => assert.ok(Math.abs(v + row.contributions[1][i]) < 1e-9));
});

test('explain prints the largest contributions with signs, writes CSV, and predict --explain writes a side file', async () => {
  const printed = await runCli(dir, 'explain', 'bc-forest-explained@staging', '--input', 'five.csv', '--top', '3');
  assert.equal(printed.code, 0, printed.err);
  const lines = printed.out.trim().split('\n');
  assert.equal(lines[0], 'method: tree-shap');
  const heads = lines.filter((l) => /^row \d+ \(line \d+\): P\(malignant\) = [0-9.]+, base [0-9.]+$/.test(l));
  assert.equal(heads.length, 5);
  const contributions = lines.filter((l) => /^ {2}[+−][0-9.]+ {2}\S/.test(l));
  assert.equal(contributions.length, 5 * 4, 'three features and the rest, per row');

  const csv = await runCli(dir, 'explain', 'bc-forest-explained@staging', '--input', 'five.csv', '--output', 'five-explained.csv');
  assert.equal(csv.code, 0, csv.err);
  const rows = read('five-explained.csv').trim().split('\n');
  assert.equal(rows[0].split(',').slice(0, 4).join(','), 'output,base,prediction,mean_radius (standardised)');
  assert.equal(rows.length, 1 + 5 * 2);

  const p = await runCli(dir, 'predict', 'bc-svm-explained@staging', '--input', 'five.csv', '--output', 'five-pred.csv', '--explain');
  assert.equal(p.code, 0, p.err);
  assert.equal(read('five-pred.explanations.json'), read('svm-a.json'));
  const usage = await runCli(dir, 'predict', 'bc-svm-explained@staging', '--input', 'five.csv', '--explain');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--explain writes OUT\.explanations\.json next to the predictions: give --output OUT\.csv/);
});

test('explain names a missing input column and refuses a bad --top', async () => {
  const lines = read('five.csv').split('\n');
  const header = lines[0].split(',');
  const drop = header.indexOf('worst_radius');
  writeFileSync(
    join(dir, 'missing.csv'),
    lines
      .map((l) =>
        l
          .split(',')
          .filter((_, i) => i !== drop)
          .join(','),
      )
      .join('\n'),
  );
  const r = await runCli(dir, 'explain', 'bc-svm-explained@staging', '--input', 'missing.csv');
  assert.equal(r.code, 1);
  assert.match(r.err, /missing\.csv.*worst_radius/);
  const top = await runCli(dir, 'explain', 'bc-svm-explained@staging', '--input', 'five.csv', '--top', '0');
  assert.equal(top.code, 2);
  assert.match(top.err, /--top must be a whole number >= 1, got "0"/);
});

test("the report shows each explained model's global summary and a worked example of three test patients", async () => {
  const r = await runCli(dir, 'report', '--output', 'report.html');
  assert.equal(r.code, 0, r.err);
  const html = read('report.html');
  const blocks = html.split('<h4>Explanations</h4>').slice(1);
  assert.equal(blocks.length, 2, 'both models of the explained run');
  for (const block of blocks) {
    const card = block.slice(0, block.indexOf('</article>'));
    assert.match(card, /<svg[^>]*>/);
    assert.match(card, /<figcaption>Mean \|contribution\| to P\(malignant\) over \d+ background rows/);
    assert.match(
      card,
      /<h4>Worked example<\/h4><p class="muted">P\(malignant\) for the first 3 rows of (select|prep)\.test \(the test set eval-(svm|forest) scored\): base 0\.\d{3}/,
    );
    assert.equal((card.match(/<tr><td>\d<\/td><td>[01]\.\d{3}<\/td>/g) ?? []).length, 3);
  }
  // A run whose models were registered without training rows has no explanation section.
  const runs = await runCli(dir, 'runs', '--json');
  const shipped = (JSON.parse(runs.out) as { runId: string; pipeline: { file: string } }[]).find((x) => x.pipeline.file === 'pipelines/bc-unexplained.yaml');
  assert.ok(shipped, runs.out);
  const plain = await runCli(dir, 'report', shipped.runId, '--output', 'shipped.html');
  assert.equal(plain.code, 0, plain.err);
  assert.ok(!read('shipped.html').includes('Explanations'));
});

test('explain: on a register step without in.train fails the step with what to wire', async () => {
  const text = unexplainedPipeline().replace('name: bc-forest-unexplained', 'name: bc-forest-unexplained\n      explain: { background: 20 }');
  writeFileSync(join(dir, 'pipelines/bc-no-train.yaml'), text);
  const r = await runCli(dir, 'run', 'pipelines/bc-no-train.yaml');
  assert.equal(r.code, 1);
  assert.match(
    r.out + r.err,
    /register-forest.*explain: sets the background sample drawn from in\.train, which is not wired: add in: \{ train: split\.train \}/s,
  );
});

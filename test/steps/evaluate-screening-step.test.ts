/**
 * The evaluate.screening step on a real pool: the CHEMBL2321810 series (actives: pIC50 >= 7) mixed
 * with the NCI library by combine. Rankings whose metrics follow from counting the CSVs (pIC50
 * itself, reversed, random) check the step end to end; then the metrics file's shape (what
 * `metrics show/diff`, gates and the report read), reproducibility, gates and the input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset } from '../../src/data/dataset.js';
import { GateError, StepInputError } from '../../src/errors.js';
import { parseMetricsFile } from '../../src/metrics/metrics-file.js';
import { knownDirection } from '../../src/metrics/regression-config.js';
import combine from '../../src/steps/combine.js';
import evaluateScreening from '../../src/steps/evaluate.screening.js';
import { runStep } from '../helpers/step-harness.js';
import { ROOT } from '../helpers/cli.js';
import { assertClose } from '../metrics/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-screening-'));
const seriesCsv = join(ROOT, 'data', 'chembl2321810-pic50.csv');
const libraryCsv = join(ROOT, 'data', 'nci-screening-5k.csv');

const pic50s = readFileSync(seriesCsv, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => Number(l.split(',').at(-1)));
const nLibrary = readFileSync(libraryCsv, 'utf8').trim().split('\n').length - 1;
const A = pic50s.filter((p) => p >= 7).length;
const seriesInactives = pic50s.length - A;
const N = pic50s.length + nLibrary;

const pool = (async () => {
  const series = join(dir, 'series.arrow');
  const library = join(dir, 'library.arrow');
  await writeDatasetFile(series, await readCsv(seriesCsv, { id: ['compound_id'], target: 'pic50' }));
  await writeDatasetFile(library, await readCsv(libraryCsv, { id: ['nci_id'] }));
  const run = await runStep(combine, { a: series, b: library }, { rename: { b: { nci_id: 'compound_id' } }, labels: { a: 'series', b: 'library' } });
  return run.outputs.data;
})();

const active = { column: 'pic50', op: '>=', value: 7 };
const methods = {
  // The measured pIC50 itself: every active first (the library, without one, last).
  oracle: { by: [{ column: 'pic50', missing: 'last' }] },
  // Lowest pIC50 first: the series' inactives, then its actives, then the library.
  reversed: { by: [{ column: 'pic50', order: 'ascending', missing: 'last' }] },
  random: { random: true },
};

type Report = {
  task: string;
  n: number;
  actives: number;
  decoys: number;
  methods: Record<string, { ranking: string; tied_rows: number; top_rows: Record<string, number> }>;
  metrics: Record<string, { value: number; ci_low: number; ci_high: number }>;
  bootstrap: { resamples: number; seed: number; confidence: number; skipped: Record<string, number> };
  gates?: { gate: string; passed: boolean }[];
};

const first = (async () => {
  const run = await runStep(evaluateScreening, { pool: await pool }, { active, methods, bootstrap: { resamples: 300 }, seed: 7 });
  const text = readFileSync(run.outputs.metrics, 'utf8');
  return { run, text, report: JSON.parse(text) as Report };
})();

test('rankings whose metrics follow from the counts: EF, AUC and BEDROC of the oracle, the reversed list and a random order', async () => {
  const { report } = await first;
  assert.equal(report.task, 'screening');
  assert.deepEqual([report.n, report.actives, report.decoys], [N, A, N - A]);
  const v = (name: string): number => report.metrics[name].value;
  // ceil(0.01 N) = 61 rows, fewer than the 353 actives: all active, EF = (61/61) / (A/N) = N/A.
  assert.equal(report.methods.oracle.top_rows['ef@1%'], Math.ceil(N / 100));
  assertClose(v('oracle.ef@1%'), N / A, 'oracle ef@1%');
  assertClose(v('oracle.ef@5%'), N / A, 'oracle ef@5%');
  assertClose(v('oracle.roc_auc'), 1, 'oracle auc');
  assert.ok(v('oracle.bedroc') > 0.99, `oracle bedroc ${v('oracle.bedroc')}`);
  // Reversed: the series' inactives (more than 5% of the pool) come first, so no active in the top 5%;
  // each active outranks every library decoy and none of the series' inactives.
  assert.ok(seriesInactives > Math.ceil(0.05 * N));
  assert.equal(v('reversed.ef@1%'), 0);
  assert.equal(v('reversed.ef@5%'), 0);
  assertClose(v('reversed.roc_auc'), nLibrary / (nLibrary + seriesInactives), 'reversed auc');
  // A random order: intervals around chance.
  const r = report.metrics;
  assert.ok(r['random.ef@5%'].ci_low < 1 && r['random.ef@5%'].ci_high > 1, JSON.stringify(r['random.ef@5%']));
  assert.ok(r['random.roc_auc'].ci_low < 0.5 && r['random.roc_auc'].ci_high > 0.5, JSON.stringify(r['random.roc_auc']));
  assert.ok(r['oracle.bedroc'].ci_low > r['random.bedroc'].ci_high);
  // The library (all without pIC50) is one block of tied rows in the oracle's ranking.
  assert.ok(report.methods.oracle.tied_rows >= nLibrary);
  assert.equal(report.methods.random.tied_rows, 0);
  assert.match(report.methods.reversed.ranking, /pic50 ascending \(missing last\)/);
});

test('the report is a metrics file: <method>.<metric> with value and interval, higher is better, and the run summary has them', async () => {
  const { text, run, report } = await first;
  const file = parseMetricsFile(text, 'screening.json');
  assert.deepEqual(
    [...file.metrics.keys()],
    ['oracle', 'reversed', 'random'].flatMap((m) => ['ef@1%', 'ef@5%', 'bedroc', 'roc_auc'].map((x) => `${m}.${x}`)),
  );
  for (const [name, e] of file.metrics) {
    assert.ok(e.ci_low !== undefined && e.ci_high !== undefined && e.ci_low <= e.value + 1e-12 && e.value <= e.ci_high + 1e-12, name);
    assert.equal(knownDirection(name), 'higher', name);
  }
  assert.equal(knownDirection('subgroups.max_gap.sensitivity'), undefined);
  assert.equal(report.bootstrap.resamples, 300);
  assert.equal(report.bootstrap.seed, 7);
  assert.ok(Object.values(report.bootstrap.skipped).every((k) => k === 0));
  assert.deepEqual((run.summary as { metrics: unknown }).metrics, report.metrics);
});

test('byte-reproducible: the same inputs and seed give the same file; another seed another random order', async () => {
  const { text } = await first;
  const again = await runStep(evaluateScreening, { pool: await pool }, { active, methods, bootstrap: { resamples: 300 }, seed: 7 });
  assert.equal(readFileSync(again.outputs.metrics, 'utf8'), text);
  const other = await runStep(evaluateScreening, { pool: await pool }, { active, methods: { random: { random: true } }, bootstrap: { resamples: 0 }, seed: 8 });
  const o = JSON.parse(readFileSync(other.outputs.metrics, 'utf8')) as Report;
  assert.notEqual(o.metrics['random.bedroc'].value, (JSON.parse(text) as Report).metrics['random.bedroc'].value);
  assert.equal(o.metrics['random.bedroc'].ci_low, null);
});

test('lexicographic keys: a 0/1 flag (or has: a column) first, then a score within each group', async () => {
  // source is an id column (text), so flag the series rows by a numeric column: pIC50 present -> 1.
  const { readDatasetFile } = await import('../../src/data/arrow.js');
  const ds = await readDatasetFile(await pool);
  const pic = ds.columns.find((c) => c.name === 'pic50')!.data;
  assert.ok(pic.type === 'numeric');
  const flagged = join(dir, 'flagged.arrow');
  await writeDatasetFile(flagged, {
    ...ds,
    columns: [
      ...ds.columns,
      { name: 'in_series', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(pic.values, (v) => (Number.isNaN(v) ? 0 : 1)) } },
    ],
  });
  const run = await runStep(
    evaluateScreening,
    { pool: flagged },
    {
      active,
      methods: {
        flag: { by: [{ column: 'in_series' }] },
        flag_then_pic50: { by: [{ column: 'in_series' }, { column: 'pic50', missing: 'last' }] },
        // The same flag without making a column: rows that have a pIC50 first.
        has_pic50: { by: [{ has: 'pic50' }] },
      },
      bootstrap: { resamples: 0 },
    },
  );
  const m = (JSON.parse(readFileSync(run.outputs.metrics, 'utf8')) as Report).metrics;
  // Flag only: the 1,017 series rows tie at the top; EF@1% counts 61 of them, A/1017 of them active on average:
  // (61 A/1017) / 61 / (A/N) = N/1017.
  assertClose(m['flag.ef@1%'].value, N / pic50s.length, 'flag ef@1%');
  assertClose(m['flag_then_pic50.ef@1%'].value, N / A, 'flag then pic50 ef@1%');
  for (const x of ['ef@1%', 'ef@5%', 'bedroc', 'roc_auc']) assert.equal(m[`has_pic50.${x}`].value, m[`flag.${x}`].value, x);
  const described = (JSON.parse(readFileSync(run.outputs.metrics, 'utf8')) as Report).methods;
  assert.equal(described.has_pic50.ranking, 'rows with pic50 first');
  assert.equal(described.flag_then_pic50.ranking, 'in_series descending, then pic50 descending (missing last)');
});

test('compare: paired differences, method minus against on the same resamples', async () => {
  const run = await runStep(
    evaluateScreening,
    { pool: await pool },
    {
      active,
      methods: { ...methods, oracle_again: methods.oracle },
      compare: [
        { method: 'oracle', against: 'random' },
        { method: 'oracle_again', against: 'oracle' },
      ],
      bootstrap: { resamples: 200 },
      gates: { 'oracle-vs-random.bedroc.ci_low': '> 0' },
    },
  );
  const report = JSON.parse(readFileSync(run.outputs.metrics, 'utf8')) as Report & { comparisons: unknown };
  const m = report.metrics;
  assert.deepEqual(report.comparisons, [
    { name: 'oracle-vs-random', method: 'oracle', against: 'random' },
    { name: 'oracle_again-vs-oracle', method: 'oracle_again', against: 'oracle' },
  ]);
  for (const x of ['ef@1%', 'ef@5%', 'bedroc', 'roc_auc']) {
    assertClose(m[`oracle-vs-random.${x}`].value, m[`oracle.${x}`].value - m[`random.${x}`].value, x);
    // The same ranking twice: 0 on every resample, so a paired interval of width 0 (unpaired ones would overlap widely).
    assert.deepEqual([m[`oracle_again-vs-oracle.${x}`].ci_low, m[`oracle_again-vs-oracle.${x}`].ci_high], [0, 0], x);
  }
  assert.ok(m['oracle-vs-random.bedroc'].ci_low > 0);
  assert.equal(knownDirection('oracle-vs-random.bedroc'), 'higher');
  await assert.rejects(
    runStep(evaluateScreening, { pool: await pool }, { active, methods, compare: [{ method: 'orcale', against: 'random' }] }),
    (e: unknown) => e instanceof StepInputError && /compare\[0\]\.method: no method "orcale".*oracle/.test(e.message),
  );
});

test('gates on <method>.<metric>[.ci_low]: a failed gate fails the step after writing the file; an unknown metric fails first', async () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'medpipe-screening-gate-'));
  await assert.rejects(
    runStep(
      evaluateScreening,
      { pool: await pool },
      { active, methods, bootstrap: { resamples: 100 }, gates: { 'oracle.bedroc.ci_low': '>= 0.9', 'random.bedroc.ci_low': '>= 0.3' } },
      process.cwd(),
      outputDir,
    ),
    (e: unknown) => e instanceof GateError && /random\.bedroc\.ci_low/.test(e.message) && !/oracle/.test(e.message),
  );
  const written = JSON.parse(readFileSync(join(outputDir, 'metrics'), 'utf8')) as Report;
  assert.deepEqual(
    written.gates?.map((g) => [g.gate, g.passed]),
    [
      ['oracle.bedroc.ci_low', true],
      ['random.bedroc.ci_low', false],
    ],
  );
  await assert.rejects(
    runStep(evaluateScreening, { pool: await pool }, { active, methods, gates: { 'oracle.bedrock': '>= 0.5' } }),
    (e: unknown) => e instanceof StepInputError && /unknown metric "oracle\.bedrock".*oracle\.bedroc/.test(e.message),
  );
});

test('errors: a score missing without missing: last names the rows; no actives; a text column; a method name with a dot', async () => {
  const p = await pool;
  const fails = (params: Record<string, unknown>, pattern: RegExp) =>
    assert.rejects(runStep(evaluateScreening, { pool: p }, { bootstrap: { resamples: 0 }, ...params }), (e: unknown) => pattern.test((e as Error).message));
  await fails(
    { active, methods: { qsar: { by: [{ column: 'pic50' }] } } },
    new RegExp(
      `methods\\.qsar\\.by\\[0\\]: column "pic50" has no value at rows ${pic50s.length + 1}, ${pic50s.length + 2}, .* and ${nLibrary - 5} more of in\\.pool: .*missing: last`,
    ),
  );
  await fails({ active: { column: 'pic50', op: '>=', value: 20 }, methods }, /no row of in\.pool is active \(pic50 >= 20\)/);
  await fails({ active: { column: 'pIC50', op: '>=', value: 7 }, methods }, /active: no column "pIC50".*pic50/);
  await fails({ active, methods: { s: { by: [{ column: 'smiles' }] } } }, /methods\.s\.by\[0\]: column "smiles" is text/);
  await fails({ active, methods: { 'qsar.v2': { random: true } } }, /invalid params/);
  await fails({ active: { column: 'source', op: '>=', value: 1 }, methods }, /^active: column "source" is categorical/);
  await fails({ active: { column: 'compound_id', op: 'not in', value: ['none'] }, methods }, /every row of in\.pool is active .*needs decoys/);
  const infinite = join(dir, 'infinite.arrow');
  await writeDatasetFile(
    infinite,
    makeDataset([
      { name: 'pic50', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([8, 5, 4]) } },
      { name: 'score', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([1, Number.POSITIVE_INFINITY, 0]) } },
    ]),
  );
  await assert.rejects(
    runStep(evaluateScreening, { pool: infinite }, { active, methods: { s: { by: [{ column: 'score', missing: 'last' }] } }, bootstrap: { resamples: 0 } }),
    /methods\.s\.by\[0\]: column "score" is Infinity at row 2: a score must be a finite number/,
  );
  await fails({ active, methods, ef: [0.01, 0.0100000001] }, /ef: two fractions give the same metric name \(ef@1%, ef@1%/);
  await fails({ active, methods, compare: [{ method: 'oracle', against: 'oracle' }] }, /compare\[0\]: a method compared with itself/);
});

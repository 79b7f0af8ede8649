/**
 * combine and evaluate.screening in a real pipeline run by the CLI: the YAML validates (defaults
 * inside methods, method-name pattern), the metrics file is published, `medpipe metrics show`
 * lists every <method>.<metric> with its interval, a gate on an interval passes, and the HTML
 * report has the side-by-side table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

const PIPELINE = `medpipe: 1
name: screen
params:
  seed: 11
steps:
  series:
    uses: load.csv
    with: { path: ../data/chembl2321810-pic50.csv, target: pic50, id: [compound_id] }
  library:
    uses: load.csv
    with: { path: ../data/nci-screening-5k.csv, id: [nci_id] }
  pool:
    uses: combine
    in: { a: series, b: library }
    with: { rename: { b: { nci_id: compound_id } }, labels: { a: series, b: library } }
  benchmark:
    uses: evaluate.screening
    in: { pool: pool }
    with:
      active: { column: pic50, op: ">=", value: 7 }
      methods:
        oracle: { by: [{ column: pic50, missing: last }] }
        random: { random: true }
      bootstrap: { resamples: 200 }
      gates: { "oracle.bedroc.ci_low": ">= 0.9" }
      metrics_file: ../metrics/screen.json
      seed: "\${params.seed}"
`;

test('a screening pipeline runs, publishes its metrics file, and metrics show and the report read it', async () => {
  const dir = shippedProjectCopy('screening');
  writeFileSync(join(dir, 'pipelines', 'screen.yaml'), PIPELINE);
  const run = await runCli(dir, 'run', 'pipelines/screen.yaml');
  assert.equal(run.code, 0, run.out + run.err);
  assert.match(run.out, /benchmark: oracle\.ef@1% /);
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics', 'screen.json'), 'utf8')) as {
    format: string;
    task: string;
    metrics: Record<string, { value: number }>;
    gates: { passed: boolean }[];
  };
  assert.equal(metrics.format, 'medpipe.metrics/1');
  assert.equal(metrics.task, 'screening');
  assert.deepEqual(
    metrics.gates.map((g) => g.passed),
    [true],
  );
  const show = await runCli(dir, 'metrics', 'show', 'pipelines/screen.yaml');
  assert.equal(show.code, 0, show.err);
  for (const name of ['oracle.ef@1%', 'oracle.ef@5%', 'oracle.bedroc', 'oracle.roc_auc', 'random.ef@1%', 'random.roc_auc'])
    assert.match(show.out, new RegExp(`^${name.replace(/[.@]/g, (c) => `\\${c}`)}\\s+\\d`, 'm'), `${name} in metrics show`);

  const report = await runCli(dir, 'report', '--output', 'report.html');
  assert.equal(report.code, 0, report.err);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<table class="metrics screening">/);
  assert.match(html, /<tr data-method="oracle">/);
  assert.ok(readdirSync(dir).includes('report.html'));
});

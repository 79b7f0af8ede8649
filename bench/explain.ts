/**
 * Explanation benchmark: TreeSHAP for the flagship forest (300 trees, 30 features) on its 114 test
 * rows, and exact KernelSHAP for the flagship SVM (10 selected features) on the same rows. The
 * flagship pipeline runs in a temporary copy of the project with the raw training rows wired into
 * its register steps (the shipped pipeline does not wire them); the test rows are the split's raw
 * test rows, as a user would send them.
 *
 * Reported: the TreeSHAP recursion alone (model features in, contributions out), explainBundle
 * (raw rows in: input checks, preprocessing, prediction and TreeSHAP), each the median of
 * REPEATS in-process runs after one warm-up, and the `medpipe explain` command in a fresh process
 * (Node start-up included). There is no Python reference: Debian packages no `shap` (checked with
 * apt-cache search), and the brief allows none from other registries.
 *
 * Usage: node dist/bench/explain.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCli, shippedProjectCopy } from '../test/helpers/cli.js';
import { readDatasetFile } from '../src/data/arrow.js';
import { datasetCsv } from '../src/data/csv-write.js';
import type { RunRecord } from '../src/engine/record.js';
import type { ModelBundle } from '../src/bundle/bundle.js';
import { explainBundle } from '../src/explain/index.js';
import { modelInputs } from '../src/explain/model-inputs.js';
import { coversFromBase64 } from '../src/explain/covers.js';
import { forestShap, leftFractions } from '../src/explain/tree-shap.js';
import { forestFromJSON } from '../src/ml/forest/index.js';
import { readRowsForBundle } from '../src/bundle/predict.js';
import { measureNode, median, printTable } from './measure.js';

const REPEATS = 7;
const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

async function timeAsync<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

export async function benchExplain(): Promise<void> {
  const dir = shippedProjectCopy('bench-explain');
  const yaml = readFileSync(join(dir, 'pipelines/breast-cancer.yaml'), 'utf8')
    .replace('selection: select.selection }', 'selection: select.selection, train: split.train }')
    .replace('transform: prep.transform }', 'transform: prep.transform, train: split.train }');
  writeFileSync(join(dir, 'pipelines/bench-explain.yaml'), yaml);
  const run = await runCli(dir, 'run', 'pipelines/bench-explain.yaml');
  if (run.code !== 0) throw new Error(`the flagship pipeline failed: ${run.err}`);
  const runId = /run (\S+)\)/.exec(run.out)?.[1] as string;
  const record = JSON.parse(readFileSync(join(dir, '.medpipe', 'runs', `${runId}.json`), 'utf8')) as RunRecord;
  const object = (digest: string): string => join(dir, '.medpipe', 'objects', digest.slice(0, 2), digest.slice(2));
  const testRows = await readDatasetFile(object(record.steps.split.outputs?.test as string));
  writeFileSync(join(dir, 'test-rows.csv'), datasetCsv(testRows));

  const table: string[][] = [];
  for (const [name, step] of [
    ['breast-cancer-forest', 'register-forest'],
    ['breast-cancer-svm', 'register-svm'],
  ] as const) {
    const bundle = JSON.parse(readFileSync(object(record.steps[step].outputs?.bundle as string), 'utf8')) as ModelBundle;
    const rows = await readRowsForBundle(join(dir, 'test-rows.csv'), bundle);
    const features = bundle.model.features as string[];
    const isForest = bundle.explain?.covers !== undefined;
    const repeats = isForest ? REPEATS : 1;
    if (isForest) {
      const forest = forestFromJSON(bundle.model as unknown as Parameters<typeof forestFromJSON>[0]);
      const fractions = leftFractions(forest, coversFromBase64(bundle.explain?.covers as string, forest) as Float64Array[]);
      const { X, nRows } = modelInputs(bundle, rows, features);
      forestShap(forest, fractions, X, nRows);
      const core = Array.from({ length: REPEATS }, () => time(() => forestShap(forest, fractions, X, nRows)).ms);
      table.push([`${name}: TreeSHAP recursion only`, String(nRows), `${median(core).toFixed(1)} ms`, String(REPEATS)]);
      await explainBundle(bundle, rows);
    }
    const api: number[] = [];
    let method = '';
    for (let i = 0; i < repeats; i++) {
      const t = await timeAsync(() => explainBundle(bundle, rows));
      api.push(t.ms);
      method = t.value.method;
    }
    table.push([`${name}: explainBundle (${method}), raw rows in`, String(rows.rowCount), `${median(api).toFixed(1)} ms`, String(repeats)]);
    const cli = await measureNode(BIN, ['explain', `${name}@staging`, '--input', 'test-rows.csv', '--output', `${name}.json`], dir);
    if (cli.code !== 0) throw new Error(`medpipe explain failed: ${cli.stderr}`);
    table.push([`${name}: \`medpipe explain\` (fresh process)`, String(rows.rowCount), `${cli.wallMs.toFixed(0)} ms`, '1']);
  }
  printTable(`Explanations; machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}`, [
    ['what', 'rows', 'wall (median)', 'runs'],
    ...table,
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchExplain();

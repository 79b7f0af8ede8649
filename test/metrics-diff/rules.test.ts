/** Directions, tolerances and the confidence-interval rule, on the shipped breast-cancer metrics. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { diffMetric } from '../../src/metrics/diff.js';
import { directionOf, parseRegressionConfig, regressionSchema, toleranceOf } from '../../src/metrics/regression-config.js';
import { DataError } from '../../src/errors.js';
import { formatJunit, xmlEscape } from '../../src/metrics/junit.js';
import { parseXml, all } from './xml.js';
import { REPO_ROOT, shippedMetrics } from './repo.js';
import { join } from 'node:path';
import { metricsFilesOf, readPipelineMetrics } from '../../src/metrics/pipeline-metrics.js';

const EXAMPLE = `regression:
  baseline: main
  default: { atol: 0.005 }
  metrics:
    roc_auc: { ci: true }
    rmse: { rtol: 0.02 }
    mcc: { direction: higher, atol: 0.01 }
`;

describe('regression rules', () => {
  const m = shippedMetrics().metrics;

  it('the CI rule: higher-better regresses only below the baseline ci_low', () => {
    const old = { value: m.roc_auc.value, ci_low: m.roc_auc.ci_low as number, ci_high: m.roc_auc.ci_high as number };
    const step = (old.value - old.ci_low) / 10;
    assert.equal(diffMetric('roc_auc', 'higher', old, { value: old.ci_low + step }, { ci: true }).status, 'within tolerance');
    assert.equal(diffMetric('roc_auc', 'higher', old, { value: old.ci_low }, { ci: true }).status, 'within tolerance');
    assert.equal(diffMetric('roc_auc', 'higher', old, { value: old.ci_low - step }, { ci: true }).status, 'REGRESSED');
  });

  it('the CI rule: lower-better regresses only above the baseline ci_high', () => {
    const ll = m.log_loss;
    const old = { value: ll.value, ci_low: ll.ci_low as number, ci_high: ll.ci_high as number };
    const step = (old.ci_high - old.value) / 10;
    assert.equal(diffMetric('log_loss', 'lower', old, { value: old.ci_high - step }, { ci: true }).status, 'within tolerance');
    assert.equal(diffMetric('log_loss', 'lower', old, { value: old.ci_high + step }, { ci: true }).status, 'REGRESSED');
    assert.equal(diffMetric('log_loss', 'lower', old, { value: old.value - step }, { ci: true }).status, 'improved');
  });

  it('falls back to atol/rtol, with a note, when the baseline has no interval', () => {
    const notes: string[] = [];
    const r = diffMetric('f1', 'higher', { value: m.f1.value }, { value: m.f1.value - 0.001 }, { ci: true, atol: 0.002 }, notes);
    assert.equal(r.status, 'within tolerance');
    assert.match(notes[0], /no confidence interval/);
  });

  it('atol and rtol add up; lower-better metrics regress upwards', () => {
    const old = { value: m.brier.value };
    const rtol = 0.1;
    const atol = old.value * 0.05;
    const allowed = atol + rtol * old.value;
    assert.equal(diffMetric('brier', 'lower', old, { value: old.value + allowed * 0.99 }, { atol, rtol }).status, 'within tolerance');
    assert.equal(diffMetric('brier', 'lower', old, { value: old.value + allowed * 1.01 }, { atol, rtol }).status, 'REGRESSED');
    assert.equal(diffMetric('brier', 'lower', old, { value: old.value }, {}).status, 'unchanged');
    assert.equal(diffMetric('brier', 'lower', old, { value: old.value * (1 + 1e-15) }, {}).status, 'unchanged');
  });

  it('knows the direction of common metrics and assumes higher, with a note, for others', () => {
    for (const name of ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'sensitivity', 'specificity', 'f1', 'roc_auc', 'pr_auc', 'r2'])
      assert.equal(directionOf(name, {}).direction, 'higher');
    for (const name of ['log_loss', 'brier', 'rmse', 'mae']) assert.equal(directionOf(name, {}).direction, 'lower');
    assert.match(directionOf('mcc', {}).note ?? '', /assumed higher/);
    assert.deepEqual(directionOf('mcc', { metrics: { mcc: { direction: 'lower' } } }), { direction: 'lower' });
  });

  it('the regression: block parses, the schema fragment accepts it, and precedence is command line > metric > default', () => {
    const raw = (parse(EXAMPLE) as { regression: unknown }).regression;
    const ajv = new Ajv.default({ strict: true });
    assert.equal(ajv.validate(regressionSchema(), raw), true, JSON.stringify(ajv.errors));
    assert.equal(ajv.validate(regressionSchema(), { default: { atl: 1 } }), false);
    const config = parseRegressionConfig(raw, 'p.yaml');
    assert.equal(config.baseline, 'main');
    assert.deepEqual(toleranceOf('roc_auc', config), { ci: true });
    assert.deepEqual(toleranceOf('rmse', config), { rtol: 0.02 });
    assert.deepEqual(toleranceOf('f1', config), { atol: 0.005 });
    assert.deepEqual(toleranceOf('mcc', config), { atol: 0.01 });
    assert.deepEqual(toleranceOf('roc_auc', config, { atol: 0.1 }), { atol: 0.1 });
  });

  it('rejects a bad regression: block, naming the file and the key', () => {
    const bad = (v: unknown, part: string): void =>
      assert.throws(
        () => parseRegressionConfig(v, 'pipelines/p.yaml'),
        (e: unknown) => e instanceof DataError && e.message.includes('pipelines/p.yaml') && e.message.includes(part),
      );
    bad({ defaults: {} }, 'regression.defaults');
    bad({ default: { atol: -1 } }, 'regression.default.atol');
    bad({ metrics: { roc_auc: { ci: 'yes' } } }, 'regression.metrics.roc_auc.ci');
    bad({ metrics: { rmse: { direction: 'down' } } }, 'direction');
  });

  it('JUnit escapes metric and file names', () => {
    const name = `a<b>&"c'`;
    const xml = formatJunit({
      baseline: 'main & co',
      notes: [],
      files: [{ file: `m<&>.json`, metrics: [diffMetric(name, 'higher', { value: 0.9 }, { value: 0.5 }, {})] }],
    });
    const root = parseXml(xml);
    assert.equal(all(root, 'testcase')[0].attrs.name, name);
    assert.equal(all(root, 'testsuite')[0].attrs.name, 'm<&>.json');
    assert.equal(all(root, 'failure').length, 1);
    assert.equal(xmlEscape('x\u0001y'), 'xy');
  });

  it('finds the metrics files of the shipped breast-cancer pipeline, from the YAML or a loaded pipeline', () => {
    const file = join(REPO_ROOT, 'pipelines', 'breast-cancer.yaml');
    const expected = ['breast-cancer-svm.json', 'breast-cancer-forest.json'].map((f) => join(REPO_ROOT, 'metrics', f));
    assert.deepEqual(readPipelineMetrics(file).metricsFiles, expected);
    const loaded = {
      dir: join(REPO_ROOT, 'pipelines'),
      steps: new Map([
        ['a', { params: { metrics_file: '../metrics/breast-cancer-svm.json' } }],
        ['b', { params: {} }],
        ['c', { params: { metrics_file: '../metrics/breast-cancer-svm.json' } }],
      ]),
    };
    assert.deepEqual(metricsFilesOf(loaded), expected.slice(0, 1));
  });
});

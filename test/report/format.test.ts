/**
 * One number format throughout the report, and labels that are never cut: the formatter's rule,
 * tick labels that tell neighbouring ticks apart, DAG boxes as wide as their labels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalSvg } from '../../src/report/bars-svg.js';
import { dagSvg } from '../../src/report/dag-svg.js';
import { fmtEstimate, fmtNumber, tickFormat } from '../../src/report/format.js';
import type { ReportStep } from '../../src/report/report-data.js';
import { monoWidth } from '../../src/report/text-width.js';

test('numbers: three decimals (1 is 1.000, never "1" or "1.00"), three significant digits below 0.1, one decimal from 100', () => {
  assert.equal(fmtNumber(1), '1.000');
  assert.equal(fmtNumber(0), '0.000');
  assert.equal(fmtNumber(-0), '0.000');
  assert.equal(fmtNumber(0.36), '0.360');
  assert.equal(fmtNumber(0.98249), '0.982');
  assert.equal(fmtNumber(0.99996), '1.000');
  assert.equal(fmtNumber(0.0489), '0.0489');
  assert.equal(fmtNumber(-0.00061), '-0.000610');
  assert.equal(fmtNumber(55.2345), '55.234');
  assert.equal(fmtNumber(1234.56), '1234.6');
  assert.equal(fmtNumber(null), 'n/a');
  assert.equal(fmtNumber(Number.NaN), 'n/a');
  assert.equal(fmtNumber(0.9999, 4), '0.9999', 'more decimals where differences are the point (the baseline diff)');
  assert.equal(fmtEstimate({ value: 0.987, ci_low: 0.964, ci_high: 1 }), '0.987 [0.964, 1.000]');
  assert.equal(fmtEstimate({ value: 0.5, ci_low: null, ci_high: null }), '0.500');
});

test('tick labels: every tick of an axis reads differently, with the decimals its spacing needs', () => {
  const cases: number[][] = [
    [0, 0.2, 0.4, 0.6, 0.8, 1],
    [0.99, 0.995, 1],
    [0.56, 0.58, 0.6],
    [0, 20, 40],
    [-0.5, 0, 0.5],
    [0.3, 0.30000000000000004 + 0.1],
  ];
  for (const ticks of cases) {
    const labels = ticks.map(tickFormat(ticks));
    assert.equal(new Set(labels).size, ticks.length, labels.join(' '));
  }
  assert.deepEqual([0.99, 0.995, 1].map(tickFormat([0.99, 0.995, 1])), ['0.990', '0.995', '1.000']);
  assert.deepEqual([0, 0.5, 1].map(tickFormat([0, 0.5, 1])), ['0.0', '0.5', '1.0']);
  assert.deepEqual([-0.5, 0, 0.5].map(tickFormat([-0.5, 0, 0.5])), ['-0.5', '0.0', '0.5']);

  // An interval chart of a metric near 1 (ROC AUC 0.998 [0.995, 1.000]): no two ticks labelled "1.0".
  const svg = intervalSvg('ci', [['roc_auc', { value: 0.998, ci_low: 0.995, ci_high: 1 }]], 'roc_auc');
  const labels = [...svg.matchAll(/<text class="tick-label x-tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.ok(labels.length >= 2, labels.join(' '));
  assert.equal(new Set(labels).size, labels.length, `distinct tick labels: ${labels.join(' ')}`);
});

test('DAG: a node is as wide as its whole label, never an ellipsis', () => {
  const step = (id: string, uses: string, dependsOn: string[] = []): ReportStep => ({
    id,
    uses,
    status: 'done',
    cacheHit: false,
    durationMs: 71_000,
    startMs: 0,
    startEstimated: false,
    dependsOn,
    inputs: [],
  });
  const long = 'svm[C=0.1,kernel=linear,gamma=scale,class_weight=balanced]';
  const svg = dagSvg([
    step('load', 'load.csv'),
    step(long, 'train.svm', ['load']),
    step('select-features', 'select-features', ['load']),
    step('featurize-library', 'featurize.molecules', ['load']),
  ]);
  assert.doesNotMatch(svg, /…/);
  for (const [id, uses] of [
    [long, 'train.svm'],
    ['select-features', 'select-features'],
    ['featurize-library', 'featurize.molecules'],
  ]) {
    const node = new RegExp(
      `<g class="node[^"]*" data-step="${id.replace(/[[\]().]/g, '\\$&')}"[^>]*>[\\s\\S]*?<rect width="([\\d.]+)"[\\s\\S]*?<text class="node-id"[^>]*>([^<]*)</text><text class="node-sub"[^>]*>([^<]*)</text>`,
    ).exec(svg);
    assert.ok(node, id);
    assert.equal(node[2], id);
    assert.equal(node[3], uses);
    assert.ok(Number(node[1]) >= monoWidth(id, 12) + 20, `${id}: box ${node[1]} fits its label`);
  }
});

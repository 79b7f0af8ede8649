/**
 * The README's retrospective screening tables are the committed metrics files, number for number:
 * the conclusion drawn beside them must be about the numbers the pipeline writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/cli.js';

type Interval = { value: number; ci_low: number; ci_high: number };
const METHODS = ['guided', 'qsar', 'qsar-lower', 'similarity', 'random'];
const METRICS = ['ef@1%', 'ef@5%', 'bedroc', 'roc_auc'];

/** A metric as the README writes it: three significant digits, the interval in parentheses. */
const shown = (m: Interval): string => `${m.value.toPrecision(3)} (${m.ci_low.toPrecision(3)}–${m.ci_high.toPrecision(3)})`;

test('the README shows the committed screening metrics, both pools, every method', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const file of ['metrics/drug-discovery-screening.json', 'metrics/drug-discovery-screening-series.json']) {
    const metrics = (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { metrics: Record<string, Interval> }).metrics;
    for (const method of METHODS) {
      const row = `| ${method} | ${METRICS.map((k) => shown(metrics[`${method}.${k}`])).join(' | ')} |`;
      assert.ok(readme.includes(row), `${file}: the README has no row\n${row}`);
    }
  }
  const series = (JSON.parse(readFileSync(join(ROOT, 'metrics/drug-discovery-screening-series.json'), 'utf8')) as { metrics: Record<string, Interval> })
    .metrics;
  for (const [pair, metric] of [
    ['guided-vs-similarity', 'bedroc'],
    ['guided-vs-similarity', 'roc_auc'],
    ['guided-vs-qsar', 'roc_auc'],
    ['qsar-vs-similarity', 'bedroc'],
    ['qsar-vs-similarity', 'roc_auc'],
  ])
    assert.ok(readme.replace(/\s+/g, ' ').includes(shown(series[`${pair}.${metric}`])), `${pair}.${metric} as in the metrics file`);
});

/**
 * The text of a metrics file is made in one place (metricsReportText), for all three evaluate
 * steps: each committed metrics file of the shipped pipelines (binary, regression,
 * recommendation, generative) is exactly what it makes of the file's own content.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS_FORMAT, metricsReportText, parseMetricsFile } from '../../src/metrics/metrics-file.js';
import { ROOT } from '../helpers/cli.js';

const files = readdirSync(join(ROOT, 'metrics')).filter((f) => f.endsWith('.json'));

test('the shipped pipelines commit metrics files of every evaluate step', () => {
  const tasks = new Set(files.map((f) => (JSON.parse(readFileSync(join(ROOT, 'metrics', f), 'utf8')) as { task?: string }).task));
  for (const task of ['binary', 'regression', 'recommendation', 'generative']) assert.ok(tasks.has(task), `no committed metrics file of a ${task} evaluation`);
});

for (const file of files) {
  test(`metrics/${file}: its bytes are metricsReportText of its content, tagged ${METRICS_FORMAT} first`, () => {
    const text = readFileSync(join(ROOT, 'metrics', file), 'utf8');
    const { format, ...body } = JSON.parse(text) as Record<string, unknown>;
    assert.equal(format, METRICS_FORMAT);
    assert.equal(metricsReportText(body), text);
    assert.ok(parseMetricsFile(text, file).metrics.size > 0);
  });
}

/**
 * `medpipe models show` for a person: metrics with their intervals as a table, the parameters
 * that were chosen, a summary of the lineage and the model card; everything, as JSON, with --json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, shippedProjectCopy } from '../helpers/cli.js';

test('models show prints readable tables, not raw JSON; --json prints the whole version for machines', async () => {
  const dir = shippedProjectCopy('models-show');
  const ran = await runCli(dir, 'run', 'pipelines/breast-cancer.yaml');
  assert.equal(ran.code, 0, ran.err);

  const r = await runCli(dir, 'models', 'show', 'breast-cancer-svm@staging');
  assert.equal(r.code, 0, r.err);
  const [details, card] = r.out.split('\nmodel card:\n');
  assert.ok(card?.includes('# Model card: breast-cancer-svm'), 'the card follows the details');
  assert.doesNotMatch(details, /[{}]/, 'no JSON in the details');
  assert.ok(details.split('\n').length < 60, `a screenful, not ${details.split('\n').length} lines`);

  // Metrics: one row each, the value and its interval.
  assert.match(details, /^metrics:\n {2}METRIC +VALUE +CI\n/m);
  assert.match(details, /^ {2}roc_auc +0\.\d{4} +0\.\d{4} – [01]\.\d{4}$/m);
  assert.match(details, /^ {2}brier +0\.\d{4} +0\.\d{4} – 0\.\d{4}$/m);
  // Parameters: every step that made the model, NAME=VALUE as in the pipeline file, wrapped.
  assert.match(details, /^ {2}svm +train\.svm +kernel=rbf C=1 gamma=scale probability=true seed=42 /m);
  assert.match(details, /^ {2}select +select-features +method=anova-f k=10 /m);
  assert.ok(
    details.split('\n').every((l) => l.length <= 100 || !l.includes('=')),
    'parameter lines are wrapped',
  );
  // Lineage: where it came from, in a few lines.
  assert.match(details, /^ {2}pipeline +breast-cancer-diagnosis \(pipelines\/breast-cancer\.yaml\)$/m);
  assert.match(details, /^ {2}run +\d{8}T\d{6}Z-[0-9a-f]{6}, step register-svm$/m);
  assert.match(details, /^ {2}data +\.\.\/data\/breast-cancer-wisconsin\.csv \(step load, sha256 [0-9a-f]{12}…\)$/m);
  assert.match(details, /^ {2}upstream +load, split, prep, select, svm, eval-svm$/m);

  const json = await runCli(dir, 'models', 'show', 'breast-cancer-svm@staging', '--json');
  const version = JSON.parse(json.out) as {
    metrics: Record<string, { value: number }>;
    params: Record<string, unknown>;
    lineage: { upstream: Record<string, unknown> };
  };
  assert.equal(typeof version.metrics.roc_auc.value, 'number');
  assert.ok(version.params.svm);
  assert.ok(version.lineage.upstream.load);
});

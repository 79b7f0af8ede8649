/**
 * `medpipe serve` on the flagship's registry, as a real process on a loopback port: every endpoint,
 * answers identical to `medpipe predict`, bad input with every bad field named, size limits,
 * unknown models, and the prediction log's completeness.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { call, type Flagship, flagshipRegistry, predict, type Server, startServer, wisconsinRows } from './helpers.js';

let flagship: Flagship;
let server: Server;
let rows: Record<string, number>[];

before(async () => {
  flagship = await flagshipRegistry('serve-endpoints');
  rows = wisconsinRows(flagship.dir);
  server = await startServer(flagship.dir, '--log', 'predictions.jsonl', '--max-rows', '600', '--max-body', '2000000');
});

after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

test('/health, /ready, /v1/models and /openapi.json describe the served models from their signatures', async () => {
  assert.deepEqual((await call(`${server.url}/health`)).body, { status: 'ok' });
  const ready = await call(`${server.url}/ready`);
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body.models, ['breast-cancer-forest@1', 'breast-cancer-forest@staging', 'breast-cancer-svm@1', 'breast-cancer-svm@staging']);

  const list = await call(`${server.url}/v1/models`);
  assert.equal(list.body.every_version, true);
  const svm = list.body.models.find((m: { ref: string }) => m.ref === 'breast-cancer-svm@staging');
  assert.equal(svm.version, 1);
  assert.equal(svm.alias, 'staging');
  assert.deepEqual(svm.classes, ['benign', 'malignant']);
  assert.equal(svm.inputs.length, 30);
  assert.equal(svm.inputs[0].name, 'mean_radius');

  const api = await call(`${server.url}/openapi.json`);
  assert.equal(api.body.openapi, '3.1.0');
  const path = api.body.paths['/v1/models/breast-cancer-svm@staging/predict'].post;
  const schemaName = path.requestBody.content['application/json'].schema.$ref.split('/').pop();
  const rowSchema = api.body.components.schemas[schemaName].properties.rows.items;
  assert.deepEqual(rowSchema.required, Object.keys(rows[0]));
  assert.deepEqual(rowSchema.properties.mean_radius.type, ['number', 'null']);
  const out = api.body.components.schemas[schemaName.replace('Rows_', 'Predictions_')];
  assert.deepEqual(out.properties.predictions.items.enum, ['benign', 'malignant']);
});

test('the server and medpipe predict give identical answers on the same 569 rows', async () => {
  const header = readFileSync(join(flagship.dir, 'data/breast-cancer-wisconsin.csv'), 'utf8').split('\n')[0];
  assert.match(header, /diagnosis/);
  for (const model of ['breast-cancer-svm@staging', 'breast-cancer-forest@staging']) {
    const cli = await runCli(flagship.dir, 'predict', model, '--input', 'data/breast-cancer-wisconsin.csv', '--output', `${model}.csv`);
    assert.equal(cli.code, 0, cli.err);
    const [csvHeader, ...csvLines] = readFileSync(join(flagship.dir, `${model}.csv`), 'utf8')
      .trim()
      .split('\n');
    assert.equal(csvHeader, 'prediction,p_benign,p_malignant');
    const first = await predict(server, model, rows.slice(0, 300));
    const second = await predict(server, model, rows.slice(300));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(second.status, 200);
    const answers = [first.body, second.body];
    const predictions = answers.flatMap((a) => a.predictions);
    const probabilities = answers.flatMap((a) => a.probabilities);
    assert.equal(predictions.length, csvLines.length);
    csvLines.forEach((line, i) => {
      const [label, pBenign, pMalignant] = line.split(',');
      assert.equal(predictions[i], label, `${model} row ${i}`);
      assert.equal(probabilities[i].benign, Number(pBenign), `${model} row ${i}`);
      assert.equal(probabilities[i].malignant, Number(pMalignant), `${model} row ${i}`);
    });
    assert.equal(first.body.model, model.split('@')[0]);
    assert.equal(first.body.version, 1);
    assert.equal(first.body.alias, 'staging');
  }
});

test('bad input: every bad field is named by row and column, without echoing values', async () => {
  const good = rows[0];
  const bad = [
    { ...good, mean_radius: 'NaN' },
    { ...good, mean_texture: 'Infinity', worst_area: '1e999' },
    (() => {
      const { mean_area: _dropped, ...rest } = good;
      return rest;
    })(),
    'not a row',
    { ...good, extra_field: 'ignored', mean_smoothness: null },
    { ...good, mean_perimeter: true },
  ];
  const r = await predict(server, 'breast-cancer-svm@staging', bad);
  assert.equal(r.status, 400);
  assert.equal(r.body.error, 'bad_input');
  assert.deepEqual(
    r.body.problems.map((p: { row?: number; column?: string }) => `${p.row}:${p.column ?? ''}`),
    ['3:', '0:mean_radius', '1:mean_texture', '5:mean_perimeter', '2:mean_area', '1:worst_area'].sort(byColumnOrder),
  );
  assert.match(r.body.message, /^6 problems in the request for breast-cancer-svm@staging \(version 1\)/);
  assert.doesNotMatch(JSON.stringify(r.body), /Infinity|1e999|NaN|not a row/, 'no sent value is echoed');
  // A missing value the preprocessing imputes (median) is accepted, and extra fields are ignored.
  const imputed = await predict(server, 'breast-cancer-svm@staging', [bad[4]]);
  assert.equal(imputed.status, 200, JSON.stringify(imputed.body));

  // A literal 1e999 parses to Infinity in JSON.parse: refused as well.
  const literal = await call(`${server.url}/v1/models/breast-cancer-svm@staging/predict`, {
    body: JSON.stringify({ rows: [good] }).replace(/"mean_radius":[^,]+/, '"mean_radius":1e999'),
  });
  assert.equal(literal.status, 400);
  assert.deepEqual(literal.body.problems, [{ row: 0, column: 'mean_radius', problem: 'not a finite number (too large for a 64-bit float)' }]);

  for (const [body, expected] of [
    ['{"rows": [', 'bad_json'],
    ['{"patients": []}', 'bad_input'],
    ['{"rows": []}', 'bad_input'],
  ] as const) {
    const r2 = await call(`${server.url}/v1/models/breast-cancer-svm@staging/predict`, { body });
    assert.equal(r2.status, 400, body);
    assert.equal(r2.body.error, expected, body);
  }
});

/** Problems come column by column in signature order, the non-object rows first. */
function byColumnOrder(a: string, b: string): number {
  const order = ['', 'mean_radius', 'mean_texture', 'mean_perimeter', 'mean_area', 'worst_area'];
  const [ra, ca] = a.split(':');
  const [rb, cb] = b.split(':');
  return order.indexOf(ca) - order.indexOf(cb) || Number(ra) - Number(rb);
}

test('problems are capped at 100 with a count of the rest', async () => {
  const many = Array.from({ length: 150 }, () => ({ ...rows[0], mean_radius: 'x' }));
  const r = await predict(server, 'breast-cancer-forest@1', many);
  assert.equal(r.status, 400);
  assert.equal(r.body.problems.length, 100);
  assert.equal(r.body.more, 50);
  assert.match(r.body.message, /^150 problems/);
});

test('oversized bodies and too many rows are refused with 413 and a JSON error', async () => {
  const huge = await call(`${server.url}/v1/models/breast-cancer-svm@staging/predict`, { body: JSON.stringify({ rows, pad: 'x'.repeat(2_000_000) }) });
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error, 'body_too_large');
  assert.match(huge.body.message, /limit of 2000000 bytes \(--max-body\)/);
  const tooMany = await predict(server, 'breast-cancer-svm@staging', [...rows, ...rows].slice(0, 601));
  assert.equal(tooMany.status, 413);
  assert.equal(tooMany.body.error, 'too_many_rows');
  assert.match(tooMany.body.message, /601 rows; this server takes at most 600/);
});

test('an unknown model, alias or version is a 404 that names it and lists what is there', async () => {
  const name = await predict(server, 'breast-cancer-svn@staging', [rows[0]]);
  assert.equal(name.status, 404);
  assert.equal(name.body.error, 'unknown_model');
  assert.match(
    name.body.message,
    /no model named "breast-cancer-svn" \(did you mean "breast-cancer-svm"\?\); registered models: breast-cancer-forest, breast-cancer-svm/,
  );
  const alias = await predict(server, 'breast-cancer-svm@production', [rows[0]]);
  assert.equal(alias.status, 404);
  assert.match(alias.body.message, /has no alias "production".*staging -> 1/);
  const version = await predict(server, 'breast-cancer-svm@9', [rows[0]]);
  assert.equal(version.status, 404);
  assert.match(version.body.message, /has no version 9/);
  const route = await call(`${server.url}/v2/anything`);
  assert.equal(route.status, 404);
  assert.match(route.body.message, /POST \/v1\/models\/NAME@ALIAS\/predict/);
});

test('?explain=true adds each feature contribution, summing to the prediction minus the base value; at most 20 rows', async () => {
  const explained = await call(`${server.url}/v1/models/breast-cancer-forest@staging/predict?explain=true`, {
    body: JSON.stringify({ rows: rows.slice(0, 3) }),
  });
  assert.equal(explained.status, 200, JSON.stringify(explained.body));
  const e = explained.body.explanations;
  assert.equal(e.method, 'tree-shap');
  assert.deepEqual(e.outputs, ['benign', 'malignant']);
  assert.equal(e.rows.length, 3);
  for (const [r, row] of e.rows.entries()) {
    for (const [k] of e.outputs.entries()) {
      const sum = e.base[k] + row.contributions[k].reduce((a: number, b: number) => a + b, 0);
      assert.ok(Math.abs(sum - row.prediction[k]) < 1e-9, `row ${r} output ${k}`);
      assert.ok(Math.abs(row.prediction[k] - explained.body.probabilities[r][e.outputs[k]]) < 1e-12, 'the explained prediction is the served one');
    }
  }
  const tooMany = await call(`${server.url}/v1/models/breast-cancer-forest@staging/predict?explain=true`, {
    body: JSON.stringify({ rows: rows.slice(0, 21) }),
  });
  assert.equal(tooMany.status, 413);
  assert.match(tooMany.body.message, /at most 20 rows/);
});

test('every answered prediction is in the log, with its version and input digest, in a chain --verify-log accepts', async () => {
  const before = logLines().length;
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => predict(server, i % 2 ? 'breast-cancer-forest@staging' : 'breast-cancer-svm@1', [rows[i], rows[i + 1]])),
  );
  assert.ok(answers.every((a) => a.status === 200));
  const lines = logLines().slice(before);
  assert.equal(lines.length, 40);
  assert.deepEqual(
    lines.map((l) => `${l.model}@${l.version}:${l.alias}`).sort(),
    answers.map((a) => `${a.body.model}@${a.body.version}:${a.body.alias}`).sort(),
  );
  for (const l of lines) {
    assert.equal(l.input_sha256.length, 2);
    assert.equal(l.inputs, undefined, 'the rows themselves are not logged without --log-inputs');
  }
  const ok = await runCli(flagship.dir, 'serve', '--verify-log', 'predictions.jsonl');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /predictions\.jsonl: ok, \d+ predictions, chain intact/);
});

function logLines(): { model: string; version: number; alias: string | null; input_sha256: string[]; inputs?: unknown }[] {
  return readFileSync(join(flagship.dir, 'predictions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('--verify-log detects an edited line and a cut end', async () => {
  const text = readFileSync(join(flagship.dir, 'predictions.jsonl'), 'utf8');
  const head = readFileSync(join(flagship.dir, 'predictions.jsonl.head'), 'utf8');
  writeFileSync(join(flagship.dir, 'edited.jsonl'), text.replace('"malignant"', '"benign"'));
  writeFileSync(join(flagship.dir, 'edited.jsonl.head'), head);
  const edited = await runCli(flagship.dir, 'serve', '--verify-log', 'edited.jsonl');
  assert.equal(edited.code, 1);
  assert.match(edited.err, /edited\.jsonl: line \d+: its prev does not match the hash of line \d+/);
  const lines = text.trim().split('\n');
  writeFileSync(join(flagship.dir, 'cut.jsonl'), `${lines.slice(0, -2).join('\n')}\n`);
  writeFileSync(join(flagship.dir, 'cut.jsonl.head'), head);
  const cut = await runCli(flagship.dir, 'serve', '--verify-log', 'cut.jsonl');
  assert.equal(cut.code, 1);
  assert.match(cut.err, /the head file records line \d+, but the log has \d+ lines: its end was removed/);
});

/**
 * `medpipe serve` over time: an alias promoted by another process is served within seconds while
 * clients keep calling, without a failed request; SIGTERM lets requests in flight finish and
 * exits 0 with every answer logged; the bearer token.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { call, type Flagship, flagshipRegistry, predict, startServer, wisconsinRows } from './helpers.js';

let flagship: Flagship;
let rows: Record<string, number>[];

before(async () => {
  flagship = await flagshipRegistry('serve-lifecycle');
  rows = wisconsinRows(flagship.dir);
  // A second version of each model, without an alias: an experiment allowed to register.
  const r = await runCli(flagship.dir, 'run', 'pipelines/breast-cancer.yaml', '--set', 'seed=7', '--register');
  assert.equal(r.code, 0, r.err + r.out);
});

function logOf(file: string): { version: number; alias: string | null }[] {
  return readFileSync(join(flagship.dir, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('an alias promoted in another process is served within seconds, under load, without a failed request', async () => {
  const server = await startServer(flagship.dir, 'breast-cancer-svm@staging', '--log', 'alias.jsonl');
  const answers: { client: number; status: number; version: number }[] = [];
  let stop = false;
  const client = async (id: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const r = await predict(server, 'breast-cancer-svm@staging', [rows[(id * 97 + i) % rows.length]]);
      answers.push({ client: id, status: r.status, version: r.body.version });
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  try {
    while (answers.length < 50) await new Promise((r) => setTimeout(r, 10));
    const promoted = await runCli(flagship.dir, 'models', 'promote', 'breast-cancer-svm@2', 'staging');
    assert.equal(promoted.code, 0, promoted.err);
    const movedAt = answers.length;
    const deadline = Date.now() + 10_000;
    // Served "within seconds": every client has seen version 2 a few times.
    while (![0, 1, 2, 3].every((c) => answers.slice(movedAt).filter((a) => a.client === c && a.version === 2).length >= 5)) {
      assert.ok(Date.now() < deadline, 'version 2 was not served within 10 s of the promotion');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    stop = true;
    await Promise.all(clients);
  }
  assert.deepEqual(
    answers.filter((a) => a.status !== 200),
    [],
    'no request failed during the swap',
  );
  for (const c of [0, 1, 2, 3]) {
    const versions = answers.filter((a) => a.client === c).map((a) => a.version);
    const firstNew = versions.indexOf(2);
    assert.ok(versions.slice(0, firstNew).every((v) => v === 1) && versions.slice(firstNew).every((v) => v === 2), `client ${c} never goes back to version 1`);
  }
  assert.match(server.stderr(), /breast-cancer-svm@staging: now version 2 \(was 1\)/);

  // Only what was named is served.
  const other = await predict(server, 'breast-cancer-forest@staging', [rows[0]]);
  assert.equal(other.status, 404);
  assert.match(other.body.message, /breast-cancer-forest@staging is not served here; served: breast-cancer-svm@staging/);

  assert.equal(await server.stop(), 0, server.stderr());
  const logged = logOf('alias.jsonl');
  assert.equal(logged.length, answers.length, 'one log line per answered request');
  assert.deepEqual(logged.map((l) => l.version).sort(), answers.map((a) => a.version).sort());
});

/** Sends a request's headers and half its body; resolves with a function that sends the rest and gives the status and body. */
function halfSent(url: string, body: string): Promise<() => Promise<{ status: number; text: string }>> {
  const u = new URL(url);
  return new Promise((ready) => {
    let answered: (v: { status: number; text: string }) => void;
    const answer = new Promise<{ status: number; text: string }>((r) => (answered = r));
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => answered({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (e) => answered({ status: -1, text: e.message }));
    req.write(body.slice(0, body.length / 2));
    // The headers and half the body are on the wire once the socket has written them.
    req.on('socket', (s) =>
      s.on('connect', () =>
        setTimeout(
          () =>
            ready(() => {
              req.end(body.slice(body.length / 2));
              return answer;
            }),
          100,
        ),
      ),
    );
  });
}

test('SIGTERM: requests in flight finish and are logged, new connections are refused, exit 0', async () => {
  const server = await startServer(flagship.dir, '--log', 'sigterm.jsonl');
  const body = JSON.stringify({ rows: rows.slice(0, 200) });
  const inFlight = await Promise.all([0, 1, 2].map(() => halfSent(`${server.url}/v1/models/breast-cancer-forest@staging/predict`, body)));
  server.child.kill('SIGTERM');
  while (!/SIGTERM: finishing the requests in flight/.test(server.stderr())) await new Promise((r) => setTimeout(r, 10));
  const refused = await call(`${server.url}/health`).then(
    () => 'answered',
    () => 'refused',
  );
  assert.equal(refused, 'refused', 'no new connection once stopping');
  const answers = await Promise.all(inFlight.map((finish) => finish()));
  for (const a of answers) {
    assert.equal(a.status, 200, a.text);
    assert.equal(JSON.parse(a.text).predictions.length, 200);
  }
  assert.equal(await server.closed, 0, server.stderr());
  assert.match(server.stderr(), /stopped; the prediction log is complete/);
  assert.equal(logOf('sigterm.jsonl').length, 3);
  const verified = await runCli(flagship.dir, 'serve', '--verify-log', 'sigterm.jsonl');
  assert.equal(verified.code, 0, verified.err);
});

test('--token-file: 401 without the token or with a wrong one, answers with it; /health stays open', async () => {
  writeFileSync(join(flagship.dir, 'token.txt'), 's3cret-token-for-the-test\n');
  const server = await startServer(flagship.dir, 'breast-cancer-svm@staging', '--token-file', 'token.txt', '--log', 'token.jsonl');
  try {
    const none = await predict(server, 'breast-cancer-svm@staging', [rows[0]]);
    assert.equal(none.status, 401);
    assert.match(none.body.message, /needs a bearer token/);
    const wrong = await predict(server, 'breast-cancer-svm@staging', [rows[0]], { authorization: 'Bearer s3cret-token-for-the-tesT' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.message, /the bearer token is wrong/);
    const prefix = await predict(server, 'breast-cancer-svm@staging', [rows[0]], { authorization: 'Bearer s3cret' });
    assert.equal(prefix.status, 401);
    assert.equal((await call(`${server.url}/v1/models`)).status, 401);
    assert.equal((await call(`${server.url}/openapi.json`)).status, 401);
    const right = await predict(server, 'breast-cancer-svm@staging', [rows[0]], { authorization: 'Bearer s3cret-token-for-the-test' });
    assert.equal(right.status, 200);
    assert.equal((await call(`${server.url}/health`)).status, 200);
    assert.equal((await call(`${server.url}/ready`)).status, 200);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  assert.equal(logOf('token.jsonl').length, 1, 'refused requests are not predictions');
});

test('--log-inputs logs the rows the model read; the digest is of the same canonical row', async () => {
  const server = await startServer(flagship.dir, '--log', 'inputs.jsonl', '--log-inputs');
  try {
    const r = await predict(server, 'breast-cancer-svm@1', [{ ...rows[3], note: 'not a model column' }]);
    assert.equal(r.status, 200);
  } finally {
    await server.stop();
  }
  const [line] = logOf('inputs.jsonl') as unknown as { inputs: Record<string, unknown>[]; input_sha256: string[] }[];
  assert.deepEqual(line.inputs, [rows[3]], 'only the model columns are logged');
  const { canonicalJson, sha256 } = await import('../../src/registry/canonical.js');
  assert.equal(line.input_sha256[0], sha256(canonicalJson(rows[3])));
});

test('an alias moved to a version whose bundle was damaged keeps answering with the old one, /ready says why, and recovers', async () => {
  // Only the alias: a server of every model would have loaded (and verified) version 2, the latest, at start.
  const server = await startServer(flagship.dir, 'breast-cancer-forest@staging', '--log', 'damaged.jsonl');
  try {
    assert.equal((await predict(server, 'breast-cancer-forest@staging', [rows[0]])).body.version, 1);
    const shown = await runCli(flagship.dir, 'models', 'show', 'breast-cancer-forest@2', '--json');
    const digest = (JSON.parse(shown.out) as { bundleDigest: string }).bundleDigest;
    const file = join(flagship.store, 'objects', digest.slice(0, 2), digest.slice(2));
    const original = readFileSync(file);
    writeFileSync(file, Buffer.concat([original.subarray(0, 100), Buffer.from('tampered'), original.subarray(108)]));
    try {
      assert.equal((await runCli(flagship.dir, 'models', 'promote', 'breast-cancer-forest@2', 'staging')).code, 0);
      let ready = await call(`${server.url}/ready`);
      for (let i = 0; i < 250 && ready.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 20));
        ready = await call(`${server.url}/ready`);
      }
      assert.equal(ready.status, 503);
      assert.match(
        ready.body.message,
        /breast-cancer-forest@staging moved to version 2, which cannot be served \(.*does not match its registered digest.*\); still serving version 1/,
      );
      const still = await predict(server, 'breast-cancer-forest@staging', [rows[0]]);
      assert.equal(still.status, 200);
      assert.equal(still.body.version, 1);
    } finally {
      writeFileSync(file, original);
    }
    let answer = await predict(server, 'breast-cancer-forest@staging', [rows[0]]);
    for (let i = 0; i < 250 && answer.body.version !== 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      answer = await predict(server, 'breast-cancer-forest@staging', [rows[0]]);
    }
    assert.equal(answer.body.version, 2, 'the repaired version is served');
    assert.equal((await call(`${server.url}/ready`)).status, 200);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('what cannot be served is said before listening: bad options, unknown refs, a missing token file', async () => {
  const cases: [string[], number, RegExp][] = [
    [['--port', 'eighty'], 2, /--port must be a whole number from 0 to 65535, got "eighty"/],
    [['--max-rows', '0'], 2, /--max-rows must be a whole number from 1/],
    [['--token-file', 'no-such-token.txt'], 2, /--token-file no-such-token\.txt: cannot read it \(ENOENT\)/],
    [['breast-cancer-svm'], 1, /"breast-cancer-svm": name a version or an alias to serve \(e\.g\. breast-cancer-svm@production or breast-cancer-svm@3\)/],
    [['breast-cancer-svm@prod'], 1, /model "breast-cancer-svm" has no alias "prod"/],
    [['breast-cancer-svm@staging', '--verify-log', 'x.jsonl'], 2, /--verify-log checks a log and serves nothing/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runCli(flagship.dir, 'serve', ...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  }
  writeFileSync(join(flagship.dir, 'empty-token.txt'), '\n');
  assert.match((await runCli(flagship.dir, 'serve', '--token-file', 'empty-token.txt')).err, /--token-file empty-token\.txt is empty/);
});
